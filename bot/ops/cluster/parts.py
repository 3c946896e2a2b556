"""What every part of the cluster shares: described once, started and supervised by bot/ops/launch.py.

A part says what it runs (`command`, `env`), what it needs written first (`prepare`) and how it
is seen to answer (`alive` every second, `ready` after a start); `launch` hands that to the
launcher's `Servers` (the one Supervisor's services), `wait` returns once it answers.
"""

from __future__ import annotations

import pwd
import signal
from collections.abc import Callable
from dataclasses import dataclass

from bot.ops.cluster.config import SERVICE_READY_TIMEOUT_S, ClusterConfig, ClusterError, ClusterSecrets
from bot.ops.cluster.programs import search_path
from bot.ops.launch import Launch, Servers, reachable
from bot.ops.supervisor import PROBE_TIMEOUT_S, Service


@dataclass(frozen=True)
class Site:
    """What every part of one running cluster uses: its settings, passwords, servers and voice."""

    config: ClusterConfig
    secrets: ClusterSecrets
    servers: Servers
    say: Callable[[str], None]


class Part:
    """One service of the cluster, as the supervisor restarts it: one process, its log, its checks."""

    name = ""
    stop_signal: int = signal.SIGTERM
    ready_timeout_s = SERVICE_READY_TIMEOUT_S
    account: pwd.struct_passwd | None = None  # run as another account (PostgreSQL when we are root)

    def __init__(self, site: Site) -> None:
        self.site = site
        self.config = site.config
        self._service: Service | None = None

    @property
    def where(self) -> str:
        """What `alive` asks, for the supervisor's lines."""
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """The child's whole environment: by default only PATH (nothing of the launcher's secrets)."""
        return search_path()

    def alive(self) -> bool:
        raise NotImplementedError

    def ready(self) -> bool:
        """The check after a (re)start, until it passes; by default the alive check."""
        return self.alive()

    def prepare(self) -> None:
        """Write what the program reads before it starts (configuration, folders)."""

    @property
    def service(self) -> Service:
        if self._service is None:
            raise ClusterError(f"{self.name} has not been started")
        return self._service

    def launch(self) -> Service:
        """Start the process (not waiting for it); the supervisor restarts it the same way."""
        self.prepare()
        log = self.config.log_dir / f"{self.name}.log"
        launch = Launch(
            self.name,
            self.command(),
            self.env(),
            log,
            self.alive,
            self.where,
            self.ready,
            self.ready_timeout_s,
            self.stop_signal,
            self.account,
        )
        self._service = self.site.servers.start(launch)
        return self._service

    def wait(self) -> None:
        """Return once it answers; ClusterError (with the end of its log) when it exits or is too slow."""
        self.site.servers.wait_until(
            self.service, self.ready, self.ready_timeout_s, self.name, self.where, ClusterError
        )

    def start(self) -> None:
        self.launch()
        self.wait()


class HttpPart(Part):
    """A part whose health is an HTTP URL (`where`) answering 200."""

    def alive(self) -> bool:
        return reachable(self.where, PROBE_TIMEOUT_S)
