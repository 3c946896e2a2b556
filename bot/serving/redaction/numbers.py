"""Rules for numbers: every number that is neither a date of a case nor one of the guides' numbers.

A number after a cue ("Tel.", "Kd-Nr.") is personal whatever its size; a date is personal near a
birth cue or when its year is far from any case; a run of numbers ("0911 12 34 56") is one value.
`storable_number` is the allow-list's side: what number may reach a disk.
"""

from __future__ import annotations

import re

from bot.serving.redaction.patterns import (
    BIRTH_CUES,
    CASE_YEARS,
    CUE_WORDS,
    DATE,
    JOINERS,
    MONTHS,
    NUMBER,
    NUMBER_CUES,
    VCC_POSTBOX,
    date_year,
)
from bot.serving.redaction.tokens import Message


def number_rules(message: Message) -> None:
    """Every number that is neither a date of the case nor a number of the guides."""
    birth_until = -1
    cued = -1  # the token right after a number cue ("Tel. 112", "Kd-Nr.: 12")
    for index, token in enumerate(message.tokens):
        folded = token.folded
        if token.is_word and folded in BIRTH_CUES:
            birth_until = index + 8
        if token.is_word and folded in NUMBER_CUES:
            cued = message.next_word(index, skip=".:-/#")
            while message.word_at(cued) is not None and message.tokens[cued].folded in NUMBER_CUES:
                cued = message.next_word(cued, skip=".:-/#")  # "Pass Nr. …", "NI number …"
            _mark_cued_value(message, cued)
        if not token.is_number:
            continue
        near_birth = index <= birth_until
        year = _date_year(message, index)
        if year is not None:
            if near_birth or (year != 0 and year not in CASE_YEARS):
                message.mark(index, DATE)
            continue
        if _month_date(message, index, near_birth):
            continue
        if index == cued or not _plain_number(message, index):
            message.mark(index, NUMBER)
    _identifiers(message)
    _numbers_in_runs(message)


def _mark_cued_value(message: Message, index: int) -> None:
    """After "Pass", "Perso-Nr", "IBAN": the value's chunks — with a digit, or a short code before one."""
    if message.word_at(index) is None:
        return
    chunk = message.tokens[index].chunk
    for _ in range(8):
        members = [i for i in message.by_chunk[chunk] if i >= index]
        text = "".join(message.tokens[i].text for i in members)
        following = message.by_chunk[chunk + 1] if chunk + 1 < len(message.by_chunk) else []
        # a short code counts only before its digits: "NI-Nummer JT 48 27 19 B", not "phone ASU"
        bare = text.rstrip(".,;:)")
        code = len(bare) <= 3 and bare.isupper() and bare.casefold() not in CUE_WORDS and bool(following)
        code = code and any(c.isdigit() for i in following for c in message.tokens[i].text)
        if not members or not (any(c.isdigit() for c in text) or code) or date_year(text.rstrip(".,;:)")):
            return
        message.mark_chunk(members, NUMBER)
        index = members[-1] + 1
        if message.word_at(index) is None:
            return
        chunk = message.tokens[index].chunk


def _identifiers(message: Message) -> None:
    """Letters and digits mixed, six characters or more, no word longer than three: "C4J8R2K71"."""
    for number, (start, end) in enumerate(message.chunks):
        chunk = message.text[start:end].strip(".,;:!?()[]\"'")
        if len(chunk) < 6 or chunk.casefold() in message.lex.own or VCC_POSTBOX.fullmatch(chunk):
            continue
        digits = sum(c.isdigit() for c in chunk)
        letters = sum(c.isalpha() for c in chunk)
        longest_word = max((len(word) for word in re.findall(r"[^\W\d_]+", chunk)), default=0)
        if digits >= 3 and letters and longest_word <= 3 and not date_year(chunk):  # not "19-year-old"
            message.mark_chunk(message.by_chunk[number], NUMBER)


def _date_year(message: Message, index: int) -> int | None:
    """The year of a date token (0: a date without a year), None if it is no date."""
    return date_year(message.tokens[index].text)


def _month_date(message: Message, index: int, near_birth: bool) -> bool:
    """ "12. April 1987" / "April 12, 1987": a birth date when its year is far off or a cue is near."""
    token = message.tokens[index]
    after = message.next_word(index, skip=".,")
    month = message.word_at(after)
    if month is None or month.folded not in MONTHS:
        before = message.prev_word(index, skip=".,")
        month = message.word_at(before)
        if month is None or month.folded not in MONTHS or not re.fullmatch(r"\d{1,2}|\d{4}", token.text):
            return False
        if len(token.text) == 4:  # "April 12, 1987": the year after a month and day
            year = int(token.text)
            if near_birth or year not in CASE_YEARS:
                for near in (before, index, message.prev_word(before, skip=".,")):
                    if near >= 0 and (near == index or message.tokens[near].is_number):
                        message.mark(near, DATE)
                    if near == before:
                        message.mark(near, DATE)
            return True
        return False
    if not re.fullmatch(r"\d{1,2}", token.text):
        return False
    year_index = message.next_word(after, skip=".,")
    year_token = message.word_at(year_index)
    if year_token is None or not re.fullmatch(r"\d{4}", year_token.text):
        return not near_birth  # "1. Juli" is a date of the case, after "geb." it is not
    if near_birth or int(year_token.text) not in CASE_YEARS:
        for near in (index, after, year_index):
            message.mark(near, DATE)
    return True


