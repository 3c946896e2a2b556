"""The call view for SC agents: one input, the verdict line in large type, keyboard shortcuts."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from bot.trainers.evaluate import ask
from tests.browser.conftest import Site, Watch, Widget
from tests.rules import verdict_of


@pytest.fixture
def call_view(page: Page, watch: Watch, site: Site) -> Widget:
    return Widget(page, watch).open(f"{site.url}/call")


def font_px(locator: Locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def test_the_call_view_shows_the_verdict_line_in_large_type(call_view: Widget, site: Site) -> None:
    question = "Wer bearbeitet eService Veränderungsmitteilungen?"
    expected = ask(site.config.rasa_url, f"check-{uuid.uuid4().hex}", question).answer or {}
    reply = call_view.ask(question)
    card = reply.locator(".lotse-card")
    expect(card.locator(".lotse-card__verdict")).to_have_text(expected["verdict"])
    expect(card.locator(".lotse-badge")).to_have_text(expected["unit"])
    assert font_px(card.locator(".lotse-card__verdict")) >= 24
    assert font_px(card.locator(".lotse-badge")) >= 20
    # the verdict only: no detail, no "where", no validity – the source stays as one short line
    expect(card.locator(".lotse-card__detail")).to_have_count(0)
    expect(card.locator(".lotse-card__where")).to_have_count(0)
    expect(card.locator(".lotse-card__validity")).to_have_count(0)
    expect(card.locator(".lotse-card__source")).to_have_text(expected["source"]["text"])
    expect(call_view.page.locator(".lotse__input")).to_have_count(1)
    assert font_px(call_view.input) >= 20


def test_the_toggle_switches_between_call_view_and_chat(call_view: Widget) -> None:
    call_view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    toggle = call_view.page.get_by_role("button", name="Telefonansicht")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(call_view.page.locator(".lotse-card__detail")).to_be_visible()
    toggle.click()
    expect(call_view.page.locator(".lotse-card__detail")).to_have_count(0)


def test_chat_and_call_view_share_the_conversation(widget: Widget, site: Site) -> None:
    widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    widget.page.get_by_role("link", name="Telefonansicht").click()
    widget.page.wait_for_url(f"{site.url}/call")
    verdict = verdict_of("kontaktformular_termine")
    expect(widget.page.locator(".lotse-card__verdict")).to_have_text(verdict)


VIEWS = ["/", "/call"]


@pytest.mark.parametrize("path", VIEWS)
def test_slash_and_ctrl_k_focus_the_input_and_esc_clears_it(
    page: Page, watch: Watch, site: Site, path: str
) -> None:
    view = Widget(page, watch).open(site.url + path)
    page.locator("body").click(position={"x": 5, "y": 400})  # focus somewhere outside the widget
    expect(view.input).not_to_be_focused()
    page.keyboard.press("/")
    expect(view.input).to_be_focused()
    expect(view.input).to_have_value("")  # the slash opened the input, it is not typed
    page.keyboard.type("a/b")  # inside the input a slash is a slash
    expect(view.input).to_have_value("a/b")
    page.keyboard.press("Escape")
    expect(view.input).to_have_value("")
    expect(view.input).to_be_focused()
    page.get_by_role("link", name="Chat").focus()
    page.keyboard.press("Control+k")
    expect(view.input).to_be_focused()
    page.keyboard.type("Wer bearbeitet VÄM?")
    page.get_by_role("link", name="Chat").focus()
    page.keyboard.press("Escape")  # focus outside the widget: the question stays
    expect(view.input).to_have_value("Wer bearbeitet VÄM?")
