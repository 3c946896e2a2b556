"""Answer a question about the guides: route it, ask back, or say it is not covered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from actions.details import asked_detail, held_by_none, shared_detail, unsettled_asked, where_to_find
from actions.outcome import (
    DROPPED,
    Canned,
    Detail,
    DetailUnsettled,
    Outcome,
    PerValue,
    Source,
    answer_instead,
    case_outcome,
    case_slots,
    no_rule_before,
    resolve_case,
    settled,
    unassigned,
)
from actions.small_talk import keyword, nothing_of_the_guides, subject_wide_asked, unsure
from bot.answering.did_you_mean import MIN_CONFIDENCE, guide_intents
from bot.answering.engine import (
    OTHER,
    Answer,
    Clarify,
    Resolution,
    asks_about_before,
    asks_who_for_unassigned,
    asks_who_for_unassigned_request,
    believed,
    conditions_for,
    fitting_subject,
    is_follow_up,
    keys_used,
    label_named,
    matches,
    resolve,
    stated_in_text,
)
from bot.answering.guides import Entry, Guides, related_entries
from bot.answering.question import Question
from bot.answering.slots import INTENT_AFFIRM, INTENT_ASK_AT_DATE, INTENT_DENY, INTENT_INFORM

MAX_CLARIFY_TRIES = 2
ANSWERS_TO_QUESTION = (INTENT_INFORM, INTENT_AFFIRM, INTENT_DENY)
QUESTION_MIN_WORDS = 2  # "ja?" with nothing asked stays a yes; "über EAKTE?", "und wenn …?" ask

SUBJECT_BESIDE_DATE_MIN = 0.1  # a guide intent this sure, and clearly before the next one
SUBJECT_BESIDE_DATE_LEAD = 1.5
# "wo steht das mit …?": the NLU is sure it asks for a source, and ranks the subject far behind
SUBJECT_BESIDE_SOURCE_MIN = 0.01

UNSURE_READING = 0.6  # a guide reading below this needs a word of the guides to be believed
BARE_DATE_WORDS = 6  # "und was galt am 15.06.2025?" asks about the last question; a longer one of its own
SUBJECT_STEM = 8  # "arbeitsuchend" names "Arbeitsuchendmeldung", "Arbeitslosengeld" does not


def answer_guide_question(question: Question, guides: Guides) -> Outcome:
    """Looks the question up in the current guides and answers from the entry found."""
    intent, text, today = question.intent, question.text, question.today
    if _nothing_of_the_guides(question, guides):  # "What is 15% of 240?" read as the instruction
        return Outcome(Canned("utter_out_of_scope", kind="out_of_scope"), DROPPED)
    if not believed(guides, intent, text):  # "mit welchem Formular?" as a contact form
        return unsure(question, guides)
    if intent in ANSWERS_TO_QUESTION:
        pending = question.pending
        # an "inform" with nothing asked may be a question ("und per Mail ans …?"); a yes or no not
        asked = None if pending or intent != INTENT_INFORM else _guide_intent_ranked(question, guides)
        if asked is None and not pending and _a_question(guides, text):
            # "wie viele Postfächer gibt es für die Kontaktformulare?": never "Alles klar. Was möchten …"
            return unsure(question, guides)
        if asked is None:
            return _continue(question, guides, pending)
        intent = asked  # "und per Mail ans Liegenschaftspostfach?" with nothing asked: a question
    day = question.day  # not a date that describes the case
    before = day is None and asks_about_before(guides, text)
    if before:  # "wer hat das früher gemacht?"
        day = _before_the_rule(guides, intent, question.stated, today)
    if intent == INTENT_ASK_AT_DATE:  # "Was galt am 15.06.2025?" about the last question
        kept = {**question.case, **question.stated}
        if "subject" in kept:
            return case_outcome(guides, kept, 0, day, today)
        # no case yet: "wie war das am 15.06.2025 mit telefonischen ASU …?" names its subject
        named = subject_named_beside(question, guides)
        if named is None and len(text.split()) > BARE_DATE_WORDS:
            # "was passiert mit Mails, die am 30.06.2025 noch im LP eingegangen sind?" asks of its own
            return unsure(question, guides)
        if named is None:
            return Outcome(Canned("utter_no_previous_answer", kind="out_of_scope"))
        intent = named
    if question.text and intent == question.intent:  # the NLU's reading, weighed against the words
        intent = fitting_subject(guides, intent, question.ranking, question.said, question.text)
    query = conditions_for(guides, intent, question.stated)
    if query is None:  # an intent the guides do not know: never guess
        return Outcome(Canned("utter_out_of_scope", kind="out_of_scope"))
    if is_follow_up(guides, text):  # "Und Terminanfragen an die BB?": keep what it does not change
        query = {**_related_case(question, guides, query["subject"]), **question.case, **query}
    if asks_who_for_unassigned_request(guides, text) or (
        _asks_who_for_unassigned(guides, text, intent) and not keys_used(guides, intent) & set(question.said)
    ):
        # "Sperrzeit – SC oder EZ?" read as a change notice, "wer bearbeitet Widersprüche per E-Mail?" read
        # as customer reactions: the guides assign the matter to no one, whatever the NLU's subject says
        # (a contact form about Arbeitslosengeld is a case of its own: its rule says what it covers)
        return unassigned(guides, today)
    found, outcome = resolve_case(guides, query, 0, day, today)
    told = (
        _told_by_the_last_answer(question, guides, found)
        or _told_just_before(question, guides, found)
        or _told_in_the_case(question, found, query)
        or _told_earlier(question, guides, found)
    )
    if told is not None:  # "so if she only ever had Rasu …?" – "who takes her ASU by phone then?"
        query = {**query, **told}
        found, outcome = resolve_case(guides, query, 0, day, today)
    if before and day is not None:  # "wie war das vor der Weisung, wer hat die bearbeitet?"
        outcome = no_rule_before(found, outcome, day, today, query.get("subject"))
    written = _where_written(guides, text, found)
    if written is not None:  # "in welchem Abschnitt steht das mit den Kontaktformularen?"
        page = where_to_find(guides, text, found.entry, day or today) if isinstance(found, Answer) else None
        if page is not None:  # "wo steht, wie die Funktion genau funktioniert?": the page it names
            return Outcome(page, outcome.slots)
        slots = outcome.slots if isinstance(found, Answer) else settled(written.id)
        return Outcome(Source(written), slots)
    if isinstance(found, Answer):
        return answer_instead(outcome, asked_detail(guides, text, found.entry, day or today, question.stated))
    if not isinstance(found, Clarify):
        return outcome
    if matches(guides.asked_key_cues.get(found.key, ()), text) and len(found.candidates) > 1:
        # "für welche Postfächer ist die Sperre freigegeben?": asked is what Lotse would ask back
        # the case stays under discussion: "muss das SC auch bis zum 1.7. umstellen?" right after
        return Outcome(
            PerValue(found.key, tuple(found.candidates)), (*case_slots(guides, query), *settled(None))
        )
    wide = subject_wide_asked(question, guides)
    if wide is not None:  # "muss die Kindergeldkasse ihre Postfächer auch dichtmachen?": the scope
        return wide
    if _asks_who_for_unassigned(guides, text, intent):
        # "wer bearbeitet Widerspruch telefonisch?" read as a registration: asking back would lead there
        return unassigned(guides, today)
    detail: Detail | DetailUnsettled | None = shared_detail(guides, text, found.candidates)
    unsettled = (
        unsettled_asked(guides, text, found.candidates) or held_by_none(guides, text, found.candidates)
        if detail is None and found.candidates
        else None
    )
    if unsettled is not None:  # "wie viele Mitarbeiter …?": never in the guides
        detail = DetailUnsettled(found.candidates[0], unsettled)
    return outcome if detail is None else _instead_of_asking(outcome, detail)


def _nothing_of_the_guides(question: Question, guides: Guides) -> bool:
    """A typed question read without being sure (below `UNSURE_READING`) as a guide subject, whose words
    name nothing of the guides (`nothing_of_the_guides`)."""
    confidence = dict(question.ranking).get(question.intent, 0.0)
    return (
        bool(question.text)
        and question.intent in guides.vocabulary.intents
        and confidence < UNSURE_READING
        and nothing_of_the_guides(question, guides)
    )


def _told_just_before(question: Question, guides: Guides, found: Resolution) -> dict[str, str] | None:
    """The condition Lotse would ask back for, where the message points back (`back_reference_cues`:
    "her ASU", "their phone ASU", "then") and the latest of the user's earlier messages that states
    it did ("what's a Reaktivierungskunde?" … "which statuses?" … "who handles their phone ASU?"):
    the same case, not a new one."""
    earlier = question.earlier
    if not isinstance(found, Clarify) or earlier is None or not earlier.text:
        return None
    if not matches(guides.back_reference_cues, question.text):
        return None
    return _latest_stated(guides, question.earlier_texts or (earlier.text,), found.key)


def _told_by_the_last_answer(question: Question, guides: Guides, found: Resolution) -> dict[str, str] | None:
    """The condition Lotse would ask back for, where the message points back right after an answer
    that is one of the entries it would choose between: "who works on the contact forms in there?"
    after the VCC postboxes is about the appointment forms that answer was about."""
    last = question.last
    # right after it, or after a reply about it that named no entry ("not settled: which postbox is ours")
    if not isinstance(found, Clarify) or last is None or question.last_reply_topic not in (None, last.id):
        return None
    if last not in found.candidates or not matches(guides.back_reference_cues, question.text):
        return None
    values = last.when.get(found.key, ())
    return {found.key: next(iter(values))} if len(values) == 1 else None


def _told_in_the_case(question: Question, found: Resolution, query: dict[str, str]) -> dict[str, str] | None:
    """The conditions Lotse would ask back for that the case under discussion, on this same subject,
    already states: "kunde war nie gemeldet, ruft an, will ASU" – "ah moment, VerBIS zeigt doch einen
    alten Rasu-Status" is that call, not a registration whose way nobody said."""
    case = question.case
    if not isinstance(found, Clarify) or case.get("subject") != query.get("subject"):
        return None
    kept = {key: value for key, value in case.items() if key not in query and key != "subject"}
    return kept if found.key in kept else None


