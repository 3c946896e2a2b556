"""Waiting for a started process: ready, dead (saying why, from its log) or too slow."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.processes import wait_ready

DIES = "import sys; print('rasa run: error: expected one argument'); sys.exit(2)"
LIVES = "import time; time.sleep(30)"


@pytest.mark.parametrize(
    ("program", "ready", "timeout", "expected"),
    [
        # CI keeps only pytest's output: the error must carry the end of the dead process's log
        (
            DIES,
            False,
            30.0,
            r"^the Rasa exited with code 2; see .*rasa\.log\n.*\nrasa run: error: expected one argument$",
        ),
        (LIVES, True, 30.0, None),
        (LIVES, False, 1.0, r"^the Rasa did not get ready within 1 s$"),
    ],
    ids=["exits", "ready", "too-slow"],
)
def test_wait_ready(tmp_path: Path, program: str, ready: bool, timeout: float, expected: str | None) -> None:
    log = tmp_path / "rasa.log"
    with log.open("wb") as handle:
        process = subprocess.Popen([sys.executable, "-c", program], stdout=handle, stderr=subprocess.STDOUT)
    try:
        problem = wait_ready(process, lambda: ready and process.poll() is None, timeout, "Rasa", log)
    finally:
        process.kill()
        process.wait()
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert re.search(expected, problem, re.DOTALL), problem
