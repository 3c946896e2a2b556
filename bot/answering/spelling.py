"""Typos in the words the vocabulary's cues look for: "Kontakformular", "telefonish", "onlien".

The cues (guides/vocabulary.yml) are regular expressions over the lower-cased text; a word typed
with one letter dropped, doubled, swapped or wrong matches none of them, and the question that
stated its channel gets asked for it. Before the cues are matched, each word that is not a word
of the guides is compared with the guides' words (SymSpell: `symspellpy`, edit distance 1, 2 for
words of nine letters and more, the first two letters kept) and replaced by the one closest word —
only when that word makes a cue match that the typed one did not, and the typed word is no word of
German or English at all (`wordfreq`: "Deaktivierung", "Telefonist", "hotlink" are words, not
typos). So a correction can only ever add what a cue would have read, never change another word.

Linear in the message length: words longer than `MAX_WORD` are left alone, and a lookup looks at
a bounded prefix of the word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

MIN_WORD = 5  # shorter words are too close to each other to correct ("post" / "pass")
MAX_WORD = 30
_WORD = re.compile(r"[^\W\d_]+")


class Speller:
    """Corrects typed words toward the guides' words where that makes a cue match."""

    def __init__(self, words: Iterable[str], cues: Sequence[re.Pattern[str]]) -> None:
        self.words = frozenset(word for word in words if len(word) >= MIN_WORD)
        self.cues = tuple(cues)

    @cached_property
    def _index(self) -> Any:  # symspellpy's SymSpell (the package has no type hints)
        from symspellpy import SymSpell

        index = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in sorted(self.words):
            index.create_dictionary_entry(word, 1)
        return index

    def warm_up(self) -> None:
        """Build the index now (a server's start), not on the first question."""
        _ = self._index

    def correct(self, plain: str) -> str:
        """The lower-cased text (umlauts written out) with the words corrected that a cue looks for."""
        return _WORD.sub(lambda match: self._word(match.group()), plain)

    def _word(self, word: str) -> str:
        if not MIN_WORD <= len(word) <= MAX_WORD or word in self.words:
            return word
        from symspellpy import Verbosity

        distance = 1 if len(word) < 9 else 2
        found = self._index.lookup(word, Verbosity.CLOSEST, max_edit_distance=distance)
        if len(found) != 1:
            return word  # no word near it, or two equally near: no guess
        candidate: str = found[0].term
        if candidate[:2] != word[:2]:
            return word  # "Deaktivierung" is no "Reaktivierung": typos seldom hit the first letters
        if not any(cue.search(candidate) for cue in self.cues) or any(cue.search(word) for cue in self.cues):
            return word
        return word if _a_word(word) else candidate


def _a_word(word: str) -> bool:
    """A word of German or English, however rare ("Deaktivierung", "Telefonist", "hotlink"): no typo.

    Asked only for a word a correction would change (seldom): wordfreq's lists (about 110 MiB) are
    read on the first such word, not at the start of every server."""
    from wordfreq import zipf_frequency

    # the word reached here with its umlauts written out ("versoehnlich"); wordfreq spells them
    spelled = {word, word.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü")}
    spelled |= {form.replace("ss", "ß") for form in spelled}
    return any(zipf_frequency(form, language) > 0 for form in spelled for language in ("de", "en"))


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def plain_text(text: str) -> str:
    """Lower case with umlauts written out, as the cues are matched: "früher" is "frueher"."""
    return text.lower().translate(_UMLAUTS)


def guide_words(texts: Iterable[str]) -> set[str]:
    """The words of the guide files, as the cues see them (lower case, umlauts written out)."""
    return {word for text in texts for word in _WORD.findall(plain_text(text))}
