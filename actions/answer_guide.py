"""Answer a question about the guides: route it, ask back, or say it is not covered."""

from __future__ import annotations

import datetime as dt
import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import LotseAction, asked_day, case_conditions, intent_of, user_text
from actions.details import asked_detail, shared_detail, unsettled_asked
from bot.answering.answers import AnswerWriter, Reply
from bot.answering.dates import question_date
from bot.answering.did_you_mean import MIN_CONFIDENCE, guide_intents, ranked
from bot.answering.engine import (
    OTHER,
    Answer,
    Clarify,
    NotCovered,
    asks_about_before,
    asks_who_for_unassigned,
    believed,
    conditions_for,
    is_follow_up,
    normalise,
    resolve,
    stated_in_text,
)
from bot.answering.guides import Entry, Guides
from bot.answering.slots import (
    INTENT_AFFIRM,
    INTENT_ASK_AT_DATE,
    INTENT_DENY,
    INTENT_INFORM,
    SLOT_AS_OF,
    SLOT_CLARIFY_TRIES,
    SLOT_LAST_TOPIC,
    SLOT_PENDING,
)

MAX_CLARIFY_TRIES = 2
ANSWERS_TO_QUESTION = (INTENT_INFORM, INTENT_AFFIRM, INTENT_DENY)


def _guide_intent_ranked(tracker: Tracker, guides: Guides) -> str | None:
    """The best guide intent of the ranking with at least did_you_mean's floor of confidence (0.2)."""
    about_guides = guide_intents(guides, ranked((tracker.latest_message or {}).get("intent_ranking")))
    return about_guides[0][0] if about_guides and about_guides[0][1] >= MIN_CONFIDENCE else None


def _stated(tracker: Tracker, guides: Guides) -> dict[str, str]:
    """Condition values the user stated in this message: by cue words, or a button's payload."""
    stated = stated_in_text(guides, user_text(tracker))
    for entity in (tracker.latest_message or {}).get("entities") or []:
        key, value = entity.get("entity"), entity.get("value")
        condition = guides.vocabulary.conditions.get(str(key))
        # a typed "/inform{...}" can carry any JSON: a dict value is unhashable, a number no value
        if condition is not None and isinstance(value, str) and (value in condition.values or value == OTHER):
            stated[str(key)] = str(value)
    return stated


def _answer_to_pending(tracker: Tracker, guides: Guides, pending: str) -> str | None:
    """The value the user gave for the condition the bot asked about, if any."""
    intent = intent_of(tracker)
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


SUBJECT_BESIDE_DATE_MIN = 0.1  # a guide intent this sure, and clearly before the next one
SUBJECT_BESIDE_DATE_LEAD = 1.5
# "wo steht das mit …?": the NLU is sure it asks for a source, and ranks the subject far behind
SUBJECT_BESIDE_SOURCE_MIN = 0.01


def subject_named_beside(
    tracker: Tracker, guides: Guides, least: float = SUBJECT_BESIDE_DATE_MIN
) -> str | None:
    """The guide intent the NLU ranks clearly first after "a date question" or "where is that written?":
    the subject the question names ("in welchem Abschnitt steht das mit den Kontaktformularen?")."""
    about_guides = guide_intents(guides, ranked((tracker.latest_message or {}).get("intent_ranking")))
    if not about_guides or about_guides[0][1] < least:
        return None
    if len(about_guides) > 1 and about_guides[0][1] < SUBJECT_BESIDE_DATE_LEAD * about_guides[1][1]:
        return None
    return about_guides[0][0]


LABEL_STEM = 6  # "Kontaktformularen" names the subject labelled "Kontaktformular"
SUBJECT_STEM = 8  # "arbeitsuchend" names "Arbeitsuchendmeldung", "Arbeitslosengeld" does not


def label_named(guides: Guides, intent: str, text: str, stem: int = LABEL_STEM) -> bool:
    """Whether the text uses a word of the intent's subject label, either language: a long word by its
    first `stem` letters, an abbreviation ("ASU", "AV") whole. Of the German label only its nouns:
    "telefonische" says how, "Arbeitsuchendmeldung" what."""
    subject = (guides.intent_conditions(intent) or {}).get("subject")
    label = guides.vocabulary.conditions["subject"].values.get(subject or "")
    if label is None:
        return False
    label_words = [w for w in re.findall(r"\w+", label.de) if w[0].isupper()] + re.findall(r"\w+", label.en)
    stems = {normalise(w)[:stem] for w in label_words if len(normalise(w)) >= stem}
    acronyms = {normalise(w) for w in label_words if len(w) >= 2 and w.isupper()}
    words = re.findall(r"\w+", normalise(text))
    return any(word[:stem] in stems or word in acronyms for word in words)


