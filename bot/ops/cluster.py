"""Lotse scaled out on one machine: PostgreSQL, Redis, one action server, two Rasa instances, nginx.

One Rasa process answers with one core and is a single point of failure. Behind
nginx, two instances share the load, and when one dies nginx sends its requests
to the other. They can share a conversation because its tracker lives in
PostgreSQL, not in a process, and they never work on two messages of one
conversation at once because the lock store is Redis, which both use (with
atomic ticket changes: bot/serving/lock_store.py). The widget's web server asks through
nginx and keeps its feedback in PostgreSQL too. deploy/ describes the same
topology for containers; this module runs it with Debian's packages as plain
processes, with data, configuration, logs and generated passwords under
var/cluster/ and every port on 127.0.0.1, so that `make run-cluster` and
`make test-cluster` use the real parts.

    python -m bot.ops.cluster [--port-base 7000]   # nginx on base+80, Rasa on base+5 and base+6, …
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from bot.ops.processes import (
    MODEL_FILE,
    RASA_READY_TIMEOUT_S,
    VAR_DIR,
    BotConfig,
    child_env,
    raise_interrupt,
    reachable,
    readiness_probe,
    wait_ready,
)
from bot.ops.retention import purge
from bot.ops.supervisor import (
    PROBE_TIMEOUT_S,
    Service,
    SupervisionError,
    Supervisor,
    reap_group,
    signal_group,
    start_process,
)
from bot.paths import PROJECT_ROOT
from bot.serving.feedback import DB_URL_ENV as FEEDBACK_DB_URL_ENV
from bot.serving.rate_limit import REDIS_URL_ENV as RATE_LIMIT_REDIS_URL_ENV
from bot.serving.security import ACTION_TOKEN_ENV, SettingsError, cors_origins, load_secrets, retention_days

CLUSTER_DIR = VAR_DIR / "cluster"
DEFAULT_PORT_BASE = 7000
# Port of each part: the base plus this offset (the test cluster uses another base).
RASA_OFFSET, ACTIONS_OFFSET, NGINX_OFFSET, WEB_OFFSET, REDIS_OFFSET, POSTGRES_OFFSET = 5, 55, 80, 90, 379, 432
MAX_INSTANCES = 20  # Rasa ports base+5 … base+24 stay below the action server's

PG_USER = "lotse"  # the cluster's own database superuser (a local, throw-away database server)
TRACKER_DB = "lotse_tracker"
FEEDBACK_DB = "lotse_feedback"
PG_PASSWORD_ENV = "LOTSE_PG_PASSWORD"
REDIS_PASSWORD_ENV = "LOTSE_REDIS_PASSWORD"
CLUSTER_SECRET_NAMES = (PG_PASSWORD_ENV, REDIS_PASSWORD_ENV, ACTION_TOKEN_ENV)
# Written into config files and URLs: no quotes, spaces, backslashes or "$" to escape anywhere.
_SECRET_FORM = re.compile(r"[A-Za-z0-9_\-.~+/=]{16,200}")
# A conversation's lock is given up after this long even if its holder died (killed instance).
# Rasa's default is 60 s; a Lotse turn takes well under a second.
DEFAULT_LOCK_LIFETIME_S = 10
LOCK_STORE_REDIS_DB, RATE_LIMIT_REDIS_DB = 1, 2  # Redis databases: the lock store's, the rate limits'
SERVICE_READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


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

    def __post_init__(self) -> None:
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
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

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


def _private_folder(folder: Path) -> None:
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


# --- secrets --------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSecrets:
    postgres_password: str
    redis_password: str
    action_token: str


def load_cluster_secrets(path: Path, environ: Mapping[str, str] | None = None) -> tuple[ClusterSecrets, bool]:
    """The cluster's passwords: from the environment, else the file, else new random ones saved there.

    Returns the secrets and whether any was generated (then the file was (re)written, mode 600).
    """
    environ = os.environ if environ is None else environ
    stored: dict[str, str] = {}
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep or key.strip() not in CLUSTER_SECRET_NAMES:
                raise ClusterError(
                    f"{path}:{number}: expected one of {', '.join(CLUSTER_SECRET_NAMES)}=value"
                )
            stored[key.strip()] = value.strip()
    values: dict[str, str] = {}
    generated = False
    for name in CLUSTER_SECRET_NAMES:
        value = environ.get(name) or stored.get(name) or ""
        if not value:
            value = stored[name] = secrets.token_urlsafe(24)
            generated = True
        if not _SECRET_FORM.fullmatch(value):
            raise ClusterError(
                f"{name} must be 16–200 characters of letters, digits and _-.~+/= (it goes into config files)"
            )
        values[name] = value
    if generated:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("# generated by bot/ops/cluster.py for the local cluster; never commit\n")
            handle.writelines(f"{name}={value}\n" for name, value in stored.items())
        os.chmod(path, 0o600)
    return ClusterSecrets(
        values[PG_PASSWORD_ENV], values[REDIS_PASSWORD_ENV], values[ACTION_TOKEN_ENV]
    ), generated


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


# --- generated configuration ----------------------------------------------------


def endpoints_yaml(config: ClusterConfig) -> str:
    """Rasa's endpoints: shared tracker store (PostgreSQL) and lock store (Redis).

    Passwords and the action token stay out of the file: Rasa fills the unquoted
    ${...} from its environment (a quoted "${...}" would be taken literally).
    """
    return (
        "# generated by bot/ops/cluster.py\n"
        "action_endpoint:\n"
        f"  url: http://{config.host}:{config.actions_port}/webhook\n"
        f"  token: ${{{ACTION_TOKEN_ENV}}}\n"
        "tracker_store:\n"
        "  type: bot.serving.tracker_store.RedactingSQLTrackerStore\n"  # SQL, storing messages allow-listed
        "  dialect: postgresql\n"
        f"  url: {config.host}\n"
        f"  port: {config.postgres_port}\n"
        f"  db: {TRACKER_DB}\n"
        f"  username: {PG_USER}\n"
        f"  password: ${{{PG_PASSWORD_ENV}}}\n"
        "lock_store:\n"
        "  type: bot.serving.lock_store.AtomicRedisLockStore\n"  # `redis`, with atomic ticket changes
        f"  url: {config.host}\n"
        f"  port: {config.redis_port}\n"
        f"  password: ${{{REDIS_PASSWORD_ENV}}}\n"
        f"  db: {LOCK_STORE_REDIS_DB}\n"
        "  key_prefix: lotse\n"
    )


def redis_conf(config: ClusterConfig, password: str) -> str:
    """Redis for the lock store and the shared rate limits: loopback, a password, nothing written to disk."""
    return (
        "# generated by bot/ops/cluster.py\n"
        f"bind {config.host}\n"
        f"port {config.redis_port}\n"
        "protected-mode yes\n"
        f"requirepass {password}\n"
        "daemonize no\n"
        'logfile ""\n'
        f"dir {config.state_dir / 'redis'}\n"
        'save ""\n'
        "appendonly no\n"
        "maxmemory 64mb\n"
        "maxmemory-policy noeviction\n"
    )


def nginx_conf(config: ClusterConfig, as_root: bool) -> str:
    """nginx in front of the Rasa instances: the REST webhook for the widget's server and integrations.

    A request that finds an instance dead (refused, reset, timed out) goes to the
    next one, even a POST: a turn is only saved when it completes, so a resent
    message is not answered twice. When every instance is down the caller gets a
    JSON 503 with Retry-After, never nginx's HTML page or a hang.
    """
    servers = "".join(
        f"        server {config.host}:{port} max_fails=1 fail_timeout=5s;\n" for port in config.rasa_ports
    )
    return (
        "# generated by bot/ops/cluster.py\n"
        + ("user nobody nogroup;\n" if as_root else "")
        + "worker_processes 1;\n"
        "daemon off;\n"
        "pid nginx.pid;\n"
        "error_log logs/error.log warn;\n"
        "events {\n"
        "    worker_connections 1024;\n"
        "}\n"
        "http {\n"
        '    log_format lotse \'$time_iso8601 $status $request_time "$request" '
        "upstream=$upstream_addr upstream_status=$upstream_status';\n"
        "    access_log logs/access.log lotse;\n"
        "    server_tokens off;\n"
        # bounded framing (as bot/serving/http_guard.py in the servers behind): the whole header within 5 s
        # of the connection (else closed), 10 s at most between two reads of a body, nothing bigger
        # than the REST channel takes (64 KiB: 413), a header line over 8k is a 400
        "    client_header_timeout 1500ms;\n"
        "    client_body_timeout 1500ms;\n"
        "    client_max_body_size 64k;\n"
        "    client_body_buffer_size 128k;\n"
        "    large_client_header_buffers 4 8k;\n"
        "    send_timeout 10s;\n"
        "    keepalive_timeout 15s;\n"
        "    reset_timedout_connection on;\n"
        "    client_body_temp_path tmp/body;\n"
        "    proxy_temp_path tmp/proxy;\n"
        "    fastcgi_temp_path tmp/fastcgi;\n"
        "    uwsgi_temp_path tmp/uwsgi;\n"
        "    scgi_temp_path tmp/scgi;\n"
        "    upstream lotse_rasa {\n"
        f"{servers}"
        "        keepalive 32;\n"
        "    }\n"
        "    server {\n"
        f"        listen {config.host}:{config.nginx_port};\n"
        "        location /webhooks/rest/ {\n"
        "            proxy_pass http://lotse_rasa;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "            proxy_set_header Host $host;\n"
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "            proxy_connect_timeout 1s;\n"
        "            proxy_send_timeout 10s;\n"
        "            proxy_read_timeout 15s;\n"
        "            proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n"
        f"            proxy_next_upstream_tries {config.instances};\n"
        "            proxy_next_upstream_timeout 10s;\n"
        "            proxy_intercept_errors on;\n"
        "            error_page 502 503 504 = @unavailable;\n"
        "        }\n"
        "        location @unavailable {\n"
        "            default_type application/json;\n"
        "            add_header Retry-After 2 always;\n"
        '            return 503 \'{"error": "Lotse is not reachable right now; '
        "please ask again in a moment\"}';\n"
        "        }\n"
        "        location = /nginx/health {\n"
        "            access_log off;\n"
        "            default_type text/plain;\n"
        "            return 200 'ok';\n"
        "        }\n"
        "        location / {\n"
        "            default_type application/json;\n"
        '            return 404 \'{"error": "not found; POST /webhooks/rest/webhook"}\';\n'
        "        }\n"
        "    }\n"
        "}\n"
    )


# --- the Debian programs ------------------------------------------------------


@dataclass(frozen=True)
class Programs:
    """The servers' executables (Debian's packages; `make cluster-deps` installs them)."""

    initdb: Path
    postgres: Path
    redis_server: Path
    nginx: Path


def _postgres_bindir() -> Path | None:
    configured = os.environ.get("LOTSE_PG_BINDIR")
    if configured:
        return Path(configured)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("postgres")
    return Path(found).parent if found else None


def find_programs() -> Programs:
    """Locate initdb, postgres, redis-server and nginx, or say how to install them."""
    bindir = _postgres_bindir()
    candidates = {
        "initdb": bindir / "initdb" if bindir else None,
        "postgres": bindir / "postgres" if bindir else None,
        "redis-server": Path(shutil.which("redis-server") or "/usr/bin/redis-server"),
        "nginx": Path(shutil.which("nginx") or "/usr/sbin/nginx"),
    }
    missing = [name for name, path in candidates.items() if path is None or not os.access(path, os.X_OK)]
    if missing:
        raise ClusterError(
            f"not installed: {', '.join(missing)}. `make cluster-deps` installs Debian's "
            "postgresql, redis-server and nginx (as root), or set LOTSE_PG_BINDIR for another PostgreSQL"
        )
    found = {name: path for name, path in candidates.items() if path is not None}
    return Programs(found["initdb"], found["postgres"], found["redis-server"], found["nginx"])


def _postgres_account() -> pwd.struct_passwd | None:
    """The account PostgreSQL runs as: ourselves, or `postgres` when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root, PostgreSQL needs the 'postgres' system account (Debian's postgresql "
            "package creates it; `make cluster-deps`)"
        ) from None


