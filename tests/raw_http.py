"""Requests over a raw socket, with framing no HTTP library would send (tests/e2e and tests/cluster).

The cases are the ones a tester found against `make run`: a negative, non-numeric, huge or doubled
Content-Length, Content-Length with Transfer-Encoding, an unknown Transfer-Encoding, a client that
trickles its header or body, an oversized header, a garbage request line, a bad chunk size.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

HOST = "127.0.0.1"
HANG_S = 60.0  # socket timeout, only to tell a hang from an answer; the servers' deadlines are 1.5 s
TRICKLE_GAP_S = 2.0  # the slow cases send one header line / one body byte this often


def post_head(path: str, *headers: str) -> bytes:
    """A POST's header, CRLF CRLF included, with `headers` after Host and Content-Type."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Case:
    """A request as the parts a client sends `gap` seconds apart (given the server's POST path)."""

    parts: Callable[[str], list[bytes]]
    gap: float = 0.0


CASES = {
    "negative-length": Case(lambda p: [post_head(p, "Content-Length: -1") + b"x"]),
    "non-numeric-length": Case(lambda p: [post_head(p, "Content-Length: abc") + b"{}"]),
    "length-10^12": Case(lambda p: [post_head(p, "Content-Length: 1000000000000") + b"{}"]),
    "length-and-chunked": Case(
        lambda p: [post_head(p, "Content-Length: 2", "Transfer-Encoding: chunked") + b"2\r\n{}\r\n0\r\n\r\n"]
    ),
    "gzip-encoding": Case(lambda p: [post_head(p, "Transfer-Encoding: gzip") + b"\x1f\x8b"]),
    "differing-lengths": Case(lambda p: [post_head(p, "Content-Length: 2", "Content-Length: 3") + b"{} "]),
    "slow-header": Case(
        lambda p: [f"POST {p} HTTP/1.1\r\n".encode(), *(b"X-Slow: %d\r\n" % i for i in range(30)), b"\r\n"],
        gap=TRICKLE_GAP_S,
    ),
    "slow-body": Case(lambda p: [post_head(p, "Content-Length: 30"), *([b" "] * 30)], gap=TRICKLE_GAP_S),
    "stalled-body": Case(lambda p: [post_head(p, "Content-Length: 30") + b"{"]),  # and then nothing
    "oversized-header": Case(lambda p: [post_head(p, "X-Big: " + "a" * 20_000)]),
    "garbage-request-line": Case(lambda p: [b"\x16\x03\x01 not HTTP at all\r\n\r\n"]),
    "bad-chunk-size": Case(lambda p: [post_head(p, "Transfer-Encoding: chunked") + b"zz\r\n{}\r\n0\r\n\r\n"]),
}


@dataclass
class Exchange:
    """What came back: the status line (empty: none), how the exchange ended, after how long."""

    status_line: bytes
    ending: str  # "answered", "closed" (FIN), "reset" (RST) or "hung" (nothing within HANG_S)
    seconds: float
    sent: int  # parts sent before the server answered or closed
    of: int

    @property
    def status(self) -> int | None:
        fields = self.status_line.split(b" ")
        return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None

    def describe(self) -> str:
        line = self.status_line.decode(errors="replace") or "(no status line)"
        return f"{line:38} {self.ending:8} {self.seconds:7.3f} s  ({self.sent} of {self.of} parts sent)"


def exchange(port: int, case: Case, path: str) -> Exchange:
    """Send the case's parts, stopping once the server answers or closes; then read its status line."""
    parts = case.parts(path)
    sent, received, ending = 0, b"", "closed"
    started = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=HANG_S) as sock:
        for part in parts:
            try:
                sock.sendall(part)
            except OSError:  # answered and closed meanwhile: what came is read below
                break
            sent += 1
            if case.gap and select.select([sock], [], [], case.gap)[0]:
                break
        try:
            while b"\r\n" not in received:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            ending = "hung"
        except ConnectionResetError:
            ending = "reset"
    seconds = time.perf_counter() - started
    status_line = received.split(b"\r\n", 1)[0] if b"\r\n" in received else b""
    return Exchange(status_line, "answered" if status_line else ending, seconds, sent, len(parts))
