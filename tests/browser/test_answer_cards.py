"""What an answer card gives an agent: the fact that was asked (call view), one date, a copy for the
file note, the source behind a link, a neutral card for what Lotse could not place, and what Lotse is."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from bot.answering.payload import answer_payload
from bot.answering.responses import Responses
from bot.paths import DOMAIN_FILE
from bot.serving.web import NOTICE_RESPONSE
from tests.bots import port_of
from tests.browser.conftest import SIZES, Site, Watch, Widget, answer_via_page, new_tab, tab_to
from tests.browser.test_embedding import intranet_page
from tests.web_server import WebServer, web_server

DAY = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
SINCE_WHEN = "Seit wann bearbeitet das SC die telefonische ASU von Reaktivierungskunden?"
TWO_FACTS = "Bis wann und mit welchem Formular beantrage ich die Änderung am eAkte-Regelwerk?"
ACCENT = "rgb(168, 0, 28)"  # the off-topic red (widget.css --lotse-accent)


def border_left(card: Locator) -> str:
    return str(card.evaluate("c => getComputedStyle(c).borderLeftColor"))


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def call_view(request: pytest.FixtureRequest, browser: Browser, watch: Watch, site: Site) -> Iterator[Widget]:
    with new_tab(browser, watch, SIZES[request.param]) as page:
        yield Widget(page, watch).open(f"{site.url}/call")


def test_the_call_view_shows_the_date_that_was_asked_and_expands_on_enter(call_view: Widget) -> None:
    """ "Seit wann …?": the verdict names no date; the card shows it anyway, and Enter shows it all."""
    reply = call_view.ask(SINCE_WHEN)
    card = reply.locator(".lotse-card")
    verdict = card.locator(".lotse-card__verdict").inner_text()
    assert not DAY.search(verdict)
    shown = DAY.findall(card.inner_text())
    assert shown and len(set(shown)) == 1, shown  # the date asked for, once
    expect(card.locator(".lotse-card__detail")).to_have_count(0)
    toggle = card.get_by_role("button", name="Ganze Antwort")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(call_view.input).to_be_focused()
    call_view.page.keyboard.press("Enter")  # Enter in the empty input: the whole card
    card = call_view.last_reply().locator(".lotse-card")
    expect(card.locator(".lotse-card__detail")).to_be_visible()
    expect(card.locator(".lotse-card__validity")).to_be_visible()
    toggle = card.get_by_role("button", name="Nur das Wichtigste")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    tab_to(call_view.page, toggle)
    call_view.page.keyboard.press("Enter")
    card = call_view.last_reply().locator(".lotse-card")
    expect(card.locator(".lotse-card__detail")).to_have_count(0)
    expect(card.get_by_role("button", name="Ganze Antwort")).to_be_focused()


def test_the_call_view_shows_the_two_facts_a_question_asked_for(call_view: Widget, site: Site) -> None:
    answer = answer_via_page(site.url, TWO_FACTS)
    asked = [fact for fact in answer.get("facts") or []]
    lead = [line for line in (answer.get("lead") or "").split("\n") if line]
    assert len(asked) + len(lead) == 2, answer  # the deadline and the form, as facts or as the lead
    card = call_view.ask(TWO_FACTS).locator(".lotse-card")
    for fact in asked:
        expect(card.locator(".lotse-card__fact", has_text=fact["value"])).to_be_visible()
        expect(card.locator(".lotse-card__fact", has_text=fact["value"])).to_contain_text(fact["label"])
    for line in lead:
        expect(card.locator(".lotse-card__pre", has_text=line)).to_be_visible()
    assert "SGBIII_Änderungsformular_zum_eAkte_Regelwerk" in card.inner_text()
    expect(card.locator(".lotse-card__detail")).to_have_count(0)


def test_one_date_per_card(widget: Widget, site: Site) -> None:
    """The site postboxes' block: valid since the instruction (26.05.2025), the verdict says 01.07.2025."""
    question = "Wann werden die Liegenschaftspostfächer gesperrt?"
    answer = answer_via_page(site.url, question)
    assert answer["topic"] == "sperre_liegenschaftspostfaecher" and answer["lead"] is None
    card = widget.ask(question).locator(".lotse-card")
    dates = DAY.findall(" ".join(card.locator(".lotse-card__verdict, .lotse-card__facts").all_inner_texts()))
    assert set(dates) == {"01.07.2025"}, dates
    expect(card.locator(".lotse-card__validity")).to_have_text(answer["statement_validity"])


