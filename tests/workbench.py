"""The trainers' workbench for tests: a copy of the checkout to write into, accounts, stored
conversations, and a trainer's HTTP client with its own cookie jar.

The workbench writes into the checkout its server runs from; a test's server runs from a copy made
here (the code, guides, data, domain and test conversations, and a `.git` folder that makes it a
checkout), so the repository's own files are never written.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.paths import PROJECT_ROOT
from bot.trainers.workbench.accounts import write_account

CHECKOUT_PARTS = ("bot", "guides", "data", "domain.yml", "config.yml", "tests/conversations")
PASSWORD = "korrekt-pferd-batterie-heftklammer"
TRAINERS = ("anna", "ben", "clara")


def copy_checkout(target: Path) -> Path:
    """What the web server reads and the workbench writes, copied to `target` as a checkout."""
    for part in CHECKOUT_PARTS:
        source, destination = PROJECT_ROOT / part, target / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination)
    (target / ".git").mkdir()
    return target


def accounts(path: Path, names: Sequence[str] = TRAINERS, password: str = PASSWORD) -> Path:
    """An accounts file with these trainers, all with `password`."""
    for name in names:
        write_account(path, name, password)
    return path


def store_conversation(
    tracker_db_url: str, sender: str, turns: Sequence[tuple[str, dict[str, Any], float]]
) -> None:
    """Store a conversation as Rasa does (its SQL tracker store, Lotse's redacting one): each turn the
    user's text, the answer payload of the reply, and the turn's time (epoch seconds)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.engine import make_url

    from bot.serving.tracker_store import RedactingSQLTrackerStore

    url = make_url(tracker_db_url)
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=url.database)
    tracker = DialogueStateTracker(sender, [])
    for text, answer, at in turns:
        tracker.update(
            UserUttered(text, {"name": "ask_job_seeker_registration", "confidence": 0.9}, timestamp=at)
        )
        reply = answer.get("verdict") or "Antwort"
        tracker.update(BotUttered(reply, {"custom": {"answer": answer}}, timestamp=at + 0.1))
    asyncio.run(store.save(tracker))
    store.engine.dispose()


@dataclass
class Trainer:
    """One trainer's browser, as far as HTTP goes: a cookie jar, the CSRF token after sign-in."""

    base: str  # http://127.0.0.1:port
    address: str | None = None  # sent as X-Forwarded-For (the server trusts it from loopback)
    csrf: str | None = None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body); redirects are not followed."""
        sent = dict(headers or {})
        if self.address:
            sent.setdefault("X-Forwarded-For", self.address)
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        if method != "GET" and csrf and self.csrf:
            sent.setdefault("X-CSRF-Token", self.csrf)
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        try:
            with opener.open(request, timeout=30) as reply:
                return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def json(self, method: str, path: str, body: Any = None, **options: Any) -> tuple[int, Any]:
        status, _, raw = self.request(method, path, body, **options)
        return status, json.loads(raw) if raw else None

    def sign_in(self, name: str, password: str = PASSWORD) -> tuple[int, Any]:
        status, body = self.json("POST", "/trainer/api/signin", {"name": name, "password": password})
        if status == 200:
            self.csrf = body["csrf"]
        return status, body

    def cookie(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "lotse_trainer"), None)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
