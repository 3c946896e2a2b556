"""The trainers' workbench in Chromium against the real bot: sign-in (wrong password, lock-out, sign-out),
the review's filters, a 👎 in the widget turned into a test conversation that is run and passes, a
question saved as a training example, the dashboard with data, the guides' state, axe on each view,
and the README's screenshots (`make screenshots`).

The workbench's server runs from a copy of the checkout (tests/workbench.py): what it saves lands
there, never in the repository. It reads the conversations the browser tests' bot stored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.bots import port_of
from tests.browser.conftest import (
    ARTIFACTS,
    REPLY_WAIT_MS,
    Site,
    Watch,
    Widget,
    answer_via_page,
    new_tab,
    tab_to,
)
from tests.browser.test_accessibility import README_SHOTS, SCREENSHOTS_ENV, check
from tests.rules import unit_of
from tests.web_server import WebServer, web_server
from tests.workbench import PASSWORD, accounts, copy_checkout

RUN_WAIT_MS = 120_000  # a run of one file asks the bot a few questions; generous for a loaded machine
ASU = "telefonische ASU – wer?"
CLICK = "Ja, schon einmal einen Status"
EXAMPLE = "Frühere Alo-Kundin will sich am Telefon wieder arbeitsuchend melden – machen wir das?"


@dataclass
class Bench:
    server: WebServer
    root: Path

    @property
    def url(self) -> str:
        return f"{self.server.url}/trainer"


@pytest.fixture(scope="module")
def bench(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    folder = tmp_path_factory.mktemp("workbench-browser")
    root = copy_checkout(folder / "checkout")
    env = {
        "LOTSE_TRAINER_ACCOUNTS_FILE": str(accounts(folder / "trainers")),
        "LOTSE_TRACKER_DB_URL": f"sqlite:///{site.config.tracker_db}",
        "LOTSE_GUIDES_DIR": str(site.config.guides_dir),
        "LOTSE_ACTIONS_PORT": str(site.config.actions_port),  # the guides in service: its action server
        "LOTSE_SECRETS_FILE": str(folder / "secrets.env"),
    }
    log = folder / "web.log"
    with web_server(
        port_of(992), site.config.rasa_url, site.db_url, log, root=root, module="bot.ops.web", env=env
    ) as server:
        yield Bench(server, root)


def sign_in(page: Page, bench: Bench, name: str = "anna", password: str = PASSWORD) -> None:
    """Fill in the sign-in form (opening it first when elsewhere) and send it; return once answered."""
    if not page.url.endswith("/trainer/signin"):
        page.goto(bench.url)
        expect(page).to_have_url(f"{bench.url}/signin")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Passwort (oder Trainer-Token)").fill(password)
    with page.expect_response(f"{bench.url}/api/signin"):
        page.get_by_role("button", name="Anmelden").click()


def signed_in(page: Page, bench: Bench) -> Page:
    sign_in(page, bench)
    expect(page.locator("#wb-user")).to_have_text("Angemeldet: anna")
    return page


def thumbs_down(widget: Widget, comment: str) -> None:
    """In the staff widget: the phone registration, clarified by a click, rated 👎 with a comment."""
    widget.ask(ASU)
    reply = widget.click_choice(CLICK)
    reply.get_by_role("button", name="Nein, nicht hilfreich").click()
    reply.get_by_label("Was war falsch?").fill(comment)
    reply.get_by_role("button", name="Absenden").click()
    expect(reply.locator(".lotse-feedback")).to_have_text("Danke für Ihre Rückmeldung.")


def show_review(page: Page, bench: Bench, *filters: str) -> None:
    page.goto(f"{bench.url}#gespraeche")
    group = page.get_by_role("group", name="Nur Gespräche mit")
    for name in filters:
        group.get_by_label(name).check()
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("#review-status")).to_have_text(re.compile(r"^\d+ Gespräch"))


def test_sign_in_refuses_a_wrong_password_locks_out_and_signs_out(
    browser: Browser, watch: Watch, bench: Bench
) -> None:
    with new_tab(browser, watch) as page:
        sign_in(page, bench, "anna", "ganz-falsches-passwort")
        expect(page.get_by_role("alert")).to_have_text("Name oder Passwort falsch.")
        for _ in range(5):
            sign_in(page, bench, "clara", "ganz-falsches-passwort")
        expect(page.get_by_role("alert")).to_contain_text(
            "Zu viele fehlgeschlagene Anmeldungen – gesperrt bis"
        )
        sign_in(page, bench, "clara", PASSWORD)
        expect(page.get_by_role("alert")).to_contain_text("gesperrt bis")
        signed_in(page, bench)
        check(page, "workbench-review")
        page.get_by_role("button", name="Abmelden").click()
        expect(page).to_have_url(f"{bench.url}/signin")
        page.goto(bench.url)
        expect(page).to_have_url(f"{bench.url}/signin")
        check(page, "workbench-signin")
        status = page.evaluate("fetch('/trainer/api/conversations').then(r => r.status)")
        assert status == 401


def test_from_a_thumbs_down_to_a_saved_passing_test_conversation(
    browser: Browser, watch: Watch, site: Site, bench: Bench
) -> None:
    with new_tab(browser, watch) as staff:
        thumbs_down(Widget(staff, watch).open(f"{site.url}/"), "Das sollte ich nachprüfen können")
    with new_tab(browser, watch) as page:
        signed_in(page, bench)
        show_review(page, bench, "👎")
        conversation = (
            page.locator(".wb-conversation").filter(has_text="Das sollte ich nachprüfen können").first
        )
        expect(conversation.locator(".wb-rating--down")).to_contain_text("Das sollte ich nachprüfen können")
        conversation.get_by_role("button", name="Gespräch bis Frage 2 als Testgespräch speichern").click()
        panel = conversation.get_by_role("group", name="Als Testgespräch speichern (Fragen 1–2)")
        expect(panel.get_by_role("heading")).to_be_focused()
        panel.get_by_label("Datei", exact=True).select_option("__new__")
        panel.get_by_label("Name der neuen Datei (tests/conversations/…)").fill("aus-rueckmeldung.yml")
        panel.get_by_label("Name des Gesprächs").fill("ASU einer früheren Alo-Kundin (aus einer Rückmeldung)")
        second = panel.get_by_role("group", name=f"Frage 2: [{CLICK}]")
        expect(second.get_by_label("Leitfadeneintrag")).to_have_value("asu_telefon_reaktivierung")
        expect(second.get_by_label("Einheit")).to_have_value(unit_of("asu_telefon_reaktivierung"))
        panel.get_by_role("button", name="Vorschau (YAML-Diff)").click()
        diff = panel.get_by_label("YAML-Diff")
        expect(diff).to_contain_text("+++ b/tests/conversations/aus-rueckmeldung.yml")
        expect(diff).to_contain_text(f"click: {CLICK}")
        check(page, "workbench-save-test")
        diff.scroll_into_view_if_needed()
        shot(page, "workbench-review")
        panel.get_by_role("button", name="Speichern").click()
        expect(panel.get_by_role("status").last).to_have_text(
            "Gespeichert in tests/conversations/aus-rueckmeldung.yml."
        )
        saved = (bench.root / "tests" / "conversations" / "aus-rueckmeldung.yml").read_text(encoding="utf-8")
        assert f"say: {ASU}\n" in saved and f"click: {CLICK}\n" in saved
        assert "topic: asu_telefon_reaktivierung" in saved
        panel.get_by_role("button", name="Dieses Testgespräch jetzt ausführen").click()
        expect(page.locator("#run-status")).to_have_text(
            "Fertig: 2 Züge bestanden, 0 fehlgeschlagen.", timeout=RUN_WAIT_MS
        )
        expect(page.locator("#run-progress")).to_have_attribute("value", "1")
        results = page.locator("#run-results")
        expect(results.get_by_role("table", name="Ergebnis pro Zug").locator("tbody tr")).to_have_count(2)
        expect(results.get_by_role("table", name="Ergebnis pro Zug")).not_to_contain_text("FEHLER")
        expect(results.get_by_role("table").nth(1)).to_contain_text("(nicht erreicht)")
        image = results.get_by_role("img")
        expect(image).to_have_attribute("alt", re.compile("Erwartetes gegen beantwortetes Thema"))
        assert page.evaluate("img => img.complete && img.naturalWidth > 100", image.element_handle())
        check(page, "workbench-tests")
        shot(page, "workbench-tests")


def test_a_question_becomes_a_training_example(
    browser: Browser, watch: Watch, site: Site, bench: Bench
) -> None:
    with new_tab(browser, watch) as staff:
        Widget(staff, watch).open(f"{site.url}/").ask(EXAMPLE)
    with new_tab(browser, watch) as page:
        signed_in(page, bench)
        show_review(page, bench)
        turn = page.locator(".wb-turn").filter(has_text=EXAMPLE).first
        turn.get_by_role("button", name="Frage 1 als Trainingsbeispiel speichern").click()
        panel = turn.get_by_role("group", name="Als Trainingsbeispiel speichern")
        panel.get_by_label("Intent").select_option("ask_job_seeker_registration")
        expect(panel.get_by_label("Beispiel (so, wie es ins Training geht)")).to_have_value(EXAMPLE)
        panel.get_by_role("button", name="Vorschau (YAML-Diff)").click()
        expect(panel.get_by_label("YAML-Diff")).to_contain_text(f"+      - {EXAMPLE}")
        panel.get_by_role("button", name="Speichern").click()
        expect(panel.get_by_role("status").last).to_contain_text("make model")
        written = (bench.root / "data" / "nlu" / "job_seeker_registration.yml").read_text(encoding="utf-8")
        assert f"      - {EXAMPLE}\n" in written
        panel.get_by_role("button", name="Vorschau (YAML-Diff)").click()
        expect(panel.get_by_role("alert")).to_contain_text("ist schon ein Beispiel unter diesem Intent")


def test_the_review_filters_show_only_what_they_name(
    browser: Browser, watch: Watch, site: Site, bench: Bench
) -> None:
    with new_tab(browser, watch) as staff:
        Widget(staff, watch).open(f"{site.url}/").ask("Wie wird das Wetter morgen in Nürnberg?")
    with new_tab(browser, watch) as staff:
        Widget(staff, watch).open(f"{site.url}/").ask("who handles contact forms about appointments?")
    with new_tab(browser, watch) as page:
        signed_in(page, bench)
        show_review(page, bench, "unbeantwortet")
        conversations = page.locator(".wb-conversation")
        expect(conversations.first).to_be_visible()
        assert conversations.count() == conversations.filter(has_text="unbeantwortet").count()
        expect(conversations.filter(has_text="Wie wird das Wetter morgen in Nürnberg?").first).to_be_visible()
        page.get_by_label("unbeantwortet").uncheck()
        page.get_by_label("Sprache").select_option("en")
        page.get_by_role("button", name="Anzeigen").click()
        expect(
            conversations.filter(has_text="who handles contact forms about appointments?").first
        ).to_be_visible()
        expect(conversations.filter(has_text="Wie wird das Wetter morgen in Nürnberg?")).to_have_count(0)
        page.get_by_label("Sprache").select_option("")
        page.get_by_label("Rückfrage im Kreis").check()
        page.get_by_role("button", name="Anzeigen").click()
        expect(page.locator("#review-status")).to_contain_text("Gespräch")
        assert conversations.count() == conversations.filter(has_text="Rückfrage im Kreis").count()


def test_the_dashboard_and_the_guides_render_with_data(
    browser: Browser, watch: Watch, site: Site, bench: Bench
) -> None:
    with new_tab(browser, watch) as staff:
        widget = Widget(staff, watch).open(f"{site.url}/")
        reply = widget.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        reply.get_by_role("button", name="Ja, hilfreich").click()
    with new_tab(browser, watch, (1280, 1400)) as page:
        signed_in(page, bench)
        page.get_by_role("link", name="Übersicht").click()
        expect(
            page.get_by_role("heading", name="Richtig beantwortet mit höchstens einem Klick")
        ).to_be_visible()
        expect(page.locator(".wb-big")).to_have_text(re.compile(r"^\d+ %$"))
        charts = page.locator(".wb-chart img")
        expect(charts).to_have_count(3)
        for index in range(3):
            handle = charts.nth(index).element_handle()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
        ratings = page.get_by_role("table", name="👍 / 👎 pro Leitfadeneintrag – die Zahlen")
        expect(ratings).to_contain_text("kontaktformular_termine")
        expect(
            page.get_by_role("table", name="Fragen pro Tag – die Zahlen").locator("tbody tr").first
        ).to_be_visible()
        check(page, "workbench-dashboard")
        shot(page, "workbench-dashboard")
        page.get_by_role("link", name="Leitfäden").click()
        expect(page.locator("#guides-content")).to_contain_text("check-guides ok", timeout=REPLY_WAIT_MS)
        version = answer_via_page(site.url, "Wer bearbeitet Terminabsagen?")["guides_version"]
        expect(page.locator("#guides-content .wb-meta")).to_contain_text(f"Version{version}")
        check(page, "workbench-guides")


def test_the_workbench_works_by_keyboard(browser: Browser, watch: Watch, bench: Bench) -> None:
    with new_tab(browser, watch) as page:
        page.goto(bench.url)
        page.get_by_label("Name").focus()
        page.keyboard.type("anna")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.locator("#wb-user")).to_have_text("Angemeldet: anna")
        tests = page.get_by_role("link", name="Tests")
        tab_to(page, tests)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Testgespräche ausführen")).to_be_visible()
        expect(tests).to_have_attribute("aria-current", "page")


def shot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png with `make screenshots`, else var/artifacts."""
    folder = README_SHOTS if os.environ.get(SCREENSHOTS_ENV) else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
