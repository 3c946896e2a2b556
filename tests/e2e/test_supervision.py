"""`make run`'s launcher (`python -m bot.cli run`) as a user starts it, on test ports: it restarts a hung
and a crashed server, and no server outlives it – Ctrl-C, SIGTERM or SIGKILL.

The times from the fault to a real reply are printed, not asserted (2 shared cores). The cluster's
side: tests/cluster/test_supervision.py; the policy itself on tiny servers: tests/bot/ops/test_supervisor.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.ops.processes import reachable, readiness_probe
from bot.paths import PROJECT_ROOT
from bot.serving.feedback import DB_URL_ENV
from bot.serving.security import SECRETS_FILE_ENV
from tests.bots import TODAY, port_of
from tests.proc import children, command, descendants, port_open, running, wait_gone

RASA_PORT, ACTIONS_PORT, WEB_PORT = port_of(805), port_of(855), port_of(880)
RASA_URL = f"http://127.0.0.1:{RASA_PORT}"
READY_TIMEOUT_S = 300.0  # only to notice a hang; a start takes 10–40 s
BACK_TIMEOUT_S = 240.0
SERVERS = {
    "actions": "bot.serving.action_server",
    "rasa": "bot.serving.rasa_server",
    "web": "bot.ops.web",
    "reaper": "lotse-reaper",
}


class Launcher:
    """One `python -m bot.cli run`; its output collected line by line as it comes."""

    def __init__(self, folder: Path) -> None:
        env = dict(
            os.environ,
            LOTSE_TODAY=TODAY,
            PYTHONUNBUFFERED="1",
            **{
                SECRETS_FILE_ENV: str(folder / "secrets.env"),
                DB_URL_ENV: f"sqlite:///{folder / 'feedback.db'}",
            },
        )
        args = ["--port", str(RASA_PORT), "--actions-port", str(ACTIONS_PORT), "--web-port", str(WEB_PORT)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # a terminal of its own, as `make run` has: no signal to its group can reach pytest
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.started: set[int] = set()  # every process seen under it, for the clean-up
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def line(self, *parts: str, after: int = 0) -> str | None:
        """The first output line (from line number `after` on) holding every part."""
        return next((line for line in self.lines[after:] if all(part in line for part in parts)), None)

    def wait_for(self, *parts: str, timeout: float) -> str:
        """The first output line holding every part; fails (with the output) if the launcher ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.line(*parts)
            if found is not None:
                return found
            if self.process.poll() is not None:
                time.sleep(0.2)  # the last lines
                break
            time.sleep(0.1)
        raise AssertionError(f"no line with {parts}; output:\n" + "\n".join(self.lines))

    def servers(self) -> dict[str, int]:
        """pid of each process the launcher started, by kind (see SERVERS)."""
        found: dict[str, int] = {}
        for pid in children(self.process.pid):
            self.started.add(pid)
            for kind, marker in SERVERS.items():
                if marker in command(pid):
                    found[kind] = pid
        return found

    def everything(self) -> set[int]:
        """The launcher's children, theirs, and all in their process groups."""
        found = descendants(self.process.pid)
        self.started |= found
        return found


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Callable[[], Launcher]]:
    """Start the launcher (ready when returned); whatever is left of it is killed afterwards."""
    started: list[Launcher] = []

    def start() -> Launcher:
        for port in (RASA_PORT, ACTIONS_PORT, WEB_PORT):
            assert not port_open(port), f"port {port} is in use before the test"
        run = Launcher(tmp_path)
        started.append(run)
        run.wait_for("Lotse is ready", timeout=READY_TIMEOUT_S)
        assert run.line("watched:") is not None
        assert set(run.servers()) == set(SERVERS), run.servers()
        run.everything()
        return run

    yield start
    for run in started:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        for pid in run.started:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def _greets() -> Callable[[], bool]:
    return readiness_probe(RASA_URL, "supervision-test")


