"""Locked by default: Rasa's API, the action server, CORS and health, against the real running bots."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest

from bot.answering.guides import load_guides
from bot.ops.processes import Bot, BotConfig
from bot.paths import GUIDES_DIR
from bot.serving.rate_limit import DEFAULT_PER_ADDRESS
from bot.trainers.evaluate import ask
from tests import http
from tests.bots import bot_config, port_of
from tests.rules import unit_of
from tests.web_server import web_server


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> object:
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: object = None, headers: dict[str, str] | None = None) -> Reply:
    data = json.dumps(body).encode() if body is not None else None
    sent = {**(headers or {}), **({"Content-Type": "application/json"} if data is not None else {})}
    status, received, raw = http.call(url, method, data, sent, timeout=10)
    return Reply(status, raw, received)


def bearer(secret: str, username: str, role: str) -> dict[str, str]:
    token = jwt.encode({"user": {"username": username, "role": role}}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


# --- the locked API of the session bot (token, JWT and action token set) ----------------------


@pytest.fixture(scope="module")
def talked(running_bot: BotConfig) -> str:
    """A conversation that exists, so a 401/403 cannot be a 404 in disguise."""
    sender = f"sec-{uuid.uuid4().hex}"
    assert ask(running_bot.rasa_url, sender, "Wer bearbeitet Terminabsagen?").answer is not None
    return sender


API_CALLS = [  # (method, path template, body)
    ("GET", "/conversations/{sender}/tracker", None),
    ("GET", "/status", None),
    ("PUT", "/model", {"model_file": "/tmp/other.tar.gz"}),
    ("POST", "/model/parse", {"text": "hallo"}),
    ("POST", "/conversations/{sender}/messages", {"text": "hallo", "sender": "user"}),
]


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(lambda config: {}, id="no-credentials"),
        pytest.param(lambda config: {"query": "?token=wrong"}, id="wrong-token"),
        pytest.param(
            lambda config: {"headers": bearer("not-the-secret-" + "x" * 32, "x", "admin")}, id="forged-jwt"
        ),
    ],
)
def test_api_refuses_without_valid_credentials(
    running_bot: BotConfig, talked: str, method: str, path: str, body: object, credentials: object
) -> None:
    given = credentials(running_bot)  # type: ignore[operator]
    url = running_bot.rasa_url + path.format(sender=talked) + given.get("query", "")
    reply = call(url, method, body, given.get("headers"))
    assert reply.status == 401, reply.body[:200]


def test_api_token_opens_the_tracker(running_bot: BotConfig, talked: str) -> None:
    reply = call(f"{running_bot.rasa_url}/conversations/{talked}/tracker?token={running_bot.api_token}")
    assert reply.status == 200
    tracker = reply.json()
    assert isinstance(tracker, dict) and tracker["sender_id"] == talked
    assert any(e.get("text") == "Wer bearbeitet Terminabsagen?" for e in tracker["events"])


def test_jwt_user_sees_only_own_conversation(running_bot: BotConfig, talked: str) -> None:
    assert running_bot.jwt_secret
    own = call(
        f"{running_bot.rasa_url}/conversations/{talked}/tracker",
        headers=bearer(running_bot.jwt_secret, talked, "user"),
    )
    assert own.status == 200
    other = call(
        f"{running_bot.rasa_url}/conversations/{talked}/tracker",
        headers=bearer(running_bot.jwt_secret, "someone-else", "user"),
    )
    assert other.status == 403


def test_secrets_are_not_on_any_command_line(running_bot: BotConfig) -> None:
    """`ps` shows every local user the command lines: no token may be in them."""
    secrets = [s for s in (running_bot.api_token, running_bot.jwt_secret, running_bot.action_token) if s]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        assert not any(secret in text for secret in secrets), cmdline


@pytest.mark.parametrize(
    "query", [pytest.param("", id="no-token"), pytest.param("?token=wrong", id="wrong-token")]
)
def test_action_server_refuses_callers_without_the_token(running_bot: BotConfig, query: str) -> None:
    action_call = {
        "next_action": "action_answer_guide",
        "sender_id": "intruder",
        "tracker": {"sender_id": "intruder", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.2",
    }
    reply = call(f"{running_bot.actions_url}/webhook{query}", "POST", action_call)
    assert reply.status == 401
    assert b"token" in reply.body


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:8080", True),
        ("http://evil.example", False),
        ("null", False),
    ],
)
def test_cors_allows_only_the_widget_origin(running_bot: BotConfig, origin: str, allowed: bool) -> None:
    reply = call(
        f"{running_bot.rasa_url}/webhooks/rest/webhook",
        "OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    granted = reply.headers.get("access-control-allow-origin")
    assert granted != "*"
    assert (granted == origin) is allowed


def test_health_reports_every_part(running_bot: BotConfig) -> None:
    reply = call(running_bot.health_url)
    assert reply.status == 200
    report = reply.json()
    assert isinstance(report, dict)
    assert report["status"] == "ok"
    assert report["model"]["ok"] and report["model"]["file"].endswith("lotse.tar.gz")
    assert report["database"] == {"ok": True, "store": "RedactingSQLTrackerStore", "dialect": "sqlite"}
    assert report["action_server"]["ok"]
    assert report["guides"] == {"ok": True, "version": load_guides(GUIDES_DIR).version, "error": None}


# --- a bot with the default configuration (what `make run` starts when nothing is set) --------


@pytest.fixture(scope="module")
def default_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotConfig]:
    folder = tmp_path_factory.mktemp("default-bot")
    guides = folder / "guides"
    shutil.copytree(GUIDES_DIR, guides)
    config = bot_config(300, folder, guides_dir=guides, messages_per_address=DEFAULT_PER_ADDRESS)
    with Bot(config):
        yield config


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/conversations/x/tracker"), ("GET", "/status"), ("PUT", "/model"), ("POST", "/model/parse")],
)
def test_default_configuration_exposes_no_api(default_bot: BotConfig, method: str, path: str) -> None:
    reply = call(default_bot.rasa_url + path, method, {} if method != "GET" else None)
    assert reply.status == 404  # the routes do not exist at all


def test_default_configuration_binds_to_loopback_only(default_bot: BotConfig) -> None:
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    ports = {default_bot.rasa_port, default_bot.actions_port}
    for line in listening:
        local, state = line.split()[1], line.split()[3]
        host_hex, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) in ports:  # LISTEN
            assert host_hex == "0100007F", f"port {int(port_hex, 16)} listens on {host_hex}"


def test_broken_guide_keeps_answering_and_health_names_file_and_line(default_bot: BotConfig) -> None:
    assert default_bot.guides_dir is not None
    vocabulary = default_bot.guides_dir / "vocabulary.yml"
    good = vocabulary.read_text(encoding="utf-8")
    try:
        vocabulary.write_text(good.replace("version:", "version: [broken", 1), encoding="utf-8")
        reply = ask(default_bot.rasa_url, f"g-{uuid.uuid4().hex}", "Wer bearbeitet Terminabsagen?")
        # the last good guides answer
        assert reply.answer is not None and reply.answer["unit"] == unit_of("kontaktformular_termine")
        health = call(default_bot.health_url)
        assert health.status == 503
        report = health.json()
        assert isinstance(report, dict)
        assert report["status"] == "degraded" and report["guides"]["ok"] is False
        assert report["guides"]["error"].startswith("vocabulary.yml:")
        assert "line" in report["guides"]["error"] or report["guides"]["error"].split(":")[1].isdigit()
    finally:
        vocabulary.write_text(good, encoding="utf-8")
    deadline = time.monotonic() + 10
    while call(default_bot.health_url).status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(default_bot.health_url).status == 200  # fixed file: healthy again


# --- too many messages from one address, whatever the senders (the default limit) -----------------


def flood(url: str, count: int, headers: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """`count` senders send one message each at once: (status, error) of every reply.

    The message is empty: the limits are checked before anything is done with a message,
    so the crowd arrives within a fraction of a second even on a busy machine.
    """
    crowd = uuid.uuid4().hex[:8]

    def one(index: int) -> tuple[int, str]:
        body = json.dumps({"sender": f"crowd-{crowd}-{index}", "message": ""}).encode()
        status, _, raw = http.call(url, "POST", body, {"Content-Type": "application/json", **(headers or {})})
        reply = json.loads(raw)
        return status, reply.get("error", "") if isinstance(reply, dict) else ""

    time.sleep(1.1)  # a fresh window: nothing an earlier test sent is still counted
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(one, range(count)))


def assert_cut_at_the_address_limit(replies: list[tuple[int, str]]) -> None:
    statuses = Counter(status for status, _ in replies)
    assert set(statuses) == {200, 429}, statuses
    assert statuses[200] >= DEFAULT_PER_ADDRESS  # the first 30 of the second get through
    assert all("address" in error for status, error in replies if status == 429)


def test_200_senders_from_one_address_get_429_after_the_address_limit(default_bot: BotConfig) -> None:
    """What the tester found: 200 senders, one request each, all passed a per-sender limit."""
    assert_cut_at_the_address_limit(flood(f"{default_bot.rasa_url}/webhooks/rest/webhook", 200))


def test_a_proxy_on_loopback_names_the_address_that_is_counted(default_bot: BotConfig) -> None:
    """From 127.0.0.1 (nginx, the web server) X-Forwarded-For names the client; the peer's own count stays."""
    url = f"{default_bot.rasa_url}/webhooks/rest/webhook"
    assert_cut_at_the_address_limit(flood(url, 200, {"X-Forwarded-For": "203.0.113.7"}))
    status, _ = ask_once(url, {})
    assert status == 200  # 127.0.0.1 itself sent nothing in this second


