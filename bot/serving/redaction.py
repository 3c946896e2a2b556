"""Personal data out of staff messages: taken out for the answer, and an allow-list for storage.

Staff paste customer data into the chat ("Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911
1234567, will seinen Termin absagen"). Lotse never needs it, so one pass over the message
gives two texts:

- `Redacted.text`, what NLU and the actions read (in memory only): the message with every
  detail that is recognisably personal taken out — names after a cue or from the name lists,
  numbers that are neither a date of the case nor a number of the guides, e-mail addresses,
  addresses, dates of birth — so the answer is the answer to the same question without them.
- `Redacted.stored`, the only form that may reach a disk or a log: an **allow-list**. It keeps
  the words Lotse knows (its guides, domain and training data, and the common German and
  English words of `wordfreq`), dates of the case and the guides' own numbers, the agency's
  functional postboxes, and punctuation; every other token becomes a placeholder. A name or a
  number that no rule recognises is still not stored, because it is not a known word.

The pass is linear in the message length: the text is cut into whitespace chunks and those
into sub-tokens by patterns that match each character once, and every rule looks at a bounded
window of tokens (tests/bot/serving/test_redaction.py compares n and 4n characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.answering.language import function_words
from bot.serving.lexicon import Lexicon, lexicon


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (the lists below are data, kept readable)."""
    return frozenset(text.split())


# one sub-token: a word (letters, inner apostrophes), a number (digits with inner . / : -), or one sign
_SUBTOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.:/-]\d+)*|\S")
_CHUNK = re.compile(r"\S+")

# the agency's functional postboxes are the instruction's, not a person's: "Erlangen@arbeitsagentur.de"
_BA_POSTBOX = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*@arbeitsagentur\.de[.,;:!?)]*", re.IGNORECASE)
_VCC_POSTBOX = re.compile(r"_?BA-Zentrale-VCC-[\w-]*[.,;:!?)]*")
_AT_SIGNS = ("(at)", "[at]", "{at}")

# dates: 01.07.2025, 1.7.25, 2025-07-01, 07/01/2025, 1.10. (a date of the case unless its year is far off)
_DATE_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4})?)?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
CASE_YEARS = range(2015, 2036)  # a date outside these years is no date of a staff case: a birth date
_MONTHS = _words(
    "januar jänner februar märz maerz april mai juni juli august september oktober november "
    "dezember jan feb mär mrz apr jun jul aug sep sept okt nov dez january february march may "
    "june july october december oct dec"
)

