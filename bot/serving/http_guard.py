"""Framing-safe HTTP for all three sanic servers: Rasa, the action server, the widget's web server.

sanic 21.12.2 trusts a request's framing. `Content-Length: -1` plus one body byte sends its
body reader into an endless loop (100 % CPU, SIGTERM ignored); `Content-Length: abc` is a 500
with a traceback; and every received byte restarts its request timer, so a client that trickles
one header line (or body byte) every 2 s holds a connection for ever. All three servers create
one `sanic.http.Http` per connection (in `HttpProtocol._setup_connection`), so the guard is a
subclass of it put in that place: it checks Content-Length and Transfer-Encoding before sanic
acts on them, and gives the header and the body fixed deadlines that arriving bytes do not move.
A refused request gets a 4xx and its connection is closed; nothing of it reaches a handler.

Each server's start calls `install()` before it serves: bot/serving/action_server.py and bot/serving/web.py in
main(), bot/serving/rasa_server.py where Rasa builds its app (once Rasa's logging is set up, so the line
saying the guard is on lands in Rasa's log). It patches only the sanic version it was written
against and refuses any other loudly.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from time import monotonic

import sanic
from sanic.exceptions import InvalidUsage, PayloadTooLarge, RequestTimeout, SanicException
from sanic.http import Http
from sanic.server.protocols import http_protocol

logger = logging.getLogger(__name__)

# The version whose Http / HttpProtocol code the guard was read against; another one may have
# moved what it relies on (or fixed it), so it is not patched blindly.
SANIC_VERSION = "21.12.2"
# A browser, curl, aiohttp or nginx writes a request's whole header at once, in one packet; 1.5 s
# from its first byte leaves room for a slow link and none for a client that sends a line at a time
# (every malformed or slow request is answered within 2 s). Before the first byte the connection is
# idle and sanic's keep-alive timeout applies, as between requests.
HEADER_TIMEOUT_S = 1.5
# The body must be in within 1.5 s of the header's end, plus the time the declared body (a chunked
# one: the largest allowed) takes at MIN_BODY_BYTES_PER_S: a question is a few hundred bytes, a
# model upload over Rasa's optional HTTP API may be megabytes.
BODY_TIMEOUT_S = 1.5
MIN_BODY_BYTES_PER_S = 1024 * 1024
# More digits than this is over any body limit here; int() is not even tried on it.
MAX_LENGTH_DIGITS = 15

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field name
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")  # a bare CR or LF ends the line for some proxies
_DIGITS = re.compile(r"[0-9]+[ \t]*")  # sanic strips the value's left side only; int() allows the right


@dataclass(frozen=True)
class Framing:
    """How a request's body is delimited: none, `length` bytes, or chunked."""

    chunked: bool = False
    length: int | None = None


def check_head(head: bytes, max_body_bytes: int) -> Framing:
    """The body framing of a complete request header (without its final CRLF CRLF), or the 4xx refusing it.

    The rules close what sanic leaves open: a Content-Length must be digits, repeated only with the
    same value, and within the body limit (else 413); Transfer-Encoding may only be `chunked`, and
    never together with a Content-Length (a proxy and sanic could read two different requests).
    The request line is left to sanic, which answers a broken one with 400.
    """
    lengths: list[str] = []
    encodings: list[str] = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name) or _FORBIDDEN_IN_VALUE.search(value):
            raise InvalidUsage("Bad Request: malformed header line")
        name, value = name.lower(), value.lstrip()  # as sanic reads it
        if name == "content-length":
            lengths.append(value)
        elif name == "transfer-encoding":
            encodings.append(value)
    if encodings:
        if lengths:
            raise InvalidUsage("Bad Request: Content-Length together with Transfer-Encoding")
        if encodings != ["chunked"]:
            raise InvalidUsage("Bad Request: only Transfer-Encoding: chunked is accepted")
        return Framing(chunked=True)
    if not lengths:
        return Framing()
    if not all(_DIGITS.fullmatch(value) for value in lengths):
        raise InvalidUsage("Bad Request: Content-Length is not a non-negative number")
    if any(len(value.strip().lstrip("0")) > MAX_LENGTH_DIGITS for value in lengths):
        raise PayloadTooLarge("Request body exceeds the size limit")
    values = {int(value) for value in lengths}
    if len(values) > 1:
        raise InvalidUsage("Bad Request: differing Content-Length headers")
    length = values.pop()
    if length > max_body_bytes:
        raise PayloadTooLarge("Request body exceeds the size limit")
    return Framing(length=length)


def body_timeout(framing: Framing, max_body_bytes: float) -> float:
    """Seconds from the header's end until the whole body must be in (see BODY_TIMEOUT_S)."""
    size = max_body_bytes if framing.length is None else min(framing.length, max_body_bytes)
    return BODY_TIMEOUT_S + size / MIN_BODY_BYTES_PER_S


