"""The real bot (Rasa + action server) on test ports, started once per test session."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.evaluate import BotReply, ask
from bot.processes import Bot, BotConfig

TODAY = "2026-11-27"


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotConfig]:
    folder: Path = tmp_path_factory.mktemp("bot")
    config = BotConfig(
        rasa_port=15005,
        actions_port=15055,
        tracker_db=folder / "trackers.db",
        log_dir=folder / "log",
        today=TODAY,
    )
    with Bot(config):
        yield config


Ask = Callable[[str], BotReply]


@pytest.fixture
def conversation(running_bot: BotConfig) -> Ask:
    """Ask questions in one fresh conversation."""
    sender = f"test-{uuid.uuid4().hex}"
    return lambda message: ask(running_bot.rasa_url, sender, message)