def _told_earlier(question: Question, guides: Guides, found: Resolution) -> dict[str, str] | None:
    """The condition Lotse would ask back for, where it is the staff member's own
    (`kept_in_conversation`), as the latest of the user's earlier messages that stated it did:
    "betrifft die Sperre unsere Adresse fulda@arbeitsagentur.de?" … "muss die Sperre danach aktiv
    bleiben?" is about that site postbox still."""
    if not isinstance(found, Clarify) or not guides.vocabulary.conditions[found.key].kept_in_conversation:
        return None  # "phone ASU – who?" after another caller's status: the new caller is asked
    return _latest_stated(guides, question.earlier_texts, found.key)


def _latest_stated(guides: Guides, texts: Sequence[str], key: str) -> dict[str, str] | None:
    """The condition `key` as the latest of the messages (latest first) that states it did; none where
    that one says "none of these"."""
    for text in texts:
        value = stated_in_text(guides, text).get(key)
        if value is not None:
            return {key: value} if value != OTHER else None
    return None


def _asks_who_for_unassigned(guides: Guides, text: str, intent: str) -> bool:
    """Who handles a matter the instruction assigns to no unit, in words that do not name the subject
    the NLU read ("Sperrzeit – SC oder EZ?" as a change notice)."""
    return asks_who_for_unassigned(guides, text) and not label_named(guides, intent, text, SUBJECT_STEM)


