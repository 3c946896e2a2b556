"""Replace personal data in a staff message by placeholders, before anything else sees it.

Staff paste customer data into the chat ("Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911
1234567, will seinen Termin absagen"). Lotse never needs it to answer, so the REST channel
redacts the message before NLU, the tracker store or a log sees it. The patterns are
deliberately narrow where a miss would eat a question (dates are only redacted as dates of
birth, numbers only in phone, IBAN or customer-number form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-ZÄÖÜ][a-zäöüß]+(?:[- ][A-ZÄÖÜ][a-zäöüß]+)?"
_STREET_WORDS = r"(?:stra(?:ß|ss)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig)"

# (placeholder, pattern): the order matters, longer and more specific first
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Ortschaft@arbeitsagentur.de" is the instruction's name for the site postboxes, not a person
    ("[E-MAIL]", re.compile(r"(?i)\b(?!ortschaft@)[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b")),
    ("[KUNDENNUMMER]", re.compile(r"\b\d{3}\s?D\s?\d{6}\b", re.IGNORECASE)),
    (
        "[GEBURTSDATUM]",
        re.compile(
            r"(?i)\b(?:geb(?:oren)?\.?(?:\s+am)?|geburtsdatum:?|date of birth:?|dob:?|born(?:\s+on)?)\s*"
            r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
        ),
    ),
    ("[TELEFON]", re.compile(r"(?<![\w+])(?:\+49|0049|0)(?:[\s/()-]*\d){6,14}\b")),
    # a capitalised street name ending in a street word, then a house number ("Musterstraße 12a")
    ("[ADRESSE]", re.compile(rf"\b[A-ZÄÖÜ][a-zäöüß-]*{_STREET_WORDS}\s+\d{{1,3}}[a-z]?\b")),
    # after Herr / Frau any capitalised word is a name; after Kunde / Kundin only one that
    # ends the phrase ("Kunde Mustermann, …"), since "Kundin Terminabsage per …" is a noun
    ("[NAME]", re.compile(rf"\b(?:Herrn?|Frau|Mr\.?|Mrs\.?|Ms\.?)\s+(?:Dr\.\s+)?{_NAME}")),
    ("[NAME]", re.compile(rf"\b(?:Kunde|Kundin)\s+{_NAME}(?=\s*(?:[,;:()]|$))")),
)


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]  # the placeholders used, in order of first use

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def redact(text: str) -> Redacted:
    """The text with every personal detail replaced by its placeholder."""
    kinds: list[str] = []
    for placeholder, pattern in _RULES:
        if placeholder == "[NAME]":  # keep "Herr" / "Kundin": it tells whom the question is about
            new = pattern.sub(lambda m: m.group(0).split()[0] + " [NAME]", text)
        else:
            new = pattern.sub(placeholder, text)
        if new != text and placeholder not in kinds:
            kinds.append(placeholder)
        text = new
    return Redacted(text, tuple(kinds))
