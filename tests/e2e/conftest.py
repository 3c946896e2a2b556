"""The real bot (Rasa + action server) on test ports, started once per test session."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.evaluate import BotReply, ask
from bot.processes import Bot, BotConfig

TODAY = "2026-11-27"
# Ports of the test bots: LOTSE_TEST_PORT_BASE (default 15000) + offsets, so that two test
# runs on one machine (a developer's and a helper's) do not collide.
PORT_BASE = int(os.environ.get("LOTSE_TEST_PORT_BASE", "15000"))


def bot_ports(offset: int) -> tuple[int, int]:
    """(Rasa port, action server port) for one test bot; offset picks the bot."""
    return PORT_BASE + offset + 5, PORT_BASE + offset + 55


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotConfig]:
    folder: Path = tmp_path_factory.mktemp("bot")
    rasa_port, actions_port = bot_ports(0)
    config = BotConfig(
        rasa_port=rasa_port,
        actions_port=actions_port,
        tracker_db=folder / "trackers.db",
        log_dir=folder / "log",
        today=TODAY,
        # locked as in production: the API needs a token or JWT, the action server its token
        api_token=secrets.token_urlsafe(24),
        jwt_secret=secrets.token_urlsafe(24),
        action_token=secrets.token_urlsafe(24),
    )
    with Bot(config):
        yield config


Ask = Callable[[str], BotReply]


@pytest.fixture
def conversation(running_bot: BotConfig) -> Ask:
    """Ask questions in one fresh conversation."""
    sender = f"test-{uuid.uuid4().hex}"
    return lambda message: ask(running_bot.rasa_url, sender, message)
