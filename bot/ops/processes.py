"""Start and stop Lotse's servers: the action server, Rasa and (for `make run`) the web server.

`make run` keeps them in the foreground and supervised (Bot.wait: a hung or crashed server is
restarted, bot/ops/supervisor.py); the eval and the end-to-end tests start them the same way on ports
of their own. Either way Ctrl-C (or leaving the `with` block) stops every process that was started
here, and none outlives the process that started it, even one killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from bot.answering.responses import Responses
from bot.ops.retention import Purged, purge
from bot.ops.supervisor import (
    PROBE_TIMEOUT_S,
    Service,
    SupervisionError,
    Supervisor,
    log_tail,
    reap_group,
    signal_group,
    start_process,
)
from bot.paths import DOMAIN_FILE, GUIDES_DIR_ENV, PROJECT_ROOT
from bot.serving.feedback import db_url as feedback_db_url
from bot.serving.rate_limit import PER_ADDRESS_ENV
from bot.serving.security import (
    ACTION_TOKEN_ENV,
    API_TOKEN_ENV,
    CORS_ENV,
    DEFAULT_CORS_ORIGINS,
    DEFAULT_RETENTION_DAYS,
    JWT_SECRET_ENV,
    SECRET_NAMES,
)
from bot.trainers.evaluate import ask

MODEL_FILE = PROJECT_ROOT / "models" / "lotse.tar.gz"
VAR_DIR = PROJECT_ROOT / "var"
RASA_READY_TIMEOUT_S = 240.0


@dataclass
class BotConfig:
    """Where the servers listen and what they use."""

    rasa_port: int = 5005
    actions_port: int = 5055
    host: str = "127.0.0.1"
    tracker_db: Path = VAR_DIR / "trackers.db"
    log_dir: Path = VAR_DIR / "log"
    today: str | None = None  # pins LOTSE_TODAY for the action server
    api_token: str | None = None  # Rasa's HTTP API is on only with a token or a JWT secret
    jwt_secret: str | None = None
    action_token: str | None = None  # the action server refuses calls without it when set
    cors_origins: list[str] = field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    retention_days: int = DEFAULT_RETENTION_DAYS
    guides_dir: Path | None = None  # another guides folder (tests, trainers' drafts)
    model: Path = MODEL_FILE  # another trained model (make bench: a fresh one, the stock peer)
    web_port: int | None = None  # the widget's web server (bot/serving/web.py); `make run` uses 8080
    feedback_db_url: str | None = None  # LOTSE_FEEDBACK_DB_URL for the web server (default: var/)
    # LOTSE_MAX_MESSAGES_PER_SECOND_PER_ADDRESS for Rasa; None: the environment's, or the default.
    # The bench and the tests set it high: they drive the bot from one address on purpose.
    messages_per_address: int | None = None

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def health_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/health"


def _endpoints_file(config: BotConfig) -> Path:
    """endpoints.yml for these ports (the checked-in one is for the default ports)."""
    path = config.log_dir / f"endpoints-{config.rasa_port}.yml"
    # the token stays out of the file: Rasa fills ${...} from the environment (unquoted, or YAML keeps it)
    token = f"  token: ${{{ACTION_TOKEN_ENV}}}\n" if config.action_token else ""
    path.write_text(
        "action_endpoint:\n"
        f'  url: "{config.actions_url}/webhook"\n'
        f"{token}"
        "tracker_store:\n"
        "  type: bot.serving.tracker_store.RedactingSQLTrackerStore\n"  # SQL, storing messages allow-listed
        "  dialect: sqlite\n"
        f'  db: "{config.tracker_db}"\n',
        encoding="utf-8",
    )
    return path


def child_env(config: BotConfig, api_secrets: bool = False) -> dict[str, str]:
    """The child's environment: only the secrets this config names, the API ones only for Rasa."""
    env = {key: value for key, value in os.environ.items() if key not in SECRET_NAMES}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        LOTSE_ACTIONS_HOST=config.host,
        LOTSE_ACTIONS_PORT=str(config.actions_port),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(PROJECT_ROOT),  # Rasa imports our REST channel (bot.serving.channels)
    )
    if config.today:
        env["LOTSE_TODAY"] = config.today
    # the REST channel refuses a browser Origin that Rasa's --cors (the same list) does not allow
    env[CORS_ENV] = ",".join(config.cors_origins)
    if config.messages_per_address is not None:
        env[PER_ADDRESS_ENV] = str(config.messages_per_address)
    if config.feedback_db_url:  # in the environment, not on the command line: it may hold a password
        env["LOTSE_FEEDBACK_DB_URL"] = config.feedback_db_url
    if config.guides_dir:
        env[GUIDES_DIR_ENV] = str(config.guides_dir)
    if config.action_token:
        env[ACTION_TOKEN_ENV] = config.action_token
    if api_secrets and config.api_token:
        env[API_TOKEN_ENV] = config.api_token
    if api_secrets and config.jwt_secret:
        env[JWT_SECRET_ENV] = config.jwt_secret
    return env


