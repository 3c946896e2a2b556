"""Greetings, thanks, help, and questions from elsewhere: short, polite, never a guess.

A question the NLU was unsure about, or put out of scope while guide subjects ranked close
behind, gets "Meinten Sie …?" with those subjects as buttons instead (bot/did_you_mean.py).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import LotseAction, intent_of, user_text
from actions.details import unsettled_asked
from bot.answers import AnswerWriter, Reply
from bot.did_you_mean import leads_nowhere, suggestions
from bot.engine import Answer, Clarify, Resolution, stated_in_text
from bot.guides import Entry
from bot.markdown import MARKUP
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
    """Questions the instruction is not about, text the bot cannot read, and unsure readings.

    Rasa runs it for `out_of_scope` and `nlu_fallback`; where guide subjects rank close behind
    (the rule in bot/did_you_mean.py), it offers them ("Meinten Sie …?") instead.
    """

    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        # an unrelated question instead of an answer drops a pending clarifying question
        dropped: list[EventType] = [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
        ranking = (tracker.latest_message or {}).get("intent_ranking")
        text = user_text(tracker)
        stated = stated_in_text(writer.guides, text)
        likely = [] if MARKUP.search(text) else suggestions(writer.guides, ranking, stated, self.today())
        unsettled = unsettled_asked(writer.guides, text) if likely else None
        entry = _entry_of(likely[0].resolution) if likely else None
        if unsettled is not None and entry is not None:  # "wie viele E-Mails kamen …?": never in the guides
            return writer.detail_not_covered_reply(entry, unsettled, lang), dropped
        offered = [suggestion for suggestion in likely if not leads_nowhere(suggestion)]
        if offered:
            return writer.topic_choice_reply(offered, lang), dropped
        if likely:  # about the guides, but what it asks they do not settle: say so, with what they do
            best = likely[0]
            reply = writer.resolution_reply(best.resolution, lang, self.today(), self.today(), best.subject)
            return reply, dropped
        return writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"), dropped


def _entry_of(found: Resolution) -> Entry | None:
    """The entry a resolution is about: its answer, else the first it would ask between or names."""
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify):
        return found.candidates[0] if found.candidates else None
    return found.related[0] if found.related else None