# words after which a name follows ("Herr Müller", "Kundin Yılmaz", "customer Jones")
_NAME_CUES = _words(
    "herr herrn frau hr fr mr mrs ms miss mister kunde kundin kunden customer client applicant "
    "antragsteller antragstellerin arbeitnehmer arbeitnehmerin arbeitsuchender arbeitsuchende "
    "namens heißt heisst named nachname vorname surname name kd kdin familie family dr prof arbeitgeber "
    "arbeitgeberin employer ansprechpartner ansprechpartnerin kontoinhaber kontoinhaberin inhaber "
    "holder firma company husband wife ehemann ehefrau sohn tochter son daughter"
)
_COMPANY_FORMS = _words("gmbh gbr kg ag ohg ug mbh ltd inc llc plc partner co sp")
_TITLE_CUES = _words("herr herrn frau hr fr mr mrs ms miss mister")
_TITLES = _words("dr prof dipl ing med phil rer nat jur mag sir")
_PARTICLES = _words("von van vom zu de del der den di da al el ibn bin la le du ten ter")
# words after which a number is personal whatever its size ("Tel. 112", "Nr. 12")
_NUMBER_CUES = _words(
    "tel telefon telefonnummer tel.-nr rufnummer handy mobil mobile phone fax nr nummer no kd "
    "kdnr kundennummer kundennr iban bic sv svnr sozialversicherungsnummer rvnr "
    "rentenversicherungsnummer steuer steuerid idnr steueridentifikationsnummer pass passnummer "
    "reisepass ausweis ausweisnummer personalausweis passport id bg bgnr bedarfsgemeinschaft "
    "bedarfsgemeinschaftsnummer ni nino insurance hausnummer postleitzahl plz zip postcode vsnr "
    "kennzeichen kennz kfz plate registration box postfach pf"
)
_BIRTH_CUES = _words("geb geboren geburtsdatum geburtstag dob born birth birthday geburt jahrgang")
_BIRTHPLACE_CUES = _words("geburtsort gebort geburtsstadt birthplace")
_ADDRESS_CUES = _words("adresse anschrift address wohnhaft wohnt lives living")
# an English street after its house number: "27 Chalton Road", "19 Hartington Gardens"
_ENGLISH_STREET = re.compile(
    r"street|st|road|rd|lane|ln|avenue|ave|close|drive|dr|way|place|square|terrace|crescent|gardens|court|row|hill|grove",
    re.IGNORECASE,
)
# a UK postcode: "SW1A 1AA", "M14 5RX", "CF10 3AN" (two chunks)
_UK_OUTWARD = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
_UK_INWARD = re.compile(r"\d[A-Z]{2}[.,;:!?)]*")
# vehicle plates: German "ER-MK 318", "M-JP 2271E"; Austrian "S-482 KT"; British "LK19 XMT"
_PLATE_TAIL = r"[.,;:!?)]*"
_TWO_CHUNK_VALUES = (
    (_UK_OUTWARD, _UK_INWARD, "[ADRESSE]"),
    (re.compile(r"[A-ZÄÖÜ]{1,3}-[A-ZÄÖÜ]{1,2}"), re.compile(r"\d{1,4}[EH]?" + _PLATE_TAIL), "[NUMMER]"),
    (re.compile(r"[A-ZÄÖÜ]{1,2}-\d{1,5}"), re.compile(r"[A-Z]{1,3}" + _PLATE_TAIL), "[NUMMER]"),
    (re.compile(r"[A-Z]{2}\d{2}"), re.compile(r"[A-Z]{3}" + _PLATE_TAIL), "[NUMMER]"),
)
# links to the agency's own sites stay whole (their paths hold the instruction's file numbers)
_BA_LINK = re.compile(r"(?:https?://)?(?:[\w-]+\.)*(?:arbeitsagentur|baintranet)\.de(?:/\S*)?", re.IGNORECASE)
_STREET_END = re.compile(
    r"(?:stra(?:ß|ss)e|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|"
    r"street|st|road|rd|lane|avenue|ave|close|drive)",
    re.IGNORECASE,
)
_STREET_TAIL = re.compile(r".*(?:stra(?:ß|ss)e|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig)")
_ADDRESS_LEADS = _words("am an im auf in zum zur unter hinter bei der dem den die")
_TOWN_CUES = _words("in aus nach plz wohnhaft wohnt")
# the cue words: never a name ("Steuer-ID"), and stored as they are ("Tel. [NUMMER]" tells a trainer
# what was there)
_CUE_WORDS = _NAME_CUES | _NUMBER_CUES | _BIRTH_CUES | _BIRTHPLACE_CUES | _ADDRESS_CUES
_NOT_NAMES = _CUE_WORDS | {"a", "i"}
# what NLU reads instead of a title and its name: the role the title stands for ("Frau Kaya will …"
# reads as "Kundin will …", as staff write the same question without the name), unless the message
# names the role already
_TITLE_ROLES = {
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
_ROLE_WORDS = _words("kunde kundin kunden customer client applicant antragsteller antragstellerin")
# near one of these a title names staff or an employer, not a customer: the title is only dropped
_STAFF_WORDS = _words(
    "kollege kollegin kollegen teamleiter teamleiterin teamleitung arbeitgeber arbeitgeberin "
    "ansprechpartner ansprechpartnerin fuehrungskraft führungskraft chef chefin mitarbeiter "
    "mitarbeiterin vorgesetzter vorgesetzte zentrale colleague colleagues manager employer boss "
    "supervisor head office staff team"
)
# an e-mail address after one of these reads as the channel: "antworten an a@b.de" → "per E-Mail"
_MAIL_PREPOSITIONS = {
    "an": "per E-Mail",
    "von": "per E-Mail",
    "unter": "per E-Mail",
    "to": "by email",
    "from": "by email",
    "at": "by email",
    "via": "by email",
}
# labels that only announce a value: "(Pass-Nr., Name)" says nothing once the values are out
_LABELS = (
    _words(
        "nr nummer no kd kdnr kundennummer kundennr iban bic sv svnr rvnr steuerid idnr passnummer pass "
        "ausweisnummer id bg bgnr ni nino hausnummer plz zip postcode vsnr tel telefonnummer rufnummer fax "
        "geb geboren geburtsdatum dob geburtsort gebort name vorname nachname surname adr "
        # what an address change calls its two addresses: "neu Lindenhof 3 (vorher Am Sudbrack 12a)"
        "neu neue alt alte vorher bisher new old previous previously formerly"
    )
    | _TITLES
)
_BRACKET_LABELS = _LABELS | _ADDRESS_LEADS  # "(vorher Am Sudbrack 12a)": all but the value announce it
_SEPARATORS = frozenset(",;–—()|")  # what stands between the items of a pasted list
_JOINERS = "-/().+"  # signs inside one number: "+49 (0)911 123-45"
_HOUSE = re.compile(r"\d{1,4}(?:[-/]\d{1,4}){0,2}")  # "12-14", Austrian "45/3/12"

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


@dataclass
class _Token:
    start: int
    end: int
    text: str
    chunk: int  # index of the whitespace chunk it is in
    kind: str = ""  # "" kept, else the placeholder it gets (personal, also taken out for NLU)

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def is_number(self) -> bool:
        return self.text[0].isdigit()

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def folded(self) -> str:
        return self.text.casefold()


@dataclass(frozen=True)
class Redacted:
    """One message: what NLU reads, what may be stored, and the kinds of personal data found."""

    text: str
    stored: str
    kinds: tuple[str, ...] = field(default=())
    substance: bool = True  # a word besides the personal data and the cue words that introduce it

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def _tokens(text: str) -> tuple[list[_Token], list[tuple[int, int]]]:
    tokens: list[_Token] = []
    chunks: list[tuple[int, int]] = []
    for number, chunk in enumerate(_CHUNK.finditer(text)):
        chunks.append((chunk.start(), chunk.end()))
        for sub in _SUBTOKEN.finditer(chunk.group()):
            tokens.append(_Token(chunk.start() + sub.start(), chunk.start() + sub.end(), sub.group(), number))
    return tokens, chunks


class _Pass:
    """The rules over one message's tokens; each looks at a bounded window, so the pass is linear."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.tokens, self.chunks = _tokens(text)
        self.forced_keep: set[int] = set()
        self.by_chunk: list[list[int]] = [[] for _ in self.chunks]  # the tokens of each chunk
        for index, token in enumerate(self.tokens):
            self.by_chunk[token.chunk].append(index)
        self.title_cue = False

    # --- helpers ---------------------------------------------------------------------------
    def word_at(self, index: int) -> _Token | None:
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def next_word(self, index: int, skip: str = ".:-") -> int:
        """The index of the next token after `index` that is not one of the signs in `skip`."""
        index += 1
        while (
            index < len(self.tokens) and len(self.tokens[index].text) == 1 and self.tokens[index].text in skip
        ):
            index += 1
        return index

    def prev_word(self, index: int, skip: str = ".:-") -> int:
        index -= 1
        while index >= 0 and len(self.tokens[index].text) == 1 and self.tokens[index].text in skip:
            index -= 1
        return index

    def mark(self, index: int, kind: str) -> None:
        if index not in self.forced_keep and not self.tokens[index].kind:
            self.tokens[index].kind = kind

    def sentence_start(self, index: int) -> bool:
        before = self.prev_word(index, skip="")
        return before < 0 or (self.tokens[before].text in '.!?:;–-"„“(' and self.tokens[before].text != "-")

    # --- rules -----------------------------------------------------------------------------
    def chunk_rules(self) -> None:
        """E-mail addresses (also "(at)"), the agency's postboxes; whole chunks."""
        by_chunk = self.by_chunk
        for number, (start, end) in enumerate(self.chunks):
            chunk = self.text[start:end]
            members = by_chunk[number]
            bare = chunk.lstrip("(\"'„“<[")
            if _BA_POSTBOX.fullmatch(bare) or _VCC_POSTBOX.fullmatch(bare) or _BA_LINK.fullmatch(bare):
                self.forced_keep.update(members)
            elif number + 1 < len(self.chunks) and self._two_chunk_value(chunk, number):
                pass
            elif "@" in chunk and "." in chunk[chunk.index("@") :]:
                self._mark_chunk(members, EMAIL)
            elif chunk.casefold() in _AT_SIGNS:
                for near in (number - 1, number, number + 1):
                    if 0 <= near < len(by_chunk):
                        self._mark_chunk(by_chunk[near], EMAIL)
            elif any(sign in chunk.casefold() for sign in _AT_SIGNS):
                self._mark_chunk(members, EMAIL)

    def _two_chunk_value(self, chunk: str, number: int) -> bool:
        """A UK postcode ("SW1A 1AA") or a vehicle plate ("ER-MK 318", "LK19 XMT"): two chunks, one value."""
        following = self.text[self.chunks[number + 1][0] : self.chunks[number + 1][1]]
        both = self.by_chunk[number] + self.by_chunk[number + 1]
        for first, second, kind in _TWO_CHUNK_VALUES:
            if first.fullmatch(chunk) and second.fullmatch(following):
                self._mark_chunk(both, kind)
                return True
        return False

    def _mark_chunk(self, members: list[int], kind: str) -> None:
        # a closing sign stays: "(schrieb a@b.de)" keeps its bracket and the sentence its full stop
        while members and self.tokens[members[-1]].text in ".,;:!?)":
            members = members[:-1]
        for index in members:
            self.mark(index, kind)

    def number_rules(self) -> None:
        """Every number that is neither a date of the case nor a number of the guides."""
        birth_until = -1
        cued = -1  # the token right after a number cue ("Tel. 112", "Kd-Nr.: 12")
        for index, token in enumerate(self.tokens):
            folded = token.folded
            if token.is_word and folded in _BIRTH_CUES:
                birth_until = index + 8
            if token.is_word and folded in _NUMBER_CUES:
                cued = self.next_word(index, skip=".:-/#")
                while self.word_at(cued) is not None and self.tokens[cued].folded in _NUMBER_CUES:
                    cued = self.next_word(cued, skip=".:-/#")  # "Pass Nr. …", "NI number …"
                self._mark_cued_value(cued)
            if not token.is_number:
                continue
            near_birth = index <= birth_until
            date_year = self._date_year(index)
            if date_year is not None:
                if near_birth or (date_year != 0 and date_year not in CASE_YEARS):
                    self.mark(index, DATE)
                continue
            if self._month_date(index, near_birth):
                continue
            if index == cued or not self._plain_number(index):
                self.mark(index, NUMBER)
        self._identifiers()
        self._numbers_in_runs()

    def _mark_cued_value(self, index: int) -> None:
        """After "Pass", "Perso-Nr", "IBAN": the value's chunks — with a digit, or a short code before one."""
        if self.word_at(index) is None:
            return
        chunk = self.tokens[index].chunk
        for _ in range(8):
            members = [i for i in self.by_chunk[chunk] if i >= index]
            text = "".join(self.tokens[i].text for i in members)
            following = self.by_chunk[chunk + 1] if chunk + 1 < len(self.by_chunk) else []
            # a short code counts only before its digits: "NI-Nummer JT 48 27 19 B", not "phone ASU"
            bare = text.rstrip(".,;:)")
            code = len(bare) <= 3 and bare.isupper() and bare.casefold() not in _CUE_WORDS and bool(following)
            code = code and any(c.isdigit() for i in following for c in self.tokens[i].text)
            if not members or not (any(c.isdigit() for c in text) or code) or date_year(text.rstrip(".,;:)")):
                return
            self._mark_chunk(members, NUMBER)
            index = members[-1] + 1
            if self.word_at(index) is None:
                return
            chunk = self.tokens[index].chunk

    def _identifiers(self) -> None:
        """Letters and digits mixed, six characters or more, no word longer than three: "C4J8R2K71"."""
        for number, (start, end) in enumerate(self.chunks):
            chunk = self.text[start:end].strip(".,;:!?()[]\"'")
            if len(chunk) < 6 or chunk.casefold() in self.lex.own or _VCC_POSTBOX.fullmatch(chunk):
                continue
            digits = sum(c.isdigit() for c in chunk)
            letters = sum(c.isalpha() for c in chunk)
            longest_word = max((len(word) for word in re.findall(r"[^\W\d_]+", chunk)), default=0)
            if digits >= 3 and letters and longest_word <= 3 and not date_year(chunk):  # not "19-year-old"
                self._mark_chunk(self.by_chunk[number], NUMBER)

    def _date_year(self, index: int) -> int | None:
        """The year of a date token (0: a date without a year), None if it is no date."""
        return date_year(self.tokens[index].text)

    def _month_date(self, index: int, near_birth: bool) -> bool:
        """ "12. April 1987" / "April 12, 1987": a birth date when its year is far off or a cue is near."""
        token = self.tokens[index]
        after = self.next_word(index, skip=".,")
        month = self.word_at(after)
        if month is None or month.folded not in _MONTHS:
            before = self.prev_word(index, skip=".,")
            month = self.word_at(before)
            if month is None or month.folded not in _MONTHS or not re.fullmatch(r"\d{1,2}|\d{4}", token.text):
                return False
            if len(token.text) == 4:  # "April 12, 1987": the year after a month and day
                year = int(token.text)
                if near_birth or year not in CASE_YEARS:
                    for near in (before, index, self.prev_word(before, skip=".,")):
                        if near >= 0 and (near == index or self.tokens[near].is_number):
                            self.mark(near, DATE)
                        if near == before:
                            self.mark(near, DATE)
                return True
            return False
        if not re.fullmatch(r"\d{1,2}", token.text):
            return False
        year_index = self.next_word(after, skip=".,")
        year_token = self.word_at(year_index)
        if year_token is None or not re.fullmatch(r"\d{4}", year_token.text):
            return not near_birth  # "1. Juli" is a date of the case, after "geb." it is not
        if near_birth or int(year_token.text) not in CASE_YEARS:
            for near in (index, after, year_index):
                self.mark(near, DATE)
        return True

    def _plain_number(self, index: int) -> bool:
        """A number NLU may read: up to four digits on its own ("bei 2500 brutto", "seit 2018")."""
        text = self.tokens[index].text
        return text in self.lex.numbers or bool(re.fullmatch(r"\d{1,4}", text))

    def _storable_number(self, text: str) -> bool:
        """A number that may be stored: of the guides, a date or year of a case, a count up to 99."""
        if text in self.lex.numbers or date_year(text) is not None or re.fullmatch(r"\d{1,2}", text):
            return True
        return bool(re.fullmatch(r"\d{4}", text)) and int(text) in CASE_YEARS

    def _numbers_in_runs(self) -> None:
        """A run of numbers (and the letters inside it) is one value: "0911 12 34 56", "DE27 1203 0000 …".

        A run is personal when one of its numbers is, or when it is long: three numbers or more,
        or six digits or more ("739 4520"). One pass finds the runs, one marks them: linear.
        """
        run: list[int] = []
        for index in range(len(self.tokens) + 1):
            if index < len(self.tokens) and self._in_run(index, run):
                run.append(index)
                continue
            if run and index < len(self.tokens) and self.tokens[index].text in _JOINERS:
                continue  # "+49 (0)911": signs inside a run do not end it; the gap check bounds them
            self._mark_run(run)
            run = [index] if index < len(self.tokens) and self._run_member(index) else []

    def _run_member(self, index: int) -> bool:
        token = self.tokens[index]
        if index in self.forced_keep or token.kind not in ("", NUMBER):
            return False
        if token.is_number:  # the instruction's own numbers ("6801.4 / 6901.4 / 1680") are no one's
            own = token.text in self.lex.numbers and len(token.text) > 2 and not token.kind
            return self._date_year(index) is None and not own
        return token.is_word and len(token.text) <= 3 and self._part_of_number(index)

    def _in_run(self, index: int, run: list[int]) -> bool:
        """Whether the token continues the run: a member, at most three joining characters after it."""
        if not run or not self._run_member(index):
            return False
        gap = self.text[self.tokens[run[-1]].end : self.tokens[index].start]
        return len(gap) <= 3 and not gap.strip(" " + _JOINERS)

    def _mark_run(self, run: list[int]) -> None:
        numbers = [i for i in run if self.tokens[i].is_number]
        if not numbers:
            return
        digits = sum(len(re.sub(r"\D", "", self.tokens[i].text)) for i in numbers)
        seeded = any(self.tokens[i].kind == NUMBER for i in run)
        if seeded or len(numbers) >= 3 or (len(numbers) >= 2 and digits >= 6):
            for index in run:
                self.mark(index, NUMBER)

    def _part_of_number(self, index: int) -> bool:
        """Letters inside a number: glued to it ("123D456789", "DE89…"), a lone letter or code ("123 D 4")."""
        token = self.tokens[index]
        glued = any(
            near is not None and near.kind == NUMBER and (near.end == token.start or token.end == near.start)
            for near in (self.word_at(index - 1), self.word_at(index + 1))
        )
        return glued or len(token.text) == 1 or (token.text.isupper() and token.folded not in self.lex.own)

    def _next_to_personal_number(self, index: int) -> bool:
        for step in (-1, 1):
            near = index + step
            # at most one joining sign between: "0911-12 34", "+49 (0) 911"
            if (
                0 <= near < len(self.tokens)
                and self.tokens[near].text in "-/()+."
                and len(self.tokens[near].text) == 1
            ):
                near += step
            if 0 <= near < len(self.tokens) and self.tokens[near].kind == NUMBER:
                gap = self.text[
                    min(self.tokens[near].end, self.tokens[index].end) : max(
                        self.tokens[near].start, self.tokens[index].start
                    )
                ]
                if len(gap) <= 3:
                    return True
        return False

    def address_rules(self) -> None:
        """A street with its house number, a postcode with its town, a place of birth."""
        for index, token in enumerate(self.tokens):
            if token.is_word and token.capitalised and token.folded not in self.lex.own:
                self._name_and_house_number(index)
        for index, token in enumerate(self.tokens):
            if token.is_word and self._is_street(token):
                house = self.next_word(index, skip=".")
                house_token = self.word_at(house)
                if house_token is not None and _HOUSE.fullmatch(house_token.text):
                    self._mark_street(index, house)
            elif token.is_number and (
                re.fullmatch(r"\d{5}", token.text)
                or (re.fullmatch(r"\d{4}", token.text) and self._foreign_postcode(index))
            ):
                town = self.next_word(index, skip="")
                town_token = self.word_at(town)
                cue = self.word_at(self.prev_word(index, skip=":"))
                if (
                    town_token is not None
                    and town_token.is_word
                    and town_token.capitalised
                    and town_token.start > token.end  # "12345 Berlin", not "12345BG…"
                    and (
                        town_token.folded not in self.lex.own
                        or (cue is not None and cue.folded in _TOWN_CUES)
                    )
                ):
                    self.tokens[index].kind = ADDRESS  # a postcode (any number rule's kind)
                    self._mark_words(town, ADDRESS, limit=2)
            elif token.is_word and token.folded in _ADDRESS_LEADS and token.capitalised:
                self._lead_address(index)
            elif token.is_word and token.folded in _ADDRESS_CUES:
                self._after_address_cue(index)
            elif token.is_number and re.fullmatch(r"\d{1,4}", token.text):
                self._english_street(index)
            elif token.is_word and (token.folded in _BIRTHPLACE_CUES or self._born_in(index)):
                self._mark_words(self.next_word(index, skip=".:-"), ADDRESS, 2)

    def _foreign_postcode(self, index: int) -> bool:
        """ "1060 Wien", "8001 Zürich": four digits that are no year of a case and no number of ours."""
        text = self.tokens[index].text
        return int(text) not in CASE_YEARS and text not in self.lex.numbers

    def _name_and_house_number(self, index: int) -> None:
        """ "neu Lindenhof 3, …": a word none of ours, a house number, then a comma, bracket or the end."""
        house = self.word_at(index + 1)
        if house is None or not house.is_number or not re.fullmatch(r"[1-9]\d{0,2}", house.text):
            return
        end = index + 2
        if self.word_at(end) is not None and self.tokens[end].is_word and len(self.tokens[end].text) == 1:
            end += 1  # "3a"
        after = self.word_at(end)
        if after is None or after.text in ",;()–":
            for part in range(index, end):
                self.mark(part, ADDRESS)

    def _born_in(self, index: int) -> bool:
        """ "geboren in X", "born in X", "geb. 1.2.1980 in X", "place of birth: X": X is a place of birth."""
        token = self.tokens[index]
        if token.folded == "birth":
            return self.word_at(index - 1) is not None and self.tokens[index - 1].folded == "of"
        if token.folded != "in":
            return False
        return any(
            self.tokens[near].folded in _BIRTH_CUES or self.tokens[near].kind == DATE
            for near in range(max(0, index - 6), index)
        )

    def _after_address_cue(self, cue: int) -> None:
        """ "Anschrift: Bahnhofstr 12 in Fürth", "address 42 Kingsway, Cardiff": the address that follows."""
        index = self.next_word(cue, skip=".:-")
        if self.word_at(index) is not None and self.tokens[index].folded in (
            "at",
            "in",
            "is",
            "jetzt",
            "now",
        ):
            index += 1
        taken = 0
        while taken < 8 and self.word_at(index) is not None:
            token = self.tokens[index]
            if (token.text == "," and taken and self._address_part(index + 1)) or self._address_part(index):
                self.mark(index, ADDRESS)
            elif token.folded == "in" and taken and self.word_at(index + 1) is not None:
                town = self.tokens[index + 1]  # "bahnhofstr 12 in fürth": the town, in any case
                if town.is_word and (town.capitalised or town.folded not in self.lex.own):
                    self.mark(index + 1, ADDRESS)
                return
            else:
                return
            taken += 1
            index += 1

    def _address_part(self, index: int) -> bool:
        token = self.word_at(index)
        if token is None:
            return False
        if token.is_number:
            return True
        if not token.is_word:
            return False
        if _STREET_TAIL.fullmatch(token.folded) or _STREET_END.fullmatch(token.folded):
            return True
        if token.folded in self.lex.own:
            return len(token.text) == 1
        return token.capitalised

    def _english_street(self, number: int) -> None:
        """ "27 Chalton Road": a house number, one or two capitalised names, an English street word."""
        names: list[int] = []
        index = number + 1
        while len(names) < 3 and self.word_at(index) is not None:
            token = self.tokens[index]
            if not (token.is_word and token.capitalised):
                break
            names.append(index)
            if len(names) > 1 and _ENGLISH_STREET.fullmatch(token.text):
                for part in (number, *names):
                    self.mark(part, ADDRESS)
                return
            index += 1

    def _is_street(self, token: _Token) -> bool:
        folded = token.folded
        match = _STREET_TAIL.fullmatch(folded) or _STREET_END.fullmatch(folded)
        if not match:
            return False
        if _STREET_END.fullmatch(folded):  # a street word alone: "Lange Straße 5", "Baker Street"
            return True
        return folded not in self.lex.own  # "Kommunikationsweg" is a word of ours, "bahnhofstr" none

    def _mark_street(self, street: int, house: int) -> None:
        for index in range(street, house + 1):
            self.mark(index, ADDRESS)
        letter = self.word_at(house + 1)
        if (
            letter is not None
            and letter.is_word
            and len(letter.text) == 1
            and letter.start == self.tokens[house].end
        ):
            self.mark(house + 1, ADDRESS)  # "12a"
        if _STREET_END.fullmatch(self.tokens[street].folded):  # the street's name before its street word
            before = self.prev_word(street, skip="-")
            if before >= 0 and self.tokens[before].is_word and self.tokens[before].capitalised:
                self.mark(before, ADDRESS)
        after = self.next_word(house, skip=",")
        if self.word_at(after) is not None and re.fullmatch(r"\d{5}", self.tokens[after].text):
            self.mark(after, ADDRESS)
            self._mark_words(after + 1, ADDRESS, limit=2)

    def _lead_address(self, lead: int) -> None:
        """ "Am Mühlbach 3", "An der Alten Mühle 5, 12345 Berlin".

        An address when one of its words is unknown or a postcode follows.
        """
        index = lead + 1
        if self.word_at(index) is not None and self.tokens[index].folded in _ADDRESS_LEADS:
            index += 1
        names: list[int] = []
        while len(names) < 3 and self.word_at(index) is not None and self.tokens[index].is_word:
            if not self.tokens[index].capitalised:
                return
            names.append(index)
            index += 1
        house = self.word_at(index)
        if not names or house is None or not _HOUSE.fullmatch(house.text):
            return
        postcode = self.word_at(self.next_word(index, skip=","))
        unknown = any(not self.lex.known(self.tokens[name].text) for name in names)
        has_postcode = postcode is not None and re.fullmatch(r"\d{5}", postcode.text) is not None
        if unknown or has_postcode:
            for name in names:
                self.mark(name, ADDRESS)
            self.mark(index, ADDRESS)
        if has_postcode:
            after = self.next_word(index, skip=",")
            self.tokens[after].kind = ADDRESS
            self._mark_words(after + 1, ADDRESS, limit=2)

    def _mark_words(self, index: int, kind: str, limit: int) -> None:
        """Up to `limit` capitalised words from `index` on (a town, a place), hyphens between them."""
        taken = 0
        while taken < limit and self.word_at(index) is not None:
            token = self.tokens[index]
            if token.text == "-" and taken:
                index += 1
                continue
            if not (token.is_word and token.capitalised):
                return
            self.mark(index, kind)
            taken += 1
            index += 1

    def name_rules(self) -> None:
        """Names after a cue, names from the name lists, and the surname after a first name."""
        index = 0
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.is_word and token.folded in _NAME_CUES:
                index = self._name_after_cue(index)
                continue
            if token.is_word and self._listed_name(index):
                self.mark(index, NAME)
                following = index + 1
                while self.word_at(following) is not None and self.tokens[following].text in ("-", "'"):
                    following += 1
                for _ in range(4):  # the surname (or two) after a first name, "Al-Khatib", "van Dijk"
                    after = self.word_at(following)
                    if after is not None and after.text in ("-", "'", "’"):
                        following += 1
                        continue
                    if after is None or not after.is_word:
                        break
                    particle = after.folded in _PARTICLES and self._after_particles_is_name(following)
                    if not particle and (not after.capitalised or after.folded in self.lex.own):
                        break  # "Anna Termin …" is no surname
                    self.mark(following, NAME)
                    following += 1
                index = following
                continue
            if token.is_word and (self._unknown_pair(index) or self._lower_case_pair(index)):
                self.mark(index, NAME)
                self.mark(self.next_word(index, skip="-'’"), NAME)
            index += 1
        self._companies()
        self._seen_names_everywhere()

    def _unknown(self, token: _Token | None) -> bool:
        return token is not None and token.is_word and len(token.text) > 1 and not self.lex.known(token.text)

    def _unknown_pair(self, index: int) -> bool:
        """Two capitalised words in a row that no list knows: "Kateryna Bondar", "Ciarán McAleese"."""
        after = self.word_at(self.next_word(index, skip=""))
        token = self.tokens[index]
        return (
            token.capitalised
            and after is not None
            and after.capitalised
            and self._unknown(token)
            and self._unknown(after)
            and not token.text.isupper()
        )

    def _lower_case_pair(self, index: int) -> bool:
        """ "karin heßelbarth", "ayse yilmaz-kurt": a listed first name and a word that is none of ours."""
        token = self.tokens[index]
        after = self.word_at(self.next_word(index, skip=""))
        return (
            not token.capitalised
            and self.lex.is_name(token.text)
            and after is not None
            and after.is_word
            and not after.capitalised
            and after.folded not in self.lex.own
            and (self.lex.is_listed(after.text) or not self.lex.known(after.text))
        )

    def _companies(self) -> None:
        """ "Bäckerei Kürschner-Wiedemann GbR", "Pflegedienst Olszewski & Partner": names before the form."""
        for index, token in enumerate(self.tokens):
            if not (token.is_word and token.folded in _COMPANY_FORMS):
                continue
            before = index - 1
            if self.word_at(before) is not None and self.tokens[before].text == "&":
                before -= 1
            taken = 0
            while taken < 3 and self.word_at(before) is not None:
                word = self.tokens[before]
                if word.text in ("-", "'", "’"):
                    before -= 1
                    continue
                if not (word.is_word and word.capitalised) or word.folded in self.lex.own:
                    break
                self.mark(before, NAME)
                taken += 1
                before -= 1

    def _seen_names_everywhere(self) -> None:
        """A word taken for a name once is a name wherever it stands in the message ("Brückner GmbH")."""
        names = {
            token.folded
            for token in self.tokens
            if token.kind == NAME and token.is_word and len(token.text) > 1
        }
        for index, token in enumerate(self.tokens):
            if not token.kind and token.is_word and token.folded in names:
                self.mark(index, NAME)

    def _listed_name(self, index: int) -> bool:
        token = self.tokens[index]
        if not token.capitalised or not self.lex.is_name(token.text) or token.folded in _NOT_NAMES:
            return False
        if self.sentence_start(index) and self.lex.known(token.text):  # "Will the SC …", "Lange dauert …"
            after = self.word_at(self.next_word(index, skip="-'’"))
            return (
                after is not None and after.is_word and after.capitalised and after.folded not in self.lex.own
            )
        return True

    def _name_after_cue(self, cue: int) -> int:
        """After "Herr", "Kundin", "customer": titles, particles and initials, then up to four names."""
        self.title_cue = self.tokens[cue].folded in _TITLE_CUES
        index = self.next_word(cue, skip=".:")
        while self.word_at(index) is not None:
            token = self.tokens[index]
            if (token.is_word and token.folded in _TITLES) or token.text == ".":
                index += 1
            elif (
                token.is_word
                and len(token.text) == 1
                and token.capitalised
                and self._followed_by_dot(index)
                and self._name_like(index + 2)
            ):
                self.mark(index, NAME)  # an initial, with the surname after it ("Frau A. Schmidt")
                index += 2
            else:
                break
        taken = 0
        capitalised = False
        while taken < 4 and self.word_at(index) is not None:
            token = self.tokens[index]
            if token.text in ("-", "'", "’") and taken:
                index += 1
                continue
            if token.is_word and token.folded in _PARTICLES and self._after_particles_is_name(index):
                self.mark(index, NAME)
                index += 1
                continue
            lower_after_name = taken and capitalised and token.is_word and not token.capitalised
            if lower_after_name and self._plain_word(token):
                break  # "mit Herrn Dietmar Quandt telefoniert": the name ends at a word of Lotse's
            if not lower_after_name and not self._name_like(index, continuing=taken > 0):
                break  # ("Kundin Maria busch", "customer John thiel": a surname typed in lower case)
            self.mark(index, NAME)
            capitalised = token.capitalised
            taken += 1
            index += 1
        return max(index, cue + 1)

    def _plain_word(self, token: _Token) -> bool:
        """One of Lotse's own words and no listed name ("telefoniert", "ruft", not "kowalski").

        Not any word of the word list: many surnames are in it ("jaeger", "thiel", "busch")."""
        return (token.folded in self.lex.own or token.folded in _NOT_NAMES) and not self.lex.is_listed(
            token.text
        )

    def _after_particles_is_name(self, index: int) -> bool:
        """ "von der Heydt", "Al-Khatib": the particles lead to a name."""
        for _ in range(3):
            index = self.next_word(index, skip="-'’")
            token = self.word_at(index)
            if token is None or not (token.is_word and token.folded in _PARTICLES):
                break
        return self._name_like(index, continuing=True)

    def _followed_by_dot(self, index: int) -> bool:
        after = self.word_at(index + 1)
        return after is not None and after.text == "."

    def _name_like(self, index: int, continuing: bool = False) -> bool:
        """A word that can be a name here: a listed name, or no word Lotse knows."""
        token = self.word_at(index)
        if token is None or not token.is_word:
            return False
        if token.folded in _NOT_NAMES:
            return False
        if self.lex.is_listed(token.text) and not (token.text.isupper() and token.folded in self.lex.own):
            return token.capitalised or token.folded not in self.lex.own
        if token.folded in self.lex.own:
            return False
        if token.text.isupper() and len(token.text) > 1 and token.folded in self.lex.own:
            return False  # jargon: "Kunde ASU telefonisch"
        if self.title_cue and not continuing and not self.lex.known(token.text):
            return True  # "frau schulze-wehrmann": after a title, an unknown word is a name in any case
        if continuing and self.title_cue:  # "frau leila mansour", but "herr bredemeier fragt"
            return token.capitalised or token.folded not in self.lex.frequent
        return token.capitalised or not self.lex.known(token.text)

    def joining_signs(self) -> None:
        """A sign inside one value ("Meier-Schulz", "A. Schmidt", "+49 (0)911") belongs to it."""
        for index, token in enumerate(self.tokens):
            if token.kind or len(token.text) != 1 or token.text not in "-/'’.()+":
                continue
            before, after = self.word_at(index - 1), self.word_at(index + 1)
            if token.text in "+(" and after is not None and after.kind == NUMBER:
                token.kind = NUMBER
            elif before is not None and after is not None and before.kind and before.kind == after.kind:
                token.kind = before.kind
            elif token.text == ")" and before is not None and before.kind == NUMBER and after is not None:
                token.kind = NUMBER if after.kind == NUMBER and after.start == token.end else ""  # "(0)911"

    def run(self) -> Redacted:
        self.chunk_rules()
        self.number_rules()
        self.address_rules()
        self.name_rules()
        self.joining_signs()
        substance = any(t.is_word and not t.kind and t.folded not in _CUE_WORDS for t in self.tokens)
        return Redacted(self._for_nlu(), self._for_storage(), self._kinds(), substance)

    def _kinds(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for token in self.tokens:
            if token.kind:
                seen.setdefault(token.kind, None)
        return tuple(seen)

    def _nlu_words(self) -> dict[int, str]:
        """What NLU reads instead of the words next to a value taken out, so that the question reads
        as staff write it without the value: a title becomes the role it stands for ("Kundin"), an
        e-mail address after "an"/"to" the channel ("per E-Mail"), and what only announced a value
        goes with it (an address's "Am", a bracket of labels "(Pass-Nr., Name)")."""
        words: dict[int, str] = {}
        folded = [token.folded for token in self.tokens if token.is_word and not token.kind]
        has_role = any(word in _ROLE_WORDS for word in folded)
        addresses = sum(
            1
            for i, t in enumerate(self.tokens)
            if t.kind == EMAIL and (i == 0 or self.tokens[i - 1].kind != EMAIL)
        )
        for members in self.by_chunk:  # "…, Kundennummer 987 D 654321, IBAN DE02… – wer?": pasted items
            if self._pasted_item(members):
                first = next(i for i in members if self.tokens[i].is_word)
                words.update(dict.fromkeys(range(first, members[-1] + 1), ""))
        opened: int | None = None
        for index, token in enumerate(self.tokens):
            if token.text == "(":
                opened = index
            elif token.text == ")" and opened is not None:
                if self._labels_only(opened, index):
                    words.update(dict.fromkeys(range(opened, index + 1), ""))
                opened = None
            if token.kind == ADDRESS:  # "Am", "An der" before a street taken out
                lead = index - 1
                while lead >= index - 2 and lead >= 0 and self._lead_word(lead):
                    words.setdefault(lead, "")
                    lead -= 1
            before = self.word_at(index - 1)
            if (
                token.kind == EMAIL
                and addresses == 1  # "von a@… auf b@… ändern" is a change of address, not a channel
                and before is not None
                and not before.kind
                and before.folded in _MAIL_PREPOSITIONS
            ):
                said = self.word_at(index - 2)  # "Mail von a@b.de": the channel is said already
                channel = said is not None and "mail" in said.folded
                words[index - 1] = "" if channel else _MAIL_PREPOSITIONS[before.folded]
            title = token.is_word and not token.kind and index not in words
            role = _TITLE_ROLES.get(token.folded) if title else None
            if role is None and title and token.folded in _TITLES:
                role = self._role_in_language()  # "Dr. Smith on hold" → "customer on hold"
            if role is None:
                continue
            name = self.next_word(index, skip=".:")
            while self.word_at(name) is not None and self.tokens[name].folded in _TITLES | {"."}:
                name += 1
            after = self.word_at(name)
            if after is not None and after.kind == NAME:
                words[index] = "" if has_role or self._near_staff(index, name) else role
                words.update(dict.fromkeys(range(index + 1, name), ""))
        return words

    def _pasted_item(self, members: list[int]) -> bool:
        """A label and its value alone between separators: data pasted in a list, no part of the
        question ("IBAN DE89… per Brief geändert" keeps its label: there it is what changed)."""
        words = [i for i in members if self.tokens[i].is_word]
        if (
            not words
            or self.tokens[words[-1]].folded not in _LABELS
            or any(self.tokens[i].kind for i in words)
        ):
            return False  # "Kundennummer", "Kd-Nr.", "eAT-Nr": the chunk ends in a label
        before = self.word_at(words[0] - 1)
        if before is not None and before.text not in _SEPARATORS and before.text != ":":
            return False  # a list starts after a separator or a colon ("online: neu Lindenhof 3, …")
        index, values = members[-1] + 1, 0
        while index < len(self.tokens) and index - members[-1] < 30:
            token = self.tokens[index]
            if token.kind and token.kind != WORD:
                values += 1
            elif token.text not in ":" or values:
                break
            index += 1
        after = self.word_at(index)
        return values > 0 and (after is None or after.text in _SEPARATORS)

    def _labels_only(self, opened: int, closed: int) -> bool:
        """A short bracket that held values and, besides them, only their labels."""
        inside = self.tokens[opened + 1 : closed]
        return (
            closed - opened < 40
            and any(t.kind and t.kind != WORD for t in inside)
            and all(t.kind or not t.is_word or t.folded in _BRACKET_LABELS for t in inside)
        )

    def _near_staff(self, title: int, name: int) -> bool:
        """ "mein Kollege Herr Kaya", "Mr Smith from head office": a title of staff, not of a customer."""
        window = range(max(0, title - 4), min(len(self.tokens), name + 6))
        return any(self.tokens[i].folded in _STAFF_WORDS for i in window if not self.tokens[i].kind)

    def _lead_word(self, index: int) -> bool:
        token = self.tokens[index]
        return not token.kind and token.folded in _ADDRESS_LEADS

    def _role_in_language(self) -> str:
        """ "Kunde" or "customer", by the message's function words; nothing when they do not tell."""
        german, english = function_words(self.text)
        return "Kunde" if german > english else "customer" if english > german else ""

    def _pieces(self, replace: bool) -> Iterator[str]:
        """The text with personal tokens replaced (storage) or taken out (NLU)."""
        position = 0
        previous = ""
        instead = {} if replace else self._nlu_words()
        for index, token in enumerate(self.tokens):
            gap = self.text[position : token.start]
            position = token.end
            if index in self.forced_keep:  # the agency's postboxes stay whole
                yield gap + token.text
                previous = ""
                continue
            if index in instead:
                yield gap + instead[index]
                previous = token.kind
                continue
            kind = token.kind
            if replace and not kind:
                kind = self._unstorable(token)
            if not replace and kind == WORD:
                kind = ""
            if kind and kind == previous and not gap.strip(" -/().,+"):
                continue  # one placeholder for one value: "0911 12 34 56" → "[NUMMER]"
            previous = kind
            if not kind:
                yield gap + token.text
            elif replace:
                yield gap + kind
            else:
                yield gap  # taken out of what NLU reads
        yield self.text[position:]

    def _unstorable(self, token: _Token) -> str:
        """The placeholder a token the rules let pass still gets in storage: unknown words and numbers."""
        if token.is_word:
            if token.folded in _CUE_WORDS:
                return ""
            if self.lex.is_name(token.text):
                return NAME
            return "" if self.lex.known(token.text) or len(token.text) == 1 else WORD
        if token.is_number:
            return "" if self._storable_number(token.text) else NUMBER
        return ""

    def _for_nlu(self) -> str:
        if not any(token.kind for token in self.tokens):
            return self.text.strip()
        text = "".join(self._pieces(replace=False))
        text = re.sub(r"[ \t]{2,}", " ", text)
        text = re.sub(r"[ \t]+([,.;:!?)])", r"\1", text)
        text = re.sub(r"([,;:])(?:[ \t]*[,;:])+", r"\1", text)
        text = re.sub(r"\([ \t,;:.]*\)", "", text)
        text = re.sub(r"[–—-](?:[ \t]*[,;:]?[ \t]*[–—-])+(?=[ \t]|$)", "–", text)
        text = re.sub(r"[,;][ \t]*(?=[–—])", " ", text)  # ", – wer?" once the item between them is out
        text = re.sub(r"[ \t]{2,}", " ", text)
        return text.strip(" ,;:")

    def _for_storage(self) -> str:
        return "".join(self._pieces(replace=True))


def redact(text: str) -> Redacted:
    """The message for NLU (personal data out) and for storage (allow-list), in one linear pass."""
    return _Pass(text, lexicon()).run()


def for_storage(text: str) -> str:
    """What of a text may be stored or logged: known words, the guides' numbers, placeholders."""
    return redact(text).stored