def web_server_args(config: BotConfig) -> list[str]:
    """`python -m bot.serving.web` arguments: listen on config's host and web port, ask config's Rasa."""
    return ["--host", config.host, "--port", str(config.web_port), "--rasa-url", config.rasa_url]


def reachable(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def readiness_probe(rasa_url: str, sender: str) -> Callable[[], bool]:
    """A check that Rasa answers a real message with the greeting.

    Rasa answers / before its model is loaded; only the real greeting proves the model is
    loaded and the action server answering (and, in the cluster, the stores in use).
    """
    greeting = Responses.from_domain_file(DOMAIN_FILE).text("utter_greet", "de")

    def greets() -> bool:
        try:
            return greeting in ask(rasa_url, sender, "/greet").texts
        except (OSError, ValueError):
            return False

    return greets


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
    raise KeyboardInterrupt


class Bot:
    """The running action server, Rasa server and web server, as a context manager."""

    def __init__(self, config: BotConfig, quiet: bool = True) -> None:
        self.config = config
        self.quiet = quiet
        self.services: list[Service] = []  # in order of start: actions, rasa, web
        self._logs: list[IO[bytes]] = []
        self._log_paths: dict[int, Path] = {}  # pid -> its log, quoted when the process dies at start
        self.purged: Purged | None = None  # what the retention purge at start deleted

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The servers' current processes (a restart replaces one), in order of start."""
        return [service.process for service in self.services]

    def _spawn(self, name: str, args: list[str], api_secrets: bool = False) -> subprocess.Popen[bytes]:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.config.log_dir / f"{name}-{self.config.rasa_port}.log"
        log = log_path.open("ab")
        self._logs.append(log)

        def spawn() -> subprocess.Popen[bytes]:  # again on each restart, the same log
            return start_process(
                args,
                cwd=PROJECT_ROOT,
                env=child_env(self.config, api_secrets),
                stdout=log if self.quiet else None,
                stderr=subprocess.STDOUT if self.quiet else None,
            )

        what, url, ready, ready_timeout = self._checks(name)
        alive = functools.partial(reachable, url, PROBE_TIMEOUT_S)
        service = Service(what, spawn, alive, url, ready, ready_timeout, log=log_path)
        self.services.append(service)
        self._log_paths[service.process.pid] = log_path
        return service.process

    def _checks(self, name: str) -> tuple[str, str, Callable[[], bool] | None, float]:
        """What the supervisor calls a server, its health URL, its start-up check and time."""
        config = self.config
        if name == "rasa":  # alive: `/` (the health report would fail with the action server)
            greets = readiness_probe(config.rasa_url, "lotse-readiness-probe")
            return "Rasa", f"{config.rasa_url}/", greets, RASA_READY_TIMEOUT_S
        if name == "actions":
            return "the action server", f"{config.actions_url}/health", None, 60.0
        return "the web server", f"http://{config.host}:{config.web_port}/health", None, 30.0

    def start(self) -> Bot:
        """Start both servers and return once a message gets the real greeting back.

        Whatever goes wrong on the way (an error, Ctrl-C during the model load),
        every process started so far is stopped before the exception leaves.
        """
        signal.signal(signal.SIGTERM, raise_interrupt)
        # Ctrl-C stops it even when it was started with SIGINT ignored (a shell's background job, CI)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Bot:
        if not self.config.model.exists():
            raise RuntimeError(f"no trained model at {self.config.model}; run `make model` first")
        for url in (f"{self.config.rasa_url}/", f"{self.config.actions_url}/health"):
            if reachable(url):
                raise RuntimeError(f"something already answers at {url}; stop it first")
        if self.config.web_port and reachable(f"http://{self.config.host}:{self.config.web_port}/health"):
            raise RuntimeError(f"something already answers on port {self.config.web_port}; stop it first")
        self.config.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        self.purged = purge(
            f"sqlite:///{self.config.tracker_db}",
            self.config.log_dir,
            self.config.retention_days,
            feedback_url=(self.config.feedback_db_url or feedback_db_url()) if self.config.web_port else None,
        )
        actions = self._spawn("actions", [sys.executable, "-m", "bot.serving.action_server"])
        rasa_args = [
            sys.executable,
            "-m",
            "bot.serving.rasa_server",  # `rasa run` with the API secrets from the environment, not argv
            "run",
            "--model",
            str(self.config.model),
            "--endpoints",
            str(_endpoints_file(self.config)),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--interface",
            self.config.host,
            "--port",
            str(self.config.rasa_port),
        ]
        if self.config.cors_origins:  # one --cors with every origin: Rasa keeps only the last --cors
            rasa_args += ["--cors", *self.config.cors_origins]
        rasa = self._spawn("rasa", rasa_args, api_secrets=True)
        self._wait(actions, f"{self.config.actions_url}/health", 60.0, "action server")
        self._wait(rasa, f"{self.config.rasa_url}/", RASA_READY_TIMEOUT_S, "Rasa")
        self._wait_model()
        self._wait(rasa, self.config.health_url, 30.0, "health check")
        if self.config.web_port:  # the widget's page, passing questions on to Rasa
            web = self._spawn("web", [sys.executable, "-m", "bot.serving.web", *web_server_args(self.config)])
            self._wait(web, f"http://{self.config.host}:{self.config.web_port}/health", 30.0, "web server")
        return self

    def _wait(self, process: subprocess.Popen[bytes], url: str, timeout: float, what: str) -> None:
        problem = wait_ready(process, lambda: reachable(url), timeout, what, self._log_paths.get(process.pid))
        if problem is not None:
            self.stop()
            raise RuntimeError(f"{problem} (at {url})")

    def _wait_model(self) -> None:
        """Rasa answers / before the model is loaded; a real message proves it is."""
        greets = readiness_probe(self.config.rasa_url, "lotse-readiness-probe")
        deadline = time.monotonic() + RASA_READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if greets():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("Rasa did not answer a message in time")

    def supervise(self, stop: threading.Event | None = None) -> None:
        """Restart a hung or crashed server until `stop` is set (bot/ops/supervisor.py).

        Call it from the thread that called start(): restarts fork there, and the kernel
        kills a server when the thread that forked it ends.
        """
        Supervisor(self.services).run(stop)

    def wait(self) -> int:
        """Keep the servers answering until Ctrl-C / SIGTERM (0) or one keeps failing (1); then stop all."""
        try:
            self.supervise()
            return 0
        except SupervisionError as error:
            print(f"Lotse stopped: {error}", file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop every process group started here (their children too), then close the logs."""
        for process in self.processes:
            signal_group(process)
        for process in self.processes:
            reap_group(process, timeout=15)
        self.services.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> Bot:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def bot_at(config: BotConfig, purpose: str) -> Iterator[None]:
    """Use the bot answering at config's address, or start one for the duration of the block."""
    if reachable(f"{config.rasa_url}/"):
        yield
        return
    print(f"starting Lotse on {config.rasa_url} for the {purpose} …", flush=True)
    with Bot(config):
        yield
