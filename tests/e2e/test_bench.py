"""`make bench --smoke`: the real command against two real bots produces every figure of the table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.ops.bench import FIGURES, NOT_TRAINED
from bot.paths import PROJECT_ROOT
from tests.bots import bot_ports

NUMBER = re.compile(r"^\d+(\.\d+)?$")
SMOKE_TIMEOUT_S = 240


def _table(text: str) -> dict[str, list[str]]:
    """The results table as {figure: [Lotse, peer, ratio, target, met?]}."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| figure"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_smoke_bench_produces_every_figure_for_both_columns(tmp_path: Path) -> None:
    rasa_port, _ = bot_ports(600)  # Lotse on base+605/+655, the peer on base+705/+755
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
    for label, (lotse, peer, ratio, target, met) in rows.items():
        if label.startswith("training"):  # a smoke run reuses the trained model
            assert (lotse, peer, ratio) == (NOT_TRAINED, NOT_TRAINED, "–")
            continue
        for cell in (lotse, peer):
            value = cell.split("/")[0] if label.startswith("dev set") else cell
            assert NUMBER.match(value), f"{label}: {cell!r} is not a number"
        assert NUMBER.match(ratio) or (ratio == "–" and lotse == peer == "0"), f"{label}: ratio {ratio!r}"
        assert met in ({"yes", "NO"} if target != "–" else {"–"}), f"{label}: met {met!r}"
    assert rows["errors, 20 users"][:2] == ["0", "0"]
    assert rows["errors, 50 users"][:2] == ["0", "0"]
    assert rows["dev set: single questions passed"][0].endswith("/34")
    assert text in done.stdout  # the same table is printed
