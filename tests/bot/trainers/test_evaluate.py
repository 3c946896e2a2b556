"""The eval report's count of "Meinten Sie" offers, and the off-topic questions that got one."""

from __future__ import annotations

from typing import Any

from bot.trainers.evaluate import BotReply, Outcome, Report


def outcome(question: str, expect: dict[str, Any], answer: dict[str, Any] | None) -> Outcome:
    return Outcome("single", question, expect, BotReply(texts=["…"], answer=answer, seconds=0.01))


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
