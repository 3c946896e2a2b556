"""Greetings, thanks, help, and questions from elsewhere: short, polite, never a guess.

A question the NLU was unsure about, or put out of scope while guide subjects ranked close
behind, gets "Meinten Sie …?" with those subjects as buttons instead (bot/answering/did_you_mean.py).
"""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.answer_guide import resolved, unassigned_reply
from actions.base import LotseAction, asked_day, intent_of, last_entry, last_reply_topic, user_text
from actions.details import asked_detail, unsettled_asked
from bot.answering.answers import AnswerWriter, Reply
from bot.answering.did_you_mean import leads_nowhere, suggestions, unsure_off_topic
from bot.answering.engine import (
    Answer,
    Clarify,
    Resolution,
    asks_who_for_unassigned,
    conditions_for,
    is_follow_up,
    matches,
    stated_in_text,
)
from bot.answering.guides import Entry, Guides
from bot.answering.markdown import MARKUP
from bot.answering.slots import (
    INTENT_GOODBYE,
    INTENT_GREET,
    INTENT_HELP,
    INTENT_THANK,
    SLOT_CLARIFY_TRIES,
    SLOT_PENDING,
)

THREAD_FOLLOW_UP_WORDS = 8  # "wie viele sind das?", "with which tool?": short, about the last answer

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
    (the rule in bot/answering/did_you_mean.py), it offers them ("Meinten Sie …?") instead.
    """

    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        return unsure_reply(tracker, writer, lang, self.today())


def unsure_reply(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date
) -> tuple[Reply, list[EventType]]:
    """A message the NLU could not place: "Meinten Sie …?" with the likely guide subjects, or with
    the last answer's entries for a short question about it, else the out-of-scope answer."""
    # an unrelated question instead of an answer drops a pending clarifying question
    dropped: list[EventType] = [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
    ranking = (tracker.latest_message or {}).get("intent_ranking")
    text = user_text(tracker)
    stated = stated_in_text(writer.guides, text)
    markup = MARKUP.search(text) is not None  # staff do not type HTML: never offered a guide topic
    named = None if markup else _subject_stated(writer, lang, text, stated, today)
    if named is not None:  # "which instruction introduced the personalisation requirement?"
        return named
    likely = [] if markup else suggestions(writer.guides, ranking, stated, today)
    unsettled = None if markup else unsettled_asked(writer.guides, text)
    entry = _entry_of(likely[0].resolution) if likely else None
    if unsettled is not None and entry is not None:  # "wie viele E-Mails kamen …?": never in the guides
        return writer.detail_not_covered_reply(entry, unsettled, lang), dropped
    if unsettled is not None and not likely:
        # "Telefonnummer vom RIM?", "wie viele Mitarbeiter bekommt die EZ?": never in the guides, so not
        # covered — never "kein Thema der Gesprächsleitfäden"
        return writer.simple_reply("utter_not_covered", lang, kind="not_covered"), dropped
    offered = [suggestion for suggestion in likely if not leads_nowhere(suggestion)]
    if len(offered) > 1 and offered[0].topic is not None and {s.topic for s in offered} == {offered[0].topic}:
        # the readings agree on the entry ("Termin per Kontaktformular" as a request or as a
        # cancellation): a choice would change nothing, so that is the answer. One unsure reading
        # alone is still offered, never answered
        query = conditions_for(writer.guides, offered[0].intent, offered[0].entities) or {}
        found, reply, events = resolved(writer, lang, query, 0, None, today)
        # a detail asked of it ("how fast must the EZ answer …?"): that detail, or that it is unsettled
        detail = (
            asked_detail(writer.guides, writer, lang, text, found.entry, today)
            if isinstance(found, Answer)
            else None
        )
        return (detail or reply), events
    if offered:
        return writer.topic_choice_reply(offered, lang), dropped
    if likely:  # about the guides, but what it asks they do not settle: say so, with what they do
        best = likely[0]
        reply = writer.resolution_reply(best.resolution, lang, today, today, best.subject)
        return reply, dropped
    in_thread = None if markup else _in_thread(tracker, writer.guides, text)
    if in_thread is not None:  # a short question right after an answer: about it ("wie viele sind das?")
        return writer.entry_reply(in_thread, lang, asked_day(tracker) or today, today), dropped
    if not markup and asks_who_for_unassigned(writer.guides, text):  # "wer bearbeitet Insolvenzgeld?"
        return unassigned_reply(writer, lang, today)
    return writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"), dropped


def _subject_stated(
    writer: AnswerWriter, lang: str, text: str, stated: dict[str, str], today: dt.date
) -> tuple[Reply, list[EventType]] | None:
    """The answer for a subject the words themselves state (a subject's `cues` in the vocabulary:
    an earlier instruction's number, date or title), whatever the NLU was unsure of."""
    subject = stated.get("subject")
    intent = next(
        (i for i, c in writer.guides.vocabulary.intents.items() if c.get("subject") == subject), None
    )
    query = conditions_for(writer.guides, intent, stated) if subject and intent else None
    if query is None:
        return None
    found, reply, events = resolved(writer, lang, query, 0, None, today)
    if not isinstance(found, Answer):
        return None
    return asked_detail(writer.guides, writer, lang, text, found.entry, today) or reply, events


def _in_thread(tracker: Tracker, guides: Guides, text: str) -> Entry | None:
    """The last answer's entry, for a short question right after it that points back to it and that
    the NLU could not place and did not find off-topic.

    Answered with that entry again, its detail and source: what staff ask right after an answer
    ("wie viele sind das?", "wer leitet die weiter?", "with which tool?") is in it far more often
    than not, and it states nothing the last answer did not."""
    last = last_entry(tracker, guides)
    ranking = (tracker.latest_message or {}).get("intent_ranking")
    short = len(text.split()) <= THREAD_FOLLOW_UP_WORDS or is_follow_up(guides, text)
    if last is None or not text or not short or not unsure_off_topic(ranking):
        return None
    if last_reply_topic(tracker) != last.id:
        return None  # not right after that answer ("Danke", "Hallo" or another question between)
    if not matches(guides.back_reference_cues, text):
        return None  # nothing points back to it: "Wo ist die Kantine?", "ok", "Wann ist Mittagspause?"
    return last


def _entry_of(found: Resolution) -> Entry | None:
    """The entry a resolution is about: its answer, else the first it would ask between or names."""
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify):
        return found.candidates[0] if found.candidates else None
    return found.related[0] if found.related else None
