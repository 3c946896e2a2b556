"""👍 / 👎 from the page reach the feedback store and the trainers' report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from bot.paths import PROJECT_ROOT
from tests.browser.conftest import Site, Widget
from tests.rules import unit_of

QUESTION = "Wohin gehen Terminabsagen aus dem Kontaktformular?"
UNANSWERED = "Wie wird das Wetter morgen in Nürnberg?"


def report(site: Site, out: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "feedback-report", "--out", str(out)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "LOTSE_FEEDBACK_DB_URL": site.db_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") in result.stdout
    return result.stdout


def test_thumbs_down_with_a_comment_reaches_the_store_and_the_report(
    widget: Widget, site: Site, tmp_path: Path
) -> None:
    reply = widget.ask(QUESTION)
    reply.get_by_role("button", name="Nein, nicht hilfreich").click()
    comment = reply.get_by_label("Was war falsch?")
    expect(comment).to_be_focused()
    comment.fill("Postfach stimmt nicht – Rückruf unter 0911 1234567")
    reply.get_by_role("button", name="Absenden").click()
    expect(reply.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")

    store = site.store()
    [stored] = [r for r in store.ratings(rating=-1) if r.comment and r.comment.startswith("Postfach stimmt")]
    store.close()
    assert stored.question == QUESTION
    assert stored.comment == "Postfach stimmt nicht – Rückruf unter [NUMMER]"  # redacted
    assert (stored.topic, stored.kind, stored.unit, stored.lang) == (
        "kontaktformular_termine",
        "routing",
        unit_of("kontaktformular_termine"),
        "de",
    )
    assert stored.guides_version and re.fullmatch(r"[0-9a-f]+", stored.guides_version)

    widget.ask(UNANSWERED)  # out of scope: noted for the report by the web server
    text = report(site, tmp_path / "feedback.md")
    entry = text.split("### kontaktformular_termine")[1].split("###")[0]
    assert "Postfach stimmt nicht – Rückruf unter [NUMMER]" in entry and QUESTION in entry
    assert stored.guides_version in entry
    assert re.search(rf"\| \d+ \| {re.escape(UNANSWERED)} \| out_of_scope \|", text)
    assert "1234567" not in text


def test_thumbs_up_is_stored_and_the_thanks_survive_a_reload(widget: Widget, site: Site) -> None:
    reply = widget.ask("Wer bearbeitet eService Veränderungsmitteilungen?")
    store = site.store()
    before = len(store.ratings(rating=1))
    reply.get_by_role("button", name="Ja, hilfreich").click()
    expect(reply.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")
    [latest, *_] = store.ratings(rating=1)
    assert len(store.ratings(rating=1)) == before + 1
    store.close()
    assert latest.question == "Wer bearbeitet eService Veränderungsmitteilungen?" and latest.kind == "routing"
    widget.page.reload()
    expect(widget.replies.first.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")


def test_feedback_on_an_answer_after_a_click_names_the_question_and_the_choice(
    widget: Widget, site: Site
) -> None:
    widget.ask("telefonische ASU – wer?")
    answer = widget.click_choice("Nein, noch nie einen Status")
    answer.get_by_role("button", name="Nein, nicht hilfreich").click()
    answer.get_by_label("Was war falsch?").fill("Bitte regeln")
    answer.get_by_label("Was war falsch?").press("Enter")
    expect(answer.locator(".lotse-feedback")).to_contain_text("Danke")
    store = site.store()
    [stored] = [r for r in store.ratings(rating=-1) if r.comment == "Bitte regeln"]
    store.close()
    assert stored.question == "telefonische ASU – wer? → Nein, noch nie einen Status"
    assert (stored.kind, stored.topic) == ("not_covered", "asu_telefon_ohne_status")
