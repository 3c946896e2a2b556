"""Details of an answer a question asks for: its deadline, its form, where the form is.

Declared once in guides/vocabulary.yml (`follow_up_attributes`); an entry holds them in its
answer, or names `related` entries that do. Asked in a question of its own ("gibt es eine
Bearbeitungsfrist für Terminanfragen?"), a detail the guides do not name is said to be
unsettled — never the routing answer instead of what was asked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from actions.outcome import Detail, DetailSay, DetailUnsettled, Validity, WholeEntry
from bot.answering.engine import matches, resolve
from bot.answering.guides import Entry, FollowUpAttribute, Guides


def holder(by_id: Mapping[str, Entry], last: Entry, attribute: FollowUpAttribute) -> Entry | None:
    """The entry, else the first of its related ones, whose answer holds the asked detail."""
    if attribute.field == "valid_from":
        return last  # every entry has one
    for entry in [last, *(by_id[other] for other in last.related if other in by_id)]:
        if attribute.field and getattr(entry.answer, attribute.field, None):
            return entry
    return None


def detail_say(
    guides: Guides, entry: Entry, asked: list[str], day: dt.date, *, in_question: bool
) -> DetailSay | None:
    """The reply to the details `asked` (attribute names, in the vocabulary's order) about `entry`.

    The first detail an entry holds is answered ("bis wann?" is the request's deadline where there
    is one, else how long the rule applies); where none holds any, the first asked is said to be
    unsettled. None: the entry's own answer is the reply (it is the detail), or a follow-up goes on
    as the question the NLU found.
    """
    attributes = guides.vocabulary.follow_up_attributes
    subject = entry.when.get("subject", ())
    # a detail asked only about some subjects' answers ("wer leitet die weiter?" after contact forms)
    asked = [
        name
        for name in asked
        if not attributes[name].after_subjects or set(subject) & set(attributes[name].after_subjects)
    ]
    if not asked:
        return None
    overruling = next((attributes[name] for name in asked if attributes[name].overrules), None)
    if overruling is not None:  # "was passiert, wenn wir die Frist verpassen?": not the deadline
        return DetailUnsettled(entry, overruling)
    for name in asked:
        attribute = attributes[name]
        if attribute.unsettled:
            continue
        if any(answering in subject for answering in attribute.answered_by):
            return None
        if attribute.subject:  # "… im Jobcenter?": the scope, whatever entry the rest got
            found_entry = getattr(resolve(guides, {"subject": attribute.subject}, day), "entry", None)
            return WholeEntry(found_entry, day, day) if found_entry else None
        if attribute.field == "valid_from":  # "seit wann macht das SC …?": the validity, and the detail
            return Validity(entry, with_detail=in_question)
        found = holder(guides.by_id, entry, attribute)
        if found is not None:
            return Detail(found, attribute)
    first = attributes[asked[0]]
    if not in_question and first.follow_up_falls_through:
        return None
    return DetailUnsettled(entry, first)


def asked_detail(guides: Guides, text: str, entry: Entry, day: dt.date) -> DetailSay | None:
    """The reply to a question that asks for one detail of the entry it got, or None.

    A question that also asks who handles the case ("SC oder EZ, und in welchem System?") gets the
    routing answer for a detail it holds (where, by whom): it names the unit, and the detail is in it."""
    asked = asked_details(guides.attribute_question_cues, text)
    if entry.kind == "routing" and matches(guides.who_cues, text):
        attributes = guides.vocabulary.follow_up_attributes
        asked = [name for name in asked if not attributes[name].follow_up_falls_through]
    return detail_say(guides, entry, asked, day, in_question=True) if asked else None


def asked_details(cues: Mapping[str, Sequence[re.Pattern[str]]], text: str) -> list[str]:
    """The details (attribute names, in the vocabulary's order) the text asks for by these cues:
    `attribute_cues` for a follow-up, `attribute_question_cues` for a question of its own."""
    return [name for name, patterns in cues.items() if matches(patterns, text)]


def shared_detail(guides: Guides, text: str, candidates: Sequence[Entry]) -> Detail | None:
    """A detail asked about a case Lotse would ask back on, where every candidate entry has the same.

    "Was passiert, wenn ein Kunde an ein gesperrtes Postfach schreibt?" leaves the kind of postbox
    open, but the sender gets the same notice from each: asking back would change nothing.
    """
    attributes = guides.vocabulary.follow_up_attributes
    asked = asked_details(guides.attribute_question_cues, text)
    held: list[tuple[Entry, str]] = []
    for entry in candidates:
        found = next(
            (
                (holding, name)
                for name in asked
                if attributes[name].field and attributes[name].field != "valid_from"
                for holding in [holder(guides.by_id, entry, attributes[name])]
                if holding is not None
            ),
            None,
        )
        if found is None:
            return None
        held.append(found)
    # the same detail, the same value: "Warum werden die Postfächer gesperrt?" has one reason for all
    values = {(name, repr(getattr(holding.answer, attributes[name].field or ""))) for holding, name in held}
    if not held or len(values) != 1:
        return None
    holding, name = held[0]
    return Detail(holding, attributes[name])


def unsettled_asked(guides: Guides, text: str) -> FollowUpAttribute | None:
    """A detail the instruction never gives that the question asks for ("wie viele E-Mails …?")."""
    attributes = guides.vocabulary.follow_up_attributes
    asked = asked_details(guides.attribute_question_cues, text)
    return next((attributes[name] for name in asked if attributes[name].unsettled), None)
