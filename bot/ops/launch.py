"""Starting servers under the one Supervisor: the helper `make run` and `make run-cluster` share.

A launcher describes each server once (`Launch`: its command, environment, log and checks).
`Servers` starts it through `supervisor.start_process` (its own process group, killed with the
launcher), waits until it answers, hands every server to one `Supervisor` (the restart policy of
bot/ops/supervisor.py) and stops them again. bot/ops/processes.py (the single bot) and
bot/ops/cluster/ (PostgreSQL, Redis, nginx, the Rasa instances …) only say what to start.
"""

from __future__ import annotations

import pwd
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TypeVar

from bot.ops.supervisor import (
    Service,
    SupervisionError,
    Supervisor,
    log_tail,
    reap_group,
    signal_group,
    start_process,
)
from bot.paths import PROJECT_ROOT

STOP_TIMEOUT_S = 15.0  # after the stop signal, before SIGKILL


def reachable(url: str, timeout: float = 1.0) -> bool:
    """Whether `url` answers 200: the health check of every HTTP server here."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float, what: str, log: Path | None
) -> str | None:
    """None once `ready()` holds; else why not: the process exited (quoting its log) or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"the {what} exited with code {process.returncode}; see {log}" + log_tail(log)
        if ready():
            return None
        time.sleep(0.25)
    return f"the {what} did not get ready within {timeout:.0f} s"


def raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM handler: stop the launcher the way Ctrl-C does, so every server is stopped too."""
    raise KeyboardInterrupt


def catch_stop_signals() -> None:
    """SIGTERM stops a launcher as Ctrl-C does; Ctrl-C works even when started with SIGINT ignored."""
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass(frozen=True)
class Launch:
    """One server as a launcher describes it: what to run, where it logs, how to see it answer."""

    name: str  # as the supervisor's lines name it
    args: Sequence[str]
    env: Mapping[str, str]
    log: Path
    alive: Callable[[], bool]  # cheap, every second
    where: str  # what `alive` asks, for the supervisor's lines
    ready: Callable[[], bool] | None = None  # the start-up check after a restart (default: alive)
    ready_timeout_s: float = 60.0
    stop_signal: int = signal.SIGTERM
    account: pwd.struct_passwd | None = None  # another account to run as (PostgreSQL as root)
    quiet: bool = True  # output to the log; else to the launcher's terminal


class Servers:
    """The servers one launcher started, in order of start: supervised together, stopped together.

    `stop_in_turn`: stop the last started first and wait for each before the next (the cluster:
    Rasa lets go of PostgreSQL before PostgreSQL stops); otherwise all at once (the single bot).
    """

    def __init__(self, stop_in_turn: bool = False) -> None:
        self.services: list[Service] = []
        self.stop_in_turn = stop_in_turn
        self._logs: list[IO[bytes]] = []

    def open_log(self, path: Path) -> IO[bytes]:
        """A log opened for appending, closed by stop(): a restart writes on where the last run ended."""
        path.parent.mkdir(parents=True, exist_ok=True)
        log = path.open("ab")
        self._logs.append(log)
        return log

    def start(self, launch: Launch) -> Service:
        """Start the server now; the supervisor starts it again the same way (same log, same env)."""
        log = self.open_log(launch.log)
        output = log if launch.quiet else None
        account, env = launch.account, dict(launch.env)

        def spawn() -> subprocess.Popen[bytes]:
            return start_process(
                list(launch.args),
                cwd=PROJECT_ROOT if account is None else "/",  # another account may not enter the checkout
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                user=account.pw_uid if account else None,
                group=account.pw_gid if account else None,
            )

        service = Service(
            launch.name,
            spawn,
            launch.alive,
            launch.where,
            launch.ready,
            launch.ready_timeout_s,
            launch.stop_signal,
            launch.log,
        )
        self.services.append(service)
        return service

    def find(self, name: str) -> Service | None:
        return next((service for service in self.services if service.name == name), None)

    def wait_until(
        self,
        service: Service,
        ready: Callable[[], bool],
        timeout: float,
        what: str,
        where: str,
        error: type[Exception] = RuntimeError,
    ) -> None:
        """Return once `ready()` holds; raise `error` naming why not (its log's end when it exited)."""
        problem = wait_ready(service.process, ready, timeout, what, service.log)
        if problem is not None:
            raise error(f"{problem} (at {where})")

    def supervise(
        self, stop: threading.Event | None = None, say: Callable[[str], None] | None = None
    ) -> None:
        """Hand every server to one Supervisor until `stop` is set (see Launcher.supervise)."""
        supervisor = Supervisor(self.services) if say is None else Supervisor(self.services, say=say)
        supervisor.run(stop)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop every server's process group (SIGKILL after `timeout`), then close the logs."""
        running = list(reversed(self.services))
        for service in running:
            if service.process.poll() is None:
                signal_group(service.process, service.stop_signal)
            if self.stop_in_turn:
                reap_group(service.process, timeout)
        if not self.stop_in_turn:
            for service in running:
                reap_group(service.process, timeout)
        self.services.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()


_L = TypeVar("_L", bound="Launcher")


class Launcher:
    """Servers started as one unit (the single bot, the cluster), as a context manager.

    A subclass says what to start (`_start`, through `self.servers`) and how to say that one kept
    failing (`_stopped`); starting, supervising and stopping are the same for both.
    """

    supervisor_say: Callable[[str], None] | None = None  # the supervisor's lines; None: printed with the time

    def __init__(self, stop_in_turn: bool = False) -> None:
        self.servers = Servers(stop_in_turn)

    @property
    def services(self) -> list[Service]:
        """The servers in order of start; the supervisor restarts them in place."""
        return self.servers.services

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The servers' current processes (a restart replaces one), in order of start."""
        return [service.process for service in self.services]

    def process(self, name: str) -> subprocess.Popen[bytes]:
        service = self.servers.find(name)
        if service is None:
            raise KeyError(name)
        return service.process

    def start(self: _L) -> _L:
        """Start every server and return once each answers.

        Whatever goes wrong on the way (an error, Ctrl-C during a model load), every process
        started so far is stopped before the exception leaves.
        """
        catch_stop_signals()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        raise NotImplementedError

    def _stopped(self, reason: str) -> None:
        """Say why everything is being stopped: a server kept failing."""
        raise NotImplementedError

    def supervise(
        self, stop: threading.Event | None = None, say: Callable[[str], None] | None = None
    ) -> None:
        """Restart a hung or crashed server until `stop` is set (the one Supervisor, bot/ops/supervisor.py).

        Call it from the thread that called start(): restarts fork there, and the kernel kills
        a server when the thread that forked it ends.
        """
        self.servers.supervise(stop, say or self.supervisor_say)

    def wait(self) -> int:
        """Keep the servers answering until Ctrl-C / SIGTERM (0) or one keeps failing (1); then stop all."""
        try:
            self.supervise()
            return 0
        except SupervisionError as error:
            self._stopped(str(error))
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop every process group started here (their children too), then close the logs."""
        self.servers.stop()

    def __enter__(self: _L) -> _L:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
