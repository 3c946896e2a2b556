"""The chat widget in Chromium against the real bot: cards, clarifying buttons, text as text, reload."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from bot.answering.guides import Guides
from bot.trainers.evaluate import ask
from tests.browser.conftest import (
    CARD_BUDGET_S,
    METRICS,
    NEW_UNIT,
    NEW_UNIT_LABELS,
    NEW_UNIT_QUESTION,
    Site,
    Watch,
    Widget,
    tab_to,
)
from tests.offers import first_offer
from tests.rules import rule, unit_of

# language, question, the rule that answers it (its unit and place are the guides'), what the card shows
ROUTING = [
    (
        "de",
        "Wohin gehen Terminabsagen aus dem Kontaktformular?",
        "kontaktformular_termine",
        {
            "validity": "ab 01.07.2025",
            "source": "Quelle: Weisung 202505010, Abschnitt 2.2",
        },
        "Ihre Frage an Lotse",
    ),
    (
        "en",
        "who handles a phone ASU of a former Alo customer?",
        "asu_telefon_reaktivierung",
        {
            "validity": "from 1 July 2025",
            "source": "Source: Instruction 202505010, section 2.2",
        },
        "Your question to Lotse",
    ),
]


def payload_of(site: Site, question: str) -> dict[str, Any]:
    """The answer payload the bot sends for `question` in a conversation of its own."""
    answer = ask(site.config.rasa_url, f"check-{uuid.uuid4().hex}", question).answer
    assert answer is not None
    return answer


def expect_card_shows_the_payload(card: Locator, answer: dict[str, Any]) -> None:
    """The card shows the payload's fields, each as the bot wrote it: nothing is parsed from the text."""
    badge = card.locator(".lotse-badge")
    expect(badge).to_have_text(answer["unit"])
    expect(badge).to_have_attribute("title", answer["unit_label"])
    expect(card).to_have_attribute("data-unit", answer["unit"])
    expect(card.locator(".lotse-card__kind")).to_contain_text(answer["unit_label"])
    expect(card.locator(".lotse-card__verdict")).to_have_text(answer["verdict"])
    expect(card.locator(".lotse-card__where")).to_contain_text(answer["where"])
    expect(card.locator(".lotse-card__validity")).to_have_text(answer["statement_validity"])
    expect(card.locator(".lotse-card__source")).to_have_text(answer["source"]["text"])
    expect(card.locator(".lotse-card__detail")).to_have_text(answer["detail"])


@pytest.mark.parametrize(
    ("lang", "question", "topic", "facts", "input_label"), ROUTING, ids=[r[0] for r in ROUTING]
)
def test_a_routing_question_shows_a_card_with_unit_badge_and_source(
    widget: Widget, site: Site, lang: str, question: str, topic: str, facts: dict[str, str], input_label: str
) -> None:
    unit, where = unit_of(topic), rule(topic).answer.where
    assert where is not None
    facts = {**facts, "where": where.get(lang)}
    answer = payload_of(site, question)
    assert (answer["topic"], answer["unit"]) == (topic, unit)
    before = len(METRICS.card_seconds)
    reply = widget.ask(question)
    card = reply.locator(".lotse-card")
    expect_card_shows_the_payload(card, answer)
    expect(card.locator(".lotse-card__verdict")).to_have_text(re.compile(rf"^{unit} – "))
    for name, value in facts.items():
        expect(card.locator(f".lotse-card__{name}")).to_contain_text(value)
    detail = card.locator(".lotse-card__detail")
    expect(detail).to_be_visible()
    expect(detail).not_to_contain_text("Quelle:")  # shown once, above, not again in the detail
    expect(card.locator(".lotse-card__source")).to_have_count(1)
    # the interface speaks the conversation's language
    expect(widget.page.get_by_label(input_label, exact=True)).to_be_visible()
    assert METRICS.card_seconds[before] < CARD_BUDGET_S


