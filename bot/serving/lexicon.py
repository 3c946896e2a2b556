"""What Lotse knows of words: the allow-list of bot/serving/redaction/ and its name lists.

- **own**: every word of the guides, the domain and the training data — Lotse's subject;
- **common**: the most frequent German and English words of `wordfreq` (its data ships in the
  package; nothing is downloaded);
- **listed**: the first and last names of 31 countries, from `faker`'s person providers;
- **numbers**: the numbers the guides use (the instruction's, sections, Aktentyp 1001 …).

Read once per process, at a server's start (`warm_up()`), never at import: ~0.5 s.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.answering.spelling import plain_text
from bot.paths import DATA_DIR, DOMAIN_FILE, GUIDES_DIR

WORDS = re.compile(r"[^\W\d_]+")
DIGITS = re.compile(r"\d+(?:[.:/-]\d+)*")

# the name lists (first and last names, casefolded) of these countries' Faker providers
_NAME_LOCALES = tuple(
    sorted(
        [
            "de_DE",
            "de_AT",
            "de_CH",
            "en_US",
            "en_GB",
            "en_IE",
            "tr_TR",
            "pl_PL",
            "it_IT",
            "fr_FR",
            "es_ES",
            "nl_NL",
            "hr_HR",
            "ro_RO",
            "pt_PT",
            "cs_CZ",
            "hu_HU",
            "sk_SK",
            "sl_SI",
            "sv_SE",
            "da_DK",
            "fi_FI",
            "no_NO",
            "lt_LT",
            "lv_LV",
            "vi_VN",
            "uk_UA",
            "ru_RU",
            "ar_AA",
            "fa_IR",
            "el_GR",
        ]
    )
)
_NAME_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "last_names",
)
FREQUENT_WORDS_PER_LANGUAGE = 10_000
COMMON_WORDS_PER_LANGUAGE = 60_000  # wordfreq's most frequent words per language that count as known


@dataclass(frozen=True)
class Lexicon:
    """What the allow-list knows: Lotse's own words and numbers, common words, and names."""

    own: frozenset[str]  # casefolded words of the guides, the domain and the training data
    common: frozenset[str]  # wordfreq's most frequent German and English words
    frequent: frozenset[str]  # the first of them: words of every sentence ("fragt", "sagt"), seldom a name
    names: frozenset[str]  # first and last names, minus Lotse's own words
    listed: frozenset[str]  # every first and last name of the lists (after a cue: "Kundin Lange")
    numbers: frozenset[str]  # the numbers the guides and the training data use ("202505010", "2.2", "1001")

    def known(self, word: str) -> bool:
        folded = word.casefold()
        return folded in self.own or folded in self.common

    def is_name(self, word: str) -> bool:
        return word.casefold() in self.names

    def is_listed(self, word: str) -> bool:
        return word.casefold() in self.listed


def _faker_names() -> set[str]:
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _NAME_ATTRIBUTES:
            values = getattr(provider, attribute, ())
            names.update(str(value).casefold() for value in values if isinstance(value, str))
    return names


def _own_files() -> tuple[list[str], list[str]]:
    """The lines of the guides and the domain, and those of the training data."""
    guides = [*sorted(GUIDES_DIR.glob("*.yml")), DOMAIN_FILE]
    data = sorted(DATA_DIR.rglob("*.yml"))
    if len(guides) < 2 or not data:
        raise RuntimeError(f"no guides or training data under {GUIDES_DIR} / {DATA_DIR}")

    def lines(paths: list[Path]) -> list[str]:
        return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]

    return lines(guides), lines(data)


# The BA's regional directorates (and the regions of the VCC postboxes) are named after the federal
# states; staff name them, in German or English ("which VCC postbox is for Hesse?"). Place names,
# not personal data, though some read like surnames (Hesse, Baden).
REGIONS = (
    "baden-württemberg bayern bavaria berlin brandenburg bremen hamburg hessen hesse niedersachsen "
    "lower saxony mecklenburg-vorpommern mecklenburg western pomerania nordrhein-westfalen "
    "north rhine-westphalia nrw rheinland-pfalz rhineland-palatinate saarland sachsen saxony "
    "sachsen-anhalt saxony-anhalt schleswig-holstein thüringen thuringia"
)


def _with_umlauts_spelled_out(words: Iterable[str]) -> set[str]:
    """The words, and each as staff type it without umlauts: "fängt" is "faengt" too."""
    found = set(words)
    return found | {plain_text(word) for word in found}


@cache
def lexicon() -> Lexicon:
    """Read once per process (~1 s), at a server's start through warm_up(), never at import."""
    from wordfreq import top_n_list

    guides, data = _own_files()
    own = {word.casefold() for line in [*guides, *data, REGIONS] for word in WORDS.findall(line)}
    # numbers only from the guides: an example in the training data may hold a made-up phone number
    numbers = {number for line in guides for number in DIGITS.findall(line)}
    ranked = {language: top_n_list(language, COMMON_WORDS_PER_LANGUAGE) for language in ("de", "en")}
    common = _with_umlauts_spelled_out(w for words in ranked.values() for w in words if WORDS.fullmatch(w))
    frequent = _with_umlauts_spelled_out(
        w for words in ranked.values() for w in words[:FREQUENT_WORDS_PER_LANGUAGE]
    )
    listed = _faker_names()
    return Lexicon(
        own=frozenset(own),
        common=frozenset(common),
        frequent=frozenset(frequent),
        names=frozenset(listed - own),
        listed=frozenset(listed),
        numbers=frozenset(numbers),
    )


def warm_up() -> None:
    """Load the lexicon now (a server's start), not during the first message."""
    lexicon()
