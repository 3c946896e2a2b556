"""Rules for where a person is reached or lives: e-mail addresses, postal addresses, places of birth.

Whole chunks first (e-mail addresses, the agency's own postboxes and links, which stay; a UK
postcode or a vehicle plate across two chunks), then streets with their house numbers, postcodes
with their towns, the address after a cue ("Anschrift:") and a place of birth.
"""

from __future__ import annotations

import re

from bot.serving.redaction.patterns import (
    ADDRESS,
    ADDRESS_CUES,
    ADDRESS_LEADS,
    AT_SIGNS,
    BA_LINK,
    BA_POSTBOX,
    BIRTH_CUES,
    BIRTHPLACE_CUES,
    CASE_YEARS,
    DATE,
    EMAIL,
    ENGLISH_STREET,
    HOUSE,
    STREET_END,
    STREET_TAIL,
    TOWN_CUES,
    TWO_CHUNK_VALUES,
    VCC_POSTBOX,
)
from bot.serving.redaction.tokens import Message, Token


def chunk_rules(message: Message) -> None:
    """E-mail addresses (also "(at)"), the agency's postboxes; whole chunks."""
    by_chunk = message.by_chunk
    for number, (start, end) in enumerate(message.chunks):
        chunk = message.text[start:end]
        members = by_chunk[number]
        bare = chunk.lstrip("(\"'„“<[")
        if BA_POSTBOX.fullmatch(bare) or VCC_POSTBOX.fullmatch(bare) or BA_LINK.fullmatch(bare):
            message.forced_keep.update(members)
        elif number + 1 < len(message.chunks) and _two_chunk_value(message, chunk, number):
            pass
        elif "@" in chunk and "." in chunk[chunk.index("@") :]:
            message.mark_chunk(members, EMAIL)
        elif chunk.casefold() in AT_SIGNS:
            for near in (number - 1, number, number + 1):
                if 0 <= near < len(by_chunk):
                    message.mark_chunk(by_chunk[near], EMAIL)
        elif any(sign in chunk.casefold() for sign in AT_SIGNS):
            message.mark_chunk(members, EMAIL)


def _two_chunk_value(message: Message, chunk: str, number: int) -> bool:
    """A UK postcode ("SW1A 1AA") or a vehicle plate ("ER-MK 318", "LK19 XMT"): two chunks, one value."""
    following = message.text[message.chunks[number + 1][0] : message.chunks[number + 1][1]]
    both = message.by_chunk[number] + message.by_chunk[number + 1]
    for first, second, kind in TWO_CHUNK_VALUES:
        if first.fullmatch(chunk) and second.fullmatch(following):
            message.mark_chunk(both, kind)
            return True
    return False


def address_rules(message: Message) -> None:
    """A street with its house number, a postcode with its town, a place of birth."""
    for index, token in enumerate(message.tokens):
        if token.is_word and token.capitalised and token.folded not in message.lex.own:
            _name_and_house_number(message, index)
    for index, token in enumerate(message.tokens):
        if token.is_word and _is_street(message, token):
            house = message.next_word(index, skip=".")
            house_token = message.word_at(house)
            if house_token is not None and HOUSE.fullmatch(house_token.text):
                _mark_street(message, index, house)
        elif token.is_number and (
            re.fullmatch(r"\d{5}", token.text)
            or (re.fullmatch(r"\d{4}", token.text) and _foreign_postcode(message, index))
        ):
            town = message.next_word(index, skip="")
            town_token = message.word_at(town)
            cue = message.word_at(message.prev_word(index, skip=":"))
            if (
                town_token is not None
                and town_token.is_word
                and town_token.capitalised
                and town_token.start > token.end  # "12345 Berlin", not "12345BG…"
                and (
                    town_token.folded not in message.lex.own or (cue is not None and cue.folded in TOWN_CUES)
                )
            ):
                message.tokens[index].kind = ADDRESS  # a postcode (any number rule's kind)
                _mark_words(message, town, ADDRESS, limit=2)
        elif token.is_word and token.folded in ADDRESS_LEADS and token.capitalised:
            _lead_address(message, index)
        elif token.is_word and token.folded in ADDRESS_CUES:
            _after_address_cue(message, index)
        elif token.is_number and re.fullmatch(r"\d{1,4}", token.text):
            _english_street(message, index)
        elif token.is_word and (token.folded in BIRTHPLACE_CUES or _born_in(message, index)):
            _mark_words(message, message.next_word(index, skip=".:-"), ADDRESS, 2)


def _foreign_postcode(message: Message, index: int) -> bool:
    """ "1060 Wien", "8001 Zürich": four digits that are no year of a case and no number of ours."""
    text = message.tokens[index].text
    return int(text) not in CASE_YEARS and text not in message.lex.numbers


def _name_and_house_number(message: Message, index: int) -> None:
    """ "neu Lindenhof 3, …": a word none of ours, a house number, then a comma, bracket or the end."""
    house = message.word_at(index + 1)
    if house is None or not house.is_number or not re.fullmatch(r"[1-9]\d{0,2}", house.text):
        return
    end = index + 2
    if (
        message.word_at(end) is not None
        and message.tokens[end].is_word
        and len(message.tokens[end].text) == 1
    ):
        end += 1  # "3a"
    after = message.word_at(end)
    if after is None or after.text in ",;()–":
        for part in range(index, end):
            message.mark(part, ADDRESS)


