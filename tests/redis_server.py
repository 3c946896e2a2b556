"""Start a real redis-server (Debian's; `make cluster-deps`) on a test port, for the tests that need Redis."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.ops.processes import wait_ready

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
needs_redis = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs Debian's redis-server: make cluster-deps"
)


@contextlib.contextmanager
def redis_server(port: int, folder: Path, password: str | None = None) -> Iterator[int]:
    """A throw-away redis-server on 127.0.0.1:`port` (nothing saved), stopped on leaving; yields the port."""
    args = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)]
    if password:
        args += ["--requirepass", password]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, password=password, socket_connect_timeout=0.5)
    try:

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        problem = wait_ready(process, answers, 10.0, "redis-server", None)
        assert problem is None, problem
        yield port
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