def test_copy_for_the_file_note_puts_verdict_detail_and_source_on_the_clipboard(
    browser: Browser, watch: Watch, site: Site
) -> None:
    question = "Wohin gehen Terminabsagen aus dem Kontaktformular?"
    answer = answer_via_page(site.url, question)
    with new_tab(browser, watch, SIZES["wide"], ["clipboard-read", "clipboard-write"]) as page:
        view = Widget(page, watch).open(f"{site.url}/")
        reply = view.ask(question)
        copy = reply.get_by_role("button", name="Für Vermerk kopieren")
        tab_to(page, copy)
        page.keyboard.press("Enter")
        expect(reply.get_by_role("button", name=re.compile("^Kopiert"))).to_be_visible()
        announced = page.locator(".lotse [role=status]", has_text="in die Zwischenablage kopiert")
        expect(announced).to_have_text("Antwort mit Erläuterung und Quelle in die Zwischenablage kopiert.")
        copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "\n".join([answer["verdict"], answer["detail"], answer["source"]["text"]])
    assert "<" not in copied  # plain text


def not_understood(inside: bool) -> Callable[[Route], None]:
    """The reply to a message Lotse could not place (`understood: false` in the answer payload or
    beside it), with two choices."""

    def fulfil(route: Route) -> None:
        text = Responses.from_domain_file(DOMAIN_FILE).text("utter_not_understood", "de")
        options = [
            {"title": "Terminabsage", "payload": "/ask_appointment_cancellation"},
            {"title": "Kontaktformular", "payload": "/ask_contact_form"},
        ]
        payload = answer_payload("out_of_scope", "de", verdict=text, options=options)
        if inside:  # as actions/writing.py writes it
            payload["answer"]["understood"] = False
        custom = payload if inside else {**payload, "understood": False}
        body = [{"recipient_id": "x", "text": text}, {"recipient_id": "x", "custom": custom}]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    return fulfil


@pytest.mark.parametrize("inside", [True, False], ids=["in the answer", "beside it"])
def test_a_message_lotse_could_not_place_is_a_neutral_card_with_its_choices(
    widget: Widget, page: Page, inside: bool
) -> None:
    page.route("**/webhooks/rest/webhook", not_understood(inside))
    reply = widget.ask("und das andere da mit dem Ding?")
    card = reply.locator(".lotse-card")
    expect(card.locator(".lotse-card__kind")).to_have_text("Nicht sicher verstanden")
    expect(card.locator(".lotse-card__verdict")).to_contain_text("Das habe ich nicht sicher verstanden")
    expect(reply).not_to_contain_text("Kein Thema der Leitfäden")
    assert border_left(card) != ACCENT
    assert card.locator(".lotse-card__verdict").evaluate("v => getComputedStyle(v).fontWeight") == "400"
    choice = card.get_by_role("button", name="Kontaktformular")
    tab_to(page, choice)
    page.unroute("**/webhooks/rest/webhook")
    page.keyboard.press("Enter")
    widget.replies.nth(1).wait_for()
    expect(widget.questions.last).to_contain_text("Kontaktformular")


def test_only_what_is_clearly_off_topic_gets_the_red_card(widget: Widget) -> None:
    card = widget.ask("Wie wird das Wetter morgen in Nürnberg?").locator(".lotse-card")
    expect(card.locator(".lotse-card__kind")).to_have_text("Kein Thema der Leitfäden")
    assert border_left(card) == ACCENT


def test_each_answer_links_to_its_source(widget: Widget, site: Site) -> None:
    card = widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?").locator(".lotse-card")
    link = card.get_by_role("link", name=re.compile("^Quelle: Weisung"))
    expect(link).to_have_attribute("href", f"{site.url}/source/kontaktformular_termine?lang=de")
    expect(link).to_have_attribute("target", "_blank")
    with widget.page.expect_popup() as popup:
        link.focus()
        widget.page.keyboard.press("Enter")
    source = popup.value
    expect(source.get_by_role("heading", name="Quelle der Antwort")).to_be_visible()
    expect(source.locator("main")).to_contain_text("Abschnitt")
    expect(source.locator(".source__verdict")).to_have_text(card.locator(".lotse-card__verdict").inner_text())


@pytest.fixture
def embeddable(site: Site) -> Iterator[WebServer]:
    allowed = f"http://127.0.0.1:{port_of(982)}"
    log = site.folder / "log" / "web-notice.log"
    with web_server(port_of(981), site.config.rasa_url, site.db_url, log, cors=allowed) as server:
        yield server


@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_says_at_first_sight_that_lotse_is_an_automated_assistant(
    browser: Browser, watch: Watch, site: Site, embeddable: WebServer, tmp_path: Path, size: str
) -> None:
    """The EU AI Act's transparency notice, worded in domain.yml, in view without scrolling."""
    notice = Responses.from_domain_file(DOMAIN_FILE).text(NOTICE_RESPONSE, "de")
    with (
        new_tab(browser, watch, SIZES[size]) as page,
        intranet_page(tmp_path / "host", port_of(982), embeddable.url) as host,
    ):
        for url in (f"{site.url}/", f"{site.url}/call", host):
            view = Widget(page, watch).open(url)
            expect(view.notice).to_have_text(notice)
            assert view.in_view(view.notice), url
            if url != host:  # the host page decides where the embedded widget stands
                assert view.in_view(view.input), url