def _related_case(question: Question, guides: Guides, subject: str) -> dict[str, str]:
    """The conditions of the entry the last answer names as `related` on this subject: after the term
    "Reaktivierungskunde", "und so einer ruft wegen ASU an?" is a reactivation customer's call."""
    last = question.last
    for entry in related_entries(guides.by_id, last) if last is not None else ():
        if subject in entry.when.get("subject", ()):
            return entry.own_case
    return {}


def _where_written(guides: Guides, text: str, found: Resolution) -> Entry | None:
    """The entry whose source a question of its own asks for (the vocabulary's `source_cues`): the one
    found, or the one section the entries Lotse would ask between share ("which section covers the
    e-mail block?")."""
    if not matches(guides.source_cues, text):
        return None
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify) and found.candidates:
        first = found.candidates[0]
        if all((e.instruction, e.section) == (first.instruction, first.section) for e in found.candidates):
            return first
    return None


def _instead_of_asking(outcome: Outcome, detail: Detail | DetailUnsettled) -> Outcome:
    """A detail answered where Lotse would ask back: nothing is asked, follow-ups are about its entry."""
    answered = settled(detail.topic)
    names = {name for name, _ in answered}
    return Outcome(detail, (*(slot for slot in outcome.slots if slot[0] not in names), *answered))


