"""Secrets and the settings that lock Lotse down, read from the environment or a file outside the repo.

Anyone on the intranet can reach the bot's port, so nothing is open by default:
Rasa's HTTP API is only switched on when an API token or a JWT secret is set, and
the action server only runs actions for a caller that shows the shared action token.
`make run` writes a random action token on first start (a secret never lives in
the repository); the environment always wins over the file.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.paths import PROJECT_ROOT
from bot.settings import (
    DEFAULT_CORS_ORIGINS,
    ORIGIN,
    Settings,
    SettingsError,
    env_name,
    parse_origins,
    settings,
)

__all__ = ["DEFAULT_CORS_ORIGINS", "SettingsError", "parse_origins"]  # where the launchers import them

SECRETS_FILE_ENV = "LOTSE_SECRETS_FILE"
API_TOKEN_ENV = "LOTSE_API_TOKEN"
JWT_SECRET_ENV = "LOTSE_JWT_SECRET"
ACTION_TOKEN_ENV = "LOTSE_ACTION_TOKEN"
TRAINER_TOKEN_ENV = "LOTSE_TRAINER_TOKEN"
CORS_ENV = "LOTSE_CORS_ORIGINS"
RETENTION_ENV = "LOTSE_RETENTION_DAYS"
SECRET_NAMES = (API_TOKEN_ENV, JWT_SECRET_ENV, ACTION_TOKEN_ENV, TRAINER_TOKEN_ENV)

DEFAULT_RETENTION_DAYS = Settings.__fields__["retention_days"].default
# the body type every POST must declare: a page on another origin cannot send it without a CORS
# preflight, which only the listed origins pass (text/plain and forms need none)
JSON_TYPE = "application/json"
_UTF8 = ("utf-8", "utf8")


@dataclass(frozen=True)
class Secrets:
    api_token: str | None = None
    jwt_secret: str | None = None
    action_token: str | None = None
    trainer_token: str | None = None  # the trainers' workbench only (bot/trainers/workbench/)


def _settings(environ: Mapping[str, str] | None) -> Settings:
    """The process's settings, or those of the environment given (a child's, a test's)."""
    return settings() if environ is None else Settings.from_environ(environ)


def secrets_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the local secrets live: LOTSE_SECRETS_FILE or ~/.config/lotse/secrets.env (never the repo)."""
    return outside_repository(_settings(environ).secrets_file, "secrets.env", SECRETS_FILE_ENV)


def outside_repository(configured: Path | None, default_name: str, variable: str) -> Path:
    """A private file's path: as configured, else ~/.config/lotse/<default_name>; refused inside the repo."""
    path = configured.expanduser() if configured else Path.home() / ".config" / "lotse" / default_name
    path = path.resolve()
    if path == PROJECT_ROOT or PROJECT_ROOT in path.parents:
        raise SettingsError(f"{variable}={path} is inside the repository; keep secrets outside it")
    return path


def read_secrets_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (# comments, blank lines allowed); only the secret names Lotse knows."""
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip().strip("'\"")
        if not sep or key not in SECRET_NAMES:
            raise SettingsError(f"{path}:{number}: expected one of {', '.join(SECRET_NAMES)}=value")
        values[key] = value
    return values


def load_secrets(environ: Mapping[str, str] | None = None) -> Secrets:
    """The secrets in force: each from the environment if set there, else from the secrets file."""
    given = _settings(environ)
    stored = read_secrets_file(secrets_file(environ))

    def pick(name: str) -> str | None:
        return given.secret(name) or stored.get(env_name(name)) or None

    return Secrets(pick("api_token"), pick("jwt_secret"), pick("action_token"), pick("trainer_token"))


def ensure_action_token(environ: Mapping[str, str] | None = None) -> Path | None:
    """Write a random action token to the secrets file when none is configured; the file if written."""
    if load_secrets(environ).action_token:
        return None
    path = secrets_file(environ)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"{ACTION_TOKEN_ENV}={secrets.token_urlsafe(32)}\n"
    if existing and not existing.endswith("\n"):
        existing += "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(existing + line)
    os.chmod(path, 0o600)
    return path


def cors_origins(environ: Mapping[str, str] | None = None) -> list[str]:
    """Rasa's CORS origins: LOTSE_CORS_ORIGINS (comma-separated) or the widget's page."""
    return _settings(environ).origins("cors_origins")


def retention_days(environ: Mapping[str, str] | None = None) -> int:
    """LOTSE_RETENTION_DAYS: whole days a conversation is kept (default 30, at least 1)."""
    days: int = _settings(environ).retention_days
    return days


def refuse_post(
    content_type: str | None,
    origin: str | None,
    allowed_origins: Collection[str],
    own_host: str | None = None,
) -> tuple[int, str] | None:
    """Why a POST is refused – (415 or 403, the reason) – or None when it may go on.

    Another page on the intranet may send a "simple" cross-origin POST (text/plain, a
    form) without any CORS preflight: the browser sends it and only hides the answer,
    so CORS headers alone did not stop it from storing rows. Requiring
    `application/json` (charset utf-8 at most) forces the preflight; a browser's
    `Origin` that is not listed is refused as well, whatever got through. A request
    without Origin (curl, the web server asking Rasa, Rasa calling the action server)
    is not a browser's cross-site request and passes. `own_host` (the Host header)
    lets the page's own origin in: its host and port are the server's, scheme aside.
    """
    media_type, *parameters = (content_type or "").split(";")
    charset_ok = all(
        name.strip().lower() == "charset" and value.strip().strip('"').lower() in _UTF8
        for name, _, value in (parameter.partition("=") for parameter in parameters if parameter.strip())
    )
    if media_type.strip().lower() != JSON_TYPE or not charset_ok:
        return 415, f"the body must be JSON, sent with Content-Type: {JSON_TYPE}"
    if origin is not None and origin not in allowed_origins:
        own = own_host is not None and urlsplit(origin).netloc.lower() == own_host.lower()
        if not own or not ORIGIN.match(origin):
            return 403, f"requests from {origin[:100]!r} are not allowed"
    return None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address (IPv4 in IPv6 read as IPv4), or None for anything else."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: str, forwarded_for: Iterable[str] = (), real_ip: str | None = None) -> str:
    """The address a request is counted against: its peer's, or the client a trusted proxy names.

    Only a peer on loopback is trusted to name the client, because every Lotse server
    listens on 127.0.0.1: a peer there is the web server, nginx or a reverse proxy on
    this machine, which write the address they received from. Anyone else could put any
    address in these headers and so dodge the per-address limit, so from a peer off
    loopback the headers are ignored. In `X-Forwarded-For` each proxy appends the
    address it received from; walking from the right, loopback hops (our own proxies)
    are skipped and the first other address is the client. Everything left of it was
    written by the client and is ignored; an entry that is not an address stops the walk
    (whoever sent it is the loopback hop right of it). `X-Real-IP` counts only when
    there is no `X-Forwarded-For`. A local process can name any address – local users
    are trusted with the bot's processes anyway.
    """
    peer_ip = _ip(peer)
    if peer_ip is None or not peer_ip.is_loopback:
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    if not hops:
        named = _ip(real_ip or "")
        return str(named or peer_ip)
    client = peer_ip
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            break
        client = address
        if not address.is_loopback:
            break
    return str(client)
