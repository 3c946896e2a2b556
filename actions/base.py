"""What every Lotse action shares: the guides, the bot's texts, the date, the language."""

from __future__ import annotations

import abc
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answering.answers import AnswerWriter, Reply
from bot.answering.engine import requested_language
from bot.answering.guides import Entry, Guides
from bot.answering.language import detect_language
from bot.answering.markdown import only_markup
from bot.answering.responses import Responses
from bot.answering.slots import SLOT_AS_OF, SLOT_CLARIFY_TRIES, SLOT_LANG, SLOT_LAST_TOPIC, SLOT_PENDING
from bot.answering.store import GuideStore

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.date]
DEFAULT_LANG = "de"


class LotseAction(Action, abc.ABC):
    """Base of the Lotse actions; abstract, so rasa-sdk never registers it."""

    reads_context: ClassVar[bool] = True  # "neue Frage" does not: it drops the context

    def __init__(self, store: GuideStore, responses: Responses, today: Clock) -> None:
        self.store = store
        self.responses = responses
        self.today = today

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    @abc.abstractmethod
    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        """The reply to send and the events to return, for one turn."""

    def _in_context(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]] | None:
        """What the message means in the conversation so far, whichever intent it got (actions/context.py)."""
        if not self.reads_context:
            return None
        from actions.context import context_reply  # imported here: it builds on the guide action

        return context_reply(tracker, writer, lang, self.today())

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        guides = self.store.get()
        lang = language_of(tracker, guides)
        try:
            writer = AnswerWriter(guides, self.responses)
            if only_markup(user_text(tracker)):  # pasted script or HTML: nothing to read, never a guess
                reply = writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope")
                events: list[EventType] = [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
            else:
                in_context = self._in_context(tracker, writer, lang)
                reply, events = in_context or await self.answer(tracker, writer, lang)
        except Exception:  # a bug must not leave an agent on a call without an answer
            logger.exception("%s failed", self.name())
            dispatcher.utter_message(text=self.responses.text("utter_internal_error", lang))
            return [SlotSet(SLOT_LANG, lang)]
        send(dispatcher, reply)
        return [*events, SlotSet(SLOT_LANG, lang)]


def intent_of(tracker: Tracker) -> str:
    """The intent NLU found in the latest message ('' when none)."""
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def user_text(tracker: Tracker) -> str:
    """What the user typed; '' for a clicked button (a `/intent{...}` payload)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return "" if text.startswith("/") else text


def case_conditions(tracker: Tracker, guides: Guides) -> dict[str, str]:
    """The conditions of the case under discussion, as the slots (one per condition key) keep them."""
    return {key: str(tracker.get_slot(key)) for key in guides.vocabulary.conditions if tracker.get_slot(key)}


def last_entry(tracker: Tracker, guides: Guides) -> Entry | None:
    """The entry of the last answer, if the last reply answered from one."""
    topic = tracker.get_slot(SLOT_LAST_TOPIC)
    return guides.by_id.get(topic) if topic else None


def last_reply_topic(tracker: Tracker) -> str | None:
    """The entry the reply just before this message answered from (its payload's topic), if any."""
    current_seen = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if current_seen:
                return None  # a turn without a reply of ours between
            current_seen = True
        elif kind == "bot" and current_seen:
            custom = (event.get("data") or {}).get("custom") or {}
            topic = (custom.get("answer") or {}).get("topic") if isinstance(custom, dict) else None
            return str(topic) if topic else None
    return None


def asked_day(tracker: Tracker) -> dt.date | None:
    """The day the case under discussion was asked about, when it was not today."""
    as_of = tracker.get_slot(SLOT_AS_OF)
    return dt.date.fromisoformat(as_of) if as_of else None


def language_of(tracker: Tracker, guides: Guides) -> str:
    """The language asked for ("in English please"), else the message's, the conversation's, German."""
    text = user_text(tracker)
    return (
        requested_language(guides, text)
        or detect_language(text)
        or tracker.get_slot(SLOT_LANG)
        or DEFAULT_LANG
    )


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One message: text (with buttons) and answer payload; Rasa's REST channel sends them as two."""
    dispatcher.utter_message(
        text=reply.text, buttons=reply.buttons or None, json_message=reply.payload or None
    )
