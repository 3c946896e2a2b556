"""Start and stop Lotse's servers: the action server, Rasa and (for `make run`) the web server.

`make run` keeps them in the foreground and supervised (Bot.wait: a hung or crashed server is
restarted, bot/ops/supervisor.py); the eval and the end-to-end tests start them the same way on ports
of their own. Either way Ctrl-C (or leaving the `with` block) stops every process that was started
here, and none outlives the process that started it, even one killed with SIGKILL. How a server is
started and supervised is bot/ops/launch.py, shared with the cluster; the commands and the
environment of Lotse's own servers are here, for both.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.answering.responses import Responses
from bot.ops.launch import Launch, Launcher, raise_interrupt, reachable, wait_ready
from bot.ops.retention import Purged, purge
from bot.ops.supervisor import PROBE_TIMEOUT_S, Service
from bot.paths import DOMAIN_FILE, PROJECT_ROOT
from bot.serving.feedback import db_url as feedback_db_url
from bot.serving.security import DEFAULT_CORS_ORIGINS, DEFAULT_RETENTION_DAYS, SECRET_NAMES
from bot.settings import env_name
from bot.trainers.evaluate import ask

__all__ = [  # the launch helpers are imported from here by the tests and the eval
    "MODEL_FILE",
    "RASA_READY_TIMEOUT_S",
    "VAR_DIR",
    "Bot",
    "BotConfig",
    "action_server_command",
    "bot_at",
    "child_env",
    "raise_interrupt",
    "rasa_command",
    "reachable",
    "readiness_probe",
    "wait_ready",
    "web_command",
]

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
    trainer_token: str | None = None  # signs a trainer in to the workbench; given to the web server only
    cors_origins: list[str] = field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    retention_days: int = DEFAULT_RETENTION_DAYS
    guides_dir: Path | None = None  # another guides folder (tests, trainers' drafts)
    model: Path = MODEL_FILE  # another trained model (make bench: a fresh one, the stock peer)
    web_port: int | None = None  # the widget's web server (bot/serving/web.py); `make run` uses 8080
    feedback_db_url: str | None = None  # LOTSE_FEEDBACK_DB_URL for the web server (default: var/)
    # LOTSE_MAX_MESSAGES_PER_SECOND_PER_ADDRESS for Rasa; None: the environment's, or the default.
    # The bench and the tests set it high: they drive the bot from one address on purpose.
    messages_per_address: int | None = None
    # LOTSE_SPEEDUPS for Rasa (bot/serving/speedups.py); None: the environment's, or on.
    # The bench turns them off for its stock peer and for the column that shows what they gain.
    speedups: bool | None = None

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
    token = f"  token: ${{{env_name('action_token')}}}\n" if config.action_token else ""
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


def child_env(config: BotConfig, api_secrets: bool = False, trainer_secrets: bool = False) -> dict[str, str]:
    """The child's environment: only the secrets this config names, the API ones only for Rasa, the
    trainer token only for the web server (`trainer_secrets`)."""
    env = {key: value for key, value in os.environ.items() if key not in SECRET_NAMES}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(PROJECT_ROOT),  # Rasa imports our REST channel (bot.serving.channels)
    )
    given: dict[str, str | None] = {
        "actions_host": config.host,
        "actions_port": str(config.actions_port),
        "today": config.today,
        "max_messages_per_second_per_address": (
            None if config.messages_per_address is None else str(config.messages_per_address)
        ),
        "speedups": None if config.speedups is None else str(int(config.speedups)),
        # in the environment, not on the command line: it may hold a password
        "feedback_db_url": config.feedback_db_url,
        "tracker_db_url": f"sqlite:///{config.tracker_db}",  # what the trainers' workbench reviews
        "guides_dir": str(config.guides_dir) if config.guides_dir else None,
        "action_token": config.action_token,
        "api_token": config.api_token if api_secrets else None,
        "jwt_secret": config.jwt_secret if api_secrets else None,
        "trainer_token": config.trainer_token if trainer_secrets else None,
    }
    env.update({env_name(name): value for name, value in given.items() if value is not None and value != ""})
    # the REST channel refuses a browser Origin that Rasa's --cors (the same list) does not allow;
    # set even when empty: then no page may call
    env[env_name("cors_origins")] = ",".join(config.cors_origins)
    return env


def action_server_command() -> list[str]:
    """`python -m bot.serving.action_server`: the custom actions, on LOTSE_ACTIONS_HOST/PORT."""
    return [sys.executable, "-m", "bot.serving.action_server"]


def rasa_command(model: Path, endpoints: Path, host: str, port: int, cors: Sequence[str]) -> list[str]:
    """`rasa run` through our launcher (API secrets from the environment, the speed-ups' gate)."""
    args = [
        sys.executable,
        "-m",
        "bot.serving.rasa_server",
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--interface",
        host,
        "--port",
        str(port),
    ]
    if cors:  # one --cors with every origin: Rasa keeps only the last --cors
        args += ["--cors", *cors]
    return args


def web_command(host: str, port: int, rasa_url: str) -> list[str]:
    """`python -m bot.ops.web`: the widget's page and the trainers' workbench on host:port, asking the
    Rasa at `rasa_url` (bot/ops/web.py composes the two; bot.serving.web alone serves staff only)."""
    return [
        sys.executable,
        "-m",
        "bot.ops.web",
        "--host",
        host,
        "--port",
        str(port),
        "--rasa-url",
        rasa_url,
    ]


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


class Bot(Launcher):
    """The running action server, Rasa server and web server, as a context manager."""

    def __init__(self, config: BotConfig, quiet: bool = True) -> None:
        super().__init__()
        self.config = config
        self.quiet = quiet
        self.purged: Purged | None = None  # what the retention purge at start deleted

    def _launch(self, name: str, args: list[str], api_secrets: bool = False) -> Service:
        what, url, ready, ready_timeout = self._checks(name)
        log = self.config.log_dir / f"{name}-{self.config.rasa_port}.log"
        alive = functools.partial(reachable, url, PROBE_TIMEOUT_S)
        env = child_env(self.config, api_secrets, trainer_secrets=name == "web")
        launch = Launch(what, args, env, log, alive, url, ready, ready_timeout, quiet=self.quiet)
        return self.servers.start(launch)

    def _checks(self, name: str) -> tuple[str, str, Callable[[], bool] | None, float]:
        """What the supervisor calls a server, its health URL, its start-up check and time."""
        config = self.config
        if name == "rasa":  # alive: `/` (the health report would fail with the action server)
            greets = readiness_probe(config.rasa_url, "lotse-readiness-probe")
            return "Rasa", f"{config.rasa_url}/", greets, RASA_READY_TIMEOUT_S
        if name == "actions":
            return "the action server", f"{config.actions_url}/health", None, 60.0
        return "the web server", f"http://{config.host}:{config.web_port}/health", None, 30.0

    def _start(self) -> None:
        """Start the servers; return once a message gets the real greeting back (and the page answers)."""
        config = self.config
        if not config.model.exists():
            raise RuntimeError(f"no trained model at {config.model}; run `make model` first")
        for url in (f"{config.rasa_url}/", f"{config.actions_url}/health"):
            if reachable(url):
                raise RuntimeError(f"something already answers at {url}; stop it first")
        if config.web_port and reachable(f"http://{config.host}:{config.web_port}/health"):
            raise RuntimeError(f"something already answers on port {config.web_port}; stop it first")
        config.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        config.log_dir.mkdir(parents=True, exist_ok=True)
        self.purged = purge(
            f"sqlite:///{config.tracker_db}",
            config.log_dir,
            config.retention_days,
            feedback_url=(config.feedback_db_url or feedback_db_url()) if config.web_port else None,
        )
        actions = self._launch("actions", action_server_command())
        endpoints = _endpoints_file(config)
        rasa_args = rasa_command(config.model, endpoints, config.host, config.rasa_port, config.cors_origins)
        rasa = self._launch("rasa", rasa_args, api_secrets=True)
        self._wait(actions, f"{config.actions_url}/health", 60.0, "action server")
        self._wait(rasa, f"{config.rasa_url}/", RASA_READY_TIMEOUT_S, "Rasa")
        # Rasa answers / before the model is loaded; a real message proves it is
        greets = readiness_probe(config.rasa_url, "lotse-readiness-probe")
        webhook = f"{config.rasa_url}/webhooks/rest/webhook"
        self.servers.wait_until(rasa, greets, RASA_READY_TIMEOUT_S, "Rasa model", webhook)
        self._wait(rasa, config.health_url, 30.0, "health check")
        if config.web_port:  # the widget's page, passing questions on to Rasa
            web = self._launch("web", web_command(config.host, config.web_port, config.rasa_url))
            self._wait(web, f"http://{config.host}:{config.web_port}/health", 30.0, "web server")

    def _wait(self, service: Service, url: str, timeout: float, what: str) -> None:
        self.servers.wait_until(service, lambda: reachable(url), timeout, what, url)

    def _stopped(self, reason: str) -> None:
        print(f"Lotse stopped: {reason}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def bot_at(config: BotConfig, purpose: str) -> Iterator[None]:
    """Use the bot answering at config's address, or start one for the duration of the block."""
    if reachable(f"{config.rasa_url}/"):
        yield
        return
    print(f"starting Lotse on {config.rasa_url} for the {purpose} …", flush=True)
    with Bot(config):
        yield
