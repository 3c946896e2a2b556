"""The "Neu seit …" badge in Chromium: an answer for a day less than 30 days after its entry became
valid shows when that was, in the answer's language, from the payload's `new_since` alone; an answer
for today (years after the July 2025 change) shows none.

The day asked about is one on which another entry answers than today (the phone registration of a
former Alo customer in June 2025, when the rule of 26.05.2025 held), so the reply is "Stand …" for it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from bot.answering.guides import load_guides
from tests.browser.conftest import Site, Widget
from tests.browser.test_widget import payload_of

QUESTIONS = [
    (
        "de",
        "Wer bearbeitete eine telefonische ASU eines ehemaligen Alo-Kunden am 10.06.2025?",
        "Neu seit {d:%d.%m.%Y}",
    ),
    (
        "en",
        "who handled a phone ASU of a former Alo customer on 10 June 2025?",
        "New since {d.day} {d:%B} {d.year}",
    ),
]


@pytest.mark.parametrize(("question", "badge"), [q[1:] for q in QUESTIONS], ids=[q[0] for q in QUESTIONS])
def test_an_answer_for_a_day_just_after_its_entry_starts_shows_new_since(
    widget: Widget, site: Site, question: str, badge: str
) -> None:
    answer = payload_of(site, question)
    assert answer["new_since"] is not None, (answer["verdict"], answer["valid_from"])
    since = dt.date.fromisoformat(answer["new_since"])
    assert site.config.guides_dir is not None
    guides = load_guides(site.config.guides_dir)
    assert guides.by_id[answer["topic"]].valid_from == since  # the entry's start, as the guides say
    card = widget.ask(question).locator(".lotse-card")
    expect(card.locator(".lotse-new")).to_have_text(badge.format(d=since))
    expect(card.locator(".lotse-card__top")).to_contain_text(badge.format(d=since))  # read with the badge


def test_an_answer_for_today_shows_no_new_since(widget: Widget, site: Site) -> None:
    question = "Wohin gehen Terminabsagen aus dem Kontaktformular?"
    assert payload_of(site, question)["new_since"] is None
    card = widget.ask(question).locator(".lotse-card")
    expect(card.locator(".lotse-card__verdict")).not_to_be_empty()
    expect(card.locator(".lotse-new")).to_have_count(0)
