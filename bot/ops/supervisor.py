"""Keep the servers a launcher started answering, and never leave one running behind it.

`make run` (bot/ops/processes.py) and `make run-cluster` (bot/ops/cluster/) start their servers
through `start_process` and hand them to one `Supervisor`, both by bot/ops/launch.py:

- Every server's health check is asked about once a second, in a thread of its own so a hung
  server never holds up the others. One that was ready and then fails its checks for
  `Policy.wedged_after_s` (a spinning event loop, a stopped process) gets its stop signal,
  SIGKILL after `Policy.grace_s`, and is started again; one that exits is started again too.
  Restarts wait 1 s, 2 s, 4 s … (capped) while they keep failing soon after starting; after
  `Policy.max_strikes` such failures in a row the supervisor gives up (`SupervisionError`) and
  the launcher stops everything with that message. A (re)started server counts as up only once
  its start-up check passes (Rasa: a real reply, after a 10–40 s model load): until then it is
  never killed for not answering, only when it exits or misses its start-up time.
- Each server runs in a process group of its own (Ctrl-C in the terminal reaches the launcher
  only, which stops them in order). When the launcher itself dies – SIGKILL, a crash – Linux
  sends each server SIGKILL (`prctl(PR_SET_PDEATHSIG)`, see `_die_with_parent`), and a tiny
  reaper process (`_Reaper`) kills whatever those servers started in their groups (nginx's worker
  outlives its master otherwise).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Any

PROBE_TIMEOUT_S = 2.0  # a health check slower than this counts as failed

# --- starting and stopping a server's process group ------------------------------------------

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Looked up here, in the parent: the forked child should run as little Python as possible.
_prctl: Any = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A `preexec_fn` that makes the kernel SIGKILL the child when the launcher dies.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process
    (prctl(2)). Python forks in the thread that calls Popen, so a server must be started (and
    restarted) from the main thread or one that lives as long as the launcher: started from a
    short-lived worker thread it would be killed when that thread ends. Bot and Cluster start and
    supervise from the thread that calls start() and wait() – the main one in `make run`.
    The setting survives exec (not of set-uid programs) and is set after `user=`/`group=` take
    effect (which would clear it). If the launcher died between fork and prctl, the child is
    already orphaned: it kills itself.
    """

    def set_death_signal() -> None:
        if _prctl is not None and _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return set_death_signal


# The reaper: reads "+<group>" / "-<group>" lines; at end of input (the launcher exited or was
# killed: the kernel closes its end of the pipe) it SIGKILLs every group still listed.
_REAPER_SCRIPT = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups = set()
for line in sys.stdin:
    try:
        group = int(line[1:])
    except ValueError:
        continue
    (groups.add if line.startswith("+") else groups.discard)(group)
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
"""


class _Reaper:
    """One process per launcher that kills the servers' process groups once the launcher is gone.

    The parent-death signal reaches only the server itself; what it forked (nginx's worker,
    anything in its group) would live on. The reaper holds the read end of a pipe only the
    launcher writes to, so it sees end of input however the launcher ends. It runs in a session
    of its own, so Ctrl-C or a signal to the launcher's group does not take it along.
    """

    def __init__(self) -> None:
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _REAPER_SCRIPT, "lotse-reaper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def tell(self, line: str) -> None:
        with (
            self._lock,
            contextlib.suppress(OSError, ValueError),
        ):  # a dead reaper: the kernel's signal remains
            stdin: IO[bytes] | None = self.process.stdin
            if stdin is not None:
                stdin.write(f"{line}\n".encode())
                stdin.flush()


_reaper: _Reaper | None = None
_reaper_lock = threading.Lock()


def _the_reaper() -> _Reaper:
    global _reaper
    with _reaper_lock:
        if _reaper is None or _reaper.owner != os.getpid():
            _reaper = _Reaper()
        return _reaper


def start_process(args: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Popen for a server: its own process group, killed with the launcher (see the module doc)."""
    reaper = _the_reaper()
    process: subprocess.Popen[bytes] = subprocess.Popen(
        args, start_new_session=True, preexec_fn=_die_with_parent(os.getpid()), **popen
    )
    reaper.tell(f"+{process.pid}")
    return process


