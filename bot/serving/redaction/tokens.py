"""The tokens of one message, and the marks the rules put on them.

The text is cut into whitespace chunks and those into sub-tokens by patterns that match each
character once; the rules read a bounded window of tokens around each one through `Message`, so
the whole pass stays linear in the message length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.serving.lexicon import Lexicon
from bot.serving.redaction.patterns import NUMBER

# one sub-token: a word (letters, inner apostrophes), a number (digits with inner . / : -), or one sign
_SUBTOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.:/-]\d+)*|\S")
_CHUNK = re.compile(r"\S+")


@dataclass
class Token:
    """One sub-token of the message and the placeholder a rule gave it."""

    start: int
    end: int
    text: str
    chunk: int  # index of the whitespace chunk it is in
    kind: str = ""  # "" kept, else the placeholder it gets (personal, also taken out for NLU)

    @property
    def is_word(self) -> bool:
        """Letters first (a sub-token is letters, digits or one sign)."""
        return self.text[0].isalpha()

    @property
    def is_number(self) -> bool:
        """Digits first."""
        return self.text[0].isdigit()

    @property
    def capitalised(self) -> bool:
        """A capital first: names are, mostly."""
        return self.text[0].isupper()

    @property
    def folded(self) -> str:
        """Casefolded, as the word lists hold their words."""
        return self.text.casefold()


def _tokens(text: str) -> tuple[list[Token], list[tuple[int, int]]]:
    """The sub-tokens, and the span of each whitespace chunk (an e-mail address is one chunk)."""
    tokens: list[Token] = []
    chunks: list[tuple[int, int]] = []
    for number, chunk in enumerate(_CHUNK.finditer(text)):
        chunks.append((chunk.start(), chunk.end()))
        for sub in _SUBTOKEN.finditer(chunk.group()):
            tokens.append(Token(chunk.start() + sub.start(), chunk.start() + sub.end(), sub.group(), number))
    return tokens, chunks


class Message:
    """One message's tokens and their marks, shared by the rules; each looks at a bounded window."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.tokens, self.chunks = _tokens(text)
        self.forced_keep: set[int] = set()  # the agency's postboxes and links: no rule marks them
        self.by_chunk: list[list[int]] = [[] for _ in self.chunks]  # the tokens of each chunk
        for index, token in enumerate(self.tokens):
            self.by_chunk[token.chunk].append(index)
        # the name rules' last cue was a title ("frau schulze"): an unknown word after it is a name
        self.title_cue = False

    def word_at(self, index: int) -> Token | None:
        """The token at `index`, None outside the message: rules look around a token without bounds checks."""
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
        """The index of the token before `index` that is not one of the signs in `skip` (-1: none)."""
        index -= 1
        while index >= 0 and len(self.tokens[index].text) == 1 and self.tokens[index].text in skip:
            index -= 1
        return index

    def mark(self, index: int, kind: str) -> None:
        """Give a token its placeholder: the first rule to mark it decides, the agency's postboxes stay."""
        if index not in self.forced_keep and not self.tokens[index].kind:
            self.tokens[index].kind = kind

    def sentence_start(self, index: int) -> bool:
        """Whether the token starts a sentence, where any word is capitalised ("Lange dauert …")."""
        before = self.prev_word(index, skip="")
        return before < 0 or (self.tokens[before].text in '.!?:;–-"„“(' and self.tokens[before].text != "-")

    def mark_chunk(self, members: list[int], kind: str) -> None:
        """Mark a chunk's tokens as one value, but not a closing sign: "(schrieb a@b.de)" keeps its
        bracket and the sentence its full stop."""
        while members and self.tokens[members[-1]].text in ".,;:!?)":
            members = members[:-1]
        for index in members:
            self.mark(index, kind)


def joining_signs(message: Message) -> None:
    """A sign inside one value ("Meier-Schulz", "A. Schmidt", "+49 (0)911") belongs to it."""
    for index, token in enumerate(message.tokens):
        if token.kind or len(token.text) != 1 or token.text not in "-/'’.()+":
            continue
        before, after = message.word_at(index - 1), message.word_at(index + 1)
        if token.text in "+(" and after is not None and after.kind == NUMBER:
            token.kind = NUMBER
        elif before is not None and after is not None and before.kind and before.kind == after.kind:
            token.kind = before.kind
        elif token.text == ")" and before is not None and before.kind == NUMBER and after is not None:
            token.kind = NUMBER if after.kind == NUMBER and after.start == token.end else ""  # "(0)911"
