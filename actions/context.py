"""A message read against the conversation so far, before its intent is: the thread staff keep.

Short messages mean what they mean in the case under discussion, whatever the NLU makes of
them on their own:

- while Lotse waits for the answer to its clarifying question, a message that states the asked
  condition answers it ("ja, der war 2022 schon mal arbeitslos gemeldet", "kam übers
  Kontaktformular"), even when the NLU reads it as a new question;
- a short follow-up about a detail of the last answer ("bis wann?", "mit welchem Formular?",
  "gilt das auch für die Familienkasse?") is answered from that entry, else from its related
  entries (`related:` in the guides), or for a subject-wide detail from that subject's entry
  (`follow_up_attributes` in guides/vocabulary.yml); a detail no entry holds is said to be
  unsettled ("welche Frist?" where the instruction names none);
- "auf Deutsch bitte" / "in English please" gives the last reply again in that language, and
  "und heute?" the case as it is settled today (vocabulary's `language_requests`, `now_cues`).
"""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.answer_guide import resolution
from actions.base import asked_day, case_conditions, intent_of, last_entry, user_text
from actions.details import asked_details, detail_reply, holder
from bot.answering.answers import AnswerWriter, Reply
from bot.answering.engine import (
    asks_about_before,
    asks_about_now,
    believed,
    is_follow_up,
    requested_language,
    stated_in_text,
)
from bot.answering.guides import Entry, Guides
from bot.answering.slots import INTENT_ASK_AT_DATE, SLOT_CLARIFY_TRIES, SLOT_LAST_TOPIC, SLOT_PENDING

BARE_DETAIL_WORDS = 4  # "in welchen Postfächern?", "wer macht das?": nothing but the detail asked
SHORT_FOLLOW_UP_WORDS = 8  # a longer message is a question of its own, not a detail of the last answer


def context_reply(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date
) -> tuple[Reply, list[EventType]] | None:
    """The reply this message gets from the conversation's context, or None to answer it as asked."""
    text = user_text(tracker)
    if not text:
        return None  # a clicked button: its intent and entities say everything
    return (
        _in_another_language(tracker, writer, lang, today, text)
        or _answers_pending(tracker, writer, lang, today, text)
        or _for_today(tracker, writer, lang, today, text)
        or _before_the_change(tracker, writer, lang, today, text)
        or _detail_of_last_answer(tracker, writer, lang, today, text)
        or _changes_a_condition(tracker, writer, lang, today, text)
    )


