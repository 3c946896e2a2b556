"""Details of an answer a question asks for: its deadline, its form, where the form is.

Declared once in guides/vocabulary.yml (`follow_up_attributes`); an entry holds them in its
answer, or names `related` entries that do. Asked in a question of its own ("gibt es eine
Bearbeitungsfrist für Terminanfragen?"), a detail the guides do not name is said to be
unsettled — never the routing answer instead of what was asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.answers import AnswerWriter, Reply
from bot.engine import normalise, resolve
from bot.guides import Entry, FollowUpAttribute, Guides


def holder(by_id: Mapping[str, Entry], last: Entry, attribute: FollowUpAttribute) -> Entry | None:
    """The entry, else the first of its related ones, whose answer holds the asked detail."""
    if attribute.field == "valid_from":
        return last  # every entry has one
    for entry in [last, *(by_id[other] for other in last.related if other in by_id)]:
        if attribute.field and getattr(entry.answer, attribute.field, None):
            return entry
    return None


def asked_detail(
    guides: Guides, writer: AnswerWriter, lang: str, text: str, entry: Entry, day: dt.date
) -> Reply | None:
    """The reply to a question that asks for one detail of the entry it got, or None."""
    plain = normalise(text)
    for name, attribute in guides.vocabulary.follow_up_attributes.items():
        if not any(cue.search(plain) for cue in guides.attribute_question_cues[name]):
            continue
        if attribute.subject:  # "… im Jobcenter?": the scope, whatever entry the rest got
            found_entry = getattr(resolve(guides, {"subject": attribute.subject}, day), "entry", None)
            return writer.entry_reply(found_entry, lang, day, day) if found_entry else None
        if attribute.field == "valid_from":  # "seit wann macht das SC …?": the validity, and the detail
            return writer.validity_reply(entry, lang, with_detail=True)
        found = holder(guides.by_id, entry, attribute)
        if found is not None:
            return writer.detail_reply(found, attribute, lang)
        return writer.detail_not_covered_reply(entry, attribute, lang)
    return None
