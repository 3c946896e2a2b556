"""What every Lotse action does: read the message once, resolve it, write the reply.

reader (actions/reading.py) → resolve (actions/resolving.py) → writer (actions/writing.py); an
action only names which of Rasa's actions it is (its Handler).
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.reading import read_language, read_question
from actions.resolving import resolve_question
from actions.writing import render, write, write_failure
from bot.answering.answers import AnswerWriter
from bot.answering.question import Handler
from bot.answering.responses import Responses
from bot.answering.store import GuideStore

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.date]


class LotseAction(Action, abc.ABC):
    """Base of the Lotse actions; abstract, so rasa-sdk never registers it."""

    def __init__(self, store: GuideStore, responses: Responses, today: Clock) -> None:
        self.store = store
        self.responses = responses
        self.today = today

    @property
    @abc.abstractmethod
    def handler(self) -> Handler:
        """Which of Rasa's actions this is: what the dialogue policy took the message for."""

    def name(self) -> str:
        return self.handler.value

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        guides = self.store.get()
        lang = read_language(tracker, guides)
        try:
            question = read_question(tracker, guides, self.handler, lang, self.today())
            outcome = resolve_question(question, guides)
            reply = render(outcome.say, lang, AnswerWriter(guides, self.responses))
        except Exception:  # a bug must not leave an agent on a call without an answer
            logger.exception("%s failed", self.name())
            return write_failure(dispatcher, self.responses, lang)
        return write(dispatcher, reply, outcome, lang)