def _can_reach(account: pwd.struct_passwd, path: Path) -> bool:
    """Whether `account` may enter `path` (every folder above it must let it through)."""
    probe = subprocess.run(["test", "-x", str(path)], user=account.pw_uid, group=account.pw_gid, check=False)
    return probe.returncode == 0


def remove_state(config: ClusterConfig) -> None:
    """Delete everything the cluster wrote (databases, logs, passwords): a fresh start."""
    shutil.rmtree(config.state_dir, ignore_errors=True)
    shutil.rmtree(config.fallback_pg_dir.parent, ignore_errors=True)


# --- the running cluster --------------------------------------------------------


class Cluster:
    """Every process of the cluster, started in order and stopped in reverse, as a context manager."""

    def __init__(self, config: ClusterConfig, say: Callable[[str], None] = print) -> None:
        self.config = config
        self.say = say
        self.services: list[Service] = []  # in order of start; bot/ops/supervisor.py restarts them in place
        self._logs: list[IO[bytes]] = []
        self._secrets: ClusterSecrets | None = None
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

    def process(self, name: str) -> subprocess.Popen[bytes]:
        for service in self.services:
            if service.name == name:
                return service.process
        raise KeyError(name)

    @staticmethod
    def rasa_name(index: int) -> str:
        return f"rasa-{index + 1}"

    # -- start

    def start(self) -> Cluster:
        """Start every part and return once each answers (Rasa: a real reply through nginx).

        Whatever goes wrong on the way (an error, Ctrl-C during a model load),
        every process started so far is stopped before the exception leaves.
        """
        signal.signal(signal.SIGTERM, raise_interrupt)
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Cluster:
        config = self.config
        if not MODEL_FILE.exists():
            raise ClusterError(f"no trained model at {MODEL_FILE}; run `make model` first")
        programs = find_programs()
        ports = [config.postgres_port, config.redis_port, config.actions_port, config.nginx_port]
        for port in [*ports, *config.rasa_ports, config.web_port]:
            if _port_in_use(config.host, port):
                raise ClusterError(f"port {port} on {config.host} is in use; stop what listens there first")
        for folder in (config.state_dir, config.log_dir, config.state_dir / "redis"):
            folder.mkdir(parents=True, exist_ok=True)
        self._secrets, generated = load_cluster_secrets(config.secrets_file)
        if generated:
            self.say(f"first start: wrote random passwords to {config.secrets_file} (mode 600)")
        self._start_postgres(programs)
        self._create_databases()
        purged = purge(
            self.tracker_db_url, config.log_dir, retention_days(), feedback_url=self.feedback_db_url
        )
        if purged.conversations:
            self.say(f"retention: deleted {purged.conversations} conversations older than the limit")
        self._start_redis(programs)
        self._start_actions()
        for index in range(config.instances):  # loaded side by side; each start is waited for below
            self._spawn_rasa(index)
        for index in range(config.instances):
            self._wait_rasa(index)
        self._start_nginx(programs)
        self._start_web()
        return self

    def _open_log(self, name: str) -> IO[bytes]:
        log = (self.config.log_dir / f"{name}.log").open("ab")
        self._logs.append(log)
        return log

    def _spawn(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        account: pwd.struct_passwd | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> subprocess.Popen[bytes]:
        log = self._open_log(name)

        def spawn() -> subprocess.Popen[bytes]:  # again on each restart, the same log
            return start_process(
                args,
                cwd=PROJECT_ROOT if account is None else "/",  # another account may not enter the checkout
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=account.pw_uid if account else None,
                group=account.pw_gid if account else None,
            )

        alive, where, ready, ready_timeout = self._checks(name)
        log_path = self.config.log_dir / f"{name}.log"
        service = Service(name, spawn, alive, where, ready, ready_timeout, stop_signal, log_path)
        self.services.append(service)
        return service.process

    def _checks(self, name: str) -> tuple[Callable[[], bool], str, Callable[[], bool] | None, float]:
        """How the supervisor sees a part answer (cheap, every second), and its start-up check.

        Not the start-up checks through nginx: nginx and the web server stay up while no
        Rasa instance answers.
        """
        config = self.config
        if name.startswith("rasa-"):
            url = config.rasa_url(int(name.split("-")[1]) - 1)
            greets = readiness_probe(url, f"lotse-readiness-probe-{name.split('-')[1]}")
            alive = functools.partial(reachable, f"{url}/", PROBE_TIMEOUT_S)
            return alive, f"{url}/", greets, RASA_READY_TIMEOUT_S
        where = {
            "postgres": f"SELECT 1 on {config.host}:{config.postgres_port}",
            "redis": f"PING to {config.host}:{config.redis_port}",
            "actions": f"http://{config.host}:{config.actions_port}/health",
            "nginx": f"{config.nginx_url}/nginx/health",
            "web": f"{config.web_url}/health",
        }[name]
        if name == "postgres":
            return functools.partial(self._database_answers, "postgres"), where, None, SERVICE_READY_TIMEOUT_S
        if name == "redis":
            return self._redis_answers, where, None, SERVICE_READY_TIMEOUT_S
        return functools.partial(reachable, where, PROBE_TIMEOUT_S), where, None, SERVICE_READY_TIMEOUT_S

    def _wait_for(self, name: str, ready: Callable[[], bool], timeout: float, where: str) -> None:
        problem = wait_ready(self.process(name), ready, timeout, name, self.config.log_dir / f"{name}.log")
        if problem is not None:
            raise ClusterError(f"{problem} (at {where})")

    def _start_postgres(self, programs: Programs) -> None:
        config = self.config
        account = _postgres_account()
        if account is not None and not _can_reach(account, config.state_dir):
            self.pg_dir = config.fallback_pg_dir
            self.say(
                f"the 'postgres' account cannot enter {config.state_dir} (a folder above it is private): "
                f"PostgreSQL's data goes to {self.pg_dir} instead"
            )
        if self.pg_dir == config.fallback_pg_dir:
            _private_folder(self.pg_dir.parent)  # /var/tmp is shared: refuse a folder someone prepared
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        if account is not None:
            os.chown(self.pg_dir, account.pw_uid, account.pw_gid)
        os.chmod(self.pg_dir, 0o700)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        if not (self.pg_dir / "PG_VERSION").exists():
            self._initdb(programs, account, env)
        self._spawn(
            "postgres",
            [
                str(programs.postgres),
                "-D",
                str(self.pg_dir),
                "-c",
                f"listen_addresses={config.host}",
                "-c",
                f"port={config.postgres_port}",
                "-c",
                "unix_socket_directories=",  # TCP on loopback only; no socket in a system folder
                "-c",
                "max_connections=100",
            ],
            env,
            account,
            stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for Rasa's pooled connections
        )
        self._wait_for(
            "postgres",
            lambda: self._database_answers("postgres"),
            SERVICE_READY_TIMEOUT_S,
            f"{config.host}:{config.postgres_port}",
        )

    def _initdb(self, programs: Programs, account: pwd.struct_passwd | None, env: dict[str, str]) -> None:
        password_file = self.pg_dir.parent / f".{self.pg_dir.name}-init-password"
        password_file.unlink(missing_ok=True)  # never write through a link left in its place
        descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(self.secrets.postgres_password + "\n")
        if account is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        try:
            with self._open_log("initdb") as log:
                result = subprocess.run(
                    [
                        str(programs.initdb),
                        "-D",
                        str(self.pg_dir),
                        "--username",
                        PG_USER,
                        "--pwfile",
                        str(password_file),
                        "--auth",
                        "scram-sha-256",
                        "--encoding",
                        "UTF8",
                        "--locale",
                        "C",
                    ],
                    env=env,
                    cwd=PROJECT_ROOT if account is None else "/",
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    user=account.pw_uid if account else None,
                    group=account.pw_gid if account else None,
                    check=False,
                )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ClusterError(
                f"initdb failed (code {result.returncode}); see {self.config.log_dir}/initdb.log"
            )

    def _database_answers(self, database: str) -> bool:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import OperationalError

        engine = create_engine(
            database_url(self.config, self.secrets.postgres_password, database),
            connect_args={"connect_timeout": 2},
        )
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except OperationalError as error:
            if "password authentication failed" in str(error):
                raise ClusterError(
                    f"PostgreSQL in {self.pg_dir} refused the password of {self.config.secrets_file} "
                    f"(or {PG_PASSWORD_ENV}); it was created with another one. Remove {self.pg_dir} "
                    "for a fresh database"
                ) from None
            return False
        finally:
            engine.dispose()

    def _create_databases(self) -> None:
        """The tracker store's and the feedback store's databases, created on first start."""
        from sqlalchemy import create_engine, text

        engine = create_engine(
            database_url(self.config, self.secrets.postgres_password, "postgres"),
            isolation_level="AUTOCOMMIT",  # CREATE DATABASE cannot run in a transaction
        )
        try:
            with engine.connect() as connection:
                for database in (TRACKER_DB, FEEDBACK_DB):
                    exists = connection.execute(
                        text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
                    ).first()
                    if not exists:  # the names are constants of this module, not input
                        connection.execute(text(f'CREATE DATABASE "{database}"'))
        finally:
            engine.dispose()

    def _start_redis(self, programs: Programs) -> None:
        config = self.config
        conf = config.state_dir / "redis" / "redis.conf"
        descriptor = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the password
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(redis_conf(config, self.secrets.redis_password))
        self._spawn("redis", [str(programs.redis_server), str(conf)], {"PATH": os.environ.get("PATH", "")})
        self._wait_for(
            "redis", self._redis_answers, SERVICE_READY_TIMEOUT_S, f"{config.host}:{config.redis_port}"
        )

    def _redis_answers(self) -> bool:
        import redis

        client = redis.Redis(
            host=self.config.host,
            port=self.config.redis_port,
            password=self.secrets.redis_password,
            socket_timeout=1,
            socket_connect_timeout=1,
        )
        try:
            return bool(client.ping())
        except redis.exceptions.AuthenticationError:
            raise ClusterError(
                f"Redis on port {self.config.redis_port} refused the cluster's password"
            ) from None
        except redis.exceptions.RedisError:
            return False
        finally:
            client.close()

    def _bot_config(self, rasa_port: int) -> BotConfig:
        """The single-bot settings each process shares with `make run` (tokens, CORS, today)."""
        found = load_secrets()
        try:
            origins = cors_origins()
        except SettingsError as error:
            raise ClusterError(str(error)) from None
        extra = [self.config.nginx_url, self.config.web_url]
        return BotConfig(
            rasa_port=rasa_port,
            actions_port=self.config.actions_port,
            host=self.config.host,
            log_dir=self.config.log_dir,
            today=self.config.today,
            api_token=found.api_token,
            jwt_secret=found.jwt_secret,
            action_token=self.secrets.action_token,
            cors_origins=[*origins, *(origin for origin in extra if origin not in origins)],
            messages_per_address=self.config.messages_per_address,
        )

    def _cluster_env(self, rasa_port: int, api_secrets: bool = False) -> dict[str, str]:
        """As `make run`'s environment, without the cluster's passwords: each part adds what it uses."""
        env = child_env(self._bot_config(rasa_port), api_secrets)
        for name in (PG_PASSWORD_ENV, REDIS_PASSWORD_ENV, FEEDBACK_DB_URL_ENV):
            env.pop(name, None)
        return env

    def _start_actions(self) -> None:
        config = self.config
        self._spawn(
            "actions",
            [sys.executable, "-m", "bot.serving.action_server"],
            self._cluster_env(config.rasa_ports[0]),
        )
        url = f"http://{config.host}:{config.actions_port}/health"
        self._wait_for("actions", lambda: reachable(url), SERVICE_READY_TIMEOUT_S, url)

    def _spawn_rasa(self, index: int) -> None:
        config = self.config
        port = config.rasa_ports[index]
        endpoints = config.state_dir / "endpoints.yml"
        endpoints.write_text(endpoints_yaml(config), encoding="utf-8")
        env = self._cluster_env(port, api_secrets=True)
        env.update(
            {
                PG_PASSWORD_ENV: self.secrets.postgres_password,
                REDIS_PASSWORD_ENV: self.secrets.redis_password,
                "TICKET_LOCK_LIFETIME": str(config.lock_lifetime_s),
                # the rate limits counted once for all instances (the password is LOTSE_REDIS_PASSWORD)
                RATE_LIMIT_REDIS_URL_ENV: f"redis://{config.host}:{config.redis_port}/{RATE_LIMIT_REDIS_DB}",
            }
        )
        args = [
            sys.executable,
            "-m",
            "bot.serving.rasa_server",  # `rasa run`, the API secrets from the environment (as `make run`)
            "run",
            "--model",
            str(MODEL_FILE),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--interface",
            config.host,
            "--port",
            str(port),
        ]
        origins = self._bot_config(port).cors_origins
        if origins:  # one --cors with every origin: Rasa keeps only the last --cors
            args += ["--cors", *origins]
        self._spawn(self.rasa_name(index), args, env)

    def _wait_rasa(self, index: int) -> None:
        """Wait for the real greeting: model loaded, PostgreSQL, Redis and the action server in use."""
        url = self.config.rasa_url(index)
        greets = readiness_probe(url, f"lotse-readiness-probe-{index + 1}")
        self._wait_for(self.rasa_name(index), greets, RASA_READY_TIMEOUT_S, url)

    def _start_web(self) -> None:
        """The widget's server (serving/web.py): its page's questions go to nginx, its feedback to PostgreSQL.

        It stays in front of nginx, not behind it: the widget posts to its own page's
        origin, and only the web server notes the questions the guides left unanswered.
        """
        config = self.config
        args = ["--host", config.host, "--port", str(config.web_port), "--rasa-url", config.nginx_url]
        env = self._cluster_env(config.rasa_ports[0])
        env[FEEDBACK_DB_URL_ENV] = self.feedback_db_url  # in the environment: it holds the password
        self._spawn("web", [sys.executable, "-m", "bot.serving.web", *args], env)
        url = f"{config.web_url}/health"
        self._wait_for("web", lambda: reachable(url), SERVICE_READY_TIMEOUT_S, url)

    def _start_nginx(self, programs: Programs) -> None:
        config = self.config
        prefix = config.nginx_prefix
        for folder in ("logs", "tmp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        config.nginx_conf.write_text(nginx_conf(config, os.geteuid() == 0), encoding="utf-8")
        args = [str(programs.nginx), "-p", f"{prefix}/", "-c", str(config.nginx_conf), "-e", "logs/error.log"]
        with self._open_log("nginx-check") as log:
            checked = subprocess.run([*args, "-t", "-q"], stdout=log, stderr=subprocess.STDOUT, check=False)
        if checked.returncode != 0:
            raise ClusterError(f"nginx rejected {config.nginx_conf}; see {config.log_dir}/nginx-check.log")
        self._spawn("nginx", args, {"PATH": os.environ.get("PATH", "")})
        url = f"{config.nginx_url}/webhooks/rest/"  # through nginx to an instance's REST channel
        self._wait_for("nginx", lambda: reachable(url), SERVICE_READY_TIMEOUT_S, url)

    # -- while running

    def kill_rasa(self, index: int, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kill one Rasa instance abruptly (the failover test); it stays down until restart_rasa."""
        process = self.process(self.rasa_name(index))
        signal_group(process, sig)
        reap_group(process, STOP_TIMEOUT_S)

    def restart_rasa(self, index: int, wait: bool = True) -> None:
        """Start a Rasa instance again whose process has exited; nginx uses it once it listens."""
        name = self.rasa_name(index)
        service = next((service for service in self.services if service.name == name), None)
        if service is None:
            self._spawn_rasa(index)
        elif service.process.poll() is None:
            raise ClusterError(f"{name} is still running")
        else:
            service.restart()
        if wait:
            self._wait_rasa(index)

    def supervise(
        self, stop: threading.Event | None = None, say: Callable[[str], None] | None = None
    ) -> None:
        """Restart a hung or crashed part until `stop` is set (bot/ops/supervisor.py, as `make run`).

        While a Rasa instance is down nginx sends its share to the others. Call it from the
        thread that called start(): restarts fork there (see bot/ops/supervisor.py).
        """
        Supervisor(self.services, say=say or self.say).run(stop)

    def wait(self) -> int:
        """Run until Ctrl-C / SIGTERM (0) or a part keeps failing (1); then stop everything."""
        try:
            self.supervise()
            return 0
        except SupervisionError as error:
            self.say(f"stopping the cluster: {error}")
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()

    # -- stop

    def stop(self) -> None:
        """Stop every process in reverse order of start (their children too), then close the logs."""
        for service in reversed(self.services):
            if service.process.poll() is None:
                signal_group(service.process, service.stop_signal)
            reap_group(service.process, STOP_TIMEOUT_S)
        self.services.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ops.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help=f"ports: nginx base+{NGINX_OFFSET}, Rasa base+{RASA_OFFSET}…, actions base+{ACTIONS_OFFSET}, "
        f"Redis base+{REDIS_OFFSET}, PostgreSQL base+{POSTGRES_OFFSET} (default {DEFAULT_PORT_BASE})",
    )
    parser.add_argument("--instances", type=int, default=2, help="Rasa instances behind nginx (default 2)")
    args = parser.parse_args(argv)
    try:
        config = ClusterConfig(port_base=args.port_base, instances=args.instances)
    except ClusterError as error:
        print(f"the cluster did not start: {error}", file=sys.stderr)
        return 2
    print(
        f"Starting the Lotse cluster ({config.instances} Rasa instances; model loads take a while) …",
        flush=True,
    )
    cluster = Cluster(config, say=lambda line: print(line, flush=True))
    try:
        cluster.start()
    except (ClusterError, SettingsError, RuntimeError) as error:
        print(f"the cluster did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it started
        return 130
    rasa = ", ".join(config.rasa_url(index) for index in range(config.instances))
    print(
        "The Lotse cluster is ready.\n"
        f'  REST:       POST {config.nginx_url}/webhooks/rest/webhook  {{"sender": "me", "message": "…"}}\n'
        f"  widget:     {config.web_url}/ (its questions go through nginx)\n"
        f"  nginx:      {config.nginx_url} → Rasa {rasa}\n"
        f"  actions:    http://{config.host}:{config.actions_port}/webhook\n"
        f"  PostgreSQL: {config.host}:{config.postgres_port} (tracker store {TRACKER_DB}, "
        f"feedback {FEEDBACK_DB}; data in {cluster.pg_dir})\n"
        f"  Redis:      {config.host}:{config.redis_port} (lock store)\n"
        f"  passwords:  {config.secrets_file}\n"
        f"  logs:       {config.log_dir}, {config.nginx_prefix / 'logs'}\n"
        "  watched:    a part that stops answering (5 s) or exits is restarted; each restart is noted here\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    return cluster.wait()


if __name__ == "__main__":
    sys.exit(main())