def test_the_web_server_passes_the_browsers_address_on(default_bot: BotConfig, tmp_path: Path) -> None:
    """The widget's server asks Rasa from 127.0.0.1; Rasa counts the browser's address it forwards."""
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    with web_server(port_of(974), default_bot.rasa_url, db_url, tmp_path / "web.log") as web:
        replies = flood(f"{web.url}/webhooks/rest/webhook", 200, {"X-Forwarded-For": "203.0.113.8"})
    assert_cut_at_the_address_limit(replies)
    status, _ = ask_once(f"{default_bot.rasa_url}/webhooks/rest/webhook", {})
    assert status == 200  # counted for 203.0.113.8, not for the web server's 127.0.0.1


def ask_once(url: str, headers: dict[str, str]) -> tuple[int, object]:
    body = json.dumps({"sender": f"once-{uuid.uuid4().hex}", "message": "Hallo"}).encode()
    status, _, raw = http.call(url, "POST", body, {"Content-Type": "application/json", **headers})
    return status, json.loads(raw)


def test_the_conversations_runner_waits_when_the_limit_is_reached(default_bot: BotConfig) -> None:
    """The trainers' runner asks faster than staff do: past the per-address limit it waits as the 429's
    Retry-After says and asks again, so every question gets its answer."""
    sender = f"runner-{uuid.uuid4().hex}"
    replies = [
        ask(default_bot.rasa_url, sender, "Wer bearbeitet Terminabsagen?")
        for _ in range(DEFAULT_PER_ADDRESS + 10)
    ]
    assert all(reply.answer is not None and reply.answer["kind"] == "routing" for reply in replies)
