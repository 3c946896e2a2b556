"""Dates in questions, German and English forms."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering.dates import find_date, question_date
from tests.conftest import TODAY

CASES = [
    ("Was galt am 15.06.2025?", dt.date(2025, 6, 15)),
    ("stand 15.6.25", dt.date(2025, 6, 15)),
    ("am 15.06.", dt.date(TODAY.year, 6, 15)),
    ("Wer hat vor Juli 2025 die freien E-Mails bearbeitet?", dt.date(2025, 6, 30)),
    ("Wer hat bis Ende Juni 2025 die E-Mails bearbeitet?", dt.date(2025, 6, 30)),
    ("seit dem 1. Juli 2025", dt.date(2025, 7, 1)),
    ("im Juni 2025", dt.date(2025, 6, 1)),
    ("und ab August?", dt.date(TODAY.year, 8, 1)),
    # the case's day asked about: "wer war an dem Tag zuständig?", "on that day", a case supposed then
    ("and if she had called on 20 June 2025?", dt.date(2025, 6, 20)),
    (
        "Ex-Alo hat sich am 16.06.2025 telefonisch gemeldet – wer war an dem Tag zuständig?",
        dt.date(2025, 6, 16),
    ),
    (
        "She called on 12 June 2025 to register – who handled calls like that at the time?",
        dt.date(2025, 6, 12),
    ),
    ("vor dem 01.07.2025", dt.date(2025, 6, 30)),
    ("who handled them before July 2025?", dt.date(2025, 6, 30)),
    ("what applied on 15 June 2025?", dt.date(2025, 6, 15)),
    ("as of June 15, 2025", dt.date(2025, 6, 15)),
    ("until the end of June 2025", dt.date(2025, 6, 30)),
    ("on 2025-06-20", dt.date(2025, 6, 20)),
    ("März 2025", dt.date(2025, 3, 1)),
    ("nach Mai 2025", dt.date(2025, 6, 1)),
    ("after 30 June 2025", dt.date(2025, 7, 1)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_date_in_question(text: str, expected: dt.date) -> None:
    assert find_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Wer bearbeitet Terminabsagen?",
        "steht in Abschnitt 2.2.",
        "Aktentyp 1001 Alg",
        "you may ask",
        "Weisung 202505010",
        "spätestens 2 Wochen vorher",
        "am 31.02.2025",
    ],
)
def test_no_date(text: str) -> None:
    assert find_date(text, TODAY) is None


QUESTION_DATES = [
    # the question asks about the day
    ("Was galt am 15.06.2025?", dt.date(2025, 6, 15)),
    ("Wer hat vor Juli 2025 die freien E-Mails bearbeitet?", dt.date(2025, 6, 30)),
    ("Wer bearbeitet am 15.06.2025 Terminabsagen?", dt.date(2025, 6, 15)),
    ("what applied on 15 June 2025?", dt.date(2025, 6, 15)),
    ("und ab August?", dt.date(TODAY.year, 8, 1)),
    # the case's day asked about: "wer war an dem Tag zuständig?", "on that day", a case supposed then
    ("and if she had called on 20 June 2025?", dt.date(2025, 6, 20)),
    (
        "Ex-Alo hat sich am 16.06.2025 telefonisch gemeldet – wer war an dem Tag zuständig?",
        dt.date(2025, 6, 16),
    ),
    (
        "She called on 12 June 2025 to register – who handled calls like that at the time?",
        dt.date(2025, 6, 12),
    ),
    # a month without a year is the guides' change in that month, where they have one
    ("und ab Juli?", dt.date(2025, 7, 1)),
    ("wer hat das vor Juli bearbeitet?", dt.date(2025, 6, 30)),
    # "bis Ende Juni": the month that ends where a change begins
    ("bis ende juni, wer hat kontaktformulare zu terminen bearbeitet?", dt.date(2025, 6, 30)),
    # a date that tells what happened in the case: the question is about today
    ("Kundin ist am 02.04.2025 umgezogen und hat das online gemeldet – wer bearbeitet das?", None),
    # a customer's history beside the call: the call is today's
    ("Er hat bis März 2024 Alg bezogen und meldet sich telefonisch arbeitsuchend – wer?", None),
    ("Ein Kunde hat am 10.03.2025 online seine Bankverbindung eingetragen – wer bearbeitet das heute?", None),
    ("Customer reported online that he starts a new job on 1 March – who processes this?", None),
    ("Arbeitsaufnahme zum 1.10. online gemeldet, wer?", None),
    # a date that names a document is no day at all, nor the month inside it
    ("weisung vom 18.12.2024 worum gings da", None),
    ("what was the Weisung of 3 April 2024 about?", None),
    ("the instruction dated 18.12.2024 said what?", None),
    ("Bezugsweisung vom 18.12.2024 – welche Nummer hat die?", None),
    ("and the one from November 2024 – what was it about?", None),
    ("was galt laut Mail vom 03.04.2025 am 15.06.2025?", dt.date(2025, 6, 15)),
]

CHANGES = [dt.date(2025, 5, 26), dt.date(2025, 7, 1)]


@pytest.mark.parametrize(("text", "expected"), QUESTION_DATES, ids=[c[0][:40] for c in QUESTION_DATES])
def test_the_questions_date_not_the_cases(text: str, expected: dt.date | None) -> None:
    assert question_date(text, TODAY, CHANGES) == expected
