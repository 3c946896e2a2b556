"""The running cluster: every part started in order, supervised by the one Supervisor, stopped in reverse.

PostgreSQL and Redis first (the stores), then the action server, the Rasa instances (loaded side
by side), nginx in front of them and the widget's web server in front of nginx. A part that hangs
or exits is restarted as in `make run` (bot/ops/launch.py, bot/ops/supervisor.py).
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from bot.ops.cluster.bot_servers import ActionServer, BotSide, RasaInstance, WebServer
from bot.ops.cluster.config import (
    FEEDBACK_DB,
    TRACKER_DB,
    ClusterConfig,
    ClusterError,
    ClusterSecrets,
    database_url,
    load_cluster_secrets,
)
from bot.ops.cluster.nginx import Nginx
from bot.ops.cluster.parts import Site
from bot.ops.cluster.postgres import Postgres
from bot.ops.cluster.programs import find_programs
from bot.ops.cluster.redis_store import Redis
from bot.ops.launch import STOP_TIMEOUT_S, Launcher
from bot.ops.processes import MODEL_FILE
from bot.ops.retention import purge
from bot.ops.supervisor import reap_group, signal_group
from bot.serving.security import retention_days


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


class Cluster(Launcher):
    """Every process of the cluster, started in order and stopped in reverse, as a context manager."""

    def __init__(self, config: ClusterConfig, say: Callable[[str], None] = print) -> None:
        super().__init__(stop_in_turn=True)  # what uses a part stops before it
        self.config = config
        self.say = self.supervisor_say = say
        self._secrets: ClusterSecrets | None = None
        self._rasa: list[RasaInstance] = []
        self.pg_dir = config.state_dir / "pg"

    # -- what tests and the CLI read

    @property
    def secrets(self) -> ClusterSecrets:
        if self._secrets is None:
            raise ClusterError("the cluster has not been started")
        return self._secrets

    @property
    def tracker_db_url(self) -> str:
        return database_url(self.config, self.secrets.postgres_password, TRACKER_DB)

    @property
    def feedback_db_url(self) -> str:
        return database_url(self.config, self.secrets.postgres_password, FEEDBACK_DB)

    @staticmethod
    def rasa_name(index: int) -> str:
        return f"rasa-{index + 1}"

    # -- start

    def _start(self) -> None:
        """Start every part and return once each answers (Rasa: a real reply)."""
        config = self.config
        if not MODEL_FILE.exists():
            raise ClusterError(f"no trained model at {MODEL_FILE}; run `make model` first")
        programs = find_programs()
        ports = [config.postgres_port, config.redis_port, config.actions_port, config.nginx_port]
        for port in [*ports, *config.rasa_ports, *config.web_ports]:
            if port_in_use(config.host, port):
                raise ClusterError(f"port {port} on {config.host} is in use; stop what listens there first")
        for folder in (config.state_dir, config.log_dir, config.state_dir / "redis"):
            folder.mkdir(parents=True, exist_ok=True)
        self._secrets, generated = load_cluster_secrets(config.secrets_file)
        if generated:
            self.say(f"first start: wrote random passwords to {config.secrets_file} (mode 600)")
        site = Site(config, self._secrets, self.servers, self.say)
        postgres = Postgres(site, programs)
        postgres.start()
        self.pg_dir = postgres.pg_dir
        postgres.create_databases()
        purged = purge(
            self.tracker_db_url, config.log_dir, retention_days(), feedback_url=self.feedback_db_url
        )
        if purged.conversations:
            self.say(f"retention: deleted {purged.conversations} conversations older than the limit")
        Redis(site, programs).start()
        bot = BotSide(site)
        ActionServer(site, bot).start()
        self._rasa = [RasaInstance(site, bot, index) for index in range(config.instances)]
        for rasa in self._rasa:  # loaded side by side; each start is waited for below
            rasa.launch()
        for rasa in self._rasa:
            rasa.wait()
        Nginx(site, programs).start()
        for index in range(config.web_instances):
            WebServer(site, bot, self.feedback_db_url, self.tracker_db_url, index).start()

    # -- while running

    def kill_rasa(self, index: int, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kill one Rasa instance abruptly (the failover test); it stays down until restart_rasa."""
        process = self.process(self.rasa_name(index))
        signal_group(process, sig)
        reap_group(process, STOP_TIMEOUT_S)

    def restart_rasa(self, index: int, wait: bool = True) -> None:
        """Start a Rasa instance again whose process has exited; nginx uses it once it listens."""
        if not 0 <= index < len(self._rasa):
            raise ClusterError(f"no Rasa instance {index + 1} has been started")
        rasa = self._rasa[index]
        if rasa.service.process.poll() is None:
            raise ClusterError(f"{rasa.name} is still running")
        rasa.service.restart()
        if wait:
            rasa.wait()

    def _stopped(self, reason: str) -> None:
        """While a Rasa instance is down nginx sends its share to the others; a part that keeps
        failing stops the cluster."""
        self.say(f"stopping the cluster: {reason}")

    def stop(self) -> None:
        """Stop every process in reverse order of start (their children too), then close the logs."""
        super().stop()
        self._rasa.clear()
