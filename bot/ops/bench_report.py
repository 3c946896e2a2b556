"""The bench's table: one row per figure, a column per run, the ratios, the targets; bench/results.md.

Three runs share the table: Lotse, the same Lotse with its speed-ups off (LOTSE_SPEEDUPS=0, so
"Lotse / no speed-ups" is what bot/serving/speedups.py gains), and the stock peer (also without
them). The targets are Lotse's own.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ops.bench_load import LoadResult
from bot.paths import PROJECT_ROOT

NOT_TRAINED = "not trained in this run"
SAME_MODEL = "Lotse's model"  # the no-speed-ups run serves the model of the Lotse run
PLAIN_NAME = "no speed-ups"


@dataclass
class PeerFigures:
    """Every figure of one column of the table."""

    name: str
    model: Path
    train_seconds: float | None
    start_seconds: float
    single: LoadResult
    users_20: LoadResult
    users_50: LoadResult
    rss_rasa_mib: float
    rss_actions_mib: float
    singles: tuple[int, int]  # passed, asked
    dialogues: tuple[int, int]
    config: Path | None = None  # the pipeline it was trained from in this run
    speedups: bool = True  # LOTSE_SPEEDUPS in its Rasa server
    same_model: bool = False  # serves the Lotse column's model (nothing trained for it)


@dataclass(frozen=True)
class Figure:
    """One row: how to read the value from a column, its unit, and the target if there is one."""

    label: str
    value: Callable[[PeerFigures], float | None]
    digits: int
    target: str = "–"
    met: Callable[[float, float | None], bool] | None = None  # (Lotse's value, peer's value)


def _at_most(limit: float) -> Callable[[float, float | None], bool]:
    return lambda value, _: value <= limit


def _at_least(limit: float) -> Callable[[float, float | None], bool]:
    return lambda value, _: value >= limit


def _as_good_as_peer(value: float, peer: float | None) -> bool:
    return peer is not None and value >= peer


FIGURES = [
    Figure("training from scratch (s)", lambda f: f.train_seconds, 1, "≤ 120", _at_most(120)),
    Figure("start to first answer (s)", lambda f: f.start_seconds, 1, "≤ 20", _at_most(20)),
    Figure("latency, 1 user: p50 (ms)", lambda f: f.single.p(0.50), 1, "≤ 25", _at_most(25)),
    Figure("latency, 1 user: p95 (ms)", lambda f: f.single.p(0.95), 1, "≤ 60", _at_most(60)),
    Figure("latency, 1 user: p99 (ms)", lambda f: f.single.p(0.99), 1),
    Figure("Rasa server CPU per reply, 1 user (ms)", lambda f: f.single.rasa_cpu_ms_per_reply, 1),
    Figure("latency, 20 users: p50 (ms)", lambda f: f.users_20.p(0.50), 0),
    Figure("latency, 20 users: p95 (ms)", lambda f: f.users_20.p(0.95), 0, "≤ 500", _at_most(500)),
    Figure("latency, 20 users: p99 (ms)", lambda f: f.users_20.p(0.99), 0),
    Figure("throughput, 20 users (replies/s)", lambda f: f.users_20.per_second, 1, "≥ 40", _at_least(40)),
    Figure("errors, 20 users", lambda f: f.users_20.errors, 0, "0", _at_most(0)),
    Figure("throughput, 50 users (replies/s)", lambda f: f.users_50.per_second, 1),
    Figure("errors, 50 users", lambda f: f.users_50.errors, 0, "0", _at_most(0)),
    Figure("peak RSS, Rasa server (MiB)", lambda f: f.rss_rasa_mib, 0, "≤ 1229 (1.2 GiB)", _at_most(1229)),
    Figure("peak RSS, action server (MiB)", lambda f: f.rss_actions_mib, 0),
    Figure("dev set: single questions passed", lambda f: f.singles[0], 0, "≥ stock", _as_good_as_peer),
    Figure("dev set: dialogues passed", lambda f: f.dialogues[0], 0, "≥ stock", _as_good_as_peer),
]


def _cell(figures: PeerFigures, figure: Figure) -> str:
    value = figure.value(figures)
    if value is None:
        return SAME_MODEL if figures.same_model else NOT_TRAINED
    cell = f"{value:.{figure.digits}f}"
    if figure.label.startswith("dev set"):
        total = figures.singles[1] if "single" in figure.label else figures.dialogues[1]
        cell = f"{cell}/{total}"
    return cell


def _ratio(mine: float | None, theirs: float | None) -> str:
    if mine is None or theirs is None or theirs == 0:
        return "–"
    return f"{mine / theirs:.2f}"


def table_rows(lotse: PeerFigures, plain: PeerFigures, peer: PeerFigures) -> list[list[str]]:
    """figure, Lotse, no speed-ups, peer, Lotse / no speed-ups, Lotse / peer, target, met? – per figure."""
    rows = []
    for figure in FIGURES:
        mine, without, theirs = figure.value(lotse), figure.value(plain), figure.value(peer)
        met = "–"
        if figure.met is not None and mine is not None:
            met = "yes" if figure.met(mine, theirs) else "NO"
        cells = [_cell(figures, figure) for figures in (lotse, plain, peer)]
        rows.append([figure.label, *cells, _ratio(mine, without), _ratio(mine, theirs), figure.target, met])
    return rows


def format_table(rows: list[list[str]], peer_name: str) -> str:
    header = ["figure", "Lotse", PLAIN_NAME, peer_name, f"Lotse / {PLAIN_NAME}", f"Lotse / {peer_name}"]
    header += ["target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def shown(path: Path) -> str:
    """A path as the report names it: relative to the checkout where it lies inside it."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _origin(figures: PeerFigures) -> str:
    if figures.same_model:
        trained = "Lotse's model"
    elif figures.config:
        trained = f"trained here from {shown(figures.config)}"
    else:
        trained = "trained before this run"
    speedups = "speed-ups on" if figures.speedups else "LOTSE_SPEEDUPS=0"
    return f"{figures.name}: {shown(figures.model)} ({trained}; {speedups})"


