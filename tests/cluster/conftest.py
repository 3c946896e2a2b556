"""The whole cluster on test ports: PostgreSQL, Redis, the action server, two Rasa instances, nginx.

`make test-cluster` runs this folder (it sets LOTSE_CLUSTER_TESTS=1 and installs Debian's
postgresql, redis-server and nginx first); a plain `pytest` / `make test` leaves it out,
since those servers are not part of the single-bot set-up. The cluster is started once per
session from a fresh state folder (var/cluster-test-<port base>), so the first-start path –
initdb, generated passwords, database creation – runs every time.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.ops.cluster import Cluster, ClusterConfig, remove_state
from bot.ops.processes import VAR_DIR
from bot.trainers.workbench.accounts import ACCOUNTS_FILE_ENV
from tests.bots import PORT_BASE, TODAY
from tests.workbench import accounts

# Only `make test-cluster` collects the tests here (see the module docstring).
collect_ignore_glob = [] if os.environ.get("LOTSE_CLUSTER_TESTS") == "1" else ["test_*.py"]

CLUSTER_PORT_BASE = PORT_BASE + 500  # clear of the e2e bots' ports (base+5 … base+155)
# All the tests ask from 127.0.0.1; the failover test's 20 users get at most what two instances on
# two cores answer (~90 replies/s), so they stay under this, and tests/cluster/test_rate_limit.py
# shows both instances counting one window per address by sending more than this at once.
MESSAGES_PER_ADDRESS = 150


@pytest.fixture(scope="session")
def trainer_accounts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trainers the cluster's workbench knows (outside the repository, as it must be)."""
    return accounts(tmp_path_factory.mktemp("cluster-trainers") / "trainers")


@pytest.fixture(scope="session")
def cluster(trainer_accounts: Path) -> Iterator[Cluster]:
    config = ClusterConfig(
        port_base=CLUSTER_PORT_BASE,
        state_dir=VAR_DIR / f"cluster-test-{CLUSTER_PORT_BASE}",
        today=TODAY,
        messages_per_address=MESSAGES_PER_ADDRESS,
    )
    remove_state(config)
    before = os.environ.get(ACCOUNTS_FILE_ENV)
    os.environ[ACCOUNTS_FILE_ENV] = str(
        trainer_accounts
    )  # the web servers inherit it, as from `make run-cluster`
    try:
        with Cluster(config, say=lambda line: None) as running:
            yield running
    finally:  # the logs stay in the state folder; a database outside the checkout does not
        shutil.rmtree(config.fallback_pg_dir.parent, ignore_errors=True)
        if before is None:
            os.environ.pop(ACCOUNTS_FILE_ENV, None)
        else:
            os.environ[ACCOUNTS_FILE_ENV] = before


@dataclass
class Reply:
    """What one POST to a REST webhook brought back (status None: no HTTP answer at all)."""

    status: int | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if isinstance(m, dict) and m.get("text")]

    @property
    def answer(self) -> dict[str, Any] | None:
        for message in self.messages:
            custom = message.get("custom") if isinstance(message, dict) else None
            if isinstance(custom, dict) and isinstance(custom.get("answer"), dict):
                answer: dict[str, Any] = custom["answer"]
                return answer
        return None


def post(base_url: str, sender: str, message: str, timeout: float = 20.0) -> Reply:
    """POST one message; every outcome (HTTP error, refused, timed out) comes back as a Reply."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read() or b"[]")
            status = int(response.status)
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:300]
        return Reply(error.code, error=detail, seconds=time.perf_counter() - started)
    except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
        return Reply(None, error=f"{type(error).__name__}: {error}", seconds=time.perf_counter() - started)
    messages = payload if isinstance(payload, list) else []
    return Reply(status, messages, seconds=time.perf_counter() - started)


def stored_events(db_url: str, sender_prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(sender, type, event) of every event in the tracker store whose sender starts with the prefix,
    in the order the tracker store replays them (by timestamp)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE :prefix "
                    "ORDER BY timestamp, id"
                ),
                {"prefix": sender_prefix.replace("_", r"\_") + "%"},
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1], json.loads(row[2])) for row in rows]