def test_a_unit_the_widget_never_heard_of_shows_with_its_label_and_takes_feedback(
    widget: Widget, site: Site
) -> None:
    """NEW_UNIT is declared only in the bot's guides (tests/browser/conftest.py): no JS, CSS or Python
    of Lotse names it, and still its answer shows badge and label, and a 👎 on it is stored."""
    answer = payload_of(site, NEW_UNIT_QUESTION)
    assert (answer["unit"], answer["unit_label"]) == (NEW_UNIT, NEW_UNIT_LABELS["de"])
    reply = widget.ask(NEW_UNIT_QUESTION)
    card = reply.locator(".lotse-card")
    expect_card_shows_the_payload(card, answer)
    expect(card.locator(".lotse-card__kind")).to_have_text(f"Zuständigkeit · {NEW_UNIT_LABELS['de']}")
    # styled as every unit is: the badge is as legible as the real units' badges
    colours = card.locator(".lotse-badge").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 74, 135)"]

    reply.get_by_role("button", name="Nein, nicht hilfreich").click()
    reply.get_by_label("Was war falsch?").fill("Neue Einheit – stimmt das?")
    reply.get_by_role("button", name="Absenden").click()
    expect(reply.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")
    store = site.store()
    [stored] = [r for r in store.ratings(rating=-1) if r.comment == "Neue Einheit – stimmt das?"]
    store.close()
    assert (stored.unit, stored.topic) == (NEW_UNIT, answer["topic"])


def test_a_clarifying_question_offers_real_buttons_and_a_click_answers(widget: Widget) -> None:
    reply = widget.ask("telefonische ASU – wer?")
    expect(reply).to_contain_text("Hatte die Kundin oder der Kunde schon einmal einen Status")
    choices = reply.locator(".lotse-choice")
    expect(choices).to_have_count(2)
    assert choices.evaluate_all("buttons => buttons.map(b => b.tagName)") == ["BUTTON", "BUTTON"]
    answer = widget.click_choice("Ja, schon einmal einen Status")
    expect(widget.questions.last).to_have_text(re.compile("Ja, schon einmal einen Status"))
    expect(answer.locator(".lotse-badge")).to_have_text(unit_of("asu_telefon_reaktivierung"))
    expect(answer.locator(".lotse-card__verdict")).to_contain_text("Reaktivierung")
    expect(choices.first).to_be_disabled()  # an old question cannot be answered twice


def test_a_did_you_mean_offer_is_a_neutral_question_whose_buttons_work_by_keyboard(
    widget: Widget, site: Site, guides: Guides
) -> None:
    """An unclear question ("Meinten Sie …?") is the neutral card "Nicht sicher verstanden" with its
    choices, never the red off-topic card."""
    page = widget.page
    question, option = first_offer(site.config.rasa_url)  # one the running model is unsure about
    entry = guides.by_id[option["topic"]]
    reply = widget.ask(question)
    card = reply.locator(".lotse-card")
    expect(card.locator(".lotse-card__verdict")).to_contain_text("Meinten Sie")
    expect(card.locator(".lotse-card__kind")).to_have_text("Nicht sicher verstanden")
    expect(reply).not_to_contain_text("Kein Thema der Leitfäden")
    target = reply.get_by_role("button", name=option["title"], exact=True)
    tab_to(page, target)
    assert target.evaluate("b => getComputedStyle(b).outlineStyle") != "none"  # focus is visible
    page.keyboard.press("Enter")
    answer = widget.replies.nth(1)
    card = answer.locator(".lotse-card")
    card.wait_for()
    expect(widget.questions.last).to_contain_text(option["title"])
    expect(card.locator(".lotse-card__verdict")).to_contain_text(entry.text.de.verdict[:40])
    expect(target).to_be_disabled()  # an old offer cannot be taken twice


MARKUP = [
    ("img onerror", "<img src=x onerror=alert(1)>"),
    ("script tag", "<script>alert(2)</script> Wer bearbeitet VÄM?"),
    ("svg onload", '"><svg onload=alert(3)>'),
]


@pytest.mark.parametrize("text", [m[1] for m in MARKUP], ids=[m[0] for m in MARKUP])
def test_markup_in_a_message_is_shown_as_literal_text(widget: Widget, watch: Watch, text: str) -> None:
    widget.ask(text)
    expect(widget.questions.last).to_have_text(re.compile(re.escape(text)))
    root = widget.page.locator(".lotse")
    assert root.locator("img, script, svg[onload]").count() == 0
    widget.page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert watch.dialogs == []


def test_the_transcript_survives_a_reload(widget: Widget) -> None:
    widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    widget.ask("telefonische ASU – wer?")
    texts = widget.page.locator(".lotse__log").inner_text()
    sender = widget.storage("sender")
    widget.input.fill("Wer bearbeitet eService")  # a question half typed
    widget.page.reload()
    widget.input.wait_for()
    assert widget.page.locator(".lotse__log").inner_text() == texts
    expect(widget.replies).to_have_count(2)
    expect(widget.replies.first.locator(".lotse-badge")).to_have_text(unit_of("kontaktformular_termine"))
    expect(widget.input).to_have_value("Wer bearbeitet eService")
    assert widget.storage("sender") == sender
    # the clarifying buttons of the last reply still work after the reload
    answer = widget.click_choice("Nein, noch nie einen Status")
    expect(answer.locator(".lotse-card__kind")).to_contain_text("Nicht geregelt")


def test_the_sender_id_is_random_and_a_new_conversation_gets_a_new_one(widget: Widget) -> None:
    widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    first = widget.storage("sender")
    assert isinstance(first, str) and re.fullmatch(r"web-[0-9a-f]{32}", first)
    widget.page.get_by_role("button", name="Neues Gespräch").click()
    expect(widget.replies).to_have_count(0)
    expect(widget.page.locator(".lotse__intro")).to_be_visible()
    second = widget.storage("sender")
    assert isinstance(second, str) and second != first
    # the new conversation does not know the old one's case
    reply = widget.ask("wo steht das?")
    expect(reply).not_to_contain_text("Kontaktformular")


def test_everything_works_by_keyboard_alone(widget: Widget, site: Site) -> None:
    page = widget.page
    page.keyboard.press("/")
    expect(widget.input).to_be_focused()
    page.keyboard.type("telefonische ASU – wer?")
    page.keyboard.press("Enter")
    widget.replies.first.locator(".lotse-choice").first.wait_for()
    target = page.get_by_role("button", name="Nein, noch nie einen Status")
    tab_to(page, target)
    assert target.evaluate("b => getComputedStyle(b).outlineStyle") != "none"  # focus is visible
    page.keyboard.press("Enter")
    answer = widget.replies.nth(1)
    answer.locator(".lotse-card").wait_for()
    down = answer.get_by_role("button", name="Nein, nicht hilfreich")
    tab_to(page, down)
    page.keyboard.press("Enter")
    comment = answer.get_by_label("Was war falsch?")
    expect(comment).to_be_focused()
    page.keyboard.type("Tastatur-Test")
    page.keyboard.press("Enter")
    expect(answer.locator(".lotse-feedback")).to_contain_text("Danke")
    store = site.store()
    assert any(r.comment == "Tastatur-Test" for r in store.ratings(rating=-1))
    store.close()


def test_every_control_has_a_label(page: Page, widget: Widget) -> None:
    widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    page.get_by_role("button", name="Nein, nicht hilfreich").click()
    unnamed = page.locator(".lotse button, .lotse input").evaluate_all(
        """controls => controls.filter(c => {
            const label = c.labels && c.labels.length ? c.labels[0].textContent : '';
            return !(c.getAttribute('aria-label') || label || c.textContent).trim();
        }).map(c => c.outerHTML)"""
    )
    assert unnamed == []
    log = page.locator(".lotse__log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
