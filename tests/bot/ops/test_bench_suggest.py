"""The bench's type-ahead figure (bot/ops/bench_suggest.py): a real web server, typed at key by key."""

from __future__ import annotations

from bot.ops.bench_suggest import TARGET_P95_MS, SuggestFigures, keystrokes, measure_suggest
from tests.bots import port_of


def test_a_typist_sends_every_prefix_from_the_third_character() -> None:
    typed = keystrokes()
    assert typed and min(len(text) for text in typed) == 3
    assert typed[1].startswith(typed[0]) and len(typed[1]) == len(typed[0]) + 1


def test_the_figure_says_whether_the_target_is_met() -> None:
    fast = SuggestFigures(1, [1.0] * 19 + [30.0])
    assert fast.p(0.95) == 1.0 and fast.met and "met" in fast.line() and "NOT" not in fast.line()
    slow = SuggestFigures(1, [TARGET_P95_MS + 1] * 20)
    assert not slow.met and "NOT met" in slow.line()
    assert not SuggestFigures(1, [1.0], errors=1).met


def test_the_real_endpoint_is_measured(tmp_path: object) -> None:
    figures = measure_suggest(port_of(78), typists=2, limit=40)
    assert figures.errors == 0 and len(figures.latencies_ms) == 80
    assert "p95" in figures.line()
