"""Every `LOTSE_*` setting in one typed object, checked once when a process starts.

A mistyped port or a retention of "dreißig" used to surface as a stack trace deep in a server,
or not at all; here each variable has one type, one default and one check, and a bad value stops
the start with a sentence naming the variable (`SettingsError`). Secrets are held as `SecretStr`,
so a settings object printed in a log shows `**********`, never a token.

The process's own settings come from `settings()`, read when a part starts (never at import);
`Settings.from_environ(mapping)` reads another environment, e.g. the one a launcher builds for a
child or a test's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseSettings, SecretStr, ValidationError, conint, root_validator, validator

PREFIX = "LOTSE_"
DEFAULT_CORS_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")  # the widget's page
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")  # scheme://host[:port], nothing else

Port = conint(ge=1, le=65535)
Positive = conint(ge=1)


class SettingsError(ValueError):
    """A setting is unusable; the message says which variable and how to fix it."""


def env_name(field: str) -> str:
    """The environment variable of a settings field: `actions_port` → `LOTSE_ACTIONS_PORT`."""
    return PREFIX + field.upper()


def parse_origins(raw: str | None, setting: str) -> list[str]:
    """Comma-separated exact origins; `*`, a path or anything else is refused, never widened."""
    origins = [origin.strip().rstrip("/") for origin in (raw or "").split(",") if origin.strip()]
    for origin in origins:
        if not ORIGIN.match(origin):
            raise SettingsError(
                f"{setting}: {origin!r} is not an origin like http://intranet.example:8443 (no `*`, no path)"
            )
    return origins


class Settings(BaseSettings):
    """The settings in force; the README's "Settings" table lists each with its default and purpose."""

    # answering
    guides_dir: Path | None = None  # another guides folder (trainers' drafts, tests)
    today: dt.date | None = None  # pins "today" (ISO date) for tests and trainers
    # the action server
    actions_host: str = "127.0.0.1"
    actions_port: Port = 5055  # type: ignore[valid-type]
    action_token: SecretStr | None = None  # Rasa shows it to the action server
    # Rasa's HTTP API: off unless one of these is set
    api_token: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    cors_origins: str | None = None  # Rasa's allowed origins; unset: the widget's page
    max_messages_per_second: Positive = 10  # type: ignore[valid-type]  # per conversation
    max_messages_per_second_per_address: Positive = 30  # type: ignore[valid-type]
    rate_limit_redis_url: str | None = None  # shared counters for a cluster
    redis_password: SecretStr | None = None
    # the web page's server
    web_host: str = "127.0.0.1"
    web_port: Port = 8080  # type: ignore[valid-type]
    web_cors_origins: str | None = None
    rasa_url: str = "http://127.0.0.1:5005"
    feedback_db_url: SecretStr | None = None  # a PostgreSQL URL may hold a password
    tracker_db_url: SecretStr | None = None  # the stored conversations the trainers' workbench reviews
    # the trainers' workbench (bot/trainers/workbench/): off unless an account or the token exists
    trainer_accounts_file: Path | None = None  # default ~/.config/lotse/trainers, never inside the repo
    trainer_token: SecretStr | None = None  # signs a trainer in without an account (or the secrets file)
    # operations
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    secrets_file: Path | None = None  # default ~/.config/lotse/secrets.env, never inside the repo
    retention_days: Positive = 30  # type: ignore[valid-type]
    speedups: bool = True  # bot/serving/speedups.py on the Rasa versions it was written for
    config: Path | None = None  # the pipeline `make bench` trains Lotse with (default config.yml)
    pg_bindir: Path | None = None  # PostgreSQL's programs for the cluster
    pg_password: SecretStr | None = None

    SECRETS: ClassVar[tuple[str, ...]] = ("action_token", "api_token", "jwt_secret")

    class Config:
        env_prefix = PREFIX

        @classmethod
        def customise_sources(cls, init_settings: Any, env_settings: Any, file_secret_settings: Any) -> Any:
            """Init values (`from_environ`) win; otherwise the process's environment, no .env file."""
            return init_settings, env_settings

    @root_validator(pre=True)
    def _empty_is_unset(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        """`LOTSE_X=` (as a shell or compose file leaves it) means the default, not an empty value.

        Not for the origins: an empty list there is a choice (no page may call), not a slip.
        """
        keep = ("cors_origins", "web_cors_origins")
        return {key: value for key, value in values.items() if value != "" or key in keep}

    @validator("log_level", pre=True)
    def _upper(cls, value: Any) -> Any:  # noqa: N805
        return value.upper() if isinstance(value, str) else value

    @validator("cors_origins", "web_cors_origins")
    def _origins(cls, value: str | None, field: Any) -> str | None:  # noqa: N805
        parse_origins(value, env_name(field.name))
        return value

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings of another environment (a child's, a test's); the process's own are not read."""
        values: dict[str, Any] = {
            name: environ[env_name(name)] for name in cls.__fields__ if env_name(name) in environ
        }
        return _checked(lambda: _Isolated(**values))

    def secret(self, name: str) -> str | None:
        """A secret's value, for the one place that must hand it on."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else None

    def origins(self, name: Literal["cors_origins", "web_cors_origins"]) -> list[str]:
        """The allowed origins of Rasa's API or the web server; unset: the widget's own page."""
        raw = getattr(self, name)
        return list(DEFAULT_CORS_ORIGINS) if raw is None else parse_origins(raw, env_name(name))


class _Isolated(Settings):
    """Settings from the given values only: a test's environment must not mix with the process's."""

    class Config(Settings.Config):
        @classmethod
        def customise_sources(cls, init_settings: Any, env_settings: Any, file_secret_settings: Any) -> Any:
            return (init_settings,)


_HINTS = {
    "integer": "a whole number",
    "greater than or equal": "a whole number of at least {limit_value}",
    "less than or equal": "a whole number of at most {limit_value}",
    "date": "an ISO date such as 2025-07-01",
    "bool": "1/0, true/false or yes/no",
    "permitted": "one of {permitted}",
}


def _sentence(error: Mapping[str, Any]) -> str:
    """One line a trainer or operator can act on: the variable and what it must be."""
    field = str(error["loc"][0]) if error.get("loc") else "?"
    if str(error.get("msg", "")).startswith(env_name(field)):  # our own check's sentence
        return str(error["msg"])
    message, context = str(error.get("msg", "")), dict(error.get("ctx") or {})
    if "permitted" in context:
        context["permitted"] = ", ".join(str(value) for value in context["permitted"])
    for key, hint in _HINTS.items():
        if key in message or key in str(error.get("type", "")):
            try:
                return f"{env_name(field)} must be {hint.format(**context)}"
            except KeyError:
                break
    return f"{env_name(field)}: {message}"


def _checked(build: Any) -> Settings:
    try:
        settings: Settings = build()
    except ValidationError as error:
        raise SettingsError("; ".join(_sentence(e) for e in error.errors())) from None
    return settings


def settings() -> Settings:
    """This process's settings as its environment has them now (a bad value: `SettingsError`).

    Not cached: a part reads them once when it starts, and a test's changed environment is seen.
    """
    return _checked(Settings)
