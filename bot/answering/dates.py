"""Find the day a question asks about: "am 15.06.2025", "vor Juli 2025", "ab August", "before July 2025".

The guides change over time (the EZ handled the free e-mails until 30.06.2025),
so "who handled it before July?" must be answered for that day, not for today.
Only explicit dates and month names count; a question without one is about today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.answering.engine import normalise

MONTHS = {
    "januar": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2, "maerz": 3,
    "march": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

# what comes before a date: the day before it, the end of its month, its start
_BEFORE = r"(?P<before>\bvor\b|\bbefore\b|\bprior to\b)"
_END = r"(?P<end>\bende\b|\bend of\b|\bbis ende\b|\buntil the end of\b)"
_AFTER = r"(?P<after>\bnach\b|\bafter\b)"
_PREFIX = rf"(?:{_BEFORE}|{_END}|{_AFTER})?\s*(?:(?:dem|der|den|the)\s+)?"

_PATTERNS = [
    # 2025-06-15
    re.compile(_PREFIX + r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    # 15.06.2025, 15.6.25
    re.compile(_PREFIX + r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})(?!\d)"),
    # am 15.06. (without a year only after a word that makes it a date, not "Abschnitt 2.2.")
    re.compile(
        rf"(?:{_BEFORE}|{_END}|\b(?:am|zum|ab|seit|bis|vom|on|from|since|until)\b)\s*(?:(?:dem|den|the)\s+)?"
        r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?!\d)"
    ),
    # 15. Juni 2025, 15 June 2025, 15th of June
    re.compile(
        _PREFIX + rf"\b(?P<day>\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?P<mname>{_MONTH})\b\.?"
        r"(?:\s+(?P<year>\d{4}))?"
    ),
    # June 15, 2025
    re.compile(
        _PREFIX + rf"\b(?P<mname>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b"
    ),
    # Juli 2025 (any context), "ab August", "im Juni", "before July" (a month alone needs a preposition)
    re.compile(_PREFIX + rf"\b(?P<mname>{_MONTH})\s+(?P<year>\d{{4}})\b"),
    re.compile(
        rf"(?:{_BEFORE}|{_END}|{_AFTER}|\b(?:ab|seit|im|am|from|since|in|until|bis)\b)\s+"
        rf"(?:(?:dem|der|den|the)\s+)?(?:(?:anfang|beginning of)\s+)?(?P<mname>{_MONTH})\b(?!\s+\d)"
    ),
]


def _year(raw: str | None, today: dt.date) -> int:
    if not raw:
        return today.year
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


@dataclass(frozen=True)
class FoundDate:
    """A date named in a question, and how it was named."""

    day: dt.date
    start: int
    end: int
    prefixed: bool  # "vor", "bis Ende", "nach", "before", "until the end of", "after"
    month_only: bool  # "ab Juli", "im Juni" (no day)


def _dates(plain: str, today: dt.date, change_dates: Sequence[dt.date] = ()) -> Iterator[FoundDate]:
    """Every date the normalised text names, in the order of the patterns (most precise first)."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(plain):
            found = _date_of(match, today, change_dates)
            if found is not None:
                yield found


def _date_of(match: re.Match[str], today: dt.date, change_dates: Sequence[dt.date]) -> FoundDate | None:
    parts = match.groupdict()
    month = MONTHS[parts["mname"]] if parts.get("mname") else int(parts["month"])
    if not 1 <= month <= 12:
        return None
    has_day = bool(parts.get("day"))
    year = _year(parts.get("year"), today)
    day = int(parts["day"]) if has_day else 1
    if not has_day and not parts.get("year"):
        # "ab Juli": the guides' change date in that month, where they have one ("01.07.2025")
        changes = sorted(d for d in change_dates if d.month == month)
        # "bis Ende Juni": the month that ends where a change begins ("Ende Juni" = 30.06.2025)
        ending = sorted(d for d in change_dates if d.month == month % 12 + 1 and d.day == 1)
        if changes:
            year, day = changes[-1].year, changes[-1].day
        elif parts.get("end") and ending:
            year = ending[-1].year - (month == 12)
    if parts.get("end") and not has_day:
        day = calendar.monthrange(year, month)[1]
    try:
        found = dt.date(year, month, day)
    except ValueError:  # 31.02., year 0
        return None
    if parts.get("before"):
        found -= dt.timedelta(days=1)
    elif parts.get("after"):  # "nach Mai": the day after (that month)
        last = day if has_day else calendar.monthrange(year, month)[1]
        found = dt.date(year, month, last) + dt.timedelta(days=1)
    prefixed = bool(parts.get("before") or parts.get("end") or parts.get("after"))
    return FoundDate(found, match.start(), match.end(), prefixed, month_only=not has_day)