def signal_group(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the process group a server was started in (its children too)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def reap_group(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for a signalled server; a group still running after `timeout` is killed (then True)."""
    killed = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        signal_group(process, signal.SIGKILL)
        process.wait()
        killed = True
    if _reaper is not None and _reaper.owner == os.getpid():
        _reaper.tell(f"-{process.pid}")  # gone: its number may be reused
    return killed


def log_tail(path: Path | None, lines: int = 15) -> str:
    """The end of a log, to quote in an error: CI keeps pytest's output, not the log files."""
    if path is None or not path.exists():
        return ""
    tail = path.read_bytes().decode("utf-8", "replace").splitlines()[-lines:]
    return "\n".join(["", f"last lines of {path}:", *tail]) if tail else ""


# --- supervision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How often to check, how long to tolerate silence, how patiently to restart."""

    probe_interval_s: float = 1.0
    wedged_after_s: float = 5.0  # failed checks for this long (at least two): hung
    grace_s: float = 2.0  # after the stop signal, before SIGKILL
    backoff_first_s: float = 1.0  # before a restart; doubles while failures come soon after a start
    backoff_max_s: float = 30.0
    quick_s: float = 60.0  # a failure this soon after a start is a strike
    max_strikes: int = 5  # strikes in a row before giving up
    tick_s: float = 0.2


class Service:
    """One server: how to start it, how to see it answers, and its running process.

    `alive` is the cheap check of a running server (a health URL); `ready` the start-up check
    (default `alive`), asked after a restart until it passes or `ready_timeout_s` runs out.
    The server is started at once: a launcher creates a Service where it used to call Popen.
    """

    def __init__(
        self,
        name: str,
        spawn: Callable[[], subprocess.Popen[bytes]],
        alive: Callable[[], bool],
        where: str,
        ready: Callable[[], bool] | None = None,
        ready_timeout_s: float = 60.0,
        stop_signal: int = signal.SIGTERM,
        log: Path | None = None,
    ) -> None:
        self.name = name
        self.spawn = spawn
        self.alive = alive
        self.where = where  # what `alive` asks, for the log line
        self.ready = ready or alive
        self.ready_timeout_s = ready_timeout_s
        self.stop_signal = stop_signal
        self.log = log
        self.process = spawn()

    def restart(self) -> subprocess.Popen[bytes]:
        self.process = self.spawn()
        return self.process


class SupervisionError(RuntimeError):
    """A server kept failing soon after each start; the message names it, why, and its log."""


class _State(Enum):
    RUNNING = "running"  # was ready; checked for hanging
    STARTING = "starting"  # (re)started, its start-up check has not passed yet
    WAITING = "waiting"  # down, restarted once its back-off is over


class _Probe:
    """One check in a daemon thread: a hung server never blocks the loop (or the launcher's exit)."""

    def __init__(self, check: Callable[[], bool]) -> None:
        self.ok: bool | None = None
        threading.Thread(target=self._run, args=(check,), daemon=True, name="lotse-probe").start()

    def _run(self, check: Callable[[], bool]) -> None:
        try:
            self.ok = bool(check())
        except Exception:  # a check that raises (refused, bad password, …) failed
            self.ok = False


@dataclass
class _Watch:
    service: Service
    state: _State
    started_at: float
    last_ok: float
    failures: int = 0  # failed checks in a row
    strikes: int = 0  # failures soon after a start, in a row
    next_probe: float = 0.0
    probe: _Probe | None = None
    restart_at: float = 0.0
    down_since: float | None = None  # when the current outage was noticed
    event: str = ""  # what began it: hung, exited …


def _stamp(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


class Supervisor:
    """Watches started, ready services and restarts the hung and the dead (see the module doc).

    Call `run` from the thread that started the services and outlives them (restarts fork
    there: `_die_with_parent`).
    """

    def __init__(
        self, services: list[Service], say: Callable[[str], None] = _stamp, policy: Policy | None = None
    ) -> None:
        self.say = say
        self.policy = policy or Policy()
        now = time.monotonic()
        self._watches = [_Watch(service, _State.RUNNING, now, now) for service in services]

    def run(self, stop: threading.Event | None = None) -> None:
        """Supervise until `stop` is set (or forever); SupervisionError when one keeps failing."""
        while stop is None or not stop.is_set():
            self.step()
            if stop is None:
                time.sleep(self.policy.tick_s)
            else:
                stop.wait(self.policy.tick_s)

    def step(self) -> None:
        """One look at every service."""
        for watch in self._watches:
            self._check(watch, time.monotonic())

    def _check(self, watch: _Watch, now: float) -> None:
        service, policy = watch.service, self.policy
        if watch.state is _State.WAITING:
            if now >= watch.restart_at:
                self._start(watch, now)
            return
        code = service.process.poll()
        if code is not None:
            signal_group(service.process, signal.SIGKILL)  # whatever it started in its group
            reap_group(service.process, 0)
            self._failed(
                watch, now, "exited", f"exited with code {code} after {now - watch.started_at:.1f} s"
            )
            return
        probe = watch.probe
        if probe is not None and probe.ok is not None:
            watch.probe = None
            if probe.ok:
                self._answered(watch, now)
            else:
                watch.failures += 1
        if watch.state is _State.STARTING:
            if now - watch.started_at > service.ready_timeout_s:
                how = self._stop(service)
                self._failed(
                    watch,
                    now,
                    "missed its start-up time",
                    f"did not get ready within {service.ready_timeout_s:g} s; {how}",
                )
                return
        elif watch.failures >= 2 and now - watch.last_ok >= policy.wedged_after_s:
            silent = now - watch.last_ok
            how = self._stop(service)
            self._failed(
                watch, now, "was found hung", f"has not answered {service.where} for {silent:.1f} s; {how}"
            )
            return
        if watch.probe is None and now >= watch.next_probe:
            check = service.alive if watch.state is _State.RUNNING else service.ready
            watch.probe = _Probe(check)
            watch.next_probe = now + policy.probe_interval_s

    def _answered(self, watch: _Watch, now: float) -> None:
        watch.last_ok, watch.failures = now, 0
        if watch.state is _State.STARTING:
            watch.state = _State.RUNNING
            if watch.down_since is not None:
                self.say(
                    f"{watch.service.name} answers again, {now - watch.down_since:.1f} s after it "
                    f"{watch.event} (its start took {now - watch.started_at:.1f} s)"
                )
                watch.down_since = None
        elif now - watch.started_at >= self.policy.quick_s:
            watch.strikes = 0  # up for a while: the next failure starts a new count

    def _stop(self, service: Service) -> str:
        """Stop signal (and SIGCONT: a stopped process acts on nothing else), SIGKILL after the grace."""
        signal_group(service.process, service.stop_signal)
        signal_group(service.process, signal.SIGCONT)
        started = time.monotonic()
        killed = reap_group(service.process, self.policy.grace_s)
        sent = signal.Signals(service.stop_signal).name
        if killed:
            return f"sent {sent}, SIGKILL after {self.policy.grace_s:g} s"
        return f"sent {sent}, it stopped within {time.monotonic() - started:.1f} s"

    def _failed(self, watch: _Watch, now: float, event: str, detail: str) -> None:
        """Schedule the restart of a service that is down now, after its back-off; or give up."""
        service, policy = watch.service, self.policy
        watch.probe, watch.failures = None, 0
        watch.strikes = watch.strikes + 1 if now - watch.started_at < policy.quick_s else 1
        if watch.down_since is None:
            watch.down_since, watch.event = now, event
        if watch.strikes >= policy.max_strikes:
            raise SupervisionError(
                f"{service.name} {detail}: {watch.strikes} failures in a row, each within "
                f"{policy.quick_s:g} s of its start; giving up"
                + (f" (log: {service.log})" + log_tail(service.log) if service.log else "")
            )
        delay = min(policy.backoff_first_s * 2 ** (watch.strikes - 1), policy.backoff_max_s)
        self.say(f"{service.name} {detail}; starting it again in {delay:g} s")
        watch.state, watch.restart_at = _State.WAITING, time.monotonic() + delay

    def _start(self, watch: _Watch, now: float) -> None:
        watch.started_at = now
        try:
            watch.service.restart()
        except OSError as error:  # e.g. the program is gone: a failure like any other
            self._failed(watch, now, "could not be started", f"could not be started ({error})")
            return
        watch.state, watch.failures, watch.next_probe = _State.STARTING, 0, now
