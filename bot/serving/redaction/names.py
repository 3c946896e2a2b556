"""Rules for names: after a cue ("Herr", "Kundin", "customer"), from the name lists, in pairs, of companies.

A name must be found even in lower case and without a cue ("karin heßelbarth"), yet a word of
Lotse's own ("Termin", "telefoniert") must never be taken for one: the rules weigh the lexicon's
word lists against where the word stands.
"""

from __future__ import annotations

from bot.serving.redaction.patterns import (
    COMPANY_FORMS,
    DATE_PREPOSITIONS,
    MONTHS,
    NAME,
    NAME_CUES,
    NOT_AFTER,
    NOT_NAMES,
    PARTICLES,
    TITLE_CUES,
    TITLES,
)
from bot.serving.redaction.tokens import Message, Token


def name_rules(message: Message) -> None:
    """Names after a cue, names from the name lists, and the surname after a first name."""
    index = 0
    while index < len(message.tokens):
        token = message.tokens[index]
        if token.is_word and token.folded in NAME_CUES:
            index = _name_after_cue(message, index)
            continue
        if token.is_word and token.folded in MONTHS and _in_a_date(message, index):
            message.forced_keep.add(index)  # "im August", "von August 2024": a month, stored as it is
            index += 1
            continue
        if token.is_word and _listed_name(message, index):
            message.mark(index, NAME)
            following = index + 1
            while message.word_at(following) is not None and message.tokens[following].text in ("-", "'"):
                following += 1
            for _ in range(4):  # the surname (or two) after a first name, "Al-Khatib", "van Dijk"
                after = message.word_at(following)
                if after is not None and after.text in ("-", "'", "’"):
                    following += 1
                    continue
                if after is None or not after.is_word:
                    break
                particle = after.folded in PARTICLES and _after_particles_is_name(message, following)
                if not particle and (not after.capitalised or after.folded in message.lex.own):
                    break  # "Anna Termin …" is no surname
                message.mark(following, NAME)
                following += 1
            index = following
            continue
        if token.is_word and (_unknown_pair(message, index) or _lower_case_pair(message, index)):
            message.mark(index, NAME)
            message.mark(message.next_word(index, skip="-'’"), NAME)
        index += 1
    _companies(message)
    _seen_names_everywhere(message)


def _unknown(message: Message, token: Token | None) -> bool:
    """A word of two letters or more that no list knows: so likely a name."""
    return token is not None and token.is_word and len(token.text) > 1 and not message.lex.known(token.text)


def _unknown_pair(message: Message, index: int) -> bool:
    """Two capitalised words in a row that no list knows: "Kateryna Bondar", "Ciarán McAleese"."""
    after = message.word_at(message.next_word(index, skip=""))
    token = message.tokens[index]
    return (
        token.capitalised
        and after is not None
        and after.capitalised
        and _unknown(message, token)
        and _unknown(message, after)
        and not token.text.isupper()
    )


def _lower_case_pair(message: Message, index: int) -> bool:
    """ "karin heßelbarth", "ayse yilmaz-kurt": a listed first name and a word that is none of ours."""
    token = message.tokens[index]
    after = message.word_at(message.next_word(index, skip=""))
    return (
        not token.capitalised
        and message.lex.is_name(token.text)
        and after is not None
        and after.is_word
        and not after.capitalised
        and after.folded not in message.lex.own
        and (message.lex.is_listed(after.text) or not message.lex.known(after.text))
    )


def _companies(message: Message) -> None:
    """ "Bäckerei Kürschner-Wiedemann GbR", "Pflegedienst Olszewski & Partner": names before the form."""
    for index, token in enumerate(message.tokens):
        if not (token.is_word and token.folded in COMPANY_FORMS):
            continue
        before = index - 1
        if message.word_at(before) is not None and message.tokens[before].text == "&":
            before -= 1
        taken = 0
        while taken < 3 and message.word_at(before) is not None:
            word = message.tokens[before]
            if word.text in ("-", "'", "’"):
                before -= 1
                continue
            if not (word.is_word and word.capitalised) or word.folded in message.lex.own:
                break
            message.mark(before, NAME)
            taken += 1
            before -= 1


def _seen_names_everywhere(message: Message) -> None:
    """A word taken for a name once is a name wherever it stands in the message ("Brückner GmbH")."""
    names = {
        token.folded
        for token in message.tokens
        if token.kind == NAME and token.is_word and len(token.text) > 1
    }
    for index, token in enumerate(message.tokens):
        if not token.kind and token.is_word and token.folded in names:
            message.mark(index, NAME)


