"""The words that name something of the guides: what an off-topic question lacks.

An unsure NLU reading of a guide subject is no reason to answer or to offer topics when none of the
words is one the guides use beyond everyday language ("Ich hab Rückenschmerzen, was soll ich
nehmen?" read as the measures catalogue at 0.35, "What is 15% of 240?" as the instruction at 0.51).
The guides' words are those of their entries and of the vocabulary's labels, less the most frequent
German and English words (`wordfreq`'s small lists, whose data ships in the package): "Postfach",
"ASU", "Weisung" name the guides; "nehmen", "what", "form" do not on their own.
"""

from __future__ import annotations

import re

from bot.answering.guides import Bilingual, Guides
from bot.answering.spelling import plain_text

COMMON_PER_LANGUAGE = 1000  # wordfreq's most frequent words per language: everyday language
STEM = 6  # a word of the guides names its inflections and compounds by its first letters
_WORD = re.compile(r"[^\W\d_]+")

# by guides version (the one in service): the guides' own words, and their stems
_OWN: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def names_the_guides(guides: Guides, text: str) -> bool:
    """Whether a word of the text is one of the guides' own ("Liegenschaftspostfächer" by "postfaecher",
    a compound by its part: "Rückrufpostfach"), by whole word or by its first `STEM` letters, or the text
    names an instruction of the guides by its number."""
    if any(number in text for number in guides.instructions):  # "who signed 202505010?"
        return True
    own, stems = _own_words(guides)
    for word in _WORD.findall(plain_text(text)):
        if word in own or (len(word) >= STEM and word[:STEM] in stems):
            return True
        if len(word) > STEM and any(part in word for part in stems):
            return True
    return False


def _own_words(guides: Guides) -> tuple[frozenset[str], frozenset[str]]:
    if guides.version not in _OWN:
        from wordfreq import top_n_list  # read once per guides version, never at import

        common = {
            plain_text(word)
            for language in ("de", "en")
            for word in top_n_list(language, COMMON_PER_LANGUAGE, wordlist="small")
        }
        said = " ".join(_texts(guides))
        own = frozenset(word for word in _WORD.findall(plain_text(said)) if len(word) > 1) - common
        _OWN.clear()  # only the guides in service are asked about
        _OWN[guides.version] = (own, frozenset(word[:STEM] for word in own if len(word) >= STEM))
    return _OWN[guides.version]


def _texts(guides: Guides) -> list[str]:
    """Everything the entries say, and every label of the vocabulary, in both languages."""
    texts: list[str] = [*guides.vocabulary.units]
    for entry in guides.entries:
        for lang in ("de", "en"):
            text = entry.text.get(lang)
            texts += [text.verdict, text.detail]
        for value in vars(entry.answer).values():
            if isinstance(value, Bilingual):
                texts += [value.de, value.en]
    for condition in guides.vocabulary.conditions.values():
        texts += [condition.label.de, condition.label.en]
        texts += [word for value in condition.values.values() for word in (value.de, value.en)]
    for attribute in guides.vocabulary.follow_up_attributes.values():
        texts += [attribute.label.de, attribute.label.en]
    return texts


def warm_up(guides: Guides) -> None:
    """Read the word lists now (a server's start), not on the first question."""
    _own_words(guides)
