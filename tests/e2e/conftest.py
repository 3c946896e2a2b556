"""The real bot (Rasa + action server) on test ports, started once per test session."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.ops.processes import Bot, BotConfig
from bot.trainers.evaluate import BotReply, ask
from tests.bots import bot_config


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotConfig]:
    folder: Path = tmp_path_factory.mktemp("bot")
    config = bot_config(
        0,
        folder,
        # locked as in production: the API needs a token or JWT, the action server its token.
        # Each begins with "-", as token_urlsafe() does one time in 64: Rasa once refused
        # such a token as a missing argument and exited with code 2 (a flaky CI failure).
        api_token="-" + secrets.token_urlsafe(24),
        jwt_secret="-" + secrets.token_urlsafe(24),
        action_token="-" + secrets.token_urlsafe(24),
    )
    with Bot(config):
        yield config


Ask = Callable[[str], BotReply]


@pytest.fixture
def conversation(running_bot: BotConfig) -> Ask:
    """Ask questions in one fresh conversation."""
    sender = f"test-{uuid.uuid4().hex}"
    return lambda message: ask(running_bot.rasa_url, sender, message)
