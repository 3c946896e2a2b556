"""A stand-in for Lotse's REST webhook that answers from a file's own expectations, with set mistakes.

The trainers' runner is tested over real HTTP without Rasa: every reply is a pure function of
the message, so a run gives the same figures every time (what the eval-mode test relies on).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml


def expectations(path: Path) -> dict[str, dict[str, Any]]:
    """The first `expect` of every question of a dev-set file, by its text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    turns = list(data.get("single") or [])
    turns += [turn for dialogue in data.get("dialogues") or [] for turn in dialogue["turns"]]
    found: dict[str, dict[str, Any]] = {}
    for turn in turns:
        found.setdefault(turn["q"], turn.get("expect") or {})
    return found


def reply(message: str, expected: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """What the stand-in sends back: mostly the expected kind, unit and language, some of them wrong."""
    number = int(hashlib.sha256(message.encode()).hexdigest(), 16)
    expect = expected.get(message, {})
    kinds = expect.get("kind") or ["fact"]
    kind = kinds[0] if isinstance(kinds, list) else kinds
    answer: dict[str, Any] = {
        "kind": "out_of_scope" if number % 4 == 0 else kind,
        "unit": "SC" if number % 5 == 0 else expect.get("unit"),
        "lang": "en" if number % 7 == 0 else expect.get("lang", "de"),
        "topic": None,
    }
    if number % 9 == 0:
        answer.update(kind="clarify", asks="topic", options=[])
    return [{"text": f"{message} – EZ, 01.07.2025"}, {"custom": {"answer": answer}}]


@contextmanager
def fake_bot(path: Path) -> Iterator[str]:
    """The stand-in on a free local port for the block; yields its base URL."""
    expected = expectations(path)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            data = json.dumps(reply(body["message"], expected)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            """Quiet: the test output is the report."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