def _back(run: Launcher, kind: str, old: int, answers: Callable[[], bool], after: int, said: str) -> float:
    """Seconds until the launcher has said `said` (after line `after`), a new `kind` runs and answers."""
    started = time.monotonic()
    while time.monotonic() - started < BACK_TIMEOUT_S:
        new = run.servers().get(kind)
        if run.line(said, after=after) and new not in (None, old) and answers():
            return time.monotonic() - started
        assert run.process.poll() is None, "\n".join(run.lines)
        time.sleep(0.2)
    raise AssertionError(f"{kind} not back within {BACK_TIMEOUT_S:.0f} s; output:\n" + "\n".join(run.lines))


def test_make_run_restarts_a_hung_and_a_crashed_server_and_none_outlives_its_sigkill(
    launcher: Callable[[], Launcher], capsys: pytest.CaptureFixture[str]
) -> None:
    run = launcher()
    greets = _greets()
    assert greets()
    times: dict[str, float] = {}

    # (a) Rasa hangs: stopped as a spinning event loop would be; it is stopped and started again
    old, after = run.servers()["rasa"], len(run.lines)
    os.kill(old, signal.SIGSTOP)
    times["Rasa hung (SIGSTOP)"] = _back(run, "rasa", old, greets, after, "Rasa answers again")
    hung = run.line("Rasa has not answered", after=after)
    assert hung is not None and f"has not answered {RASA_URL}/ for " in hung, run.lines[after:]
    assert "; starting it again in 1 s" in hung
    assert "after it was found hung" in (run.line("Rasa answers again", after=after) or "")
    assert not running(old)

    # (b) the action server, then Rasa crash (SIGKILL): each is started again
    actions_health = f"http://127.0.0.1:{ACTIONS_PORT}/health"
    for kind, name, answers in (
        ("actions", "the action server", lambda: reachable(actions_health)),
        ("rasa", "Rasa", greets),
    ):
        old, after = run.servers()[kind], len(run.lines)
        os.kill(old, signal.SIGKILL)
        times[f"{name} crashed (SIGKILL)"] = _back(run, kind, old, answers, after, f"{name} answers again")
        crashed = run.line(f"{name} exited with code -9 after", after=after)
        # 1 s back-off, or 2 s for Rasa: its second failure within a minute of a start
        assert crashed is not None and re.search(r"; starting it again in [12] s$", crashed), run.lines[
            after:
        ]

    # (c) the launcher is killed outright: nothing it started lives on, every port is free
    everything = run.everything()
    assert len(everything) >= len(SERVERS)
    run.process.kill()
    run.process.wait()
    left, seconds = wait_gone(everything, 30.0)
    times["launcher SIGKILLed, until every server is gone"] = seconds
    with capsys.disabled():
        print(
            "\n[supervision] seconds from the fault to a real reply (or all gone): "
            + "; ".join(f"{what}: {took:.1f} s" for what, took in times.items())
        )
        print("\n".join(line for line in run.lines if "again" in line))
    assert not left, {pid: command(pid) for pid in left}
    assert not [port for port in (RASA_PORT, ACTIONS_PORT, WEB_PORT) if port_open(port)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_make_run_stops_every_server_on_sigterm_and_ctrl_c(
    launcher: Callable[[], Launcher], sig: signal.Signals, capsys: pytest.CaptureFixture[str]
) -> None:
    run = launcher()
    everything = run.everything()
    signalled = time.monotonic()
    if sig == signal.SIGINT:  # Ctrl-C: the terminal signals the whole foreground group
        os.killpg(run.process.pid, sig)
    else:
        run.process.send_signal(sig)
    code = run.process.wait(timeout=180)  # only to notice a hang: the servers get 15 s each to stop
    stopped = time.monotonic() - signalled
    left, seconds = wait_gone(everything, 30.0)
    with capsys.disabled():
        print(
            f"\n[supervision] {sig.name}: the launcher exited with {code} after {stopped:.1f} s; "
            f"everything it started gone {seconds:.1f} s later"
        )
    assert code == 0, "\n".join(run.lines)
    assert not left, {pid: command(pid) for pid in left}
    assert not [port for port in (RASA_PORT, ACTIONS_PORT, WEB_PORT) if port_open(port)]
    assert not run.line("Traceback"), "\n".join(run.lines)
