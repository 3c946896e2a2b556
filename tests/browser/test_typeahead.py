"""Type-ahead in the call view and the widget, by keyboard alone, on a desktop and a phone screen."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import REPLY_WAIT_MS, SIZES, Site, Watch, Widget, new_tab
from tests.rules import verdict_of

CASES = [(size, path) for size in SIZES for path in ("/", "/call")]


def suggestions_for(site: Site, typed: str, lang: str = "de") -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({"q": typed, "lang": lang})
    with urllib.request.urlopen(f"{site.url}/api/suggest?{query}", timeout=10) as reply:
        found: list[dict[str, Any]] = json.loads(reply.read())["suggestions"]
    return found


@pytest.mark.parametrize(("size", "path"), CASES, ids=[f"{s}-{p.strip('/') or 'chat'}" for s, p in CASES])
def test_a_suggestion_is_picked_with_the_arrow_keys_and_enter_and_asked_at_once(
    browser: Browser, watch: Watch, site: Site, size: str, path: str
) -> None:
    with new_tab(browser, watch, SIZES[size]) as page:
        view = Widget(page, watch).open(site.url + path)
        page.keyboard.press("/")
        page.keyboard.type("Te")
        page.wait_for_timeout(300)
        expect(view.suggestions).to_have_count(0)  # two characters: nothing yet
        expect(view.input).to_have_attribute("aria-expanded", "false")
        page.keyboard.type("rminab")
        expect(view.suggestions.first).to_be_visible()
        expected = suggestions_for(site, "Terminab")
        expect(view.suggestions).to_have_count(len(expected))
        assert 1 <= len(expected) <= 5
        expect(page.get_by_role("listbox")).to_be_visible()
        assert view.in_view(page.get_by_role("listbox"))  # under the input, on screen
        expect(view.input).to_have_attribute("role", "combobox")
        expect(view.input).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        first = view.suggestions.first
        expect(first).to_have_attribute("aria-selected", "true")
        expect(view.input).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "?")
        expect(view.input).to_be_focused()
        page.keyboard.press("Enter")
        reply = view.replies.first
        reply.wait_for(timeout=REPLY_WAIT_MS)
        expect(view.questions.first).to_contain_text(expected[0]["ask"])  # asked as shown, at once
        expect(view.suggestions).to_have_count(0)
        expect(view.input).to_have_value("")
        if expected[0]["topic"]:  # a suggestion names the entry it leads to
            expect(reply.locator(".lotse-card__verdict")).to_have_text(verdict_of(expected[0]["topic"]))


def test_suggestions_follow_the_language_typed_and_esc_closes_them_before_clearing(
    widget: Widget, site: Site
) -> None:
    page = widget.page
    widget.input.focus()
    page.keyboard.type("who hand")
    expect(widget.suggestions.first).to_be_visible()
    texts = widget.suggestions.all_inner_texts()
    assert texts == [s["text"] for s in suggestions_for(site, "who hand")]
    assert all(text.lower().startswith("who hand") for text in texts)
    page.keyboard.press("Escape")  # first Esc: the list goes, the typed words stay
    expect(widget.suggestions).to_have_count(0)
    expect(widget.input).to_have_value("who hand")
    page.keyboard.press("Escape")
    expect(widget.input).to_have_value("")
    page.keyboard.type("Kontaktform")
    expect(widget.suggestions.first).to_be_visible()
    page.keyboard.press("Enter")  # Enter without choosing asks what was typed
    reply = widget.replies.first
    reply.wait_for(timeout=REPLY_WAIT_MS)
    expect(widget.questions.first).to_have_text("Sie:Kontaktform")


def test_a_topic_suggestion_asks_its_question(widget: Widget, site: Site) -> None:
    topics = [s for s in suggestions_for(site, "Terminabsage") if s["kind"] == "topic"]
    assert topics, "the subject 'Terminabsage' is offered as a topic"
    widget.input.focus()
    widget.page.keyboard.type("Terminabsage")
    option = widget.page.get_by_role("option", name=f"Thema: {topics[0]['text']}")
    expect(option).to_be_visible()
    position = widget.suggestions.all_inner_texts().index(f"Thema: {topics[0]['text']}")
    for _ in range(position + 1):
        widget.page.keyboard.press("ArrowDown")
    widget.page.keyboard.press("Enter")
    widget.replies.first.wait_for(timeout=REPLY_WAIT_MS)
    expect(widget.questions.first).to_contain_text(topics[0]["ask"])
