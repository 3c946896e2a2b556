"""What every Lotse action does, whatever it answers: language slot, and no silence on a bug."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.base import LotseAction
from bot.answering.answers import AnswerWriter, Reply
from bot.answering.responses import Responses
from tests.conftest import MakeTracker, RunAction


class ActionThatBreaks(LotseAction):
    """A concrete action whose answer fails, as a bug in a future action would."""

    def name(self) -> str:
        return "action_that_breaks"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        raise KeyError("a guide entry that is not there")


def test_a_failing_action_still_answers_and_names_the_source(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    result = run_action(ActionThatBreaks, make_tracker("who handles appointment cancellations?", "ask_x"))
    assert result.text == responses.text("utter_internal_error", "en")
    assert "202505010" in result.text
    assert result.slots == {"lang": "en"}
