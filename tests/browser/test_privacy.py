"""Personal data typed into the widget reaches no store: tracker database, feedback store, logs."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Site, Widget
from tests.rules import verdict_of

PERSONAL = {
    "name": "Mustermann",
    "customer number": "123D456789",
    "phone": "0911 1234567",
    "phone +49": "+49 170 9876543",
    "e-mail": "erika.muster@example.org",
    "iban": "DE89 3704 0044 0532 0130 00",
    "birth date": "01.02.1980",
    "address": "Musterstraße 12",
}
QUESTION = (
    f"Herr {PERSONAL['name']}, Kd-Nr. {PERSONAL['customer number']}, Tel. {PERSONAL['phone']}, "
    f"geb. {PERSONAL['birth date']}, wohnt {PERSONAL['address']}, will seinen Termin absagen – "
    "wohin gehen Terminabsagen aus dem Kontaktformular?"
)
COMMENT = (
    f"Rückruf {PERSONAL['phone +49']} oder {PERSONAL['e-mail']}, IBAN {PERSONAL['iban']}, "
    f"Frau {PERSONAL['name']}"
)


def _stored_files(site: Site) -> list[Path]:
    """Every file the bot, its web server and the feedback store wrote (incl. SQLite -wal/-journal)."""
    return [path for path in site.folder.rglob("*") if path.is_file()]


def test_personal_data_from_the_widget_is_in_no_file(widget: Widget, site: Site) -> None:
    reply = widget.ask(QUESTION)
    # the answer works on the redacted text
    expect(reply.locator(".lotse-card__verdict")).to_have_text(verdict_of("kontaktformular_termine"))
    expect(widget.page.get_by_text("Personenbezogene Daten wurden entfernt")).to_be_visible()
    reply.get_by_role("button", name="Nein, nicht hilfreich").click()
    reply.get_by_label("Was war falsch?").fill(COMMENT)
    reply.get_by_role("button", name="Absenden").click()
    expect(reply.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")

    files = _stored_files(site)
    names = {path.name for path in files}
    assert {"trackers.db", "feedback.db"} <= names, names  # the stores were really written
    assert any(path.suffix == ".log" for path in files)
    for path in files:
        content = path.read_bytes()
        for kind, value in PERSONAL.items():
            assert value.encode() not in content, f"{kind} found in {path}"
