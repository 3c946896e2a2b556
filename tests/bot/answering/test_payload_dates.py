"""One date per card: the payload's statement_validity is the validity of what the verdict states."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering.answers import AnswerWriter
from bot.answering.guides import Guides
from bot.answering.payload import days_named, statement_validity
from bot.answering.responses import Responses
from tests.bots import TODAY

DAY = dt.date.fromisoformat(TODAY)


def test_days_named_reads_both_ways_the_guides_write_a_day() -> None:
    assert days_named("zum 01.07.2025 gesperrt") == {dt.date(2025, 7, 1)}
    assert days_named("on 1 July 2025 (01.07.2025)") == {dt.date(2025, 7, 1)}
    assert days_named("31.02.2025, 2 Wochen") == set()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_card_shows_one_date_where_the_verdict_names_one(
    guides: Guides, responses: Responses, lang: str
) -> None:
    """The site postboxes' block: the verdict says 01.07.2025, the entry is valid from 26.05.2025."""
    writer = AnswerWriter(guides, responses)
    for entry in guides.entries:
        if not entry.valid_on(DAY):
            continue
        answer = writer.entry_reply(entry, lang, DAY, DAY).payload["answer"]
        shown = days_named(answer["verdict"]) | days_named(answer["statement_validity"] or "")
        named = days_named(entry.text.get(lang).verdict)
        if len(named) == 1 and entry.valid_to is None:
            assert shown == named, (entry.id, answer["statement_validity"])
        else:
            assert answer["statement_validity"] == answer["validity"], entry.id
    block = writer.entry_reply(guides.by_id["sperre_liegenschaftspostfaecher"], "de", DAY, DAY).payload[
        "answer"
    ]
    assert (block["validity"], block["statement_validity"]) == ("Gilt ab 26.05.2025.", "Gilt ab 01.07.2025.")


def test_a_day_that_is_the_rules_end_or_outside_it_keeps_the_entrys_line() -> None:
    start, end = dt.date(2025, 5, 26), dt.date(2025, 6, 30)
    line = "Gilt vom 26.05.2025 bis 30.06.2025."
    assert statement_validity("Bis 30.06.2025 war es aufgeteilt.", line, start, end, "de") == line
    assert (
        statement_validity("Seit 01.01.2024 …", "Gilt ab 26.05.2025.", start, None, "de")
        == "Gilt ab 26.05.2025."
    )
    assert statement_validity("Ab 01.07.2025 und 01.08.2025", "Gilt ab 26.05.2025.", start, None, "de") == (
        "Gilt ab 26.05.2025."
    )
    assert statement_validity(None, None, None, None, "de") is None
