"""Malformed HTTP framing over raw sockets against the real Rasa, action server and widget's server.

Before bot/serving/http_guard.py, one POST with `Content-Length: -1` and a body byte put a server's event
loop into an endless busy loop (100 % CPU, SIGTERM ignored), `Content-Length: abc` was a 500 with
a traceback, and a client sending a header line every 2 s was never timed out. Each case here must
get a 4xx status line (its seconds are printed); the server must then still answer its health URL
and – Rasa and the widget's server – a real question, and its log must hold no traceback.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.ops.processes import BotConfig
from bot.trainers.evaluate import ask
from tests.bots import port_of
from tests.http import call
from tests.raw_http import CASES, HANG_S, HOST, exchange
from tests.rules import unit_of
from tests.web_server import WebServer

QUESTION = "Wer bearbeitet Terminabsagen?"
WEBHOOK = "/webhooks/rest/webhook"  # Rasa's REST channel, and the widget's server passing it on
EXPECTED = {  # the status each case must get from the guard (stalled-body is slow-body's twin: left out)
    "negative-length": {400},
    "non-numeric-length": {400},
    "length-10^12": {413},
    "length-and-chunked": {400},
    "gzip-encoding": {400},
    "differing-lengths": {400},
    "slow-header": {408},
    "slow-body": {408},
    "oversized-header": {413, 431},  # sanic's own answer to a header over 8 KiB: 413
    "garbage-request-line": {400},
    "bad-chunk-size": {400},
}


@dataclass(frozen=True)
class Server:
    """One server under test: where the cases are sent, and how it shows it still works."""

    name: str
    port: int
    path: str  # the POST endpoint the cases aim at
    health: str
    log: Path
    asks: bool  # it answers a staff question (Rasa and the widget's server; the action server is behind Rasa)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@pytest.fixture(scope="module")
def widget_server(running_bot: BotConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    folder = tmp_path_factory.mktemp("hostile-web")
    db_url = f"sqlite:///{folder / 'feedback.db'}"
    server = WebServer(port_of(60), running_bot.rasa_url, db_url, folder / "web.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["rasa", "actions", "web"])
def server(request: pytest.FixtureRequest, running_bot: BotConfig) -> Server:
    logs = running_bot.log_dir
    if request.param == "rasa":
        log = logs / f"rasa-{running_bot.rasa_port}.log"
        return Server("rasa", running_bot.rasa_port, WEBHOOK, "/webhooks/rest/health", log, True)
    if request.param == "actions":  # framing is answered before the token matters; it is shown all the same
        log = logs / f"actions-{running_bot.rasa_port}.log"
        path = f"/webhook?token={running_bot.action_token}"
        return Server("actions", running_bot.actions_port, path, "/health", log, False)
    web: WebServer = request.getfixturevalue("widget_server")
    return Server("web", web.port, WEBHOOK, "/health", web.log, True)


def _log_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@pytest.mark.parametrize("case", list(EXPECTED))
def test_bad_framing_gets_a_4xx_and_the_server_still_answers(
    server: Server, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    log_before = _log_size(server.log)
    result = exchange(server.port, CASES[case], server.path)
    with capsys.disabled():
        print(f"\n  {server.name:7} {case:21} {result.describe()}")
    assert result.status in EXPECTED[case], result.describe()

    status, _, body = call(f"{server.url}{server.health}", timeout=HANG_S)
    assert status == 200, body
    if server.asks:
        reply = ask(server.url, f"hostile-{uuid.uuid4().hex}", QUESTION, timeout=HANG_S)
        assert reply.answer is not None
        expected = ("routing", unit_of("kontaktformular_termine"))
        assert (reply.answer["kind"], reply.answer["unit"]) == expected, reply.answer
        assert reply.answer["topic"] == "kontaktformular_termine"
    with server.log.open("rb") as log:
        log.seek(log_before)
        logged = log.read().decode(errors="replace")
    assert "Traceback" not in logged, logged


def test_the_servers_log_that_the_guard_is_on(server: Server) -> None:
    assert "HTTP framing guard applied (sanic 21.12.2)" in server.log.read_text(errors="replace")


def test_rasas_root_answers_without_its_version(running_bot: BotConfig) -> None:
    """It said "Hello from Rasa: 3.6.21" to anyone: a version is a map to that version's known holes."""
    status, headers, body = call(f"{running_bot.rasa_url}/")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert b"Rasa" not in body and b"3.6" not in body
    assert not any("rasa" in value.lower() or "sanic" in value.lower() for value in headers.values())
