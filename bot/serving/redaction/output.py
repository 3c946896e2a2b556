"""The two texts of one message once the rules marked it: what NLU reads and what may be stored.

NLU reads the message with the personal values taken out and the words around them mended, so it
reads as staff write the question without them; storage gets the allow-list, where every token
no rule marked still becomes a placeholder unless Lotse knows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.answering.language import function_words
from bot.serving.redaction.numbers import storable_number
from bot.serving.redaction.patterns import (
    ADDRESS,
    ADDRESS_LEADS,
    BRACKET_LABELS,
    CUE_WORDS,
    EMAIL,
    LABELS,
    MAIL_PREPOSITIONS,
    NAME,
    NUMBER,
    ROLE_WORDS,
    SEPARATORS,
    STAFF_WORDS,
    TITLE_ROLES,
    TITLES,
    WORD,
)
from bot.serving.redaction.tokens import Message, Token


@dataclass(frozen=True)
class Redacted:
    """One message: what NLU reads, what may be stored, and the kinds of personal data found."""

    text: str
    stored: str
    kinds: tuple[str, ...] = field(default=())
    substance: bool = True  # a word besides the personal data and the cue words that introduce it

    @property
    def changed(self) -> bool:
        """Whether anything personal was found (else the message reaches NLU as it was typed)."""
        return bool(self.kinds)


def redacted(message: Message) -> Redacted:
    """Both texts of a message whose tokens the rules have marked, with the kinds they found."""
    substance = any(t.is_word and not t.kind and t.folded not in CUE_WORDS for t in message.tokens)
    return Redacted(_for_nlu(message), _for_storage(message), _kinds(message), substance)


def _kinds(message: Message) -> tuple[str, ...]:
    """Each kind of personal data found once, in the order of the message."""
    seen: dict[str, None] = {}
    for token in message.tokens:
        if token.kind:
            seen.setdefault(token.kind, None)
    return tuple(seen)


def _nlu_words(message: Message) -> dict[int, str]:
    """What NLU reads instead of the words next to a value taken out, so that the question reads
    as staff write it without the value: a title becomes the role it stands for ("Kundin"), an
    e-mail address after "an"/"to" the channel ("per E-Mail"), and what only announced a value
    goes with it (an address's "Am", a bracket of labels "(Pass-Nr., Name)")."""
    words: dict[int, str] = {}
    folded = [token.folded for token in message.tokens if token.is_word and not token.kind]
    has_role = any(word in ROLE_WORDS for word in folded)
    addresses = sum(
        1
        for i, t in enumerate(message.tokens)
        if t.kind == EMAIL and (i == 0 or message.tokens[i - 1].kind != EMAIL)
    )
    for members in message.by_chunk:  # "…, Kundennummer 987 D 654321, IBAN DE02… – wer?": pasted items
        if _pasted_item(message, members):
            first = next(i for i in members if message.tokens[i].is_word)
            words.update(dict.fromkeys(range(first, members[-1] + 1), ""))
    opened: int | None = None
    for index, token in enumerate(message.tokens):
        if token.text == "(":
            opened = index
        elif token.text == ")" and opened is not None:
            if _labels_only(message, opened, index):
                words.update(dict.fromkeys(range(opened, index + 1), ""))
            opened = None
        if token.kind == ADDRESS:  # "Am", "An der" before a street taken out
            lead = index - 1
            while lead >= index - 2 and lead >= 0 and _lead_word(message, lead):
                words.setdefault(lead, "")
                lead -= 1
        before = message.word_at(index - 1)
        if (
            token.kind == EMAIL
            and addresses == 1  # "von a@… auf b@… ändern" is a change of address, not a channel
            and before is not None
            and not before.kind
            and before.folded in MAIL_PREPOSITIONS
        ):
            said = message.word_at(index - 2)  # "Mail von a@b.de": the channel is said already
            channel = said is not None and "mail" in said.folded
            words[index - 1] = "" if channel else MAIL_PREPOSITIONS[before.folded]
        title = token.is_word and not token.kind and index not in words
        role = TITLE_ROLES.get(token.folded) if title else None
        if role is None and title and token.folded in TITLES:
            role = _role_in_language(message)  # "Dr. Smith on hold" → "customer on hold"
        if role is None:
            continue
        name = message.next_word(index, skip=".:")
        while message.word_at(name) is not None and message.tokens[name].folded in TITLES | {"."}:
            name += 1
        after = message.word_at(name)
        if after is not None and after.kind == NAME:
            words[index] = "" if has_role or _near_staff(message, index, name) else role
            words.update(dict.fromkeys(range(index + 1, name), ""))
    return words


def _pasted_item(message: Message, members: list[int]) -> bool:
    """A label and its value alone between separators: data pasted in a list, no part of the
    question ("IBAN DE89… per Brief geändert" keeps its label: there it is what changed)."""
    words = [i for i in members if message.tokens[i].is_word]
    if (
        not words
        or message.tokens[words[-1]].folded not in LABELS
        or any(message.tokens[i].kind for i in words)
    ):
        return False  # "Kundennummer", "Kd-Nr.", "eAT-Nr": the chunk ends in a label
    before = message.word_at(words[0] - 1)
    if before is not None and before.text not in SEPARATORS and before.text != ":":
        return False  # a list starts after a separator or a colon ("online: neu Lindenhof 3, …")
    index, values = members[-1] + 1, 0
    while index < len(message.tokens) and index - members[-1] < 30:
        token = message.tokens[index]
        if token.kind and token.kind != WORD:
            values += 1
        elif token.text not in ":" or values:
            break
        index += 1
    after = message.word_at(index)
    return values > 0 and (after is None or after.text in SEPARATORS)


def _labels_only(message: Message, opened: int, closed: int) -> bool:
    """A short bracket that held values and, besides them, only their labels."""
    inside = message.tokens[opened + 1 : closed]
    return (
        closed - opened < 40
        and any(t.kind and t.kind != WORD for t in inside)
        and all(t.kind or not t.is_word or t.folded in BRACKET_LABELS for t in inside)
    )


def _near_staff(message: Message, title: int, name: int) -> bool:
    """ "mein Kollege Herr Kaya", "Mr Smith from head office": a title of staff, not of a customer."""
    window = range(max(0, title - 4), min(len(message.tokens), name + 6))
    return any(message.tokens[i].folded in STAFF_WORDS for i in window if not message.tokens[i].kind)


def _lead_word(message: Message, index: int) -> bool:
    """A word that only leads into an address ("Am", "An der"): it goes with the address."""
    token = message.tokens[index]
    return not token.kind and token.folded in ADDRESS_LEADS


def _role_in_language(message: Message) -> str:
    """ "Kunde" or "customer", by the message's function words; nothing when they do not tell."""
    german, english = function_words(message.text)
    return "Kunde" if german > english else "customer" if english > german else ""


def _pieces(message: Message, replace: bool) -> Iterator[str]:
    """The text with personal tokens replaced (storage) or taken out (NLU)."""
    position = 0
    previous = ""
    instead = {} if replace else _nlu_words(message)
    for index, token in enumerate(message.tokens):
        gap = message.text[position : token.start]
        position = token.end
        if index in message.forced_keep:  # the agency's postboxes stay whole
            yield gap + token.text
            previous = ""
            continue
        if index in instead:
            yield gap + instead[index]
            previous = token.kind
            continue
        kind = token.kind
        if replace and not kind:
            kind = _unstorable(message, token)
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
    yield message.text[position:]


def _unstorable(message: Message, token: Token) -> str:
    """The placeholder a token the rules let pass still gets in storage: unknown words and numbers."""
    if token.is_word:
        if token.folded in CUE_WORDS:
            return ""
        if message.lex.is_name(token.text):
            return NAME
        return "" if message.lex.known(token.text) or len(token.text) == 1 else WORD
    if token.is_number:
        return "" if storable_number(message, token.text) else NUMBER
    return ""


def _for_nlu(message: Message) -> str:
    """The message without its personal values, with the punctuation they leave behind tidied."""
    if not any(token.kind for token in message.tokens):
        return message.text.strip()
    text = "".join(_pieces(message, replace=False))
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;:!?)])", r"\1", text)
    text = re.sub(r"([,;:])(?:[ \t]*[,;:])+", r"\1", text)
    text = re.sub(r"\([ \t,;:.]*\)", "", text)
    text = re.sub(r"[–—-](?:[ \t]*[,;:]?[ \t]*[–—-])+(?=[ \t]|$)", "–", text)
    text = re.sub(r"[,;][ \t]*(?=[–—])", " ", text)  # ", – wer?" once the item between them is out
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip(" ,;:")


def _for_storage(message: Message) -> str:
    """The allow-list: every token no rule marked but Lotse does not know gets a placeholder too."""
    return "".join(_pieces(message, replace=True))
