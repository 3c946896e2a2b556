"""The cluster's settings: where each part listens and keeps its files, and its passwords.

Every port is the base plus a fixed offset, so the test cluster runs beside `make run-cluster` on
another base. The passwords come from the environment (bot.settings), else var/cluster/secrets.env,
else they are made up on the first start and written there (mode 600): the cluster never runs on a
default password.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.ops.processes import VAR_DIR
from bot.settings import Settings, env_name, settings

CLUSTER_DIR = VAR_DIR / "cluster"
DEFAULT_PORT_BASE = 7000
# Port of each part: the base plus this offset (the test cluster uses another base).
RASA_OFFSET, ACTIONS_OFFSET, NGINX_OFFSET, WEB_OFFSET, REDIS_OFFSET, POSTGRES_OFFSET = 5, 55, 80, 90, 379, 432
MAX_INSTANCES = 20  # Rasa ports base+5 … base+24 stay below the action server's
MAX_WEB_INSTANCES = 5  # web ports base+90 … base+94

PG_USER = "lotse"  # the cluster's own database superuser (a local, throw-away database server)
TRACKER_DB = "lotse_tracker"
FEEDBACK_DB = "lotse_feedback"
# the settings fields of the cluster's secrets, and their variables (the secrets file uses the same names)
SECRET_FIELDS = ("pg_password", "redis_password", "action_token")
PG_PASSWORD_ENV, REDIS_PASSWORD_ENV, ACTION_TOKEN_ENV = (env_name(field) for field in SECRET_FIELDS)
CLUSTER_SECRET_NAMES = (PG_PASSWORD_ENV, REDIS_PASSWORD_ENV, ACTION_TOKEN_ENV)
# Written into config files and URLs: no quotes, spaces, backslashes or "$" to escape anywhere.
_SECRET_FORM = re.compile(r"[A-Za-z0-9_\-.~+/=]{16,200}")
# A conversation's lock is given up after this long even if its holder died (killed instance).
# Rasa's default is 60 s; a Lotse turn takes well under a second.
DEFAULT_LOCK_LIFETIME_S = 10
LOCK_STORE_REDIS_DB, RATE_LIMIT_REDIS_DB = 1, 2  # Redis databases: the lock store's, the rate limits'
SERVICE_READY_TIMEOUT_S = 60.0


class ClusterError(RuntimeError):
    """The cluster cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where each part listens and where its files go."""

    port_base: int = DEFAULT_PORT_BASE
    state_dir: Path = CLUSTER_DIR
    instances: int = 2
    today: str | None = None  # pins LOTSE_TODAY for the action server (tests)
    lock_lifetime_s: int = DEFAULT_LOCK_LIFETIME_S
    host: str = "127.0.0.1"
    messages_per_address: int | None = None  # the Rasa instances' per-address limit (None: as `make run`)
    # web servers: the widget on the first one's port, the trainers' workbench behind nginx on all of
    # them (its sessions, lock-out counts and runs are in PostgreSQL, so any instance can answer)
    web_instances: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.web_instances <= MAX_WEB_INSTANCES:
            raise ClusterError(
                f"web instances must be between 1 and {MAX_WEB_INSTANCES}, not {self.web_instances}"
            )
        if not 1 <= self.instances <= MAX_INSTANCES:
            raise ClusterError(f"instances must be between 1 and {MAX_INSTANCES}, not {self.instances}")
        if not 1024 <= self.port_base <= 65535 - POSTGRES_OFFSET:
            raise ClusterError(f"port base {self.port_base} is outside 1024 … {65535 - POSTGRES_OFFSET}")

    @property
    def rasa_ports(self) -> list[int]:
        return [self.port_base + RASA_OFFSET + index for index in range(self.instances)]

    @property
    def actions_port(self) -> int:
        return self.port_base + ACTIONS_OFFSET

    @property
    def nginx_port(self) -> int:
        return self.port_base + NGINX_OFFSET

    @property
    def web_port(self) -> int:
        return self.port_base + WEB_OFFSET

    @property
    def redis_port(self) -> int:
        return self.port_base + REDIS_OFFSET

    @property
    def postgres_port(self) -> int:
        return self.port_base + POSTGRES_OFFSET

    @property
    def nginx_url(self) -> str:
        return f"http://{self.host}:{self.nginx_port}"

    @property
    def web_ports(self) -> list[int]:
        return [self.web_port + index for index in range(self.web_instances)]

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def workbench_url(self) -> str:
        """The trainers' workbench, behind nginx (spread over every web server)."""
        return f"{self.nginx_url}/trainer"

    def rasa_url(self, index: int) -> str:
        return f"http://{self.host}:{self.rasa_ports[index]}"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "log"

    @property
    def secrets_file(self) -> Path:
        return self.state_dir / "secrets.env"

    @property
    def nginx_prefix(self) -> Path:
        return self.state_dir / "nginx"

    @property
    def nginx_conf(self) -> Path:
        return self.nginx_prefix / "nginx.conf"

    @property
    def nginx_access_log(self) -> Path:
        return self.nginx_prefix / "logs" / "access.log"

    @property
    def fallback_pg_dir(self) -> Path:
        """PostgreSQL's data when its user cannot reach state_dir (a clone in a private folder)."""
        digest = hashlib.sha256(str(self.state_dir.resolve()).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"lotse-cluster-{digest}" / "pg"


def private_folder(folder: Path) -> None:
    """Create `folder` as ours alone (mode 700), or accept it only if it already is exactly that.

    It lies in a folder every local user can write to; a folder or link someone else made
    there first would let them steer where root writes PostgreSQL's data and password.
    """
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    private = stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    if not private or info.st_uid != os.geteuid():
        raise ClusterError(
            f"{folder} exists but is not a private folder of this user; remove it and start again"
        )


def remove_state(config: ClusterConfig) -> None:
    """Delete everything the cluster wrote (databases, logs, passwords): a fresh start."""
    shutil.rmtree(config.state_dir, ignore_errors=True)
    shutil.rmtree(config.fallback_pg_dir.parent, ignore_errors=True)


# --- secrets --------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSecrets:
    postgres_password: str
    redis_password: str
    action_token: str


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (mode 600 from the start): it holds a password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_CREAT


def _stored_secrets(path: Path) -> dict[str, str]:
    """The secrets file's NAME=value lines; any other line is refused, naming it."""
    stored: dict[str, str] = {}
    if not path.exists():
        return stored
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or key.strip() not in CLUSTER_SECRET_NAMES:
            raise ClusterError(f"{path}:{number}: expected one of {', '.join(CLUSTER_SECRET_NAMES)}=value")
        stored[key.strip()] = value.strip()
    return stored


def load_cluster_secrets(path: Path, environ: Mapping[str, str] | None = None) -> tuple[ClusterSecrets, bool]:
    """The cluster's passwords: from the environment, else the file, else new random ones saved there.

    `environ` is another environment to read (a test's); None: this process's settings.
    Returns the secrets and whether any was generated (then the file was (re)written, mode 600).
    """
    given = settings() if environ is None else Settings.from_environ(environ)
    stored = _stored_secrets(path)
    values: dict[str, str] = {}
    generated = False
    for field in SECRET_FIELDS:
        name = env_name(field)
        value = given.secret(field) or stored.get(name) or ""
        if not value:
            value = stored[name] = secrets.token_urlsafe(24)
            generated = True
        if not _SECRET_FORM.fullmatch(value):
            raise ClusterError(
                f"{name} must be 16–200 characters of letters, digits and _-.~+/= (it goes into config files)"
            )
        values[name] = value
    if generated:
        lines = [f"{name}={value}\n" for name, value in stored.items()]
        write_private(
            path, "# generated by bot/ops/cluster for the local cluster; never commit\n" + "".join(lines)
        )
    secrets_found = ClusterSecrets(
        values[PG_PASSWORD_ENV], values[REDIS_PASSWORD_ENV], values[ACTION_TOKEN_ENV]
    )
    return secrets_found, generated


def database_url(config: ClusterConfig, password: str, database: str) -> str:
    """SQLAlchemy URL of one of the cluster's databases (psycopg2, as Rasa's SQL tracker store uses)."""
    from sqlalchemy.engine import URL

    url = URL.create(
        "postgresql",
        username=PG_USER,
        password=password,
        host=config.host,
        port=config.postgres_port,
        database=database,
    )
    return str(url.render_as_string(hide_password=False))
