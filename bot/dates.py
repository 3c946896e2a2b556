"""Find the day a question asks about: "am 15.06.2025", "vor Juli 2025", "ab August", "before July 2025".

The guides change over time (the EZ handled the free e-mails until 30.06.2025),
so "who handled it before July?" must be answered for that day, not for today.
Only explicit dates and month names count; a question without one is about today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from bot.engine import normalise

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


def find_date(text: str, today: dt.date) -> dt.date | None:
    """The day the text asks about, or None when it names no date."""
    plain = normalise(text)
    for pattern in _PATTERNS:
        match = pattern.search(plain)
        if match is None:
            continue
        parts = match.groupdict()
        month = MONTHS[parts["mname"]] if parts.get("mname") else int(parts["month"])
        year = _year(parts.get("year"), today)
        if not 1 <= month <= 12:
            continue
        has_day = bool(parts.get("day"))
        day = int(parts["day"]) if has_day else 1
        if parts.get("end") and not has_day:
            day = calendar.monthrange(year, month)[1]
        try:
            found = dt.date(year, month, day)
        except ValueError:  # 31.02., year 0
            continue
        if parts.get("before"):
            found -= dt.timedelta(days=1)
        elif parts.get("after"):  # "nach Mai": the day after (that month)
            last = day if has_day else calendar.monthrange(year, month)[1]
            found = dt.date(year, month, last) + dt.timedelta(days=1)
        return found
    return None