def _born_in(message: Message, index: int) -> bool:
    """ "geboren in X", "born in X", "geb. 1.2.1980 in X", "place of birth: X": X is a place of birth."""
    token = message.tokens[index]
    if token.folded == "birth":
        return message.word_at(index - 1) is not None and message.tokens[index - 1].folded == "of"
    if token.folded != "in":
        return False
    return any(
        message.tokens[near].folded in BIRTH_CUES or message.tokens[near].kind == DATE
        for near in range(max(0, index - 6), index)
    )


def _after_address_cue(message: Message, cue: int) -> None:
    """ "Anschrift: Bahnhofstr 12 in Fürth", "address 42 Kingsway, Cardiff": the address that follows."""
    index = message.next_word(cue, skip=".:-")
    if message.word_at(index) is not None and message.tokens[index].folded in (
        "at",
        "in",
        "is",
        "jetzt",
        "now",
    ):
        index += 1
    taken = 0
    while taken < 8 and message.word_at(index) is not None:
        token = message.tokens[index]
        if (token.text == "," and taken and _address_part(message, index + 1)) or _address_part(
            message, index
        ):
            message.mark(index, ADDRESS)
        elif token.folded == "in" and taken and message.word_at(index + 1) is not None:
            town = message.tokens[index + 1]  # "bahnhofstr 12 in fürth": the town, in any case
            if town.is_word and (town.capitalised or town.folded not in message.lex.own):
                message.mark(index + 1, ADDRESS)
            return
        else:
            return
        taken += 1
        index += 1


def _address_part(message: Message, index: int) -> bool:
    """A part of an address after its cue: a number, a street word, or a capitalised word none of ours."""
    token = message.word_at(index)
    if token is None:
        return False
    if token.is_number:
        return True
    if not token.is_word:
        return False
    if STREET_TAIL.fullmatch(token.folded) or STREET_END.fullmatch(token.folded):
        return True
    if token.folded in message.lex.own:
        return len(token.text) == 1
    return token.capitalised


def _english_street(message: Message, number: int) -> None:
    """ "27 Chalton Road": a house number, one or two capitalised names, an English street word."""
    names: list[int] = []
    index = number + 1
    while len(names) < 3 and message.word_at(index) is not None:
        token = message.tokens[index]
        if not (token.is_word and token.capitalised):
            break
        names.append(index)
        if len(names) > 1 and ENGLISH_STREET.fullmatch(token.text):
            for part in (number, *names):
                message.mark(part, ADDRESS)
            return
        index += 1


def _is_street(message: Message, token: Token) -> bool:
    """A street word ("Straße", "Road") or a street's name ("Bahnhofstr") that is no word of Lotse's."""
    folded = token.folded
    match = STREET_TAIL.fullmatch(folded) or STREET_END.fullmatch(folded)
    if not match:
        return False
    if STREET_END.fullmatch(folded):  # a street word alone: "Lange Straße 5", "Baker Street"
        return True
    return folded not in message.lex.own  # "Kommunikationsweg" is a word of ours, "bahnhofstr" none


def _mark_street(message: Message, street: int, house: int) -> None:
    """The street and its house number, and what belongs to them: "12a", the name before "Straße", a
    postcode and town after."""
    for index in range(street, house + 1):
        message.mark(index, ADDRESS)
    letter = message.word_at(house + 1)
    if (
        letter is not None
        and letter.is_word
        and len(letter.text) == 1
        and letter.start == message.tokens[house].end
    ):
        message.mark(house + 1, ADDRESS)  # "12a"
    if STREET_END.fullmatch(message.tokens[street].folded):  # the street's name before its street word
        before = message.prev_word(street, skip="-")
        if before >= 0 and message.tokens[before].is_word and message.tokens[before].capitalised:
            message.mark(before, ADDRESS)
    after = message.next_word(house, skip=",")
    if message.word_at(after) is not None and re.fullmatch(r"\d{5}", message.tokens[after].text):
        message.mark(after, ADDRESS)
        _mark_words(message, after + 1, ADDRESS, limit=2)


def _lead_address(message: Message, lead: int) -> None:
    """ "Am Mühlbach 3", "An der Alten Mühle 5, 12345 Berlin".

    An address when one of its words is unknown or a postcode follows.
    """
    index = lead + 1
    if message.word_at(index) is not None and message.tokens[index].folded in ADDRESS_LEADS:
        index += 1
    names: list[int] = []
    while len(names) < 3 and message.word_at(index) is not None and message.tokens[index].is_word:
        if not message.tokens[index].capitalised:
            return
        names.append(index)
        index += 1
    house = message.word_at(index)
    if not names or house is None or not HOUSE.fullmatch(house.text):
        return
    postcode = message.word_at(message.next_word(index, skip=","))
    unknown = any(not message.lex.known(message.tokens[name].text) for name in names)
    has_postcode = postcode is not None and re.fullmatch(r"\d{5}", postcode.text) is not None
    if unknown or has_postcode:
        for name in names:
            message.mark(name, ADDRESS)
        message.mark(index, ADDRESS)
    if has_postcode:
        after = message.next_word(index, skip=",")
        message.tokens[after].kind = ADDRESS
        _mark_words(message, after + 1, ADDRESS, limit=2)


def _mark_words(message: Message, index: int, kind: str, limit: int) -> None:
    """Up to `limit` capitalised words from `index` on (a town, a place), hyphens between them."""
    taken = 0
    while taken < limit and message.word_at(index) is not None:
        token = message.tokens[index]
        if token.text == "-" and taken:
            index += 1
            continue
        if not (token.is_word and token.capitalised):
            return
        message.mark(index, kind)
        taken += 1
        index += 1
