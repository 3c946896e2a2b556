"""When the bot is down, stops or hangs: a clear message, a retry, and the typed question kept."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.ops.processes import reachable
from tests.bots import port_of
from tests.browser.conftest import Site, Watch, Widget
from tests.rules import unit_of
from tests.web_server import WebServer, silent_server, web_server

QUESTION = "Wohin gehen Terminabsagen aus dem Kontaktformular?"
DEAD_RASA = f"http://127.0.0.1:{port_of(999)}"


@pytest.fixture
def rasa_down(site: Site) -> Iterator[WebServer]:
    """A web server whose Rasa is not running."""
    assert not reachable(f"{DEAD_RASA}/")
    with web_server(port_of(984), DEAD_RASA, site.db_url, site.folder / "log" / "web-down.log") as server:
        yield server


def expect_failure(view: Widget, message: str) -> None:
    expect(view.alert).to_contain_text(message)
    expect(view.alert.get_by_role("button", name="Erneut senden")).to_be_visible()
    expect(view.input).to_have_value(QUESTION)  # the typed question is not lost
    expect(view.questions.last).to_contain_text("(nicht gesendet)")
    expect(view.page.locator(".lotse__status")).to_have_text("")  # no typing indicator left


def send(view: Widget) -> None:
    view.input.fill(QUESTION)
    view.input.press("Enter")


def test_rasa_down_shows_the_failure_and_keeps_the_question(
    page: Page, watch: Watch, rasa_down: WebServer
) -> None:
    view = Widget(page, watch).open(f"{rasa_down.url}/")
    send(view)
    expect_failure(view, "Lotse antwortet gerade nicht")
    page.reload()  # the question survives a reload too
    view.input.wait_for()
    expect(view.input).to_have_value(QUESTION)


def test_the_page_server_stopped_then_retry_answers(page: Page, watch: Watch, site: Site) -> None:
    log = site.folder / "log" / "web-restart.log"
    server = WebServer(port_of(985), site.config.rasa_url, site.db_url, log).start()
    try:
        view = Widget(page, watch).open(f"{server.url}/")
        server.stop()
        send(view)
        expect_failure(view, "Lotse antwortet gerade nicht")
        server.start()
        view.alert.get_by_role("button", name="Erneut senden").click()
        reply = view.replies.first
        reply.locator(".lotse-card").wait_for()
        expect(reply.locator(".lotse-badge")).to_have_text(unit_of("kontaktformular_termine"))
        expect(view.alert).to_be_empty()
        expect(view.questions).to_have_count(1)  # the retried question is shown once, not failed
        expect(view.questions.first).not_to_contain_text("nicht gesendet")
        expect(view.input).to_have_value("")
    finally:
        server.stop()


def test_no_answer_within_5_seconds_is_a_failure_too(page: Page, watch: Watch, site: Site) -> None:
    log = site.folder / "log" / "web-hang.log"
    with (
        silent_server(port_of(997)) as hanging,
        web_server(port_of(986), hanging, site.db_url, log, upstream_timeout=30) as server,
    ):
        view = Widget(page, watch).open(f"{server.url}/")
        started = time.monotonic()
        send(view)
        expect(page.locator(".lotse__status")).to_contain_text("Lotse antwortet")  # typing indicator
        expect(view.alert).to_contain_text("nicht innerhalb von 5 Sekunden", timeout=10_000)
        waited = time.monotonic() - started
        expect_failure(view, "Ihre Frage steht noch im Eingabefeld")
    assert 4.5 < waited < 7.5
