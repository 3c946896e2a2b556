"""'Neue Frage' / 'reset': forget the case under discussion and start over."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, EventType

from actions.base import LotseAction
from bot.answering.answers import AnswerWriter, Reply


class ActionAnswerReset(LotseAction):
    """Clears every slot (the language is set again by the base class) and says so."""

    reads_context = False  # "neue Frage" is never an answer to the last question

    def name(self) -> str:
        return "action_answer_reset"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        return writer.simple_reply("utter_restart", lang), [AllSlotsReset()]