def _listed_name(message: Message, index: int) -> bool:
    """A capitalised name of the name lists; at a sentence's start, where a common word is capitalised
    too ("Lange dauert …"), only before another capitalised word none of Lotse's."""
    token = message.tokens[index]
    if not token.capitalised or not message.lex.is_name(token.text) or token.folded in NOT_NAMES:
        return False
    before = message.word_at(message.prev_word(index, skip=""))
    if before is not None and before.folded in NOT_AFTER and message.lex.known(token.text):
        return False  # "wie viele Tore …?", "into French"
    if message.sentence_start(index) and message.lex.known(token.text):  # "Will the SC …", "Lange dauert …"
        after = message.word_at(message.next_word(index, skip="-'’"))
        return (
            after is not None and after.is_word and after.capitalised and after.folded not in message.lex.own
        )
    return True


def _in_a_date(message: Message, index: int) -> bool:
    """A month's name that stands in a date, not for a person: after a word that leads to a time ("im",
    "seit", "from") or a day ("3."), or before a year ("August 2024")."""
    before = message.word_at(message.prev_word(index, skip="."))
    after = message.word_at(message.next_word(index, skip=""))
    return (before is not None and (before.folded in DATE_PREPOSITIONS or before.text.isdigit())) or (
        after is not None and after.text.isdigit() and len(after.text) == 4
    )


def _name_after_cue(message: Message, cue: int) -> int:
    """After "Herr", "Kundin", "customer": titles, particles and initials, then up to four names."""
    message.title_cue = message.tokens[cue].folded in TITLE_CUES
    index = message.next_word(cue, skip=".:")
    while message.word_at(index) is not None:
        token = message.tokens[index]
        if (token.is_word and token.folded in TITLES) or token.text == ".":
            index += 1
        elif (
            token.is_word
            and len(token.text) == 1
            and token.capitalised
            and _followed_by_dot(message, index)
            and _name_like(message, index + 2)
        ):
            message.mark(index, NAME)  # an initial, with the surname after it ("Frau A. Schmidt")
            index += 2
        else:
            break
    taken = 0
    capitalised = False
    while taken < 4 and message.word_at(index) is not None:
        token = message.tokens[index]
        if token.text in ("-", "'", "’") and taken:
            index += 1
            continue
        if token.is_word and token.folded in PARTICLES and _after_particles_is_name(message, index):
            message.mark(index, NAME)
            index += 1
            continue
        lower_after_name = taken and capitalised and token.is_word and not token.capitalised
        if lower_after_name and _plain_word(message, token):
            break  # "mit Herrn Dietmar Quandt telefoniert": the name ends at a word of Lotse's
        if not lower_after_name and not _name_like(message, index, continuing=taken > 0):
            break  # ("Kundin Maria busch", "customer John thiel": a surname typed in lower case)
        message.mark(index, NAME)
        capitalised = token.capitalised
        taken += 1
        index += 1
    return max(index, cue + 1)


def _plain_word(message: Message, token: Token) -> bool:
    """One of Lotse's own words and no listed name ("telefoniert", "ruft", not "kowalski").

    Not any word of the word list: many surnames are in it ("jaeger", "thiel", "busch")."""
    return (token.folded in message.lex.own or token.folded in NOT_NAMES) and not message.lex.is_listed(
        token.text
    )


def _after_particles_is_name(message: Message, index: int) -> bool:
    """ "von der Heydt", "Al-Khatib": the particles lead to a name."""
    for _ in range(3):
        index = message.next_word(index, skip="-'’")
        token = message.word_at(index)
        if token is None or not (token.is_word and token.folded in PARTICLES):
            break
    return _name_like(message, index, continuing=True)


def _followed_by_dot(message: Message, index: int) -> bool:
    """An initial is a capital with a full stop after it ("A. Schmidt")."""
    after = message.word_at(index + 1)
    return after is not None and after.text == "."


def _name_like(message: Message, index: int, continuing: bool = False) -> bool:
    """A word that can be a name here: a listed name, or no word Lotse knows."""
    token = message.word_at(index)
    if token is None or not token.is_word:
        return False
    if token.folded in NOT_NAMES:
        return False
    if message.lex.is_listed(token.text) and not (token.text.isupper() and token.folded in message.lex.own):
        return token.capitalised or token.folded not in message.lex.own
    if token.folded in message.lex.own:
        return False
    if token.text.isupper() and len(token.text) > 1 and token.folded in message.lex.own:
        return False  # jargon: "Kunde ASU telefonisch"
    if message.title_cue and not continuing and not message.lex.known(token.text):
        return True  # "frau schulze-wehrmann": after a title, an unknown word is a name in any case
    if continuing and message.title_cue:  # "frau leila mansour", but "herr bredemeier fragt"
        return token.capitalised or token.folded not in message.lex.frequent
    return token.capitalised or not message.lex.known(token.text)
