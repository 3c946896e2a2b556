"""The pieces every reply shares: the Reply itself, dates as staff read them, the answer payload.

Apart from the writer (bot/answering/answers.py) so the payload's shape — the contract the widget,
the tests and the eval read — is in one short place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answering.guides import Entry

_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Reply:
    """One bot turn: the text message (with buttons) and the answer payload."""

    text: str
    payload: dict[str, Any]
    buttons: list[dict[str, str]] = field(default_factory=list)


def format_date(day: dt.date | None, lang: str) -> str:
    """German 01.07.2025; English 1 July 2025 (01.07.2025), both readable aloud."""
    if day is None:
        return ""
    numeric = day.strftime("%d.%m.%Y")
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year} ({numeric})"
    return numeric


# an answer is marked "Neu seit …" on the first NEW_FOR_DAYS days its entry is valid
NEW_FOR_DAYS = 30


def new_since(entry: Entry, day: dt.date) -> dt.date | None:
    """The day `entry` became valid, when that was less than NEW_FOR_DAYS days before `day`.

    Staff who learnt the old rule should notice that the answer is a new one: the widget shows
    "Neu seit 01.07.2025" on it. Counted from the day asked about, not from today, so an answer
    "Stand 01.07.2025" is marked as new on that day; an entry with an open start is never new.
    """
    if entry.valid_from is None or not 0 <= (day - entry.valid_from).days < NEW_FOR_DAYS:
        return None
    return entry.valid_from


_NUMERIC_DAY = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
_ENGLISH_DAY = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS_EN) + r") (\d{4})\b")


def days_named(text: str) -> set[dt.date]:
    """The calendar days a text names, as the guides write them (01.07.2025, 1 July 2025)."""
    days = set()
    for day, month, year in _NUMERIC_DAY.findall(text):
        try:
            days.add(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    for day, month, year in _ENGLISH_DAY.findall(text):
        try:
            days.add(dt.date(int(year), _MONTHS_EN.index(month) + 1, int(day)))
        except ValueError:
            continue
    return days


def statement_validity(
    verdict: str | None, validity: str | None, valid_from: dt.date | None, valid_to: dt.date | None, lang: str
) -> str | None:
    """The validity line of what the verdict states: the one date a card shows.

    An entry is valid from its instruction's day, but its verdict may state a later one ("Die
    Liegenschaftspostfächer werden zum 01.07.2025 … gesperrt", valid from 26.05.2025): a card then
    showed two dates. Where the verdict names exactly one day inside the entry's validity, after its
    start and before its end, the statement holds from that day: the entry's validity line with that
    day as its start ("Gilt ab 01.07.2025."). Otherwise the entry's own line.
    """
    if not verdict or not validity or valid_from is None:
        return validity
    days = days_named(verdict)
    if len(days) != 1:
        return validity
    day = days.pop()
    if day <= valid_from or (valid_to is not None and day >= valid_to):
        return validity
    start = format_date(valid_from, lang)
    if validity.count(start) != 1:
        return validity
    return validity.replace(start, format_date(day, lang))


def joined(lines: Sequence[str]) -> str | None:
    """Lines as one text (None when there are none): how the payload carries lead and detail."""
    return "\n".join(lines) or None


def answer_payload(
    kind: str,
    lang: str,
    *,
    topic: str | None = None,
    unit: str | None = None,
    unit_label: str | None = None,
    verdict: str | None = None,
    lead: str | None = None,
    detail: str | None = None,
    where: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    validity: str | None = None,
    source: dict[str, str] | None = None,
    new_since: dt.date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Every answer payload has every key (null when it does not apply), so a reader never guesses.

    `verdict` is the line to read out (a clarifying question's question), `lead` the lines above it
    that answer a follow-up ("Bearbeitungsfrist: …"), `detail` the lines below it; `validity` and
    `source["text"]` are the validity and source lines of the reply, in its language; `new_since`
    the day the entry became valid when that is recent for the day asked about (`new_since()`);
    `statement_validity` the validity of what the verdict states, the date the widget's card shows
    (`statement_validity()`: the same line unless the verdict names a later day).
    """
    answer: dict[str, Any] = {
        "kind": kind,
        "topic": topic,
        "unit": unit,
        "unit_label": unit_label,
        "verdict": verdict,
        "lead": lead,
        "detail": detail,
        "where": where,
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_to": valid_to.isoformat() if valid_to else None,
        "validity": validity,
        "statement_validity": statement_validity(verdict, validity, valid_from, valid_to, lang),
        "source": source,
        "new_since": new_since.isoformat() if new_since else None,
        # what a change of instruction means for the answer (AnswerWriter.change): the rule that
        # follows it after today, the rules that replaced it
        "upcoming": None,
        "replaced_by": [],
        # a detail the guides do not settle: the entry it was asked of ("welche Regionen genau?" after
        # the contact forms' postboxes), so the next follow-up still continues that answer's thread
        "about": None,
        "lang": lang,
    }
    answer.update(extra)
    return {"answer": answer}
