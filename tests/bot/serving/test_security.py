"""Secrets and lock-down settings: environment over file, never in the repo, `*` refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.serving.security import (
    ACTION_TOKEN_ENV,
    API_TOKEN_ENV,
    DEFAULT_CORS_ORIGINS,
    SECRETS_FILE_ENV,
    Secrets,
    SettingsError,
    client_address,
    cors_origins,
    ensure_action_token,
    load_secrets,
    refuse_post,
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


# --- what a POST must look like (Rasa's webhook, the web server, the action server) ---------------

LISTED = ("http://localhost:8080", "https://intranet.example")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
def test_json_passes(content_type: str) -> None:
    assert refuse_post(content_type, None, LISTED) is None


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",  # what another page can send without a CORS preflight
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json-patch+json",
        "application/jsonp",
        "application/json; charset=latin-1",
        "application/json; boundary=x",
    ],
)
def test_anything_but_json_gets_415(content_type: str | None) -> None:
    refused = refuse_post(content_type, None, LISTED)
    assert refused is not None and refused[0] == 415 and "application/json" in refused[1]


@pytest.mark.parametrize(
    ("origin", "own_host", "status"),
    [
        (None, None, None),  # curl, the web server asking Rasa, Rasa calling actions
        ("http://localhost:8080", None, None),  # listed
        ("https://intranet.example", "lotse:8080", None),
        ("http://evil.example", None, 403),
        ("null", None, 403),  # a sandboxed frame or a file:// page
        ("http://localhost:8080.evil.example", None, 403),
        ("https://intranet.example:443", None, 403),  # exact origins only
        ("http://lotse.intranet.example:8080", "lotse.intranet.example:8080", None),  # the page's own
        ("https://lotse.intranet.example", "Lotse.Intranet.Example", None),  # behind a TLS proxy
        ("http://lotse.intranet.example:8080", "lotse.intranet.example:9090", 403),
        ("http://evil.example", "lotse.intranet.example:8080", 403),
        ("null", "", 403),
    ],
)
def test_a_browsers_origin_must_be_listed_or_the_pages_own(
    origin: str | None, own_host: str | None, status: int | None
) -> None:
    refused = refuse_post("application/json", origin, LISTED, own_host)
    assert (refused[0] if refused else None) == status


def test_nothing_is_listed_for_the_action_server() -> None:
    refused = refuse_post("application/json", "http://localhost:8080", ())
    assert refused is not None and refused[0] == 403


# --- whose address a request is counted against -----------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "real_ip", "client"),
    [
        ("10.1.2.3", [], None, "10.1.2.3"),
        # a peer off loopback is not one of our proxies: whatever it writes is ignored
        ("10.1.2.3", ["10.9.9.9"], "10.8.8.8", "10.1.2.3"),
        ("127.0.0.1", [], None, "127.0.0.1"),  # a local tool (curl, make eval)
        ("127.0.0.1", ["10.1.2.3"], None, "10.1.2.3"),  # the web server or nginx on this machine
        ("::1", ["10.1.2.3"], None, "10.1.2.3"),
        ("::ffff:127.0.0.1", ["10.1.2.3"], None, "10.1.2.3"),
        ("127.0.0.1", [], "10.1.2.3", "10.1.2.3"),  # a proxy that sets only X-Real-IP
        # web server -> nginx -> Rasa: nginx appended the web server's address
        ("127.0.0.1", ["10.1.2.3, 127.0.0.1"], "127.0.0.1", "10.1.2.3"),
        # the client wrote an X-Forwarded-For of its own; the proxy appended the real address
        ("127.0.0.1", ["6.6.6.6, 10.1.2.3"], None, "10.1.2.3"),
        ("127.0.0.1", ["6.6.6.6", "10.1.2.3"], None, "10.1.2.3"),  # two header lines
        ("127.0.0.1", ["not-an-address, 127.0.0.1"], "10.5.5.5", "127.0.0.1"),
        ("127.0.0.1", ["127.0.0.1, 127.0.0.2"], None, "127.0.0.1"),  # local all the way
        ("127.0.0.1", [""], "10.5.5.5", "127.0.0.1"),
        ("127.0.0.1", ["2001:db8::7"], None, "2001:db8::7"),
        ("127.0.0.1", [], "garbage", "127.0.0.1"),
    ],
)
def test_only_a_proxy_on_loopback_may_name_the_client(
    peer: str, forwarded_for: list[str], real_ip: str | None, client: str
) -> None:
    assert client_address(peer, forwarded_for, real_ip) == client
