"""Starting the bot's processes: a process that dies during the start says why."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.processes import Bot
from tests.bots import bot_config, port_of


def test_a_process_that_dies_at_start_is_quoted_in_the_error(tmp_path: Path) -> None:
    """CI keeps only pytest's output: the error itself must carry the end of the dead process's log."""
    bot = Bot(bot_config(0, tmp_path))
    dying = bot._spawn(
        "rasa",
        [sys.executable, "-c", "import sys; print('rasa run: error: expected one argument'); sys.exit(2)"],
    )
    with pytest.raises(RuntimeError) as raised:
        bot._wait(dying, f"http://127.0.0.1:{port_of(99)}/", 30.0, "Rasa")
    message = str(raised.value)
    assert message.startswith(f"the Rasa exited with code 2; see {tmp_path / 'log'}")
    assert "rasa run: error: expected one argument" in message
    assert bot.processes == []  # everything it started is stopped
