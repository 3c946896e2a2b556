"""Faults the bot must survive without leaving an agent in silence."""

from __future__ import annotations

from pathlib import Path

from bot.evaluate import ask
from bot.processes import Bot, BotConfig
from tests.e2e.conftest import bot_ports


def test_action_server_down_gives_a_clear_reply_naming_the_source(tmp_path: Path) -> None:
    rasa_port, actions_port = bot_ports(100)
    config = BotConfig(
        rasa_port=rasa_port, actions_port=actions_port, tracker_db=tmp_path / "t.db", log_dir=tmp_path / "log"
    )
    with Bot(config) as bot:
        actions = bot.processes[0]
        actions.terminate()
        actions.wait(timeout=15)
        reply = ask(config.rasa_url, "fault-test", "Wer bearbeitet Terminabsagen?")
    assert reply.texts and "nicht erreichbar" in reply.texts[0]
    assert "202505010" in reply.text
    assert reply.answer is None
