"""The widget embedded in another intranet page with one script tag and the bot's address."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.bots import port_of
from tests.browser.conftest import Site, Watch, Widget
from tests.rules import unit_of
from tests.web_server import WebServer, web_server

HOST_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Intranet – Team EZ</title></head>
<body><main><h1>Team EZ</h1><p>Aktuelles aus der Eingangszone.</p>
<div data-lotse-widget></div></main>
<script src="{bot}/widget.js" defer></script>
</body></html>
"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base class names it `format`
        pass


@contextlib.contextmanager
def intranet_page(folder: Path, port: int, bot: str) -> Iterator[str]:
    """Another intranet page (own origin) that embeds the widget with one script tag."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(HOST_PAGE.format(bot=bot), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def embeddable(site: Site) -> Iterator[WebServer]:
    """Lotse's web server with the intranet page's origin allowed."""
    allowed = f"http://127.0.0.1:{port_of(988)}"
    log = site.folder / "log" / "web-cors.log"
    with web_server(port_of(987), site.config.rasa_url, site.db_url, log, cors=allowed) as server:
        yield server


def test_one_script_tag_embeds_the_widget_in_an_allowed_page(
    page: Page, watch: Watch, embeddable: WebServer, tmp_path: Path
) -> None:
    with intranet_page(tmp_path / "host", port_of(988), embeddable.url) as host:
        view = Widget(page, watch).open(host)
        expect(page.locator("main [data-lotse-widget] .lotse")).to_be_visible()  # mounted in place
        expect(page.locator(f'link[href="{embeddable.url}/widget.css"]')).to_have_count(1)
        reply = view.ask("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        expect(reply.locator(".lotse-badge")).to_have_text(unit_of("kontaktformular_termine"))
        reply.get_by_role("button", name="Ja, hilfreich").click()
        expect(reply.locator(".lotse-feedback")).to_contain_text("Danke")


def test_a_page_on_an_origin_not_allowed_gets_no_answer(
    page: Page, watch: Watch, embeddable: WebServer, tmp_path: Path
) -> None:
    with intranet_page(tmp_path / "other", port_of(989), embeddable.url) as host:
        view = Widget(page, watch).open(host)
        view.input.fill("Wohin gehen Terminabsagen aus dem Kontaktformular?")
        view.input.press("Enter")
        expect(view.alert).to_contain_text("Lotse antwortet gerade nicht")
        expect(view.replies).to_have_count(0)
