"""What every Lotse action does, whatever it answers: language slot, and no silence on a bug."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions import ActionAnswerSmallTalk
from bot.answering.responses import Responses
from bot.answering.store import GuideStore
from tests.conftest import TODAY, MakeTracker


def test_a_failing_action_still_answers_and_names_the_source(
    store: GuideStore, make_tracker: MakeTracker, responses: Responses
) -> None:
    """A reply that cannot be written (here: a domain.yml without the greeting) is a bug in the making:
    the agent still gets an answer, in the conversation's language, and where to look instead."""
    internal_error = {lang: responses.text("utter_internal_error", lang) for lang in ("de", "en")}
    only_the_error = Responses(
        {
            "utter_internal_error": [
                {"condition": [{"type": "slot", "name": "lang", "value": lang}], "text": text}
                for lang, text in internal_error.items()
            ]
        }
    )
    action = ActionAnswerSmallTalk(store, only_the_error, lambda: TODAY)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, make_tracker("hello, good morning", "greet"), {}))
    assert [message["text"] for message in dispatcher.messages] == [internal_error["en"]]
    assert "202505010" in internal_error["en"]
    assert events == [{"event": "slot", "timestamp": None, "name": "lang", "value": "en"}]
