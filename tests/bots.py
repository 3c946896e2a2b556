"""Where the tests' own bots listen and what they answer as of: one place for every test package.

Ports are LOTSE_TEST_PORT_BASE (default 15000) plus an offset, so two test runs on one machine
(a developer's and a helper's) do not collide. Offsets in `make test`: 0 the e2e session bot,
60 the web server of the hostile-HTTP tests, 61 the HTTP guard's busy sanic server,
78 the type-ahead bench's web server, 100, 200 and 400 the fault bots, 300 the
default-configuration bot, 600 (+100 its stock peer, +190 its type-ahead server) the smoke bench,
800–880 the supervision test's launcher (tests/e2e/test_supervision.py), 900–999 the widget's bot
and web servers (974 the one in front of the default-configuration bot, 981–983 the browser
tests' own; 990–992 the trainers' workbench: 990 and 991 its HTTP tests, 992 the browser tests'),
977–979 Redis (977 a port where none listens, 978 the rate-limit tests', 979 the
lock-store tests');
`make test-cluster` uses 500 and up in a run of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.ops.processes import BotConfig

TODAY = "2026-11-27"
PORT_BASE = int(os.environ.get("LOTSE_TEST_PORT_BASE", "15000"))
# The tests ask from one address (127.0.0.1) faster than staff behind one address would (the fuzz
# test, the dev set): their bots count per address far above that. The default-configuration bot
# keeps Lotse's default, and the per-address limit is tested there (tests/e2e/test_security.py).
MESSAGES_PER_ADDRESS = 100_000


def port_of(offset: int) -> int:
    """A port of this test run: LOTSE_TEST_PORT_BASE + offset."""
    return PORT_BASE + offset


def bot_ports(offset: int) -> tuple[int, int]:
    """(Rasa port, action server port) for one test bot; offset picks the bot."""
    return port_of(offset + 5), port_of(offset + 55)


def bot_config(offset: int, folder: Path, **settings: Any) -> BotConfig:
    """A test bot: ports from `offset`, tracker DB and logs in `folder`, today pinned to TODAY."""
    rasa_port, actions_port = bot_ports(offset)
    settings.setdefault("messages_per_address", MESSAGES_PER_ADDRESS)
    return BotConfig(
        rasa_port=rasa_port,
        actions_port=actions_port,
        tracker_db=folder / "trackers.db",
        log_dir=folder / "log",
        today=TODAY,
        **settings,
    )
