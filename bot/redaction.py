"""Replace personal data in a staff message by placeholders, before anything else sees it.

Staff paste customer data into the chat ("Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911
1234567, will seinen Termin absagen"). Lotse never needs it to answer, so the REST channel
redacts the message before NLU, the tracker store or a log sees it. The patterns are
deliberately narrow where a miss would eat a question (dates are only redacted as dates of
birth, numbers only in phone, IBAN or customer-number form).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from bot.paths import DATA_DIR, GUIDES_DIR

# A name: a capitalised word (any script: "Yılmaz", "Çelik", "Łukasz", "Nguyễn"), maybe
# hyphenated or with an apostrophe ("Meier-Schulz", "O'Brien"). All-caps words (ASU, ALO)
# are jargon, not names.
_UPPER = r"(?:[A-ZÄÖÜ]|(?![a-zäöüßA-Z])[^\W\d_])"
_LOWER = r"(?:(?![A-ZÄÖÜ])[^\W\d_])"
# (after a hyphen or apostrophe any letters: one way to match, so no catastrophic backtracking)
_WORD = rf"{_UPPER}(?:{_LOWER}+|['’]{_UPPER}{_LOWER}+)(?:['’-][^\W\d_]+)*"
_NAME = rf"{_WORD}(?:\s{_WORD})?"
_INITIALS = rf"(?:{_UPPER}\.\s*)*"
_PARTICLES = r"(?:(?:von|van|vom|zu|de|del|der|den|di|da|al|el|ibn|bin)\s+)*"
_TITLES = r"(?:(?:Dr|Prof|Dipl)\.(?:-\w+\.)?\s+)*"
_STREET_WORDS = r"(?:stra(?:ß|ss)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig)"
_HOUSE = r"\d{1,3}(?:\s?[a-zA-Z](?!\w))?(?:\s?[-/]\s?\d{1,3}(?:[a-zA-Z](?!\w))?)?(?!\w)"
# compounds of a street word that are no street ("Arbeitsplatz 2", "Rechtsweg")
_NOT_STREETS = re.compile(
    r"(?:arbeits|ausbildungs|praktikums|studien|kita|park|stell|sitz|warte)platz|"
    r"(?:rechts|post|dienst|lösungs|loesungs|bildungs|berufs|rück|rueck|um|aus|zugangs|kommunikations|"
    r"antrags|melde|schul|arbeits|lebens|amts|instanzen|übermittlungs|versand)weg|(?:lern|karriere|datei)pfad",
    re.IGNORECASE,
)
_POSTCODE_TOWN = rf",?\s*\d{{5}}\s+{_WORD}"  # ", 90402 Nürnberg"
_POSTCODE_CITY = rf"(?:{_POSTCODE_TOWN})?"
_MONTHS = (
    r"(?:Jan(?:uar|uary)?|Feb(?:ruar|ruary)?|M(?:ärz|aerz|arch)|Apr(?:il)?|Mai|May|Jun[ie]?|Jul[iy]?|"
    r"Aug(?:ust)?|Sep(?:tember)?|Okt(?:ober)?|Oct(?:ober)?|Nov(?:ember)?|Dez(?:ember)?|Dec(?:ember)?)"
)
_DATE = rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{1,2}}\.?\s*{_MONTHS}\.?\s+\d{{4}})"
# finite verbs that follow the subject in staff phrasing: "Kundin Lange ruft an" (a name that is
# also a German word, so only the verb after it shows it is a name)
_VERBS = (
    "will|wollte|möchte|moechte|hat|hatte|ist|war|wird|wurde|kann|konnte|muss|musste|soll|sollte|darf|"
    "ruft|rief|sagt|sagte|meldet|meldete|kommt|kam|schickt|schickte|schreibt|schrieb|fragt|fragte|teilt|"
    "bittet|bat|braucht|benötigt|wünscht|beschwert|storniert|erscheint|wohnt|lebt|bezieht|beantragt|"
    "bekommt|erhält|sendet|mailt|geht|steht|fordert|verlangt|widerspricht|legt|reicht|gibt|nimmt|"
    "kündigt|zieht|spricht|meint|wartet|versucht|weiß|bleibt|arbeitet|sucht|"
    "wants|wanted|calls|called|phones|phoned|says|said|asks|asked|has|had|is|was|writes|wrote|sent|"
    "needs|lives|moved|cancels|cancelled|canceled"
)
_NAME_ENDS = re.compile(rf"\s*(?:[,;:()]|$)|\s+(?:{_VERBS})\b")


@cache
def _known_words() -> frozenset[str]:
    """The words of Lotse's own subject (training examples and guides), in lower case.

    A capitalised word after "Kunde"/"Kundin" or before a house number is personal data
    unless it is one of these ("Kundin Terminabsage per Kontaktformular", "Kommunikationsweg 2").
    """
    files = sorted((DATA_DIR / "nlu").glob("*.yml")) + sorted(GUIDES_DIR.glob("*.yml"))
    if not files:
        raise RuntimeError(f"no training data or guides under {DATA_DIR} / {GUIDES_DIR}")
    words: set[str] = set()
    for path in files:
        words.update(word.lower() for word in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")))
    return frozenset(words)


def _street(match: re.Match[str]) -> str:
    """A street name glued to a street word ("Birkenweg 5"), unless it is a word, not a street."""
    street = match["street"]
    if _NOT_STREETS.fullmatch(street) or street.lower() in _known_words():
        return match.group(0)
    return "[ADRESSE]"


def _postcode_town(match: re.Match[str]) -> str:
    """Five digits and a town: after "in"/"aus"/"nach"/"PLZ", or a word Lotse does not know.

    "90402 Nürnberg" is a place; "12345 Anfragen" five digits and a noun of the question.
    """
    if match["cue"] is None and _is_known(match["town"]):
        return match.group(0)
    return f"{match['cue'] or ''}[ADRESSE]"


def _is_known(word: str) -> bool:
    return all(part.lower() in _known_words() for part in re.split(r"['’-]", word))


def _customer_name(match: re.Match[str]) -> str:
    """The name after "Kunde"/"Kundin": unknown words, or a known one a verb or the phrase end follows."""
    first, second = match["first"], match["second"]
    second_is_name = second is not None and not _is_known(second)
    if not _is_known(first):
        end = match.end("second") if second_is_name else match.end("first")
    elif second_is_name:
        end = match.end("second")
    elif _NAME_ENDS.match(match.string, match.end("first")):
        end = match.end("first")
    else:  # "Kundin Terminabsage per Kontaktformular": a noun of the question
        return match.group(0)
    return f"{match.string[match.start() : match.start('first')]}[NAME]{match.string[end : match.end()]}"


def _titled_name(match: re.Match[str]) -> str:
    """Keep "Herr" / "Frau": it tells whom the question is about."""
    return f"{match['lead']} [NAME]"


Replacement = str | Callable[[re.Match[str]], str]

# (placeholder, pattern, replacement): the order matters, longer and more specific first
_RULES: tuple[tuple[str, re.Pattern[str], Replacement], ...] = (
    # "Ortschaft@arbeitsagentur.de" is the instruction's name for the site postboxes, not a person
    (
        "[E-MAIL]",
        # starts only where a run of address characters starts: linear time on a long run without "@"
        re.compile(
            r"(?i)(?<![\w.+-])(?!ortschaft@)[\w.+-]+(?:@|\s?\(at\)\s?|\s?\[at\]\s?)[\w-]+(?:\.[\w-]+)+"
        ),
        "[E-MAIL]",
    ),
    ("[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b"), "[IBAN]"),
    ("[KUNDENNUMMER]", re.compile(r"\b\d{3}\s?D\s?\d{6}\b", re.IGNORECASE), "[KUNDENNUMMER]"),
    (
        "[GEBURTSDATUM]",
        re.compile(
            r"(?i)(?:\bgeb(?:oren)?\.?(?:\s+am)?|\bgeburtsdatum:?|\bgeburtstag:?|\bdate of birth:?|\bdob:?|"
            rf"\bborn(?:\s+on)?|\*)\s*{_DATE}"
        ),
        "[GEBURTSDATUM]",
    ),
    # German forms (0911 …, +49 …, 0049 …) and any other country's (+44 20 …, 0033 …)
    (
        "[TELEFON]",
        re.compile(r"(?<![\w+])(?:\+\d{1,3}|00[1-9]\d{0,2}|0)(?:[\s/()-]*\d){6,14}\b"),
        "[TELEFON]",
    ),
    # a street word on its own after a name ("Lange Straße 5", "Am Ring 3") is an address
    (
        "[ADRESSE]",
        re.compile(
            rf"\b{_WORD}\s+(?:Stra(?:ß|ss)e|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Pfad|Steig)"
            rf"\s+{_HOUSE}{_POSTCODE_CITY}"
        ),
        "[ADRESSE]",
    ),
    # a capitalised street name ending in a street word, then a house number ("Musterstraße 12a")
    (
        "[ADRESSE]",
        re.compile(rf"\b(?P<street>[A-ZÄÖÜ][a-zäöüß-]*{_STREET_WORDS})\s+{_HOUSE}{_POSTCODE_CITY}"),
        _street,
    ),
    # a house number, then postcode and town: an address even without a street word ("Am Mühlbach 3,
    # 90402 Nürnberg"); up to three words before the street name ("An der", "Alte")
    (
        "[ADRESSE]",
        re.compile(
            rf"\b(?:(?:{_WORD}|an|am|im|in|auf|der|dem|den|die|zum|zur)\s+){{0,3}}{_WORD}\s+{_HOUSE}"
            rf"\s*{_POSTCODE_TOWN}"
        ),
        "[ADRESSE]",
    ),
    # a postcode and town on their own ("wohnt in 90402 Nürnberg"), not five digits and a noun
    (
        "[ADRESSE]",
        re.compile(rf"(?<![\w.,/-])(?P<cue>(?:in|aus|nach|PLZ:?)\s+)?\d{{5}}\s+(?P<town>{_WORD})"),
        _postcode_town,
    ),
    # after Herr / Frau any capitalised word is a name
    (
        "[NAME]",
        re.compile(rf"\b(?P<lead>Herrn?|Frau|Mr\.?|Mrs\.?|Ms\.?)\s+{_TITLES}{_PARTICLES}{_INITIALS}{_NAME}"),
        _titled_name,
    ),
    # after Kunde / Kundin / customer only a word Lotse does not know, or one a verb or the phrase's end
    # follows: "Kundin Terminabsage per Kontaktformular" is a noun, "Kunde Mustermann will …" a name
    (
        "[NAME]",
        re.compile(
            rf"\b(?P<lead>Kunde|Kundin|[Cc]ustomer|[Cc]lient)\s+{_TITLES}{_PARTICLES}{_INITIALS}(?!(?:Herrn?|Frau)\b)"
            rf"(?P<first>{_WORD})(?:\s(?P<second>{_WORD}))?"
        ),
        _customer_name,
    ),
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
    for placeholder, pattern, replacement in _RULES:
        new = pattern.sub(replacement, text)
        if new != text and placeholder not in kinds:
            kinds.append(placeholder)
        text = new
    return Redacted(text, tuple(kinds))