class GuardedHttp(Http):
    """sanic's per-connection HTTP/1.1 handler, with the framing checked and the deadlines fixed."""

    # no __touchup__: sanic's TouchUp rewrites Http's own methods at start-up, super() calls get those
    __slots__ = ("_deadline", "_wait_for_bytes")

    def __init__(self, protocol: http_protocol.HttpProtocol) -> None:
        super().__init__(protocol)  # type: ignore[no-untyped-call]  # sanic's Http is untyped
        self._deadline: float | None = None
        # sanic's loops wait through self._receive_more: bounded here, they cannot outlast a deadline
        self._wait_for_bytes = self._receive_more
        self._receive_more = self._receive_more_in_time

    def init_for_request(self) -> None:
        """Between requests (keep-alive) there is no deadline: sanic's keep-alive timeout applies."""
        super().init_for_request()  # type: ignore[no-untyped-call]
        self._deadline = None

    def _refuse(self, error: SanicException) -> SanicException:
        """Close the connection after the answer and forget the body, so no drain loop reads on."""
        self.keep_alive = False
        self.request_body = None
        self.request_bytes_left = 0
        self._deadline = None
        return error

    async def _receive_more_in_time(self) -> None:
        """sanic's `receive_more` (SanicProtocol), bounded by the deadline.

        Its two first steps run here, inline: wrapped whole in wait_for they would run one loop turn
        later, and clearing the event then would lose bytes that arrived meanwhile (a request already
        complete in the buffer would wait for the deadline). Event.wait() returns at once when set.
        """
        if self._deadline is None:
            await self._wait_for_bytes()
            return
        left = self._deadline - monotonic()
        if left <= 0:
            raise self._refuse(RequestTimeout("Request Timeout"))
        protocol = self.protocol
        protocol.transport.resume_reading()
        protocol._data_received.clear()
        try:
            await asyncio.wait_for(protocol._data_received.wait(), left)
        except asyncio.TimeoutError:
            raise self._refuse(RequestTimeout("Request Timeout")) from None

    async def http1_request_header(self) -> None:
        """Wait for the whole header (by the deadline), check its framing, then let sanic parse it.

        sanic calls this once a request's first bytes are in (an idle connection waits before, under
        its keep-alive timeout), so the deadline counts from the first byte.
        """
        self._deadline = monotonic() + HEADER_TIMEOUT_S
        buf = self.recv_buffer
        end = buf.find(b"\r\n\r\n")
        while end == -1 and len(buf) - 3 < self.HEADER_MAX_SIZE:  # sanic's own size rule
            await self._receive_more()
            end = buf.find(b"\r\n\r\n")
        framing = Framing()
        if 0 <= end < self.HEADER_MAX_SIZE:  # else sanic answers 413 for the header's size
            try:
                framing = check_head(bytes(buf[:end]), self.protocol.request_max_size)
            except SanicException as error:
                raise self._refuse(error) from None
        try:
            await super().http1_request_header()  # type: ignore[no-untyped-call]
        except SanicException as error:
            raise self._refuse(error) from None
        has_body = bool(self.request_body)
        self._deadline = monotonic() + body_timeout(framing, self.request_max_size) if has_body else None

    async def read(self) -> bytes | None:
        """sanic's body reader, refusing a negative length or a late body instead of looping on it."""
        try:
            if self.request_bytes_left is not None and self.request_bytes_left < 0:
                raise InvalidUsage("Bad Request: negative body length")
            if self._deadline is not None and monotonic() > self._deadline:
                raise RequestTimeout("Request Timeout")
            data: bytes | None = await super().read()
            return data
        except SanicException as error:
            self._refuse(error)
            if self.response is not None:  # the answer is out already (the body is drained after it)
                return None
            raise


def install() -> bool:
    """Put the guard into every sanic server this process starts; True when it is (idempotent)."""
    # HttpProtocol._setup_connection creates each connection's handler from this module name
    current = http_protocol.Http  # type: ignore[attr-defined]  # imported there, not re-exported
    if current is GuardedHttp:
        return True
    if sanic.__version__ != SANIC_VERSION or current is not Http:
        logger.warning(
            "HTTP framing guard NOT applied: written for sanic %s, found %s – this server trusts "
            "Content-Length and slow clients again; check bot/serving/http_guard.py against this sanic",
            SANIC_VERSION,
            sanic.__version__,
        )
        return False
    http_protocol.Http = GuardedHttp  # type: ignore[attr-defined]
    logger.info(
        "HTTP framing guard applied (sanic %s): header within %.1f s, body within %.1f s, "
        "Content-Length / Transfer-Encoding checked",
        sanic.__version__,
        HEADER_TIMEOUT_S,
        BODY_TIMEOUT_S,
    )
    return True