def _changes_a_condition(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    """ "und per Post?", "und wenn er früher schon mal Asu war?": the case, one condition changed.

    Only where the NLU found no guide subject of its own (a guide intent keeps its own subject
    and takes the rest from the case: actions/answer_guide.py), or one that names only a way in
    (`way_only_intents`: "und wenn er es übers Kontaktformular schickt?" after an online VÄM).
    """
    guides = writer.guides
    intent = intent_of(tracker)
    way_only = intent in guides.vocabulary.way_only_intents  # "und übers Kontaktformular?": the way
    if (intent in guides.vocabulary.intents and not way_only) or intent == INTENT_ASK_AT_DATE:
        return None  # a guide subject of its own, or another day: the guide action's
    if way_only and not is_follow_up(guides, text):
        return None
    if not is_follow_up(guides, text) and len(text.split()) > SHORT_FOLLOW_UP_WORDS:
        return None
    said = stated_in_text(guides, text)
    said.pop("subject", None)  # a subject of its own ("und per Mail ans Liegenschaftspostfach?")
    for query in _cases(tracker, guides):
        used = {
            key
            for entry in guides.entries
            if query["subject"] in entry.when.get("subject", ())
            for key in entry.when
        }
        stated = {key: value for key, value in said.items() if key in used}
        if stated:  # not "and before …", which states a customer history the case does not depend on
            return resolution(writer, lang, {**query, **stated}, 0, asked_day(tracker), today)
    return None


def _cases(tracker: Tracker, guides: Guides) -> list[dict[str, str]]:
    """The case under discussion, then the last answer's own ("bis wann?" after a question about the
    IM-Webshop function answered from the EZ postboxes' entry: "and for the team postboxes?"), then
    its related entries' ("und wenn er gar keinen Status hatte?" after the term reactivation customer)."""
    cases = []
    query = case_conditions(tracker, guides)
    if "subject" in query:
        cases.append(query)
    last = last_entry(tracker, guides)
    if last is not None:  # and the cases of the entries it names as related (a term: where it applies)
        for entry in [last, *(guides.by_id[other] for other in last.related if other in guides.by_id)]:
            own = {key: next(iter(values)) for key, values in entry.when.items() if len(values) == 1}
            if "subject" in own and all(own["subject"] != case["subject"] for case in cases):
                cases.append(own)
    return cases


def _answers_pending(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    pending = tracker.get_slot(SLOT_PENDING)
    query = case_conditions(tracker, writer.guides)
    if not pending or "subject" not in query:
        return None
    stated = stated_in_text(writer.guides, text)
    if pending not in stated:
        return None
    return resolution(writer, lang, {**query, pending: stated[pending]}, 0, asked_day(tracker), today)


def _detail_of_last_answer(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    guides = writer.guides
    last = last_entry(tracker, guides)
    if last is None or not _short(guides, text):
        return None
    if _new_subject(tracker, guides, last) and not _held_detail_asked(guides, last, text):
        return None  # a question of its own, unless it asks what the last answer holds
    return _details_asked_in(tracker, writer, lang, today, last, text)


def _held_detail_asked(guides: Guides, last: Entry, text: str) -> bool:
    """A short message that asks for a detail the last answer (or a related entry) holds — "was passiert
    dann mit Mails von extern?" after the team postboxes' block — whatever subject the NLU reads in it.
    The details that fall through to the question as asked ("wer macht Terminabsagen?") only in the
    fewest words ("in welchen Postfächern?")."""
    words = len(text.split())
    if words > SHORT_FOLLOW_UP_WORDS:
        return False
    attributes = guides.vocabulary.follow_up_attributes
    return any(
        (words <= BARE_DETAIL_WORDS or not attributes[name].follow_up_falls_through)
        and attributes[name].field not in (None, "valid_from")
        and holder(guides.by_id, last, attributes[name]) is not None
        for name in asked_details(guides.attribute_cues, text)
    )


def _in_another_language(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    """ "auf Deutsch bitte", "in English please": the last reply again, in the language asked for."""
    guides = writer.guides
    if not _short(guides, text) or requested_language(guides, text) is None:
        return None
    return (
        _detail_again(tracker, writer, lang, today)
        or _case_again(tracker, writer, lang, today, asked_day(tracker))
        or (
            writer.simple_reply("utter_help", lang),
            [],
        )
    )


def _for_today(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    """ "und heute?", "and now?" after an answer for another day: the case, as it is settled today."""
    if not asks_about_now(writer.guides, text):
        return None
    return _case_again(tracker, writer, lang, today, None)


def _before_the_change(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, text: str
) -> tuple[Reply, list[EventType]] | None:
    """ "und vorher?", "wer hat das davor gemacht?": the case the day before the last answer's rule began."""
    guides = writer.guides
    last = last_entry(tracker, guides)
    if (
        last is None
        or last.valid_from is None
        or not _short(guides, text)
        or _new_subject(tracker, guides, last)
    ):
        return None
    if not asks_about_before(guides, text):
        return None
    return _case_again(tracker, writer, lang, today, last.valid_from - dt.timedelta(days=1))


def _detail_again(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date
) -> tuple[Reply, list[EventType]] | None:
    """The last reply was a detail of the last answer ("in welchem System?"): that detail again."""
    guides = writer.guides
    last = last_entry(tracker, guides)
    said = [event for event in tracker.events if event.get("event") == "user"]
    if last is None or len(said) < 2:
        return None
    previous = str(said[-2].get("text") or "")
    if not previous or not _short(guides, previous):
        return None
    if ((said[-2].get("parse_data") or {}).get("intent") or {}).get("name") in guides.vocabulary.intents:
        return None  # a question of its own ("Wer setzt die Sperre … um?"): its whole answer again
    return _details_asked_in(tracker, writer, lang, today, last, previous)


def _details_asked_in(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, last: Entry, text: str
) -> tuple[Reply, list[EventType]] | None:
    """The reply to the details of `last` that `text` asks for as a follow-up, or None."""
    asked = asked_details(writer.guides.attribute_cues, text)
    if not asked:
        return None
    day = asked_day(tracker) or today
    reply = detail_reply(writer.guides, writer, lang, last, asked, day, in_question=False)
    if reply is None:
        return None
    # the entry that held the detail (a related one: "bis wann?" → the EZ postboxes' deadline) is what
    # the next follow-up is about ("and for the team postboxes?", "wo steht das?")
    holder = (reply.payload.get("answer") or {}).get("topic")
    return reply, ([SlotSet(SLOT_LAST_TOPIC, holder)] if holder else [])


def _case_again(
    tracker: Tracker, writer: AnswerWriter, lang: str, today: dt.date, day: dt.date | None
) -> tuple[Reply, list[EventType]] | None:
    """The case under discussion answered again (on `day`), else the last answer's entry again."""
    query = case_conditions(tracker, writer.guides)
    if "subject" in query:
        tries = int(tracker.get_slot(SLOT_CLARIFY_TRIES) or 0)
        return resolution(writer, lang, query, tries, day, today)
    last = last_entry(tracker, writer.guides)
    if last is None:
        return None
    return writer.entry_reply(last, lang, day or today, today), []


def _short(guides: Guides, text: str) -> bool:
    return len(text.split()) <= SHORT_FOLLOW_UP_WORDS or is_follow_up(guides, text)


def _new_subject(tracker: Tracker, guides: Guides, last: Entry) -> bool:
    """The NLU found a guide subject outside the thread: a question of its own, not a follow-up.

    The thread is the case's subject and the subjects of the last answer and of its related entries:
    "who set up the block?" after the site postboxes' closing is about that block (related entry).
    """
    intent = intent_of(tracker)
    conditions = guides.intent_conditions(intent)
    if conditions is None or not believed(guides, intent, user_text(tracker)):
        return False
    thread = {case_conditions(tracker, guides).get("subject")}
    for entry in [last, *(guides.by_id[other] for other in last.related if other in guides.by_id)]:
        thread.update(entry.when.get("subject", ()))
    return conditions.get("subject") not in thread
