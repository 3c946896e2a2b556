"""The HTTP framing guard's decisions (serving/http_guard.py); tests/e2e/test_hostile_http.py sends them."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import sanic
from sanic.exceptions import SanicException
from sanic.http import Http
from sanic.server.protocols import http_protocol
from sanic.touchup import TouchUp

from bot.ops.processes import wait_ready
from bot.paths import PROJECT_ROOT
from bot.serving import http_guard
from bot.serving.http_guard import (
    BODY_TIMEOUT_S,
    HEADER_TIMEOUT_S,
    MIN_BODY_BYTES_PER_S,
    Framing,
    GuardedHttp,
    body_timeout,
    check_head,
)
from tests.bots import port_of
from tests.raw_http import HOST, post_head

LIMIT = 64 * 1024


def head(*headers: str, line: str = "POST /webhooks/rest/webhook HTTP/1.1") -> bytes:
    return "\r\n".join([line, "Host: localhost", *headers]).encode()  # UTF-8, as a client would


ACCEPTED = [
    ("no body", [], Framing()),
    ("length", ["Content-Length: 42"], Framing(length=42)),
    ("zero length", ["Content-Length: 0"], Framing(length=0)),
    ("length at the limit", [f"Content-Length: {LIMIT}"], Framing(length=LIMIT)),
    ("trailing blank", ["Content-Length: 7 \t"], Framing(length=7)),
    ("name in any case", ["content-LENGTH: 7"], Framing(length=7)),
    ("repeated, same value", ["Content-Length: 7", "Content-Length: 007"], Framing(length=7)),
    ("chunked", ["Transfer-Encoding: chunked"], Framing(chunked=True)),
]


@pytest.mark.parametrize(("headers", "framing"), [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_sound_framing_is_accepted(headers: list[str], framing: Framing) -> None:
    assert check_head(head(*headers), LIMIT) == framing


REFUSED = [
    ("negative length", ["Content-Length: -1"], 400),
    ("non-numeric length", ["Content-Length: abc"], 400),
    ("empty length", ["Content-Length:"], 400),
    ("signed length", ["Content-Length: +5"], 400),
    ("hex length", ["Content-Length: 0x10"], 400),
    ("list as length", ["Content-Length: 5, 5"], 400),
    ("underscore digits", ["Content-Length: 1_0"], 400),  # int() takes it, HTTP does not
    ("non-ASCII digits", ["Content-Length: \u0665"], 400),
    ("differing lengths", ["Content-Length: 5", "Content-Length: 6"], 400),
    ("length over the limit", [f"Content-Length: {LIMIT + 1}"], 413),
    ("length 10^12", ["Content-Length: 1000000000000"], 413),
    ("length of 400 digits", ["Content-Length: " + "9" * 400], 413),
    ("length and chunked", ["Content-Length: 5", "Transfer-Encoding: chunked"], 400),
    ("chunked and length", ["Transfer-Encoding: chunked", "Content-Length: 5"], 400),
    ("gzip", ["Transfer-Encoding: gzip"], 400),
    ("gzip, chunked", ["Transfer-Encoding: gzip, chunked"], 400),
    ("chunked twice", ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], 400),
    ("Chunked", ["Transfer-Encoding: Chunked"], 400),  # sanic compares exactly and would 500
    ("chunked and a blank", ["Transfer-Encoding: chunked "], 400),
    ("blank before the colon", ["Content-Length : 5"], 400),  # sanic would ignore it: a smuggled body
    ("folded line", ["X-A: a", " Content-Length: 5"], 400),
    ("line without colon", ["Content-Length 5"], 400),
    ("bare LF in a value", ["X-A: a\nContent-Length: 5"], 400),
    ("NUL in a value", ["X-A: a\x00b"], 400),
]


@pytest.mark.parametrize(("headers", "status"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_unsound_framing_is_refused_with_a_4xx(headers: list[str], status: int) -> None:
    with pytest.raises(SanicException) as refused:
        check_head(head(*headers), LIMIT)
    assert refused.value.status_code == status
    assert refused.value.quiet  # sanic logs no traceback for it


def test_the_request_line_is_left_to_sanic() -> None:
    """sanic answers a broken request line with 400 itself; the guard judges only the framing."""
    assert check_head(head(line="\x16\x03\x01 garbage"), LIMIT) == Framing()


def test_the_body_deadline_is_fixed_for_a_question_and_grows_only_with_a_large_declared_body() -> None:
    assert body_timeout(Framing(length=300), LIMIT) == pytest.approx(BODY_TIMEOUT_S, abs=0.001)
    assert body_timeout(Framing(chunked=True), LIMIT) == BODY_TIMEOUT_S + LIMIT / MIN_BODY_BYTES_PER_S
    upload = 50 * 1024 * 1024  # a model upload over Rasa's API
    assert body_timeout(Framing(length=upload), 100_000_000) == BODY_TIMEOUT_S + 50
    assert body_timeout(Framing(length=upload), LIMIT) < BODY_TIMEOUT_S + 1  # never past the limit's share


@pytest.fixture
def sanic_unguarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """sanic's own Http in place, and back to what it was after the test."""
    monkeypatch.setattr(http_protocol, "Http", Http)


