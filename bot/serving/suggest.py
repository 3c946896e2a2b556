"""Type-ahead and the start screen: guide questions and topics, from the guides and the training data.

An agent on the phone should not have to type a whole question before anything helps. From the
third character the widget asks `/api/suggest` for up to five suggestions in the language typed:
the guide subjects' names (vocabulary.yml) and the well-formed questions of the training data
(data/nlu/, hand-written, not the generated ones). Each question is resolved once, when the index
is built, with the engine the actions use (the intent it is an example of, the conditions its
words state), so a suggestion names the guide entry it leads to; a question that leads to no entry
valid today is never suggested. Picking one asks its text, so the NLU reads it as typed.

The start screen's "most asked" is built from the same index: the guide entries answered most in
the last days (bot/serving/asked.py counts entry ids only, never a question) each shown as its
canonical question, filled up from a fixed list drawn from the guides. Nothing a user typed is
ever shown to another user.

The index follows the guides: a guide reload (bot/answering/store.py) or a changed training file
builds it again on the next request. Built in memory (~500 questions), a lookup is a scan of a few
hundred short strings: well under a millisecond.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.answering.engine import Answer, Clarify, conditions_for, normalise, resolve, stated_in_text
from bot.answering.guides import Guides
from bot.answering.language import function_words
from bot.answering.spelling import Speller
from bot.answering.store import GuideStore

logger = logging.getLogger(__name__)

MIN_CHARS = 3  # from the third character: fewer match half the index
MAX_SUGGESTIONS = 5
START_QUESTIONS = 6
MAX_QUERY_CHARS = 200  # a longer "query" is a pasted text, not typing
LANGS = ("de", "en")
# a question fit to be shown to staff: starts like a sentence, ends with "?", no annotation
_MIN_WORDS, _MAX_WORDS = 3, 16
_ANNOTATION = re.compile(r"[\[\]{}]")
_TOKEN = re.compile(r"\w+")
# German typed without umlauts ("Aenderung", "fuer"): fine to ask, not to be shown as a suggestion
_UMLAUT_FREE = re.compile(r"ae|oe|\bue|\bfuer\b", re.IGNORECASE)
# questions that open with one of these read as a full question (preferred as an entry's canonical one)
_OPENERS = frozenset(
    [
        "wer",
        "wen",
        "wem",
        "wohin",
        "wo",
        "was",
        "wie",
        "wann",
        "welche",
        "welcher",
        "welches",
        "welchen",
        "gibt",
        "ist",
        "sind",
        "werden",
        "muss",
        "duerfen",
        "darf",
        "kann",
        "koennen",
        "bleibt",
        "bleiben",
        "gilt",
        "gelten",
        "seit",
        "ab",
        "bis",
        "who",
        "what",
        "where",
        "when",
        "which",
        "how",
        "is",
        "are",
        "does",
        "do",
        "can",
        "must",
        "will",
        "should",
    ]
)


@dataclass(frozen=True)
class Suggestion:
    """One line of the type-ahead list or one start button: what is shown, asked when picked."""

    text: str
    kind: str  # "question" (a question of the training data) or "topic" (a guide subject's name)
    lang: str
    subject: str
    topic: str | None  # the guide entry it is answered with; None when Lotse first asks back
    ask: str  # what the widget sends when it is picked: a topic asks its subject's canonical question

    def as_json(self) -> dict[str, str | None]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class _Item:
    suggestion: Suggestion
    plain: str
    words: tuple[str, ...]


def well_formed(text: str) -> bool:
    """Whether a training example reads as a question staff would type and want to see listed."""
    words = text.split()
    return (
        _MIN_WORDS <= len(words) <= _MAX_WORDS
        and text[:1].isupper()
        and text.endswith("?")
        and not _ANNOTATION.search(text)
    )


def example_language(text: str) -> str | None:
    """'de' / 'en' by the function words (and umlauts) of the text; None when they do not decide."""
    german, english = function_words(text)
    if german == english:
        return None
    return "de" if german > english else "en"


def read_examples(data_dir: Path, intents: Iterable[str]) -> list[tuple[str, str]]:
    """(intent, example) of the guide intents in data/nlu/*.yml (hand-written; generated/ is left out)."""
    wanted = set(intents)
    found = []
    for path in sorted((data_dir / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent") if isinstance(block, dict) else None
            if intent not in wanted or not isinstance(block.get("examples"), str):
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((str(intent), line[2:].strip()))
    return found


def training_stamp(data_dir: Path) -> tuple[tuple[str, int], ...]:
    """The training files' names and times: a changed file builds the index again."""
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted((data_dir / "nlu").glob("*.yml")))


def _stems(labels: Iterable[str]) -> frozenset[str]:
    """The beginnings (six letters) of the longer words of labels: "Terminabsage" -> "termin"."""
    return frozenset(
        word[:6] for label in labels for word in _TOKEN.findall(normalise(label)) if len(word) >= 4
    )


def _canonical_rank(text: str, stems: frozenset[str] = frozenset()) -> tuple[int, int, int, int]:
    """The question that names its case best (the words of its labels), then a full question of
    medium length ("Wer bearbeitet …?"); fragments last."""
    words = text.split()
    plain = normalise(text)
    opener = normalise(words[0]).strip("„\"'") if words else ""
    named = min(2, sum(stem in plain for stem in stems))  # two named words are enough: then the shorter
    return (-named, 0 if opener in _OPENERS else 1, abs(len(words) - 7), len(text))


class SuggestionIndex:
    """The questions and topics of one version of the guides and the training data, ready to match."""

    def __init__(self, guides: Guides, examples: Sequence[tuple[str, str]], today: dt.date) -> None:
        # the engine as the actions use it, minus the typo correction: these are well-formed
        # questions, and the web server need not hold the word lists
        plain_guides = dataclasses.replace(guides, spelling=Speller((), ()))
        self.version = guides.version
        self.today = today
        subjects = guides.vocabulary.conditions["subject"].values
        self._items: dict[str, list[_Item]] = {lang: [] for lang in LANGS}
        # per language: entry id -> its questions; subject -> questions that state nothing more
        by_entry: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGS}
        by_subject: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGS}
        seen: set[str] = set()
        for intent, text in examples:
            lang = example_language(text)
            key = " ".join(text.casefold().split())
            if lang is None or not well_formed(text) or key in seen:
                continue
            if lang == "de" and _UMLAUT_FREE.search(text) and not re.search("[äöüÄÖÜß]", text):
                continue
            seen.add(key)
            stated = stated_in_text(plain_guides, text)
            query = conditions_for(plain_guides, intent, stated)
            if query is None:
                continue
            found = resolve(plain_guides, query, today)
            subject = query.get("subject") or ""
            if isinstance(found, Answer):
                topic: str | None = found.entry.id
                by_entry[lang].setdefault(found.entry.id, []).append(text)
            elif isinstance(found, Clarify):
                topic = None
            else:  # not covered today: never offered
                continue
            own = plain_guides.intent_conditions(intent) or {}
            if all(key == "subject" or own.get(key) == value for key, value in stated.items()):
                by_subject[lang].setdefault(subject, []).append(text)  # states no more than its subject
            self._add(Suggestion(text, "question", lang, subject, topic, text))
        conditions = guides.vocabulary.conditions

        def case_words(entry_id: str, lang: str) -> frozenset[str]:
            """The labels of the values an entry's case names (subject, channel, customer …)."""
            when = guides.by_id[entry_id].when
            return _stems(
                conditions[key].values[value].get(lang)
                for key, values in when.items()
                for value in values
                if key in conditions and value in conditions[key].values
            )

        self.canonical: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for lang, entries in by_entry.items():
            for entry, texts in entries.items():
                stems = case_words(entry, lang)
                self.canonical[lang][entry] = min(texts, key=lambda text: _canonical_rank(text, stems))
        for subject, label in subjects.items():
            for lang in LANGS:
                asks = by_subject[lang].get(subject)
                if not asks:
                    continue
                stems = _stems([label.get(lang)])
                question = min(asks, key=lambda text: _canonical_rank(text, stems))
                topic = next((s.topic for s in self._questions(lang) if s.text == question), None)
                self._add(Suggestion(label.get(lang), "topic", lang, subject, topic, question))
        # the fixed start list: one entry per subject, routing rules first, in the guides' order
        valid = [e for e in guides.entries if e.valid_on(today) and e.kind != "not_covered"]
        ordered = sorted(valid, key=lambda e: (e.kind != "routing", guides.entries.index(e)))
        self.fallback: list[str] = []
        subjects_seen: set[str] = set()
        for rule in ordered:
            first = next(iter(sorted(rule.when.get("subject", frozenset()))), "")
            if first in subjects_seen or not all(rule.id in self.canonical[lang] for lang in LANGS):
                continue
            subjects_seen.add(first)
            self.fallback.append(rule.id)

    def _add(self, suggestion: Suggestion) -> None:
        plain = normalise(suggestion.text)
        # "E-Mail" is also typed "email": hyphenated words count joined as well
        words = {*_TOKEN.findall(plain), *_TOKEN.findall(plain.replace("-", ""))}
        self._items[suggestion.lang].append(_Item(suggestion, plain, tuple(sorted(words))))

    def _questions(self, lang: str) -> Iterable[Suggestion]:
        return (i.suggestion for i in self._items[lang] if i.suggestion.kind == "question")

    def __len__(self) -> int:
        return sum(len(items) for items in self._items.values())

    def suggest(
        self, query: str, lang_hint: str | None = None, limit: int = MAX_SUGGESTIONS
    ) -> list[Suggestion]:
        """Up to `limit` suggestions for what was typed so far, in the language typed.

        Every word typed must begin a word of the suggestion (the last one may be half typed);
        a word of four letters or more may also stand inside one, as German compounds have it
        ("absage" in "Terminabsagen"). A suggestion that starts as typed ranks first, then the
        ones matching more words at their start, then the shorter. One question per guide entry
        and one topic per subject, so five lines are five different answers.
        """
        query = query[:MAX_QUERY_CHARS]
        plain = normalise(query)
        tokens = _TOKEN.findall(plain)
        if len(plain.strip()) < MIN_CHARS or not tokens:
            return []
        typed = example_language(query)
        first = typed or (lang_hint if lang_hint in LANGS else "de")
        for lang in (first, *(other for other in LANGS if other != first and typed is None)):
            found = self._match(plain.strip(), tokens, lang, limit)
            if found:
                return found
        return []

    def _match(self, plain: str, tokens: Sequence[str], lang: str, limit: int) -> list[Suggestion]:
        scored = []
        for item in self._items[lang]:
            score = 0
            for token in tokens:
                best = 0
                for word in item.words:
                    if word == token:
                        best = 3
                        break
                    if word.startswith(token):
                        best = max(best, 2)
                    elif len(token) >= 4 and token in word:
                        best = max(best, 1)
                if not best:
                    break
                score += best
            else:
                if item.plain.startswith(plain):
                    score += 10
                scored.append((-score, item.suggestion.kind != "topic", len(item.suggestion.text), item))
        scored.sort(key=lambda row: row[:3])
        chosen: list[Suggestion] = []
        taken: set[tuple[str, str | None]] = set()
        for *_, item in scored:
            suggestion = item.suggestion
            key = ("topic", suggestion.subject) if suggestion.kind == "topic" else ("entry", suggestion.topic)
            if suggestion.topic is None and suggestion.kind == "question":
                key = ("asks", suggestion.subject)
            if key in taken:
                continue
            taken.add(key)
            chosen.append(suggestion)
            if len(chosen) == limit:
                break
        return chosen

    def start_questions(
        self, counts: Mapping[str, int], lang: str, limit: int = START_QUESTIONS
    ) -> list[Suggestion]:
        """The entries asked most (`counts`: entry id -> answers), each as its canonical question,
        filled up from the fixed list; only entries valid today, each once."""
        lang = lang if lang in LANGS else "de"
        ranked = sorted((topic for topic, n in counts.items() if n > 0), key=lambda t: (-counts[t], t))
        chosen: list[Suggestion] = []
        for topic in [*ranked, *self.fallback]:
            text = self.canonical[lang].get(topic)
            if text is None or any(s.topic == topic for s in chosen):
                continue
            subject = next((s.subject for s in self._questions(lang) if s.topic == topic), "")
            chosen.append(Suggestion(text, "question", lang, subject, topic, text))
            if len(chosen) == limit:
                break
        return chosen


class Suggester:
    """The index for the guides and training data in force; built again when either changes."""

    def __init__(self, guides: GuideStore, data_dir: Path, today: Callable[[], dt.date]) -> None:
        self.guides = guides
        self.data_dir = data_dir
        self.today = today
        self._index: SuggestionIndex | None = None
        self._stamp: tuple[object, ...] = ()

    def index(self) -> SuggestionIndex:
        """The current index (a guide reload, a changed training file or a new day builds it again)."""
        guides = self.guides.get()
        stamp = (guides.version, training_stamp(self.data_dir), self.today())
        if self._index is None or stamp != self._stamp:
            examples = read_examples(self.data_dir, guides.vocabulary.intents)
            self._index = SuggestionIndex(guides, examples, self.today())
            self._stamp = stamp
            logger.info(
                "type-ahead index built: %d suggestions (guides %s)", len(self._index), guides.version
            )
        return self._index