def named_entry(tracker: Tracker, guides: Guides, today: dt.date) -> Entry | None:
    """The entry of the subject a follow-up question names itself, where the guides settle it today."""
    named = subject_named_beside(tracker, guides, SUBJECT_BESIDE_SOURCE_MIN)
    if named is not None and not label_named(guides, named, user_text(tracker)):
        return None  # ranked first among noise ("where is that written?"): the words name no subject
    query = conditions_for(guides, named, _stated(tracker, guides)) if named else None
    found = resolve(guides, query, today) if query else None
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify) and len({entry.section for entry in found.candidates}) == 1:
        return found.candidates[0]  # "wo steht das mit den Postfachsperren?": one section for all of them
    return None


QUESTION_MIN_WORDS = 3  # "ja?" with nothing asked stays a yes; "und wenn er nie einen Status hatte?" asks


def _a_question(guides: Guides, text: str) -> bool:
    """A message read as an answer that asks something itself: a question mark or an "und …", and words."""
    return len(text.split()) >= QUESTION_MIN_WORDS and ("?" in text or is_follow_up(guides, text))


def unassigned_reply(writer: AnswerWriter, lang: str, today: dt.date) -> tuple[Reply, list[EventType]]:
    """Who handles a matter the instruction assigns to no unit: not covered, with what it does assign."""
    assigned = [entry for entry in writer.guides.entries if entry.kind == "routing" and entry.valid_on(today)]
    reply = writer.not_covered_reply(NotCovered(related=assigned), lang, today, None)
    return reply, [
        SlotSet(SLOT_PENDING, None),
        SlotSet(SLOT_CLARIFY_TRIES, 0),
        SlotSet(SLOT_LAST_TOPIC, None),
    ]


def _settled(reply: Reply) -> list[EventType]:
    """The slots of an answer given instead of a clarifying question."""
    return [
        SlotSet(SLOT_PENDING, None),
        SlotSet(SLOT_CLARIFY_TRIES, 0),
        SlotSet(SLOT_LAST_TOPIC, reply.payload.get("answer", {}).get("topic")),
    ]


def _before_the_rule(guides: Guides, intent: str, stated: dict[str, str], today: dt.date) -> dt.date | None:
    """The day before today's rule for the question began: "who did it before?" asks about that day."""
    query = conditions_for(guides, intent, stated)
    found = resolve(guides, query, today) if query else None
    if isinstance(found, Answer) and found.entry.valid_from:
        return found.entry.valid_from - dt.timedelta(days=1)
    return None


def _same_answer(one: Answer | Clarify | NotCovered, other: Answer | Clarify | NotCovered) -> bool:
    return isinstance(one, Answer) and isinstance(other, Answer) and one.entry.id == other.entry.id


