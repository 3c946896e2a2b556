"""Eval as a mode of the conversations runner: its figures, its "Meinten Sie" count, and the same
result on a real file as the eval that read and checked files on its own (before issue #12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.paths import PROJECT_ROOT
from bot.trainers.conversations import BotReply, TurnResult, check_turn
from bot.trainers.evaluate import Report, run_eval
from bot.trainers.files import Conversation, ConversationError, Turn
from tests.bot.trainers.fake_bot import fake_bot

GOLDEN = Path(__file__).parent / "golden"


def outcome(question: str, expect: dict[str, Any], answer: dict[str, Any] | None) -> TurnResult:
    turn = Turn(question, expect)
    reply = BotReply(texts=["…"], answer=answer, seconds=0.01)
    conversation = Conversation("single", "x.yml", (turn,), single=True)
    return TurnResult(conversation, 1, turn, question, reply, check_turn(expect, reply))


OFFER = {"kind": "clarify", "asks": "topic", "options": []}


def test_the_report_counts_offers_and_names_those_for_off_topic_questions() -> None:
    report = Report(
        singles=[
            outcome("antrag im webshop", {"kind": "fact"}, OFFER),
            outcome("call me a taxi", {"kind": "out_of_scope"}, OFFER),
            outcome("telefonische ASU – wer?", {"kind": "clarify"}, {"kind": "clarify", "asks": "customer"}),
            outcome("Wetter?", {"kind": ["out_of_scope", "not_covered"]}, {"kind": "out_of_scope"}),
        ],
        dialogues=[("d", [outcome("Reaktivierung", {}, OFFER)])],
    )
    assert report.offers() == [
        "'Meinten Sie' offers: 3, 1 of them where out_of_scope was expected",
        "  offered for an off-topic question: call me a taxi",
    ]
    assert "'Meinten Sie' offers: 3" in report.format()
    assert Report(singles=[outcome("Wetter?", {}, {"kind": "out_of_scope"})], dialogues=[]).offers() == []


def without_latency(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("reply latency")) + "\n"


def test_eval_mode_gives_the_figures_the_old_eval_gave_on_a_real_file() -> None:
    """tests/eval/paraphrases.yml against a stand-in bot (tests/bot/trainers/fake_bot.py) that answers
    some questions right and some wrong; golden/eval_paraphrases.txt is what the old eval printed
    for exactly this (per-kind accuracy, singles, dialogues, offers, every failure)."""
    path = PROJECT_ROOT / "tests" / "eval" / "paraphrases.yml"
    with fake_bot(path) as url:
        report = run_eval(path, url)
    expected = (GOLDEN / "eval_paraphrases.txt").read_text(encoding="utf-8")
    assert without_latency(report.format()) == expected
    assert (len(report.singles), len(report.dialogues)) == (160, 9)
    assert report.dialogues[0][0] == 'phone registration, typed "ja" settles it'
    assert "reply latency over 181 messages" in report.format()


def test_a_file_that_breaks_the_schema_is_refused_before_anything_is_asked(tmp_path: Path) -> None:
    path = tmp_path / "dev.yml"
    path.write_text('single:\n  - qq: "Wer bearbeitet Terminabsagen?"\n', encoding="utf-8")
    with pytest.raises(ConversationError, match=r"dev.yml:2: conversation 'single 1', key 'qq'"):
        run_eval(path, "http://127.0.0.1:9")  # nothing listens there; nothing is sent
