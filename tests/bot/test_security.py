"""Secrets and lock-down settings: environment over file, never in the repo, `*` refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.security import (
    ACTION_TOKEN_ENV,
    API_TOKEN_ENV,
    DEFAULT_CORS_ORIGINS,
    SECRETS_FILE_ENV,
    Secrets,
    SettingsError,
    cors_origins,
    ensure_action_token,
    load_secrets,
    retention_days,
)


def test_environment_wins_over_the_secrets_file(tmp_path: Path) -> None:
    file = tmp_path / "secrets.env"
    file.write_text(f"# local\n{API_TOKEN_ENV}=from-file\n{ACTION_TOKEN_ENV}='quoted'\n", encoding="utf-8")
    environ = {SECRETS_FILE_ENV: str(file), API_TOKEN_ENV: "from-env"}
    assert load_secrets(environ) == Secrets(api_token="from-env", jwt_secret=None, action_token="quoted")


def test_nothing_configured_means_no_secrets(tmp_path: Path) -> None:
    assert load_secrets({SECRETS_FILE_ENV: str(tmp_path / "absent.env")}) == Secrets()


@pytest.mark.parametrize("line", ["JUNK", "LOTSE_OTHER=1", "=x"])
def test_unknown_lines_in_the_secrets_file_are_named(tmp_path: Path, line: str) -> None:
    file = tmp_path / "secrets.env"
    file.write_text(f"{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=rf"{file.name}:1"):
        load_secrets({SECRETS_FILE_ENV: str(file)})


def test_a_secrets_file_inside_the_repository_is_refused() -> None:
    with pytest.raises(SettingsError, match="inside the repository"):
        load_secrets({SECRETS_FILE_ENV: str(PROJECT_ROOT / "var" / "secrets.env")})


def test_first_start_writes_a_private_random_token_once(tmp_path: Path) -> None:
    file = tmp_path / "lotse" / "secrets.env"
    environ = {SECRETS_FILE_ENV: str(file)}
    assert ensure_action_token(environ) == file
    token = load_secrets(environ).action_token
    assert token and len(token) >= 32
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert ensure_action_token(environ) is None  # second start: kept, not replaced
    assert load_secrets(environ).action_token == token
    other = tmp_path / "other.env"
    ensure_action_token({SECRETS_FILE_ENV: str(other)})
    assert load_secrets({SECRETS_FILE_ENV: str(other)}).action_token != token


def test_configured_action_token_is_not_overwritten(tmp_path: Path) -> None:
    file = tmp_path / "secrets.env"
    assert ensure_action_token({SECRETS_FILE_ENV: str(file), ACTION_TOKEN_ENV: "set"}) is None
    assert not file.exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, list(DEFAULT_CORS_ORIGINS)),
        ("https://intranet.example", ["https://intranet.example"]),
        (" https://a.example , http://b.example:8080 ", ["https://a.example", "http://b.example:8080"]),
        ("", []),
    ],
)
def test_cors_origins(raw: str | None, expected: list[str]) -> None:
    assert cors_origins({} if raw is None else {"LOTSE_CORS_ORIGINS": raw}) == expected


@pytest.mark.parametrize("raw", ["*", "https://*.example", "intranet.example"])
def test_cors_wildcards_and_non_origins_are_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="LOTSE_CORS_ORIGINS"):
        cors_origins({"LOTSE_CORS_ORIGINS": raw})


@pytest.mark.parametrize(("raw", "days"), [(None, 30), ("7", 7), ("365", 365)])
def test_retention_days(raw: str | None, days: int) -> None:
    assert retention_days({} if raw is None else {"LOTSE_RETENTION_DAYS": raw}) == days


@pytest.mark.parametrize("raw", ["0", "-1", "thirty", "1.5"])
def test_bad_retention_is_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="LOTSE_RETENTION_DAYS"):
        retention_days({"LOTSE_RETENTION_DAYS": raw})
