"""`make bench --smoke`: the real command against three real bots (Lotse, Lotse without its speed-ups,
the peer) produces every figure of the table; only Lotse's Rasa ran with the speed-ups, and they
change nothing it answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.ops.bench_report import FIGURES, NOT_TRAINED, SAME_MODEL
from bot.paths import PROJECT_ROOT
from tests.bots import bot_ports

NUMBER = re.compile(r"^\d+(\.\d+)?$")
SMOKE_TIMEOUT_S = 360


def _table(text: str) -> dict[str, list[str]]:
    """The results table as {figure: [Lotse, no speed-ups, peer, the two ratios, target, met?]}."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| figure"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def _speedup_lines(log_dir: Path) -> list[str]:
    """What the Rasa server of one run said about the speed-ups (bot/serving/speedups.py)."""
    lines = []
    for log in sorted(log_dir.glob("rasa-*.log")):
        lines += [line for line in log.read_text(encoding="utf-8").splitlines() if "speed-ups" in line]
    return lines


def test_smoke_bench_produces_every_figure_for_every_run(tmp_path: Path) -> None:
    rasa_port, _ = bot_ports(600)  # Lotse on base+605/+655, without speed-ups +630/+680, the peer +705/+755
    out = tmp_path / "results.md"
    args = ["--smoke", "--port-base", str(rasa_port - 5), "--work-dir", str(tmp_path), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", *args],
        cwd=PROJECT_ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")},
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert f"{os.cpu_count()} cores" in text and re.search(r"date: \d{4}-\d{2}-\d{2}", text)
    rows = _table(text)
    assert list(rows) == [figure.label for figure in FIGURES]
    for label, (lotse, plain, peer, plain_ratio, peer_ratio, target, met) in rows.items():
        if label.startswith("training"):  # a smoke run reuses the trained model
            assert (lotse, plain, peer, plain_ratio, peer_ratio) == (
                NOT_TRAINED,
                SAME_MODEL,
                NOT_TRAINED,
                "–",
                "–",
            )
            continue
        for cell in (lotse, plain, peer):
            value = cell.split("/")[0] if label.startswith("dev set") else cell
            assert NUMBER.match(value), f"{label}: {cell!r} is not a number"
        for ratio, other in ((plain_ratio, plain), (peer_ratio, peer)):
            assert NUMBER.match(ratio) or (ratio == "–" and lotse == other == "0"), (
                f"{label}: ratio {ratio!r}"
            )
        assert met in ({"yes", "NO"} if target != "–" else {"–"}), f"{label}: met {met!r}"
    # Lotse answers every message; without the speed-ups a turn on a busy machine may pass the
    # channel's 3 s limit (an "ask again" reply, counted as an error): those columns are only measured
    for label in ("errors, 20 users", "errors, 50 users"):
        assert rows[label][0] == "0"
    assert rows["dev set: single questions passed"][0].endswith("/34")
    for label in ("dev set: single questions passed", "dev set: dialogues passed"):
        assert rows[label][0] == rows[label][1], f"{label}: the speed-ups changed an answer"
    assert text in done.stdout  # the same table is printed
    # only Lotse's Rasa server ran with the speed-ups, and each said so in its log
    applied = _speedup_lines(tmp_path / "run-lotse" / "log")
    assert len(applied) == 1 and "speed-ups applied" in applied[0], applied
    for run in ("run-plain", "run-peer"):
        off = _speedup_lines(tmp_path / run / "log")
        assert len(off) == 1 and "are off (LOTSE_SPEEDUPS=0)" in off[0], (run, off)