def _continue(question: Question, guides: Guides, pending: str | None) -> Outcome:
    """The user answers a clarifying question (click or typed yes / no / value)."""
    query = dict(question.case)
    if not pending or "subject" not in query:
        # "KUSOS", "Reaktivierungskunde" typed as into a search box: its subjects, never "Alles klar"
        return keyword(question, guides, question.said) or Outcome(Canned("utter_nothing_pending"))
    value = _answer_to_pending(question, guides, pending)
    if value is None:
        tries = question.clarify_tries + 1
        if tries >= MAX_CLARIFY_TRIES:
            return Outcome(Canned("utter_clarify_give_up", kind="not_covered"), DROPPED)
        return case_outcome(guides, query, tries, question.as_of, question.today)
    query[pending] = value
    return case_outcome(guides, query, 0, question.as_of, question.today)


def _answer_to_pending(question: Question, guides: Guides, pending: str) -> str | None:
    """The value the user gave for the condition the bot asked about, if any."""
    stated = question.stated
    if pending in stated:
        return stated[pending]
    condition = guides.vocabulary.conditions.get(pending)
    if condition is None:
        return None
    if question.intent == INTENT_AFFIRM:
        return condition.affirm
    if question.intent == INTENT_DENY:
        return condition.deny
    return None


def _guide_intent_ranked(question: Question, guides: Guides) -> str | None:
    """The best guide intent of the ranking with at least did_you_mean's floor of confidence (0.2)."""
    about_guides = guide_intents(guides, question.ranking)
    return about_guides[0][0] if about_guides and about_guides[0][1] >= MIN_CONFIDENCE else None


def _a_question(guides: Guides, text: str) -> bool:
    """A message read as an answer that asks something itself: a question mark or an "und …", and words."""
    return len(text.split()) >= QUESTION_MIN_WORDS and ("?" in text or is_follow_up(guides, text))


def _before_the_rule(guides: Guides, intent: str, stated: dict[str, str], today: dt.date) -> dt.date | None:
    """The day before today's rule for the question began: "who did it before?" asks about that day."""
    query = conditions_for(guides, intent, stated)
    found = resolve(guides, query, today) if query else None
    if isinstance(found, Answer) and found.entry.valid_from:
        return found.entry.valid_from - dt.timedelta(days=1)
    return None


def subject_named_beside(
    question: Question, guides: Guides, least: float = SUBJECT_BESIDE_DATE_MIN
) -> str | None:
    """The guide intent the NLU ranks clearly first after "a date question" or "where is that written?":
    the subject the question names ("in welchem Abschnitt steht das mit den Kontaktformularen?")."""
    about_guides = guide_intents(guides, question.ranking)
    if not about_guides or about_guides[0][1] < least:
        return None
    if len(about_guides) > 1 and about_guides[0][1] < SUBJECT_BESIDE_DATE_LEAD * about_guides[1][1]:
        return None
    return about_guides[0][0]


def named_entry(question: Question, guides: Guides) -> Entry | None:
    """The entry of the subject a follow-up question names itself, where the guides settle it today."""
    named = subject_named_beside(question, guides, SUBJECT_BESIDE_SOURCE_MIN)
    if named is not None and not label_named(guides, named, question.text):
        named = None  # ranked first among noise ("where is that written?"): the words name no subject
    if named is None:  # the NLU ranks it nowhere ("in welchem Abschnitt steht die E-Mail-Sperre?"): the
        # one subject whose label the words use, if there is exactly one
        by_label = [
            intent for intent in guides.vocabulary.intents if label_named(guides, intent, question.text)
        ]
        named = by_label[0] if len(by_label) == 1 else None
    query = conditions_for(guides, named, question.stated) if named else None
    found = resolve(guides, query, question.today) if query else None
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify) and len({entry.section for entry in found.candidates}) == 1:
        return found.candidates[0]  # "wo steht das mit den Postfachsperren?": one section for all of them
    return None
