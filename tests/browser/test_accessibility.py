"""axe-core on both views (with answers, buttons and the feedback form on screen), screenshots, size."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

from bot.serving.web import STATIC_DIR
from tests.browser.conftest import ARTIFACTS, METRICS, Site, Watch, Widget

BUNDLE = ("widget.js", "widget.css")  # what an embedding page loads
BUNDLE_BUDGET_GZIP_BYTES = 12_000


def fill(view: Widget) -> None:
    """Put every kind of element on screen: a card, a not-covered card, clarifying buttons, the 👎 form."""
    view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
    view.ask("Wer nimmt telefonische ASU von Erstkunden auf?")
    view.ask("telefonische ASU – wer?")
    view.page.get_by_role("button", name="Nein, nicht hilfreich").first.click()


VIEWS = [("chat", "/"), ("call", "/call"), ("chat-en", "/")]


@pytest.mark.parametrize("path", [v[1] for v in VIEWS], ids=[v[0] for v in VIEWS])
def test_axe_finds_no_serious_or_critical_violation(
    page: Page, watch: Watch, site: Site, path: str, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.id
    view = Widget(page, watch).open(site.url + path)
    if name == "chat-en":
        view.ask("who handles a phone ASU of a former Alo customer?")
        view.ask("and a change notice?")
    else:
        fill(view)
    view.page.locator(".lotse-card").first.wait_for()
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    violations = results.response["violations"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    METRICS.axe[name] = dict(Counter(v["impact"] for v in violations))
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


SHOTS = [("chat", "/"), ("call", "/call")]


@pytest.mark.parametrize("path", [s[1] for s in SHOTS], ids=[s[0] for s in SHOTS])
def test_a_screenshot_of_each_view_is_written(
    page: Page, watch: Watch, site: Site, path: str, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.id
    view = Widget(page, watch).open(site.url + path)
    if name == "chat":
        view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        view.ask("telefonische ASU – wer?")
    else:
        view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        view.ask("Telefonische ASU einer ehemaligen Alo-Kundin – wer?")
    page.mouse.move(0, 0)  # no hover effect in the picture
    view.input.focus()
    target = ARTIFACTS / f"widget-{name}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_the_widget_bundle_is_small() -> None:
    size = sum(len(gzip.compress((STATIC_DIR / name).read_bytes(), compresslevel=9)) for name in BUNDLE)
    METRICS.bundle_gzip_bytes = size
    assert size < BUNDLE_BUDGET_GZIP_BYTES
