"""Answer a question about the guides: route it, ask back, or say it is not covered."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import LotseAction
from bot.answers import AnswerWriter, Reply
from bot.engine import Answer, Clarify, conditions_for, resolve, stated_in_text
from bot.guides import Guides
from bot.slots import (
    CONDITION_SLOTS,
    INTENT_AFFIRM,
    INTENT_DENY,
    INTENT_INFORM,
    SLOT_CLARIFY_TRIES,
    SLOT_LAST_TOPIC,
    SLOT_PENDING,
    SLOT_SUBJECT,
)

MAX_CLARIFY_TRIES = 2
ANSWERS_TO_QUESTION = (INTENT_INFORM, INTENT_AFFIRM, INTENT_DENY)


def _intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def _stated(tracker: Tracker, guides: Guides) -> dict[str, str]:
    """Condition values the user stated in this message: by cue words, or a button's payload."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    stated = {} if text.startswith("/") else stated_in_text(guides, text)
    for entity in message.get("entities") or []:
        key, value = entity.get("entity"), entity.get("value")
        if key in guides.vocabulary.conditions and isinstance(value, str):
            stated[key] = value
    return stated


def _answer_to_pending(tracker: Tracker, guides: Guides, pending: str) -> str | None:
    """The value the user gave for the condition the bot asked about, if any."""
    intent = _intent(tracker)
    stated = _stated(tracker, guides)
    if pending in stated:
        return stated[pending]
    condition = guides.vocabulary.conditions.get(pending)
    if condition is None:
        return None
    if intent == INTENT_AFFIRM:
        return condition.affirm
    if intent == INTENT_DENY:
        return condition.deny
    return None


class ActionAnswerGuide(LotseAction):
    """Looks the question up in the current guides and answers from the entry found."""

    def name(self) -> str:
        return "action_answer_guide"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        guides = writer.guides
        intent = _intent(tracker)
        pending = tracker.get_slot(SLOT_PENDING)
        if intent in ANSWERS_TO_QUESTION:
            return self._continue(tracker, writer, lang, pending)
        query = conditions_for(guides, intent, _stated(tracker, guides))
        if query is None:  # an intent the guides do not know: never guess
            return writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"), []
        return self._resolve(writer, lang, query, tries=0)

    def _continue(
        self, tracker: Tracker, writer: AnswerWriter, lang: str, pending: str | None
    ) -> tuple[Reply, list[EventType]]:
        """The user answers a clarifying question (click or typed yes / no / value)."""
        subject = tracker.get_slot(SLOT_SUBJECT)
        if not pending or not subject:
            return writer.simple_reply("utter_nothing_pending", lang), []
        value = _answer_to_pending(tracker, writer.guides, pending)
        query = {slot: tracker.get_slot(slot) for slot in CONDITION_SLOTS if tracker.get_slot(slot)}
        if value is None:
            tries = int(tracker.get_slot(SLOT_CLARIFY_TRIES) or 0) + 1
            if tries >= MAX_CLARIFY_TRIES:
                reply = writer.simple_reply("utter_clarify_give_up", lang, kind="not_covered")
                return reply, [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
            return self._resolve(writer, lang, query, tries=tries)
        query[pending] = value
        return self._resolve(writer, lang, query, tries=0)

    def _resolve(
        self, writer: AnswerWriter, lang: str, query: dict[str, str], tries: int
    ) -> tuple[Reply, list[EventType]]:
        today = self.today()
        found = resolve(writer.guides, query, today)
        reply = writer.resolution_reply(found, lang, today, today, query.get("subject"))
        events: list[EventType] = [SlotSet(slot, query.get(slot)) for slot in CONDITION_SLOTS]
        events.append(SlotSet(SLOT_PENDING, found.key if isinstance(found, Clarify) else None))
        events.append(SlotSet(SLOT_CLARIFY_TRIES, tries if isinstance(found, Clarify) else 0))
        if isinstance(found, Answer):
            events.append(SlotSet(SLOT_LAST_TOPIC, found.entry.id))
        return reply, events
