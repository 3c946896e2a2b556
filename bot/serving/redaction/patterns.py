"""What the redaction's rules look for: cue words, labels, value patterns, and the placeholders.

Kept apart from the rules as data, readable as word lists: the cue words are both what the rules
start from and what storage keeps as they are ("Tel. [NUMMER]" tells a trainer what was there).
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (the lists below are data, kept readable)."""
    return frozenset(text.split())


# the agency's functional postboxes are the instruction's, not a person's: "Erlangen@arbeitsagentur.de"
BA_POSTBOX = re.compile(
    r"[^\W\d_]+(?:-[^\W\d_]+)*@arbeitsagentur\.de(?:-[^\W\d_]+)*[.,;:!?)'\"“”‘’]*", re.IGNORECASE
)
VCC_POSTBOX = re.compile(r"_?BA-Zentrale-VCC-[\w-]*[.,;:!?)]*")
AT_SIGNS = ("(at)", "[at]", "{at}")

# dates: 01.07.2025, 1.7.25, 2025-07-01, 07/01/2025, 1.10. (a date of the case unless its year is far off)
_DATE_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4})?)?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
CASE_YEARS = range(2015, 2036)  # a date outside these years is no date of a staff case: a birth date
MONTHS = _words(
    "januar jänner februar märz maerz april mai juni juli august september oktober november "
    "dezember jan feb mär mrz apr jun jul aug sep sept okt nov dez january february march may "
    "june july october december oct dec"
)
# words before a month that make it a date, not a name ("im August", "von August 2024")
DATE_PREPOSITIONS = _words(
    "im in ab seit von vom bis vor nach anfang ende mitte zum zur letzten nächsten naechsten diesen "
    "from since until till before after of early late mid end last next this during"
)

