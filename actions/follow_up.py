"""Follow-up questions about the last answer: where it is written, since when, and why.

Each is believed only when the message says what it asks (the vocabulary's
`intent_cues`): "who works in them?" read as "why?" gets the unsure handling instead.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.answer_guide import named_entry
from actions.base import LotseAction, asked_day, case_conditions, intent_of, last_entry, user_text
from actions.small_talk import unsure_reply
from bot.answering.answers import AnswerWriter, Reply
from bot.answering.engine import believed


def misread(tracker: Tracker, writer: AnswerWriter) -> bool:
    """The NLU's intent, with none of the words that ask it ("who works in them?" as ask_why)."""
    return not believed(writer.guides, intent_of(tracker), user_text(tracker))


class ActionAnswerSource(LotseAction):
    """'Wo steht das?' – the section and guide of the last answer."""

    def name(self) -> str:
        return "action_answer_source"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        if misread(tracker, writer):
            return unsure_reply(tracker, writer, lang, self.today())
        entry = last_entry(tracker, writer.guides) or named_entry(tracker, writer.guides, self.today())
        return writer.source_reply(entry, lang), []


class ActionAnswerValidity(LotseAction):
    """'Seit wann gilt das?' – the validity of the last answer."""

    def name(self) -> str:
        return "action_answer_validity"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        if misread(tracker, writer):
            return unsure_reply(tracker, writer, lang, self.today())
        entry = last_entry(tracker, writer.guides)
        general = writer.guides.vocabulary.without_context.validity
        if entry is None and general:
            entry = writer.guides.by_id[general]
        if entry is None:
            return writer.simple_reply("utter_no_previous_answer", lang, kind="out_of_scope"), []
        return writer.validity_reply(entry, lang), []


class ActionAnswerWhy(LotseAction):
    """'Warum?' – which conditions of the question matched which guide entry."""

    def name(self) -> str:
        return "action_answer_why"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        if misread(tracker, writer):
            return unsure_reply(tracker, writer, lang, self.today())
        entry = last_entry(tracker, writer.guides)
        if entry is None:
            return writer.simple_reply("utter_no_previous_answer", lang, kind="out_of_scope"), []
        day = asked_day(tracker) or self.today()
        return writer.why_reply(entry, case_conditions(tracker, writer.guides), lang, day), []
