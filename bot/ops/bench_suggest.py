"""The bench's type-ahead figure: how fast the web server answers `/api/suggest` while staff type.

A real web server (`python -m bot.serving.web`, no Rasa needed for suggestions) is started on its own
port and asked what an agent typing the dev set's questions asks: every prefix of each question from
its third character on, one request per keystroke, over one kept-alive connection per typist. The
latency is measured at the client, from request to the whole body read; the target is ≤ 20 ms p95.

`python -m bot.ops.bench_suggest [--port N] [--typists N]` measures it alone (a few seconds);
`make bench` runs it after the three columns and adds the figure to bench/results.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.ops.bench_load import percentile
from bot.ops.launch import reachable, wait_ready
from bot.paths import DEV_QUESTIONS, PROJECT_ROOT

TARGET_P95_MS = 20.0
DEFAULT_PORT = 16190  # the bench's port base + 190, clear of its three columns
NO_RASA = "http://127.0.0.1:9"  # suggestions never ask Rasa
MIN_CHARS = 3


@dataclass
class SuggestFigures:
    """Every request's latency (ms), the errors, the typists."""

    typists: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def p(self, share: float) -> float:
        return percentile(self.latencies_ms, share)

    @property
    def met(self) -> bool:
        return self.errors == 0 and bool(self.latencies_ms) and self.p(0.95) <= TARGET_P95_MS

    def line(self) -> str:
        """The figure as bench/results.md states it."""
        return (
            f"- type-ahead (`/api/suggest` of the web server, {self.typists} typist(s) at once, "
            f"{len(self.latencies_ms)} keystrokes of the dev-set questions): p50 {self.p(0.50):.1f} ms, "
            f"p95 {self.p(0.95):.1f} ms, p99 {self.p(0.99):.1f} ms, errors {self.errors}; "
            f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if self.met else 'NOT met'}"
        )


def keystrokes(dev_set: Path = DEV_QUESTIONS, limit: int | None = None) -> list[str]:
    """What a typist sends: every prefix of each dev-set question from its third character on."""
    data = yaml.safe_load(dev_set.read_text(encoding="utf-8")) or {}
    questions = [str(item["q"]) for item in data.get("single") or []]
    typed = [question[:end] for question in questions for end in range(MIN_CHARS, len(question) + 1)]
    return typed[:limit] if limit else typed


def _type(port: int, typed: list[str], figures: SuggestFigures, lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    mine: list[float] = []
    errors = 0
    for text in typed:
        path = "/api/suggest?" + urllib.parse.urlencode({"q": text, "lang": "de"})
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            reply = connection.getresponse()
            body = reply.read()
            if reply.status != 200 or "suggestions" not in json.loads(body):
                errors += 1
                continue
        except (OSError, http.client.HTTPException, ValueError):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        mine.append((time.perf_counter() - started) * 1000)
    connection.close()
    with lock:
        figures.latencies_ms.extend(mine)
        figures.errors += errors


def measure_suggest(port: int = DEFAULT_PORT, typists: int = 1, limit: int | None = None) -> SuggestFigures:
    """Start a web server on `port`, let `typists` type the dev set at once, stop it; the figures."""
    if reachable(f"http://127.0.0.1:{port}/health"):
        raise RuntimeError(f"something already answers on port {port}; stop it first")
    typed = keystrokes(limit=limit)
    with tempfile.TemporaryDirectory(prefix="lotse-bench-suggest-") as folder:
        log = Path(folder) / "web.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
        env.update(
            PYTHONPATH=str(PROJECT_ROOT), LOTSE_FEEDBACK_DB_URL=f"sqlite:///{Path(folder) / 'feedback.db'}"
        )
        args = [sys.executable, "-m", "bot.serving.web", "--port", str(port), "--rasa-url", NO_RASA]
        with log.open("wb") as output:
            server = subprocess.Popen(
                args, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            problem = wait_ready(
                server, lambda: reachable(f"http://127.0.0.1:{port}/health"), 60.0, "web server", log
            )
            if problem is not None:
                raise RuntimeError(problem)
            _type(port, typed[:20], SuggestFigures(1), threading.Lock())  # warm-up, not counted
            figures = SuggestFigures(typists)
            lock = threading.Lock()
            threads = [
                threading.Thread(target=_type, args=(port, typed, figures, lock)) for _ in range(typists)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            figures.seconds = time.perf_counter() - started
            return figures
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.ops.bench_suggest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--typists", type=int, default=1, help="typists at once (default 1)")
    args = parser.parse_args(argv)
    for typists in sorted({1, args.typists}):
        print(measure_suggest(args.port, typists).line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
