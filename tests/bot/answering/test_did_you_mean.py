"""The 'Meinten Sie' rule on intent rankings: when to offer guide subjects, and which."""

from __future__ import annotations

import pytest

from bot.answering.did_you_mean import (
    MAX_OPTIONS,
    MIN_CONFIDENCE,
    MIN_SHARE_OF_TOP,
    OPTION_MIN_CONFIDENCE,
    OPTION_MIN_SHARE_OF_BEST,
    likely_intents,
    ranked,
)
from bot.answering.guides import Guides


def ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_the_thresholds_are_the_documented_ones() -> None:
    assert (MIN_CONFIDENCE, MIN_SHARE_OF_TOP) == (0.2, 0.5)
    assert (OPTION_MIN_CONFIDENCE, OPTION_MIN_SHARE_OF_BEST, MAX_OPTIONS) == (0.05, 0.25, 3)


def test_ranked_drops_the_fallback_entry_and_sorts() -> None:
    pairs = ranked(ranking(("nlu_fallback", 0.3), ("ask_press", 0.1), ("greet", 0.2), ("x", "junk")))  # type: ignore[arg-type]
    assert pairs == [("greet", 0.2), ("ask_press", 0.1)]
    assert ranked(None) == []


CASES = [
    # id, ranking, offered intents
    ("best-guide-at-the-floor", [("out_of_scope", 0.4), ("ask_press", 0.2)], ["ask_press"]),
    ("best-guide-just-below-the-floor", [("ask_press", 0.199), ("greet", 0.1)], []),
    ("best-guide-half-of-top", [("out_of_scope", 0.5), ("ask_press", 0.25)], ["ask_press"]),
    ("best-guide-below-half-of-top", [("out_of_scope", 0.6), ("ask_press", 0.29)], []),
    ("top-is-a-guide-intent", [("ask_press", 0.28), ("ask_duties_rd", 0.26)], ["ask_press", "ask_duties_rd"]),
    (
        "options-at-least-a-quarter-of-the-best",
        [("ask_press", 0.4), ("ask_duties_rd", 0.1), ("ask_duties_sc", 0.099)],
        ["ask_press", "ask_duties_rd"],
    ),
    ("options-never-below-0.05", [("ask_press", 0.2), ("ask_duties_rd", 0.049)], ["ask_press"]),
    (
        "at-most-three-best-first",
        [("ask_duties_sc", 0.2), ("ask_press", 0.25), ("ask_duties_rd", 0.21), ("ask_instruction", 0.2)],
        ["ask_press", "ask_duties_rd", "ask_duties_sc"],
    ),
    ("small-talk-and-follow-ups-are-no-options", [("ask_source", 0.5), ("ask_why", 0.45)], []),
    ("no-ranking", [], []),
]


@pytest.mark.parametrize(("pairs", "offered"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_likely_intents(guides: Guides, pairs: list[tuple[str, float]], offered: list[str]) -> None:
    assert [name for name, _ in likely_intents(guides, ranking(("nlu_fallback", 0.3), *pairs))] == offered