def find_date(text: str, today: dt.date, change_dates: Sequence[dt.date] = ()) -> dt.date | None:
    """The first date the text names, or None."""
    return next((found.day for found in _dates(normalise(text), today, change_dates)), None)


# a date the question asks about: "was galt am …", "stand …", "as of …" (wins over what the case tells)
_ASKS = re.compile(
    r"\b(galt|galten|gilt|gelten|gueltig|stand|damals|zu dem zeitpunkt|zu der zeit|an (dem|diesem) tag|as of|"
    r"applied|applies|apply|valid|at that time|at the time|back then|on that (day|date)|"
    # a case supposed on another day: "and if she had called on 20 June 2025?"
    r"(und|and) (wenn|if|falls))\b"
)
# a date that tells what happened in the case: "ist am 02.04.2025 umgezogen … wer bearbeitet das heute?"
_DESCRIBES = re.compile(
    r"\b(heute|jetzt|aktuell|derzeit|today|now|currently|umgezogen|eingetragen|gemeldet|geschickt|"
    r"eingereicht|angefangen|anfangen|beginnt|faengt|arbeitsaufnahme|aufgenommen|geaendert|verzogen|"
    r"moved|reported|starts?|started|begins?|began|changed|sent|submitted|registered|"
    # a customer's history beside the call: "hat bis März 2024 Alg bezogen und meldet sich jetzt …"
    r"bezogen|bezog|erhalten|erhielt|bekommen|bekam|meldet|ruft|anruft|angerufen|calls|called|phones|"
    r"phoned|received|drew|"
    # an appointment's day or what someone wants then: "will nen Termin im Januar"
    r"(einen|nen|ein|den|a|an) (termin|appointment)|will|moechte|moechten|wants?|would like)\b"
)
# "die Weisung vom 18.12.2024", "the letter of 3 April 2024": the date names a document, not a day asked about
# (a compound too: "Bezugsweisung vom 18.12.2024", "Änderungsbescheid vom …")
_DOCUMENT = (
    r"\b\w*?(weisung\w*|instruction|schreiben|brief|bescheid|e-?mail|mail|letter|notice|erlass|rundbrief)"
)
_DOCUMENT_DATE = re.compile(  # "die Weisung vom", "die Weisung ist ja von", "Weisung 18.12.2024"
    rf"({_DOCUMENT}((\s+\w+){{0,2}}?\s+(vom|von|of|from|dated))?|"
    # a thing named by its date: "the one from November 2024", "die vom 15.06. eingegangenen Mails"
    r"\b(the one|the ones|die|der|das|den)\s+(vom|von|from|of|dated))(\s+(dem|the))?\s*$"
)
# "wer bearbeitet am 15.06.2025 …": the date right after the question's verb is the question's
_VERB_THEN_DATE = re.compile(
    r"\b(bearbeitet|bearbeitete|zustaendig|handles?|handled|responsible|processe[sd])\s+$"
)


def _not_documents(dates: Iterator[FoundDate], plain: str) -> Iterator[FoundDate]:
    """The dates that name no document, nor lie inside one that does ("April 2024" in "vom 3 April 2024")."""
    documents: list[FoundDate] = []
    for found in dates:
        if _DOCUMENT_DATE.search(plain[: found.start]):
            documents.append(found)
        elif not any(doc.start <= found.end and found.start <= doc.end for doc in documents):
            yield found


def question_date(text: str, today: dt.date, change_dates: Sequence[dt.date] = ()) -> dt.date | None:
    """The day the question asks about; None when it asks about today.

    A date can also describe the case ("Kundin ist am 02.04.2025 umgezogen – wer bearbeitet
    das?"): that question is about today. A date counts as the question's when it is named
    with "vor", "bis Ende", "nach" (before, until the end of, after), right after the question's
    verb, or when the question asks what applied ("was galt am …", "as of …"); a date in a
    question that tells what happened ("umgezogen", "reported", "heute") is the case's, and a date
    that names a document ("die Weisung vom 18.12.2024") is no day at all.
    """
    plain = normalise(text)
    found = next(_not_documents(_dates(plain, today, change_dates), plain), None)
    if found is None:
        return None
    if found.prefixed or _VERB_THEN_DATE.search(plain[: found.start]) or _ASKS.search(plain):
        return found.day
    return None if _DESCRIBES.search(plain) else found.day
