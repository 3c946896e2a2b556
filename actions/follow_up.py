"""Follow-up questions about the last answer: where it is written, since when, and why.

Each is believed only when the message says what it asks (the vocabulary's
`intent_cues`): "who works in them?" read as "why?" gets the unsure handling instead.
"""

from __future__ import annotations

import re

from actions.answer_guide import named_entry
from actions.details import asked_details, detail_say, where_to_find
from actions.outcome import Canned, Outcome, Source, Validity, WholeEntry, Why, settled
from actions.small_talk import unsure
from bot.answering.engine import believed, label_named, matches, normalise
from bot.answering.guides import Entry, Guides
from bot.answering.question import Question

OWN_WORD_LENGTH = 7  # "Betriebsausflug", "Urlaubsantrag": a thing of its own; "gilt", "wann" are not
NO_PREVIOUS_ANSWER = Canned("utter_no_previous_answer", kind="out_of_scope")


def source(question: Question, guides: Guides) -> Outcome:
    """'Wo steht das?' – the section and guide of the last answer, or of the subject the question names."""
    if _misread(question, guides):
        return unsure(question, guides)
    last = question.last
    if last is not None and _asks_who_and_where(question, guides, last):
        # "who handles it and where?" after a routing answer: that answer, which names both
        return Outcome(WholeEntry(last, question.as_of or question.today, question.today))
    entry = named_entry(question, guides) if last is None else _about(question, guides, last)
    if entry is not None and (page := where_to_find(guides, question.text, entry, question.today)):
        # "wo steht, wie die Funktion genau funktioniert?": the page it names
        return Outcome(page, settled(entry.id) if last is None else ())
    return Outcome(Source(entry))


def validity(question: Question, guides: Guides) -> Outcome:
    """'Seit wann gilt das?' – the validity of the last answer (without one, the vocabulary's entry)."""
    if _misread(question, guides):
        return unsure(question, guides)
    entry = question.last if question.last is None else _about(question, guides, question.last)
    general = guides.vocabulary.without_context.validity
    if entry is None and general and question.text and _not_about_the_guides(question.text, guides):
        return unsure(question, guides)  # "wann ist der nächste Betriebsausflug?": not the instruction's date
    if entry is None and general:  # the instruction's own dates, not those its verdict states
        return Outcome(Validity(guides.by_id[general], of_statement=False))
    return Outcome(NO_PREVIOUS_ANSWER if entry is None else Validity(entry))


def why(question: Question, guides: Guides) -> Outcome:
    """'Warum?' – which conditions of the question matched which guide entry."""
    if _misread(question, guides):
        return unsure(question, guides)
    if question.last is None:  # "warum bleibt die tel. ASU jetzt komplett im SC?": the reason for it
        named = named_entry(question, guides)
        day = question.today
        asked = asked_details(guides.attribute_question_cues, question.text)
        reason = (
            detail_say(guides, named, asked, day, in_question=True, text=question.text)
            if named and asked
            else None
        )
        return Outcome(reason or NO_PREVIOUS_ANSWER, settled(named.id) if reason and named else ())
    return Outcome(Why(question.last, dict(question.case), question.as_of or question.today))


def _asks_who_and_where(question: Question, guides: Guides, last: Entry) -> bool:
    """A "where?" that asks who handles the last routing answer's case too, not where it is written."""
    text = question.text
    return last.kind == "routing" and matches(guides.who_cues, text) and not matches(guides.source_cues, text)


def _about(question: Question, guides: Guides, last: Entry) -> Entry:
    """The entry a "since when?" / "where is that written?" after an answer is about: the last answer,
    or one related to it that the words name ("seit wann gibt's die Funktion?" after the team postboxes'
    block), or another subject the words name where they do not name the last answer's ("ab wann gilt
    das mit den Terminabsagen?" after the e-mail block)."""
    named = named_entry(question, guides)
    if named is None or named.id == last.id:
        return last
    if named.id in last.related:
        return named
    own = last.when.get("subject", frozenset())
    intents = guides.vocabulary.intents
    names_last = any(
        label_named(guides, intent, question.text)
        for intent in intents
        if intents[intent].get("subject") in own
    )
    return last if names_last else named


def _not_about_the_guides(text: str, guides: Guides) -> bool:
    """Asked with nothing before it, "since when" is about the instruction only in its words (the
    vocabulary's `validity_cues`), and not where a long word the guides never use names something else."""
    return not matches(guides.validity_cues, text) or any(
        len(word) >= OWN_WORD_LENGTH and word not in guides.spelling.words
        for word in re.findall(r"[a-z]+", normalise(text))
    )


def _misread(question: Question, guides: Guides) -> bool:
    """The NLU's intent, with none of the words that ask it ("who works in them?" as ask_why)."""
    return not believed(guides, question.intent, question.text)
