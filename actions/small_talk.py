"""Greetings, thanks, help, and questions from elsewhere: short, polite, never a guess."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import LotseAction, intent_of
from bot.answers import AnswerWriter, Reply
from bot.slots import (
    INTENT_GOODBYE,
    INTENT_GREET,
    INTENT_HELP,
    INTENT_THANK,
    SLOT_CLARIFY_TRIES,
    SLOT_PENDING,
)

SMALL_TALK_RESPONSES = {
    INTENT_GREET: "utter_greet",
    INTENT_GOODBYE: "utter_goodbye",
    INTENT_THANK: "utter_thank",
    INTENT_HELP: "utter_help",
}


class ActionAnswerSmallTalk(LotseAction):
    """Replies to greetings, thanks, goodbyes and 'what can you do?'."""

    def name(self) -> str:
        return "action_answer_small_talk"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        return writer.simple_reply(SMALL_TALK_RESPONSES.get(intent_of(tracker), "utter_help"), lang), []


class ActionAnswerOutOfScope(LotseAction):
    """Questions the instruction is not about, and text the bot cannot read."""

    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        # an unrelated question instead of an answer drops a pending clarifying question
        dropped: list[EventType] = [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
        return writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"), dropped