class ActionAnswerGuide(LotseAction):
    """Looks the question up in the current guides and answers from the entry found."""

    def name(self) -> str:
        return "action_answer_guide"

    async def answer(
        self, tracker: Tracker, writer: AnswerWriter, lang: str
    ) -> tuple[Reply, list[EventType]]:
        guides = writer.guides
        intent = intent_of(tracker)
        from actions.small_talk import unsure_reply  # imported here: it builds on this module

        if not believed(guides, intent, user_text(tracker)):  # "mit welchem Formular?" as a contact form
            return unsure_reply(tracker, writer, lang, self.today())
        if intent in ANSWERS_TO_QUESTION:
            pending = tracker.get_slot(SLOT_PENDING)
            # an "inform" with nothing asked may be a question ("und per Mail ans …?"); a yes or no not
            asked = None if pending or intent != INTENT_INFORM else _guide_intent_ranked(tracker, guides)
            if asked is None and not pending and _a_question(guides, user_text(tracker)):
                # "wie viele Postfächer gibt es für die Kontaktformulare?": never "Alles klar. Was möchten …"
                return unsure_reply(tracker, writer, lang, self.today())
            if asked is None:
                return self._continue(tracker, writer, lang, pending)
            intent = asked  # "und per Mail ans Liegenschaftspostfach?" with nothing asked: a question
        text = user_text(tracker)
        day = question_date(text, self.today(), guides.change_dates)  # not a date that describes the case
        if day is None and asks_about_before(guides, text):  # "wer hat das früher gemacht?"
            day = _before_the_rule(guides, intent, _stated(tracker, guides), self.today())
        if intent == INTENT_ASK_AT_DATE:  # "Was galt am 15.06.2025?" about the last question
            kept = {**case_conditions(tracker, guides), **_stated(tracker, guides)}
            if "subject" in kept:
                return self._resolve(writer, lang, kept, tries=0, day=day)
            # no case yet: "wie war das am 15.06.2025 mit telefonischen ASU …?" names its subject
            named = subject_named_beside(tracker, guides)
            if named is None:
                return writer.simple_reply("utter_no_previous_answer", lang, kind="out_of_scope"), []
            intent = named
        query = conditions_for(guides, intent, _stated(tracker, guides))
        if query is None:  # an intent the guides do not know: never guess
            return writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"), []
        if is_follow_up(guides, text):  # "Und Terminanfragen an die BB?": keep what it does not change
            query = {**case_conditions(tracker, guides), **query}
        found, reply, events = resolved(writer, lang, query, 0, day, self.today())
        if isinstance(found, Answer):
            detail = asked_detail(guides, writer, lang, text, found.entry, day or self.today())
        elif isinstance(found, Clarify):
            if asks_who_for_unassigned(guides, text) and not label_named(guides, intent, text, SUBJECT_STEM):
                # "Sperrzeit – SC oder EZ?" read as a change notice: the guides assign it to no one
                return unassigned_reply(writer, lang, self.today())
            detail = shared_detail(guides, writer, lang, text, found.candidates)
            unsettled = unsettled_asked(guides, text) if detail is None and found.candidates else None
            if unsettled is not None:  # "wie viele Mitarbeiter …?": never in the guides
                detail = writer.detail_not_covered_reply(found.candidates[0], unsettled, lang)
            if detail is not None:  # answered: nothing is asked back, follow-ups are about that entry
                settled = _settled(detail)
                names = {event["name"] for event in settled}
                events = [event for event in events if event.get("name") not in names] + settled
        else:
            detail = None
        return (detail or reply), events

    def _continue(
        self, tracker: Tracker, writer: AnswerWriter, lang: str, pending: str | None
    ) -> tuple[Reply, list[EventType]]:
        """The user answers a clarifying question (click or typed yes / no / value)."""
        query = case_conditions(tracker, writer.guides)
        if not pending or "subject" not in query:
            return writer.simple_reply("utter_nothing_pending", lang), []
        day = asked_day(tracker)
        value = _answer_to_pending(tracker, writer.guides, pending)
        if value is None:
            tries = int(tracker.get_slot(SLOT_CLARIFY_TRIES) or 0) + 1
            if tries >= MAX_CLARIFY_TRIES:
                reply = writer.simple_reply("utter_clarify_give_up", lang, kind="not_covered")
                return reply, [SlotSet(SLOT_PENDING, None), SlotSet(SLOT_CLARIFY_TRIES, 0)]
            return self._resolve(writer, lang, query, tries=tries, day=day)
        query[pending] = value
        return self._resolve(writer, lang, query, tries=0, day=day)

    def _resolve(
        self,
        writer: AnswerWriter,
        lang: str,
        query: dict[str, str],
        tries: int,
        day: dt.date | None = None,
    ) -> tuple[Reply, list[EventType]]:
        return resolution(writer, lang, query, tries, day, self.today())


def resolution(
    writer: AnswerWriter, lang: str, query: dict[str, str], tries: int, day: dt.date | None, today: dt.date
) -> tuple[Reply, list[EventType]]:
    """The reply for a question's conditions on a day, and the slots that keep the case for follow-ups."""
    _, reply, events = resolved(writer, lang, query, tries, day, today)
    return reply, events


def resolved(
    writer: AnswerWriter, lang: str, query: dict[str, str], tries: int, day: dt.date | None, today: dt.date
) -> tuple[Answer | Clarify | NotCovered, Reply, list[EventType]]:
    """`resolution`, with what the engine found (the entry, or the candidates it asks between)."""
    found = resolve(writer.guides, query, day or today)
    if day and day != today and _same_answer(found, resolve(writer.guides, query, today)):
        day = None  # that day's answer is today's: no "Stand …" (the entry's validity says since when)
    reply = writer.resolution_reply(found, lang, day or today, today, query.get("subject"))
    events: list[EventType] = [SlotSet(key, query.get(key)) for key in writer.guides.vocabulary.conditions]
    events.append(SlotSet(SLOT_PENDING, found.key if isinstance(found, Clarify) else None))
    events.append(SlotSet(SLOT_CLARIFY_TRIES, tries if isinstance(found, Clarify) else 0))
    events.append(SlotSet(SLOT_AS_OF, day.isoformat() if day and day != today else None))
    # follow-ups ("Warum?", "Wo steht das?") are about this reply's entry, or about none
    events.append(SlotSet(SLOT_LAST_TOPIC, found.entry.id if isinstance(found, Answer) else None))
    return found, reply, events
