"""Follow-up questions about the last answer: where it is written, since when, and why."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.base import LotseAction, asked_day, case_conditions, last_entry
from bot.answers import AnswerWriter, Reply


class ActionAnswerSource(LotseAction):
    """'Wo steht das?' – the section and guide of the last answer."""

    def name(self) -> str:
        return "action_answer_source"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        return writer.source_reply(last_entry(tracker, writer.guides), lang), []


class ActionAnswerValidity(LotseAction):
    """'Seit wann gilt das?' – the validity of the last answer."""

    def name(self) -> str:
        return "action_answer_validity"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
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
        entry = last_entry(tracker, writer.guides)
        if entry is None:
            return writer.simple_reply("utter_no_previous_answer", lang, kind="out_of_scope"), []
        day = asked_day(tracker) or self.today()
        return writer.why_reply(entry, case_conditions(tracker, writer.guides), lang, day), []
