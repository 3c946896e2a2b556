"""Malformed HTTP framing over raw sockets against nginx in front of the Rasa instances.

nginx refuses bad framing itself (the Rasa instances never see it) and bounds a slow or stalled
client with its client_header_timeout / client_body_timeout (bot/ops/cluster/files.py, deploy/nginx/). On a
time-out nginx closes the connection without a status line (it never sends its 408); the test then
asserts the close and its time. Each case's seconds are printed; nginx must then still answer its
health URL and a real question through to Rasa.

Not here: a body trickled one byte every 2 s. client_body_timeout counts between two reads, so nginx
keeps such a connection open until the body (at most 64 KiB) is in; it forwards only whole bodies,
so the instances behind it never wait for one.
"""

from __future__ import annotations

import uuid

import pytest

from bot.ops.cluster import Cluster
from tests.cluster.conftest import post
from tests.http import call
from tests.raw_http import CASES, HANG_S, exchange
from tests.rules import unit_of

QUESTION = "Wer bearbeitet Terminabsagen?"
CLOSED = None  # nginx closes the connection without a status line
EXPECTED: dict[str, set[int] | None] = {
    "negative-length": {400},
    "non-numeric-length": {400},
    "length-10^12": {413},
    "length-and-chunked": {400},
    "gzip-encoding": {501},  # nginx: an unknown Transfer-Encoding is "not implemented"
    "differing-lengths": {400},
    "slow-header": CLOSED,  # client_header_timeout: the whole header within 1.5 s of connecting
    "stalled-body": CLOSED,  # client_body_timeout: 1.5 s without a byte of the body
    "oversized-header": {400},  # a line over large_client_header_buffers
    "garbage-request-line": {400},
    "bad-chunk-size": {400},
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_nginx_refuses_bad_framing_and_still_answers(
    cluster: Cluster, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = cluster.config
    result = exchange(config.nginx_port, CASES[case], "/webhooks/rest/webhook")
    with capsys.disabled():
        print(f"\n  nginx   {case:21} {result.describe()}")
    expected = EXPECTED[case]
    if expected is CLOSED:
        assert (result.status, result.ending) in ((None, "closed"), (None, "reset")), result.describe()
    else:
        assert result.status in expected, result.describe()

    status, _, body = call(f"{config.nginx_url}/nginx/health", timeout=HANG_S)
    assert status == 200, body
    reply = post(config.nginx_url, f"hostile-{uuid.uuid4().hex}", QUESTION, timeout=HANG_S)
    assert reply.status == 200 and reply.answer is not None, reply
    routing = ("routing", unit_of("kontaktformular_termine"))
    assert (reply.answer["kind"], reply.answer["unit"]) == routing, reply.answer
