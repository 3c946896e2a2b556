"""The supervisor's policy against real short-lived servers (a tiny http.server each), on fast timings.

Hung (stopped, or spinning and deaf to SIGTERM), crashed, slow to start, never ready, crashing on
every start; and servers dying with their launcher, by the kernel's parent-death signal and the
reaper. The real bot and launcher: tests/e2e/test_supervision.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.ops.processes import reachable, wait_ready
from bot.ops.supervisor import (
    Policy,
    Service,
    SupervisionError,
    Supervisor,
    reap_group,
    signal_group,
    start_process,
)
from bot.paths import PROJECT_ROOT
from tests.proc import children, command, free_port, running, wait_gone

# argv: port, seconds before listening, mode: serves | stubborn (ignores SIGTERM) | exits (at once, 3).
# GET /spin spins forever in the one request thread: the server stops answering, as a busy event loop.
SERVER = """
import http.server, os, signal, sys, time
port, delay, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
if mode == "exits":
    print("cannot start: the configuration is broken", flush=True)
    sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(delay)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        while self.path == "/spin":
            pass
        body = str(os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

FAST = Policy(
    probe_interval_s=0.2,
    wedged_after_s=1.0,
    grace_s=0.5,
    backoff_first_s=0.2,
    backoff_max_s=1.0,
    quick_s=30.0,
    max_strikes=4,
    tick_s=0.05,
)


class TinyServer:
    """What one Service starts; `delay` and `mode` apply to every later (re)start."""

    def __init__(self, log: Path, delay: float = 0.0, mode: str = "serves") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log, self.delay, self.mode = log, delay, mode

    def spawn(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            args = [sys.executable, "-c", SERVER, str(self.port), str(self.delay), self.mode]
            return start_process(args, stdout=out, stderr=subprocess.STDOUT)

    def pid(self) -> int | None:
        """The pid of the process answering, or None."""
        try:
            with urllib.request.urlopen(self.url, timeout=0.5) as reply:
                return int(reply.read())
        except (OSError, ValueError):
            return None


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Callable[..., tuple[Service, TinyServer]]]:
    """Start a supervised tiny server (ready when returned); every one is killed afterwards."""
    started: list[Service] = []

    def start(ready_timeout: float = 10.0, **settings: object) -> tuple[Service, TinyServer]:
        server = TinyServer(tmp_path / f"server-{len(started)}.log", **settings)  # type: ignore[arg-type]
        service = Service(
            "the tiny server",
            server.spawn,
            lambda: reachable(server.url, 0.5),
            server.url,
            ready_timeout_s=ready_timeout,
            log=server.log,
        )
        started.append(service)
        assert wait_ready(service.process, service.alive, 30.0, "tiny server", server.log) is None
        return service, server

    yield start
    for service in started:
        signal_group(service.process, signal.SIGKILL)
        reap_group(service.process, 10.0)


def answered_again(lines: list[str], server: TinyServer, old: int) -> Callable[[], bool]:
    """The supervisor has said the server answers again, and a new process does."""
    return lambda: any(" answers again" in line for line in lines) and server.pid() not in (None, old)


def supervise_until(
    supervisor: Supervisor, condition: Callable[[], bool], timeout: float = 60.0
) -> float | None:
    """Supervise in this thread (restarts fork here) until `condition` holds: the seconds, or None."""
    stop = threading.Event()
    took: list[float] = []
    started = time.monotonic()

    def watch() -> None:
        while not stop.is_set() and time.monotonic() - started < timeout:
            if condition():
                took.append(time.monotonic() - started)
                break
            time.sleep(0.05)
        stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        supervisor.run(stop)
    finally:
        stop.set()
        watcher.join()
    return took[0] if took else None


def _spin(url: str) -> None:
    """Send the request that makes the server spin (its reply never comes)."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(f"{url}/spin", timeout=1.0)


@pytest.mark.parametrize("how", ["stopped", "spinning"])
def test_a_hung_server_is_stopped_and_started_again(
    services: Callable[..., tuple[Service, TinyServer]], how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    service, server = services(mode="stubborn" if how == "spinning" else "serves")
    old = service.process.pid
    if how == "stopped":
        os.kill(old, signal.SIGSTOP)
    else:
        threading.Thread(target=_spin, args=(server.url,), daemon=True).start()
    lines: list[str] = []
    seconds = supervise_until(Supervisor([service], lines.append, FAST), answered_again(lines, server, old))
    with capsys.disabled():
        print(f"\n[supervisor] {how} server answering again after {seconds} s: {lines}")
    assert seconds is not None, lines
    assert not running(old)
    hung = next(line for line in lines if "has not answered" in line)
    assert hung.startswith(f"the tiny server has not answered {server.url} for ")
    # a stopped process is continued and then acts on SIGTERM; a spinning one deaf to it gets SIGKILL
    assert ("SIGKILL after 0.5 s" in hung) == (how == "spinning"), hung
    assert hung.endswith("starting it again in 0.2 s")
    assert any(
        line.startswith("the tiny server answers again") and "after it was found hung" in line
        for line in lines
    )


def test_a_server_that_exits_is_started_again(services: Callable[..., tuple[Service, TinyServer]]) -> None:
    service, server = services()
    old = service.process.pid
    os.kill(old, signal.SIGKILL)
    lines: list[str] = []
    seconds = supervise_until(Supervisor([service], lines.append, FAST), answered_again(lines, server, old))
    assert seconds is not None, lines
    assert lines[0].startswith("the tiny server exited with code -9 after ")
    assert lines[0].endswith("; starting it again in 0.2 s")
    assert "answers again" in lines[1] and "after it exited" in lines[1]


def test_a_restarting_server_is_not_taken_for_hung_while_it_starts(
    services: Callable[..., tuple[Service, TinyServer]],
) -> None:
    """Its checks fail for 2 s (twice `wedged_after_s`) while it starts: that is no reason to kill it."""
    service, server = services()
    server.delay = 2.0  # the next start is slow
    old = service.process.pid
    os.kill(old, signal.SIGKILL)
    lines: list[str] = []
    seconds = supervise_until(Supervisor([service], lines.append, FAST), answered_again(lines, server, old))
    assert seconds is not None and seconds >= 2.0, lines
    assert len(lines) == 2, lines  # exited; answers again – no kill in between
    took = float(lines[1].split("its start took ")[1].split(" s")[0])
    assert took >= 2.0


def test_back_off_doubles_and_repeated_quick_crashes_give_up_with_the_log(
    services: Callable[..., tuple[Service, TinyServer]],
) -> None:
    service, server = services()
    server.mode = "exits"  # every restart fails at once, with code 3
    os.kill(service.process.pid, signal.SIGKILL)
    lines: list[str] = []
    started = time.monotonic()
    with pytest.raises(SupervisionError) as raised:
        supervise_until(Supervisor([service], lines.append, FAST), lambda: False, timeout=30.0)
    seconds = time.monotonic() - started
    assert [line.rsplit(" in ", 1)[1] for line in lines] == ["0.2 s", "0.4 s", "0.8 s"], lines
    assert "exited with code 3" in lines[1]
    message = str(raised.value)
    assert message.startswith("the tiny server exited with code 3 after ")
    assert "4 failures in a row, each within 30 s of its start; giving up" in message
    assert "cannot start: the configuration is broken" in message  # the end of its log
    assert seconds >= 0.2 + 0.4 + 0.8


def test_a_server_that_misses_its_start_up_time_is_stopped_and_retried(
    services: Callable[..., tuple[Service, TinyServer]],
) -> None:
    service, server = services(ready_timeout=0.5)
    server.delay = 30.0  # no later start listens in time
    os.kill(service.process.pid, signal.SIGKILL)
    lines: list[str] = []
    with pytest.raises(SupervisionError, match=r"did not get ready within 0\.5 s"):
        supervise_until(Supervisor([service], lines.append, FAST), lambda: False, timeout=30.0)
    assert sum("did not get ready within 0.5 s; sent SIGTERM" in line for line in lines) == 2, lines


LAUNCHER = """
import subprocess, sys, time
from bot.ops.supervisor import start_process
server = start_process([sys.executable, "-c", sys.argv[1]])
print(server.pid, flush=True)
time.sleep(600)
"""
# The "server": forks a helper into its own process group (as nginx forks its worker), prints its pid.
FORKING_SERVER = """
import subprocess, time
helper = subprocess.Popen(["sleep", "600"])
print(helper.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("reaper", ["alive", "killed first"])
def test_servers_die_with_a_launcher_killed_by_sigkill(
    reaper: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The kernel kills the server (PR_SET_PDEATHSIG); the reaper what the server forked."""
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, FORKING_SERVER],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdout is not None
    server, helper = int(launcher.stdout.readline()), int(launcher.stdout.readline())
    try:
        reapers = [pid for pid in children(launcher.pid) if "lotse-reaper" in command(pid)]
        assert len(reapers) == 1 and os.getpgid(reapers[0]) != os.getpgid(launcher.pid)
        assert os.getpgid(server) == os.getpgid(helper) == server  # its own group, the helper in it
        if reaper == "killed first":
            os.kill(reapers[0], signal.SIGKILL)
            assert not wait_gone(set(reapers), 10.0)[0]
        launcher.kill()
        launcher.wait()
        expected = {server, *reapers} if reaper == "killed first" else {server, helper, *reapers}
        left, seconds = wait_gone(expected, 20.0)
        left |= {helper} if running(helper) else set()
        with capsys.disabled():
            print(
                f"\n[supervisor] launcher SIGKILLed (reaper {reaper}): "
                f"still running after {seconds:.2f} s: {left}"
            )
        assert server not in left  # the parent-death signal alone does this
        # without the reaper, what the server forked outlives it: the reason the reaper exists
        assert left == (set() if reaper == "alive" else {helper})
    finally:
        for pid in (server, helper):
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        launcher.stdout.close()


def test_the_death_signal_follows_the_thread_that_forked() -> None:
    """Why Bot and Cluster start and restart servers in the thread that lives as long as they do."""
    started: list[subprocess.Popen[bytes]] = []
    worker = threading.Thread(target=lambda: started.append(start_process(["sleep", "600"])))
    worker.start()
    worker.join()
    try:
        assert started[0].wait(timeout=10) == -signal.SIGKILL
    finally:
        reap_group(started[0], 0)
