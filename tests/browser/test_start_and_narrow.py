"""The start screen (the questions asked most, else a fixed list from the guides) and narrow screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.answering.guides import load_guides
from bot.paths import DATA_DIR, GUIDES_DIR
from bot.serving.asked import AskedTopics
from bot.serving.feedback import FeedbackStore
from bot.serving.suggest import START_QUESTIONS, SuggestionIndex, read_examples
from tests.bots import port_of
from tests.browser.conftest import REPLY_WAIT_MS, SIZES, Site, Watch, Widget, new_tab, tab_to
from tests.rules import verdict_of
from tests.web_server import WebServer, web_server


@pytest.fixture
def fresh(site: Site, tmp_path: Path) -> Iterator[WebServer]:
    """A web server for the real bot with a feedback store of its own, empty at first."""
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    with web_server(port_of(983), site.config.rasa_url, db_url, tmp_path / "web.log") as server:
        yield server


def start_buttons(page: Page) -> list[str]:
    buttons = page.get_by_role("group", name="Häufig gefragt").get_by_role("button")
    expect(buttons.first).to_be_visible()
    return buttons.all_inner_texts()


def test_without_answers_yet_the_start_screen_is_a_fixed_list_from_the_guides(
    page: Page, watch: Watch, fresh: WebServer
) -> None:
    guides = load_guides(GUIDES_DIR)  # the fresh server answers from the real guides, as of today
    index = SuggestionIndex(guides, read_examples(DATA_DIR, guides.vocabulary.intents), dt.date.today())
    Widget(page, watch).open(f"{fresh.url}/")
    expected = [index.canonical["de"][topic] for topic in index.fallback[:START_QUESTIONS]]
    assert start_buttons(page) == expected


def test_the_start_screen_shows_the_entries_asked_most_and_a_click_asks_by_keyboard(
    page: Page, watch: Watch, fresh: WebServer
) -> None:
    today = dt.date.today()
    asked = AskedTopics(fresh.db_url)
    for topic, times in (("eakte_antrag", 4), ("pressearbeit", 2)):
        for _ in range(times):
            asked.note(topic, today)
    # what someone typed is never shown: here a question with a name the guides did not answer
    store = FeedbackStore(fresh.db_url)
    store.record_unanswered("Frau Kowalski fragt nach dem Wetter", "out_of_scope")
    store.close()
    view = Widget(page, watch).open(f"{fresh.url}/")
    buttons = start_buttons(page)
    guides = load_guides(GUIDES_DIR)
    examples = {text for _, text in read_examples(DATA_DIR, guides.vocabulary.intents)}
    assert len(buttons) == START_QUESTIONS and set(buttons) <= examples  # questions of the training data
    assert not any("Kowalski" in text or "Wetter" in text for text in buttons)
    first = page.get_by_role("button", name=buttons[0], exact=True)
    tab_to(page, first)
    page.keyboard.press("Enter")
    reply = view.replies.first
    reply.wait_for(timeout=REPLY_WAIT_MS)
    expect(view.questions.first).to_contain_text(buttons[0])
    expect(reply.locator(".lotse-card__verdict")).to_have_text(verdict_of("eakte_antrag"))  # the most asked
    expect(page.get_by_role("group", name="Häufig gefragt")).to_have_count(0)  # gone once asked
    assert asked.counts(today)["eakte_antrag"] == 5  # the answer counted, by its entry only
    assert page.get_by_role("button", name=buttons[1], exact=True).count() == 0
    asked.close()


NARROW = [("narrow", "/"), ("narrow", "/call"), ("smallest", "/"), ("smallest", "/call")]
SCREENS = {**SIZES, "smallest": (360, 640)}


@pytest.mark.parametrize(("size", "path"), NARROW, ids=[f"{s}-{p.strip('/') or 'chat'}" for s, p in NARROW])
def test_on_a_narrow_screen_the_input_stays_in_sight_and_the_transcript_uses_the_height(
    browser: Browser, watch: Watch, site: Site, size: str, path: str
) -> None:
    width, height = SCREENS[size]
    with new_tab(browser, watch, (width, height)) as page:
        view = Widget(page, watch).open(site.url + path)
        if path == "/":  # the side panel folds into one line
            panel = page.locator(".aside details")
            assert panel.evaluate("d => d.open") is False
            expect(page.get_by_text("Über Lotse")).to_be_visible()
            expect(page.get_by_role("heading", name="Tastatur")).to_be_hidden()
        for question in (
            "Wohin gehen Terminabsagen aus dem Kontaktformular?",
            "Wer bearbeitet eService Veränderungsmitteilungen?",
            "Wann werden die Liegenschaftspostfächer gesperrt?",
        ):
            view.ask(question)
            assert view.in_view(view.input), question
        assert page.evaluate(
            "document.documentElement.scrollHeight <= innerHeight + 1"
        )  # the page does not scroll
        log = page.locator(".lotse__log").bounding_box()
        assert log is not None and log["height"] >= 0.4 * height, log  # answers do not scroll in a small box
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # nothing sideways


def test_on_a_wide_screen_the_side_panel_stays_open(page: Page, watch: Watch, site: Site) -> None:
    Widget(page, watch).open(f"{site.url}/")
    expect(page.get_by_role("heading", name="Tastatur")).to_be_visible()