@pytest.mark.usefixtures("sanic_unguarded")
def test_install_is_idempotent_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.serving.http_guard"):
        assert http_guard.install() is True
        assert http_guard.install() is True
    assert vars(http_protocol)["Http"] is GuardedHttp  # what HttpProtocol creates per connection
    applied = [r for r in caplog.records if "guard applied" in r.getMessage()]
    assert len(applied) == 1 and "21.12.2" in applied[0].getMessage()


@pytest.mark.usefixtures("sanic_unguarded")
def test_another_sanic_version_is_refused_loudly_and_left_alone(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sanic, "__version__", "23.3.0")
    with caplog.at_level(logging.INFO, logger="bot.serving.http_guard"):
        assert http_guard.install() is False
    assert vars(http_protocol)["Http"] is Http
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING and "NOT applied" in warning.getMessage()
    assert "23.3.0" in warning.getMessage()


def test_sanics_touchup_leaves_the_guard_alone() -> None:
    """TouchUp recompiles Http's registered methods from their source in sanic's module at start-up;
    the guard's own must stay as written (they call the recompiled ones through super())."""
    assert all(target is not GuardedHttp for target, _ in TouchUp._registry)
    assert {"http1_request_header", "read"} <= {name for target, name in TouchUp._registry if target is Http}


# A sanic server with the guard, its event loop kept busy (as Rasa's is while it answers): the body
# of a request then arrives while the handler is about to wait for it.
BUSY_SERVER = """
import asyncio, sys, time
from sanic import Sanic, response
from bot.serving import http_guard

assert http_guard.install()
app = Sanic("guarded", configure_logging=False)

@app.post("/echo")
async def echo(request):
    return response.json({"bytes": len(request.body)})

@app.before_server_start
async def keep_the_loop_busy(app, _):
    async def busy():
        while True:
            started = time.perf_counter()
            while time.perf_counter() - started < 0.002:
                pass
            await asyncio.sleep(0)
    app.add_task(busy())

app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False, motd=False)
"""


@pytest.fixture(scope="module")
def busy_server() -> Iterator[int]:
    port = port_of(61)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    process = subprocess.Popen([sys.executable, "-c", BUSY_SERVER, str(port)], env=env, cwd=PROJECT_ROOT)
    try:
        problem = wait_ready(process, lambda: _accepts(port), 60.0, "guarded sanic server", None)
        assert problem is None, problem
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_body_sent_after_its_header_is_read_at_once_on_a_busy_loop(busy_server: int) -> None:
    """The guard once ran sanic's whole `receive_more` inside wait_for, one loop turn late: a body that
    came in that turn was missed, and the request waited for its deadline (408 after 10 s; Rasa's
    calls to the action server then timed out). Header and body go in two writes, as aiohttp sends them."""
    body = json.dumps({"tracker": {"events": ["x" * 200]}}).encode()
    statuses: Counter[int] = Counter()
    with socket.create_connection((HOST, busy_server), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for index in range(200):
            sock.sendall(post_head("/echo", f"Content-Length: {len(body)}"))
            time.sleep((0, 0.0001, 0.0005, 0.001)[index % 4])
            sock.sendall(body)
            status, reply = _read_response(sock)
            statuses[status] += 1
            if status != 200:
                break
            assert json.loads(reply) == {"bytes": len(body)}
    assert statuses == {200: 200}


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One keep-alive response: (status, body)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return int(lines[0].split(" ")[1]), body


def test_an_idle_keep_alive_connection_is_not_timed_out_before_its_next_request(busy_server: int) -> None:
    """The header deadline starts at a request's first byte: a client (nginx's upstream pool, aiohttp)
    that keeps a connection open between requests for longer than the deadline gets its next answer,
    not a 408 sent into the idle connection, which it would read as the answer to its next request."""
    body = b'{"q": 1}'
    with socket.create_connection((HOST, busy_server), timeout=30) as sock:
        for _ in range(2):
            sock.sendall(post_head("/echo", f"Content-Length: {len(body)}") + body)
            assert _read_response(sock) == (200, b'{"bytes":8}')
            time.sleep(HEADER_TIMEOUT_S * 2)  # idle, as a pooled connection is
