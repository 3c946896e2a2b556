"""'Meinten Sie …?': the guide entries an unclear question most likely meant, instead of a dead end.

Rasa's two-stage fallback, made for the guides. When the NLU is unsure (the FallbackClassifier
gave `nlu_fallback`) or picked `out_of_scope`, its intent ranking often still holds the right
guide subject in second or third place. Read from that ranking (`tracker.latest_message
["intent_ranking"]`, without the `nlu_fallback` entry the FallbackClassifier puts on top):

- **offer** when the best-ranked guide intent (an intent of `guides/vocabulary.yml`) has at least
  `MIN_CONFIDENCE` and at least `MIN_SHARE_OF_TOP` of the confidence of the ranking's top intent
  (out_of_scope, small talk, a follow-up or itself). Off-topic questions have their guide intents
  far below both: "Wie wird das Wetter morgen?" is out_of_scope 0.66 with no guide intent above 0.03;
  "what's 17 times 23" is out_of_scope 0.57 with one guide intent at 0.25 (less than half);
- **options**: the guide intents of the ranking with at least `OPTION_MIN_CONFIDENCE` and at least
  `OPTION_MIN_SHARE_OF_BEST` of the best one's confidence, best first, at most `MAX_OPTIONS`.

Each option is one subject (an intent names one). Its button sends `/ask_<subject>` with the
conditions the question stated by the vocabulary's cues ("online", "ehemaliger Alo-Kunde") as
entities, so a click is answered as the question would have been had the NLU been sure. The option
names the entry that click answers with (`topic`); where the subject's entries differ on a
condition the question left open, the click leads to that clarifying question, `topic` is None
and `topics` lists the entries it can lead to (`topics` is `[topic]` otherwise, and empty when the
guides do not cover the case).

In a conversation, a short question the NLU cannot place ("wie viele sind das?", "with which
tool?", "wer leitet die weiter?") is most likely about the answer just given: where the ranking
offers nothing and out_of_scope is not sure (below `OFF_TOPIC_CONFIDENCE`; "wie hoch ist das
Kindergeld?" is 0.98), actions/small_talk.py answers with that entry again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.answering.engine import (
    Answer,
    Clarify,
    NotCovered,
    Resolution,
    conditions_for,
    resolve,
    subject_keys,
)
from bot.answering.guides import Guides
from bot.answering.slots import INTENT_NLU_FALLBACK

MIN_CONFIDENCE = 0.2
MIN_SHARE_OF_TOP = 0.5
OPTION_MIN_CONFIDENCE = 0.05
OPTION_MIN_SHARE_OF_BEST = 0.25
MAX_OPTIONS = 3
OFF_TOPIC_CONFIDENCE = 0.6  # out_of_scope at least this sure: off-topic, even right after an answer


@dataclass(frozen=True)
class Suggestion:
    """One 'Meinten Sie' option: a guide subject, the click that asks it, and what the click answers."""

    intent: str
    subject: str
    entities: Mapping[str, str]  # conditions the question stated, sent along with the click
    resolution: Resolution  # what the click is answered with (today)
    confidence: float

    @property
    def payload(self) -> str:
        entities = json.dumps(dict(self.entities), ensure_ascii=False) if self.entities else ""
        return f"/{self.intent}{entities}"

    @property
    def topic(self) -> str | None:
        """The entry the click answers with; None when it asks back first or nothing covers it."""
        return self.resolution.entry.id if isinstance(self.resolution, Answer) else None

    @property
    def topics(self) -> list[str]:
        """Every entry the click can lead to."""
        if isinstance(self.resolution, Answer):
            return [self.resolution.entry.id]
        if isinstance(self.resolution, Clarify):
            return [entry.id for entry in self.resolution.candidates]
        return []


def ranked(ranking: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, float]]:
    """(intent, confidence), best first, without the FallbackClassifier's `nlu_fallback` entry."""
    pairs = []
    for item in ranking or ():
        name, confidence = item.get("name"), item.get("confidence")
        if isinstance(name, str) and name != INTENT_NLU_FALLBACK and isinstance(confidence, (int, float)):
            pairs.append((name, float(confidence)))
    return sorted(pairs, key=lambda pair: -pair[1])


def guide_intents(guides: Guides, pairs: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranked (intent, confidence) pairs whose intent asks about a guide subject, in their order."""
    return [(name, conf) for name, conf in pairs if guides.intent_conditions(name) is not None]


def likely_intents(guides: Guides, ranking: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, float]]:
    """The guide intents worth offering for this ranking (best first), or [] when none is (the rule above)."""
    pairs = ranked(ranking)
    about_guides = guide_intents(guides, pairs)
    if not about_guides:
        return []
    top, best = pairs[0][1], about_guides[0][1]
    if best < MIN_CONFIDENCE or best < MIN_SHARE_OF_TOP * top:
        return []
    floor = max(OPTION_MIN_CONFIDENCE, OPTION_MIN_SHARE_OF_BEST * best)
    return [(name, conf) for name, conf in about_guides if conf >= floor][:MAX_OPTIONS]


def suggestions(
    guides: Guides,
    ranking: Iterable[Mapping[str, Any]] | None,
    stated: Mapping[str, str],
    day: dt.date,
) -> Sequence[Suggestion]:
    """The 'Meinten Sie' options for a question: its likely guide intents with what each click answers.

    `stated`: the conditions the question's words state (bot.answering.engine.stated_in_text). A stated
    subject is left out: each option is about its own intent's subject.
    """
    found = [
        _suggestion(guides, intent, confidence, stated, day)
        for intent, confidence in likely_intents(guides, ranking)
    ]
    return [suggestion for suggestion in found if suggestion is not None]


def offered_intents(guides: Guides, intents: Iterable[str], day: dt.date) -> tuple[Suggestion, ...]:
    """One option per intent, in the given order: the choice Lotse offers where the words name no
    matter at all ("Wer ist zuständig?", the vocabulary's `matter_unnamed`)."""
    found = (_suggestion(guides, intent, 1.0, {}, day) for intent in intents)
    return tuple(suggestion for suggestion in found if suggestion is not None)


def _suggestion(
    guides: Guides, intent: str, confidence: float, stated: Mapping[str, str], day: dt.date
) -> Suggestion | None:
    own = {key: value for key, value in stated.items() if key != "subject"}
    query = conditions_for(guides, intent, own)
    if query is None or "subject" not in query:
        return None
    subject = query["subject"]
    base = guides.intent_conditions(intent) or {}
    relevant = subject_keys(guides, subject)
    entities = {k: v for k, v in sorted(own.items()) if k in relevant and base.get(k) != v}
    return Suggestion(intent, subject, entities, resolve(guides, query, day), confidence)


def leads_nowhere(suggestion: Suggestion) -> bool:
    """A click that would be answered "not covered": no way out of the dead end, so not offered."""
    resolution = suggestion.resolution
    return isinstance(resolution, NotCovered) or (
        isinstance(resolution, Answer) and resolution.entry.kind == "not_covered"
    )


def unsure_off_topic(ranking: Iterable[Mapping[str, Any]] | None) -> bool:
    """The NLU read out_of_scope (or nothing) without being sure: the message may continue the thread."""
    confidence = dict(ranked(ranking)).get("out_of_scope", 0.0)
    return confidence < OFF_TOPIC_CONFIDENCE