# words after which a name follows ("Herr Müller", "Kundin Yılmaz", "customer Jones")
NAME_CUES = _words(
    "herr herrn frau hr fr mr mrs ms miss mister kunde kundin kunden customer client applicant "
    "antragsteller antragstellerin arbeitnehmer arbeitnehmerin arbeitsuchender arbeitsuchende "
    "namens heißt heisst named nachname vorname surname name kd kdin familie family dr prof arbeitgeber "
    "arbeitgeberin employer ansprechpartner ansprechpartnerin kontoinhaber kontoinhaberin inhaber "
    "holder firma company husband wife ehemann ehefrau sohn tochter son daughter"
)
COMPANY_FORMS = _words("gmbh gbr kg ag ohg ug mbh ltd inc llc plc partner co sp")
TITLE_CUES = _words("herr herrn frau hr fr mr mrs ms miss mister")
TITLES = _words("dr prof dipl ing med phil rer nat jur mag sir")
PARTICLES = _words("von van vom zu de del der den di da al el ibn bin la le du ten ter")
# words after which a number is personal whatever its size ("Tel. 112", "Nr. 12")
NUMBER_CUES = _words(
    "tel telefon telefonnummer tel.-nr rufnummer handy mobil mobile phone fax nr nummer no kd "
    "kdnr kundennummer kundennr iban bic sv svnr sozialversicherungsnummer rvnr "
    "rentenversicherungsnummer steuer steuerid idnr steueridentifikationsnummer pass passnummer "
    "reisepass ausweis ausweisnummer personalausweis passport id bg bgnr bedarfsgemeinschaft "
    "bedarfsgemeinschaftsnummer ni nino insurance hausnummer postleitzahl plz zip postcode vsnr "
    "kennzeichen kennz kfz plate registration box postfach pf"
)
BIRTH_CUES = _words("geb geboren geburtsdatum geburtstag dob born birth birthday geburt jahrgang")
BIRTHPLACE_CUES = _words("geburtsort gebort geburtsstadt birthplace")
ADDRESS_CUES = _words("adresse anschrift address wohnhaft wohnt lives living")
# an English street after its house number: "27 Chalton Road", "19 Hartington Gardens"
ENGLISH_STREET = re.compile(
    r"street|st|road|rd|lane|ln|avenue|ave|close|drive|dr|way|place|square|terrace|crescent|gardens|court|row|hill|grove",
    re.IGNORECASE,
)
# a UK postcode: "SW1A 1AA", "M14 5RX", "CF10 3AN" (two chunks)
_UK_OUTWARD = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
_UK_INWARD = re.compile(r"\d[A-Z]{2}[.,;:!?)]*")
# vehicle plates: German "ER-MK 318", "M-JP 2271E"; Austrian "S-482 KT"; British "LK19 XMT"
_PLATE_TAIL = r"[.,;:!?)]*"
TWO_CHUNK_VALUES = (
    (_UK_OUTWARD, _UK_INWARD, "[ADRESSE]"),
    (re.compile(r"[A-ZÄÖÜ]{1,3}-[A-ZÄÖÜ]{1,2}"), re.compile(r"\d{1,4}[EH]?" + _PLATE_TAIL), "[NUMMER]"),
    (re.compile(r"[A-ZÄÖÜ]{1,2}-\d{1,5}"), re.compile(r"[A-Z]{1,3}" + _PLATE_TAIL), "[NUMMER]"),
    (re.compile(r"[A-Z]{2}\d{2}"), re.compile(r"[A-Z]{3}" + _PLATE_TAIL), "[NUMMER]"),
)
# links to the agency's own sites stay whole (their paths hold the instruction's file numbers)
BA_LINK = re.compile(r"(?:https?://)?(?:[\w-]+\.)*(?:arbeitsagentur|baintranet)\.de(?:/\S*)?", re.IGNORECASE)
STREET_END = re.compile(
    r"(?:stra(?:ß|ss)e|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|"
    r"street|st|road|rd|lane|avenue|ave|close|drive)",
    re.IGNORECASE,
)
STREET_TAIL = re.compile(r".*(?:stra(?:ß|ss)e|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig)")
ADDRESS_LEADS = _words("am an im auf in zum zur unter hinter bei der dem den die")
TOWN_CUES = _words("in aus nach plz wohnhaft wohnt")
# the cue words: never a name ("Steuer-ID"), and stored as they are ("Tel. [NUMMER]" tells a trainer
# what was there)
CUE_WORDS = NAME_CUES | NUMBER_CUES | BIRTH_CUES | BIRTHPLACE_CUES | ADDRESS_CUES
NOT_NAMES = CUE_WORDS | {"a", "i"}
# a known word right after one of these is counted or a language, not a person: "wie viele Tore …?",
# "zwei Wolf…" never names anyone, "translate it into French" names a language
NOT_AFTER = {
    "viele", "wenige", "einige", "mehrere", "keine", "zwei", "drei", "vier", "fünf", "fuenf", "zehn",
    "hundert", "many", "few", "several", "two", "three", "four", "five", "ten", "hundred", "into",
}  # fmt: skip
# what NLU reads instead of a title and its name: the role the title stands for ("Frau Kaya will …"
# reads as "Kundin will …", as staff write the same question without the name), unless the message
# names the role already
TITLE_ROLES = {
    "herr": "Kunde",
    "herrn": "Kunde",
    "hr": "Kunde",
    "frau": "Kundin",
    "fr": "Kundin",
    "mr": "customer",
    "mrs": "customer",
    "ms": "customer",
    "mister": "customer",
}  # not "miss": "did I miss Anna's call?"
ROLE_WORDS = _words("kunde kundin kunden customer client applicant antragsteller antragstellerin")
# near one of these a title names staff or an employer, not a customer: the title is only dropped
STAFF_WORDS = _words(
    "kollege kollegin kollegen teamleiter teamleiterin teamleitung arbeitgeber arbeitgeberin "
    "ansprechpartner ansprechpartnerin fuehrungskraft führungskraft chef chefin mitarbeiter "
    "mitarbeiterin vorgesetzter vorgesetzte zentrale colleague colleagues manager employer boss "
    "supervisor head office staff team"
)
# an e-mail address after one of these reads as the channel: "antworten an a@b.de" → "per E-Mail"
MAIL_PREPOSITIONS = {
    "an": "per E-Mail",
    "von": "per E-Mail",
    "unter": "per E-Mail",
    "to": "by email",
    "from": "by email",
    "at": "by email",
    "via": "by email",
}
# labels that only announce a value: "(Pass-Nr., Name)" says nothing once the values are out
LABELS = (
    _words(
        "nr nummer no kd kdnr kundennummer kundennr iban bic sv svnr rvnr steuerid idnr passnummer pass "
        "ausweisnummer id bg bgnr ni nino hausnummer plz zip postcode vsnr tel telefonnummer rufnummer fax "
        "geb geboren geburtsdatum dob geburtsort gebort name vorname nachname surname adr "
        # what an address change calls its two addresses: "neu Lindenhof 3 (vorher Am Sudbrack 12a)"
        "neu neue alt alte vorher bisher new old previous previously formerly"
    )
    | TITLES
)
BRACKET_LABELS = LABELS | ADDRESS_LEADS  # "(vorher Am Sudbrack 12a)": all but the value announce it
SEPARATORS = frozenset(",;–—()|")  # what stands between the items of a pasted list
JOINERS = "-/().+"  # signs inside one number: "+49 (0)911 123-45"
HOUSE = re.compile(r"\d{1,4}(?:[-/]\d{1,4}){0,2}")  # "12-14", Austrian "45/3/12"

# placeholders, by kind
NAME, NUMBER, EMAIL, DATE, ADDRESS, WORD = "[NAME]", "[NUMMER]", "[E-MAIL]", "[DATUM]", "[ADRESSE]", "[…]"


def date_year(text: str) -> int | None:
    """The year of a date (0: a date without a year, \"1.10.\"), None if the text is no date."""
    match = _DATE_DOTS.fullmatch(text)
    if match:
        day, month, year = int(match[1]), int(match[2]), match[3]
    else:
        match = _DATE_ISO.fullmatch(text) or _DATE_SLASH.fullmatch(text)
        if not match:
            return None
        if len(match[1]) == 4:
            year, month, day = match[1], int(match[2]), int(match[3])
        else:  # 07/01/2025 or 01/07/2025
            day, month, year = int(match[1]), int(match[2]), match[3]
            day, month = min(day, month), max(day, month) if max(day, month) <= 12 else min(day, month)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if not year:
        return 0
    return int(year) + (2000 if len(year) == 2 and int(year) < 50 else 1900 if len(year) == 2 else 0)