def _plain_number(message: Message, index: int) -> bool:
    """A number NLU may read: up to four digits on its own ("bei 2500 brutto", "seit 2018"), or a span
    of a case's years ("2019-2020")."""
    text = message.tokens[index].text
    return text in message.lex.numbers or bool(re.fullmatch(r"\d{1,4}", text)) or _year_span(text)


def storable_number(message: Message, text: str) -> bool:
    """A number that may be stored: of the guides, a date or year of a case, a count up to 99."""
    if text in message.lex.numbers or date_year(text) is not None or re.fullmatch(r"\d{1,2}", text):
        return True
    return (bool(re.fullmatch(r"\d{4}", text)) and int(text) in CASE_YEARS) or _year_span(text)


def _year_span(text: str) -> bool:
    """Two years of a case joined by a dash ("2019-2020", "2023–2024"): a span of time, no one's number."""
    match = re.fullmatch(r"(\d{4})\s*[-–/]\s*(\d{4})", text)
    return match is not None and all(int(year) in CASE_YEARS for year in match.groups())


def _numbers_in_runs(message: Message) -> None:
    """A run of numbers (and the letters inside it) is one value: "0911 12 34 56", "DE27 1203 0000 …".

    A run is personal when one of its numbers is, or when it is long: three numbers or more,
    or six digits or more ("739 4520"). One pass finds the runs, one marks them: linear.
    """
    run: list[int] = []
    for index in range(len(message.tokens) + 1):
        if index < len(message.tokens) and _in_run(message, index, run):
            run.append(index)
            continue
        if run and index < len(message.tokens) and message.tokens[index].text in JOINERS:
            continue  # "+49 (0)911": signs inside a run do not end it; the gap check bounds them
        _mark_run(message, run)
        run = [index] if index < len(message.tokens) and _run_member(message, index) else []


def _run_member(message: Message, index: int) -> bool:
    """What a run can hold: a number that is no date and none of the instruction's, or letters in one."""
    token = message.tokens[index]
    if index in message.forced_keep or token.kind not in ("", NUMBER):
        return False
    if token.is_number:  # the instruction's own numbers ("6801.4 / 6901.4 / 1680") are no one's
        own = token.text in message.lex.numbers and len(token.text) > 2 and not token.kind
        return _date_year(message, index) is None and not own
    return token.is_word and len(token.text) <= 3 and _part_of_number(message, index)


def _in_run(message: Message, index: int, run: list[int]) -> bool:
    """Whether the token continues the run: a member, at most three joining characters after it."""
    if not run or not _run_member(message, index):
        return False
    gap = message.text[message.tokens[run[-1]].end : message.tokens[index].start]
    return len(gap) <= 3 and not gap.strip(" " + JOINERS)


def _mark_run(message: Message, run: list[int]) -> None:
    """Mark a run that is personal: one of its numbers is, or it is long enough to be a value."""
    numbers = [i for i in run if message.tokens[i].is_number]
    if not numbers:
        return
    digits = sum(len(re.sub(r"\D", "", message.tokens[i].text)) for i in numbers)
    seeded = any(message.tokens[i].kind == NUMBER for i in run)
    if not seeded and _years_of_a_case(message, numbers):  # "unemployed 2019-2020": a span of years
        return
    if seeded or len(numbers) >= 3 or (len(numbers) >= 2 and digits >= 6):
        for index in run:
            message.mark(index, NUMBER)


def _years_of_a_case(message: Message, numbers: list[int]) -> bool:
    """Two years of a case in a run of their own ("2019 - 2020"): a span of time, no one's number."""
    if len(numbers) != 2:
        return False
    first, second = (message.tokens[i] for i in numbers)
    return _year_span(message.text[first.start : second.end])


def _part_of_number(message: Message, index: int) -> bool:
    """Letters inside a number: glued to it ("123D456789", "DE89…"), a lone letter or code ("123 D 4")."""
    token = message.tokens[index]
    glued = any(
        near is not None and near.kind == NUMBER and (near.end == token.start or token.end == near.start)
        for near in (message.word_at(index - 1), message.word_at(index + 1))
    )
    return glued or len(token.text) == 1 or (token.text.isupper() and token.folded not in message.lex.own)