def report(
    lotse: PeerFigures,
    plain: PeerFigures,
    peer: PeerFigures,
    smoke: bool,
    load: tuple[str, str],
    below: Sequence[str] = (),
) -> str:
    """bench/results.md: the table and what it was measured on; `below`: lines after the table
    (the type-ahead figure, which only Lotse's web server has)."""
    import rasa

    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# Lotse benchmark" + (" (smoke run: tiny numbers, not a measurement)" if smoke else ""),
        "",
        f"- date: {when}; machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, Rasa {rasa.__version__}",
        f"- load average (1/5/15 min) before: {load[0]}; after: {load[1]} "
        "(other work on the machine makes the latencies noisy)",
        f"- {_origin(lotse)}; {_origin(plain)}; {_origin(peer)}",
        f"- {PLAIN_NAME} = Lotse with bot/serving/speedups.py off (LOTSE_SPEEDUPS=0): "
        f"the column Lotse / {PLAIN_NAME} is what the speed-ups gain",
        "- stock = bench/stock_config.yml, Rasa's default configuration (what `rasa init` trains), "
        "trained on Lotse's data and domain and served with Lotse's action server and REST channel, "
        "without the speed-ups",
        f"- replies measured (Lotse): 1 user {lotse.single.replies}, 20 users {lotse.users_20.replies}, "
        f"50 users {lotse.users_50.replies}; each user has its own sender and waits for a reply before "
        "the next message (dev-set questions with a follow-up, and the dev-set dialogues)",
        "",
        format_table(table_rows(lotse, plain, peer), peer.name),
        "",
    ]
    if below:
        lines += [*below, ""]
    return "\n".join(lines)
