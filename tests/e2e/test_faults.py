"""Faults the bot must survive without leaving an agent in silence."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.ops.processes import Bot
from bot.serving.channels import BUSY_REPLY, unavailable_reply
from bot.trainers.evaluate import ask
from tests.bots import bot_config
from tests.rules import unit_of


def test_action_server_down_gives_a_clear_reply_naming_the_source(tmp_path: Path) -> None:
    config = bot_config(100, tmp_path)
    with Bot(config) as bot:
        actions = bot.processes[0]
        actions.terminate()
        actions.wait(timeout=15)
        reply = ask(config.rasa_url, "fault-test", "Wer bearbeitet Terminabsagen?")
    assert reply.texts and "nicht erreichbar" in reply.texts[0]
    assert "202505010" in reply.text
    assert reply.answer is None


def test_a_question_queued_behind_a_hung_one_is_told_so(tmp_path: Path) -> None:
    """Rasa answers one conversation's messages in turn: the second of two, stuck behind a hung
    first one, is told to ask again, not that the routing tables are down."""
    config = bot_config(400, tmp_path)
    with Bot(config) as bot, ThreadPoolExecutor(max_workers=2) as pool:
        actions = bot.processes[0]
        os.kill(actions.pid, signal.SIGSTOP)  # the action server hangs
        try:
            first = pool.submit(ask, config.rasa_url, "queued", "Wer bearbeitet Terminabsagen?")
            time.sleep(0.5)
            second = pool.submit(ask, config.rasa_url, "queued", "Wer bearbeitet Terminanfragen?")
            hung, queued = first.result(), second.result()
        finally:
            os.kill(actions.pid, signal.SIGCONT)
        time.sleep(1.0)  # both late turns finish
        after = ask(config.rasa_url, "queued", "Wer bearbeitet Terminabsagen?")
    assert hung.texts == [unavailable_reply()["de"]]
    assert queued.texts == [BUSY_REPLY["de"]]
    assert after.answer is not None
    assert (after.answer["kind"], after.answer["unit"]) == ("routing", unit_of("kontaktformular_termine"))


def test_a_restarted_bot_continues_the_conversation_where_it_was(tmp_path: Path) -> None:
    """The tracker lives in the SQLite tracker store: new processes pick up a pending clarifying question."""
    config = bot_config(200, tmp_path)
    with Bot(config) as bot:
        before = {process.pid for process in bot.processes}
        asked = [
            ask(config.rasa_url, sender, "telefonische ASU – wer?")
            for sender in ("restart-ja", "restart-nein")
        ]
    for reply in asked:
        assert reply.answer is not None and reply.answer["kind"] == "clarify"
        assert reply.answer["asks"] == "customer"
    with Bot(config) as bot:  # the same tracker database, every process new
        assert before.isdisjoint(process.pid for process in bot.processes)
        yes = ask(config.rasa_url, "restart-ja", "ja")
        source = ask(config.rasa_url, "restart-ja", "wo steht das?")
        no = ask(config.rasa_url, "restart-nein", "nein")
    assert yes.answer is not None
    assert (yes.answer["kind"], yes.answer["unit"], yes.answer["topic"], yes.answer["lang"]) == (
        "routing",
        unit_of("asu_telefon_reaktivierung"),
        "asu_telefon_reaktivierung",
        "de",
    )
    assert source.answer is not None and source.answer["topic"] == "asu_telefon_reaktivierung"
    assert "2.2" in source.text
    assert no.answer is not None
    assert (no.answer["kind"], no.answer["topic"]) == ("not_covered", "asu_telefon_ohne_status")
