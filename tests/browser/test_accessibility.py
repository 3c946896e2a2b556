"""axe-core on both views at both sizes (start screen, answers, the neutral card, the type-ahead list
open, the feedback form on screen), the README's screenshots, the widget's size."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, expect

from bot.paths import PROJECT_ROOT
from bot.serving.web import STATIC_DIR
from tests.browser.conftest import ARTIFACTS, METRICS, SIZES, Site, Watch, Widget, new_tab

BUNDLE = ("widget.js", "widget.css")  # what an embedding page loads
BUNDLE_BUDGET_GZIP_BYTES = 16_000  # type-ahead, start screen, facts, copy: ~14 KB
# `make screenshots` sets it: the pictures then go to the README's folder instead of var/artifacts
SCREENSHOTS_ENV = "LOTSE_SCREENSHOTS"
README_SHOTS = PROJECT_ROOT / "docs" / "screenshots"


def fill(view: Widget) -> None:
    """Put every kind of element on screen: cards, a not-covered card, clarifying buttons, an off-topic
    card, the 👎 form and, last, the type-ahead list open under the input."""
    view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    view.ask("Wer nimmt telefonische ASU von Erstkunden auf?")
    view.ask("Wie wird das Wetter morgen in Nürnberg?")
    view.ask("Bis wann und mit welchem Formular beantrage ich die Änderung am eAkte-Regelwerk?")
    view.ask("telefonische ASU – wer?")
    view.page.get_by_role("button", name="Nein, nicht hilfreich").first.click()
    view.input.focus()
    view.page.keyboard.type("Terminab")
    expect(view.suggestions.first).to_be_visible()
    view.page.keyboard.press("ArrowDown")


def check(page: Page, name: str) -> None:
    """axe on the page as it is: no violation of any impact."""
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    violations = results.response["violations"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    METRICS.axe[name] = dict(Counter(v["impact"] for v in violations))
    assert violations == [], results.generate_report()


VIEWS = [(size, view) for size in SIZES for view in ("chat", "call")]


@pytest.mark.parametrize(("size", "view"), VIEWS, ids=[f"{v}-{s}" for s, v in VIEWS])
def test_axe_finds_no_violations(browser: Browser, watch: Watch, site: Site, size: str, view: str) -> None:
    with new_tab(browser, watch, SIZES[size]) as page:
        widget = Widget(page, watch).open(site.url + ("/call" if view == "call" else "/"))
        expect(page.get_by_role("group", name="Häufig gefragt").get_by_role("button").first).to_be_visible()
        check(page, f"{view}-{size}-start")
        fill(widget)
        check(page, f"{view}-{size}")


def test_axe_finds_no_violations_in_english(page: Page, watch: Watch, site: Site) -> None:
    view = Widget(page, watch).open(f"{site.url}/")
    view.ask("who handles a phone ASU of a former Alo customer?")
    view.ask("and a change notice?")
    view.page.locator(".lotse-card").first.wait_for()
    check(page, "chat-en")


def test_axe_finds_no_violations_on_a_source_page(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/source/kontaktformular_termine?lang=de")
    check(page, "source")


def scene(view: Widget, name: str) -> None:
    """What each picture shows: chat – an answer card, a clarifying question, the type-ahead list;
    call – the asked date under a verdict, two asked facts, the list."""
    if name == "chat":
        view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        view.ask("telefonische ASU – wer?")
    else:
        view.ask("Seit wann bearbeitet das SC die telefonische ASU von Reaktivierungskunden?")
        view.ask("Bis wann und mit welchem Formular beantrage ich die Änderung am eAkte-Regelwerk?")
    view.input.focus()
    view.page.keyboard.type("Verände" if name == "chat" else "Stammd")
    expect(view.suggestions.first).to_be_visible()
    view.page.keyboard.press("ArrowDown")


SHOTS = [(view, size) for view in ("chat", "call") for size in SIZES]


@pytest.mark.parametrize(("view", "size"), SHOTS, ids=[f"{v}-{s}" for v, s in SHOTS])
def test_a_screenshot_of_each_view_at_each_size_is_written(
    browser: Browser, watch: Watch, site: Site, view: str, size: str
) -> None:
    """docs/screenshots/widget-{chat,call}[-narrow].png with `make screenshots`, else var/artifacts."""
    with new_tab(browser, watch, SIZES[size]) as page:
        widget = Widget(page, watch).open(site.url + ("/call" if view == "call" else "/"))
        scene(widget, view)
        page.mouse.move(0, 0)  # no hover effect in the picture
        folder = README_SHOTS if os.environ.get(SCREENSHOTS_ENV) else ARTIFACTS
        target = folder / f"widget-{view}{'' if size == 'wide' else '-' + size}.png"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_the_widget_bundle_is_small() -> None:
    size = sum(len(gzip.compress((STATIC_DIR / name).read_bytes(), compresslevel=9)) for name in BUNDLE)
    METRICS.bundle_gzip_bytes = size
    assert size < BUNDLE_BUDGET_GZIP_BYTES
