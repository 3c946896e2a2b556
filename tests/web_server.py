"""Start the real web server (`python -m bot.serving.web`, or `bot.ops.web`: with the workbench) for tests.

A test that needs the page's server down, restarted or pointed at a Rasa that is down
starts its own one here, next to the one bot.ops.processes.Bot starts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.ops.processes import reachable, wait_ready
from bot.paths import PROJECT_ROOT


class WebServer:
    """One `python -m bot.serving.web` process; stop() and start() again keep its port."""

    def __init__(
        self,
        port: int,
        rasa_url: str,
        db_url: str,
        log: Path,
        cors: str = "",
        upstream_timeout: float | None = None,
        root: Path = PROJECT_ROOT,
        module: str = "bot.serving.web",
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port
        self.rasa_url = rasa_url
        self.db_url = db_url
        self.log = log
        self.cors = cors
        self.upstream_timeout = upstream_timeout
        self.root = root  # the checkout it runs from (the workbench writes into a copy's)
        self.module = module  # bot.ops.web: with the trainers' workbench
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        if reachable(f"{self.url}/health"):
            raise RuntimeError(f"something already answers at {self.url}")
        args = [
            sys.executable,
            "-m",
            self.module,
            "--port",
            str(self.port),
            "--rasa-url",
            self.rasa_url,
        ]
        if self.upstream_timeout is not None:
            args += ["--upstream-timeout", str(self.upstream_timeout)]
        env = dict(
            os.environ, LOTSE_FEEDBACK_DB_URL=self.db_url, LOTSE_WEB_CORS_ORIGINS=self.cors, **self.env
        )
        env["PYTHONPATH"] = str(self.root)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        health = f"{self.url}/health"
        problem = wait_ready(self.process, lambda: reachable(health), 30.0, "web server", self.log)
        if problem is not None:
            self.stop()
            raise RuntimeError(problem)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def web_server(
    port: int,
    rasa_url: str,
    db_url: str,
    log: Path,
    cors: str = "",
    upstream_timeout: float | None = None,
    **options: Any,
) -> Iterator[WebServer]:
    """A running web server for the block; `options` are WebServer's (root, module, env)."""
    server = WebServer(port, rasa_url, db_url, log, cors, upstream_timeout, **options).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def silent_server(port: int) -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a Rasa that hangs."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
