"""The workbench's routes under /trainer: pages, sign-in, and the JSON API the page uses.

Security, in order for every request:
- **Session.** A random cookie `lotse_trainer` (HttpOnly, SameSite=Strict, Path=/trainer; Secure
  behind https), looked up by its hash in the database (sessions.py); sign-out deletes it there.
  Without a session a page redirects to the sign-in page, an API call gets 401.
- **Changes.** Every POST must be JSON from the page's own origin (bot/serving/security.py: 415 / 403)
  and carry the session's CSRF token in `X-CSRF-Token` (compared in constant time), else 403. The
  sign-in itself has no session yet: JSON-only and the origin check keep other pages out of it.
- **Sign-in.** 5 failures for one name, or 20 from one address, within 15 minutes lock that name
  (address) for 15 minutes – checked before any password, counted in the database for every server.
- **Off** without accounts and token: /trainer says how to create an account, the API answers 401.

Every answer is JSON with a German `error` where something is refused; nothing here answers a stack
trace or hangs (a test run goes on in the background, runs.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hmac
import html
import ipaddress
import json
import logging
import urllib.request
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.exceptions import MethodNotSupported
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.answering.guides import Guides
from bot.paths import DOMAIN_FILE, PROJECT_ROOT, guides_dir
from bot.serving import security
from bot.serving.feedback import db_url
from bot.serving.web import PAGE_HEADERS, WebParts
from bot.settings import settings
from bot.trainers.check import check
from bot.trainers.files import KINDS, ConversationError
from bot.trainers.generate_examples import domain_intents
from bot.trainers.workbench import dashboard, editing, runs
from bot.trainers.workbench.accounts import (
    ACCOUNTS_FILE_ENV,
    ADD_COMMAND,
    TOKEN_ENV,
    AccountsError,
    accounts_file,
    credentials,
    read_accounts,
)
from bot.trainers.workbench.editing import CONVERSATIONS, EditError, TurnSpec
from bot.trainers.workbench.review import FILTERS, Conversations, Query, review
from bot.trainers.workbench.sessions import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    LIFETIME,
    Run,
    Session,
    WorkbenchStore,
    digest,
)

logger = logging.getLogger(__name__)

PREFIX = "/trainer"
COOKIE = "lotse_trainer"
CSRF_HEADER = "X-CSRF-Token"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "workbench.js": "text/javascript; charset=utf-8",
    "signin.js": "text/javascript; charset=utf-8",
    "workbench.css": "text/css; charset=utf-8",
}
# the conversations Rasa stores when nothing else is configured (bot/ops/processes.py's BotConfig)
DEFAULT_TRACKER_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'trackers.db'}"
MAX_DAYS = 30  # conversations are kept 30 days by default (LOTSE_RETENTION_DAYS)
DEFAULT_DAYS, DASHBOARD_DAYS = 7, 14
HEALTH_TIMEOUT_S = 3.0
NO_SESSION = {"error": "Nicht angemeldet – bitte unter /trainer/signin anmelden."}
WRONG = {"error": "Name oder Passwort falsch."}
OFF = {
    "error": "Die Trainer-Werkbank ist aus: es gibt kein Trainer-Konto. "
    f"Anlegen mit `{ADD_COMMAND}` (oder {TOKEN_ENV} setzen)."
}
BAD_CSRF = {"error": "Sicherheitsmerkmal (CSRF) fehlt oder passt nicht – bitte die Seite neu laden."}
BROKEN = {"error": "Das ging schief; der Fehler steht im Log des Web-Servers. Bitte erneut versuchen."}
KIND_LABELS = dashboard.KIND_NAMES


class RefusedError(Exception):
    """An answer other than the handler's own (401, 403, 404 …), raised from deep inside a handler."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error"))
        self.status, self.body = status, body


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json(
        body,
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        dumps=lambda b: json.dumps(b, ensure_ascii=False),
    )


def _page(name: str, status: int = 200) -> HTTPResponse:
    body = (STATIC_DIR / name).read_bytes()
    return response.raw(
        body,
        status=status,
        content_type="text/html; charset=utf-8",
        headers={**PAGE_HEADERS, "Cache-Control": "no-store"},
    )


def _off_page(problem: str | None = None) -> HTTPResponse:
    """/trainer when no one can sign in: how to create an account (or what is wrong with the file)."""
    text = (STATIC_DIR / "off.html").read_text(encoding="utf-8")
    values = {
        "command": ADD_COMMAND,
        "file": ACCOUNTS_FILE_ENV,
        "token": TOKEN_ENV,
        "problem": problem or "",
    }
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value))
    return response.html(text, headers={**PAGE_HEADERS, "Cache-Control": "no-store"})


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise RefusedError(400, {"error": "Der Inhalt muss ein JSON-Objekt sein."})
    return body


def _text(body: dict[str, Any], key: str, default: str | None = None, limit: int = 2000) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or len(value) > limit:
        raise RefusedError(400, {"error": f"„{key}“ muss ein Text sein (höchstens {limit} Zeichen)."})
    return value


def _days(request: Request, default: int) -> int:
    raw = request.args.get("days") or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise RefusedError(400, {"error": f"„days“ muss eine ganze Zahl von 1 bis {MAX_DAYS} sein."})
    return int(raw)


@dataclass
class Workbench:
    """What the routes work with: the web server's parts, the workbench's store, the conversations."""

    parts: WebParts
    store: WorkbenchStore
    conversations: Conversations
    root: Path = PROJECT_ROOT  # the checkout written into (tests/conversations/, data/nlu/)

    @property
    def guides(self) -> Guides:
        return self.parts.guides.get()

    @property
    def writable(self) -> bool:
        return editing.is_checkout(self.root)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


def install(app: Sanic, parts: WebParts) -> None:
    """Add the workbench to the staff web server (called by bot/ops/web.py before it serves).

    The accounts file is checked now: a broken one stops the start with its file and line.
    """
    read_accounts(accounts_file())
    tracker = settings().secret("tracker_db_url") or DEFAULT_TRACKER_DB_URL
    bench = Workbench(parts, WorkbenchStore(db_url()), Conversations(tracker))
    app.blueprint(blueprint(bench))

    async def wrong_method(request: Request, exception: Exception) -> HTTPResponse:
        """A method a trainer URL does not take: 401 without a session (it tells nothing), else 405."""
        under = request.path == PREFIX or request.path.startswith(PREFIX + "/")
        if under and await asyncio.to_thread(bench.store.session, request.cookies.get(COOKIE)) is None:
            return _json(NO_SESSION, 401)
        answer: HTTPResponse = app.error_handler.default(request, exception)  # type: ignore[no-untyped-call]
        return answer

    app.error_handler.add(MethodNotSupported, wrong_method)


Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


def blueprint(bench: Workbench) -> Blueprint:
    """Every route of the workbench."""
    bp = Blueprint("workbench", url_prefix=PREFIX)
    store = bench.store

    def run(blocking: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return asyncio.to_thread(blocking, *args)

    async def session_of(request: Request) -> Session | None:
        found: Session | None = await run(store.session, request.cookies.get(COOKIE))
        return found

    def api(change: bool = False) -> Callable[[Handler], Handler]:
        """A JSON route: a session (and for a change the JSON / origin / CSRF checks) first; every
        refusal and failure as JSON with a German sentence."""

        def wrap(handler: Handler) -> Handler:
            @functools.wraps(handler)
            async def route(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                try:
                    if change:
                        refused(request)
                    session = await session_of(request)
                    if session is None:
                        return _json(NO_SESSION, 401)
                    if change and not hmac.compare_digest(
                        (request.headers.get(CSRF_HEADER) or "").encode(), session.csrf.encode()
                    ):
                        return _json(BAD_CSRF, 403)
                    return await handler(request, session, *args, **kwargs)
                except RefusedError as refusal:
                    return _json(refusal.body, refusal.status)
                except EditError as error:
                    return _json({"error": str(error)}, error.status)
                except ConversationError as error:
                    return _json({"error": "Die Testgespräche sind nicht gültig:\n" + str(error)}, 400)
                except SQLAlchemyError:
                    logger.exception("workbench: database error")
                    return _json({"error": "Die Datenbank ist gerade nicht erreichbar."}, 503)
                except Exception:
                    logger.exception("workbench: %s failed", request.path)
                    return _json(BROKEN, 503)

            return route

        return wrap

    def refused(request: Request) -> None:
        problem = security.refuse_post(
            request.headers.get("content-type"),
            request.headers.get("origin"),
            (),
            request.headers.get("host"),
        )
        if problem is not None:
            raise RefusedError(problem[0], {"error": problem[1]})

    # --- pages ------------------------------------------------------------------------------------

    async def enabled() -> tuple[bool, str | None]:
        try:
            return (await run(credentials)).enabled, None
        except AccountsError as error:
            return False, str(error)

    @bp.get("")
    async def home(request: Request) -> HTTPResponse:
        on, problem = await enabled()
        if not on:
            return _off_page(problem)
        if await session_of(request) is None:
            return response.redirect(f"{PREFIX}/signin", status=303)
        return _page("trainer.html")

    @bp.get("/signin")
    async def signin_page(request: Request) -> HTTPResponse:
        on, _ = await enabled()
        if not on or await session_of(request) is not None:
            return response.redirect(PREFIX, status=303)
        return _page("signin.html")

    @bp.get("/static/<name:str>")
    async def asset(_: Request, name: str) -> HTTPResponse:
        if name not in STATIC_FILES:
            return _json({"error": "Keine solche Datei."}, 404)
        return response.raw(
            (STATIC_DIR / name).read_bytes(), content_type=STATIC_FILES[name], headers=PAGE_HEADERS
        )

    # --- signing in and out -----------------------------------------------------------------------

    def cookie(request: Request, reply: HTTPResponse, value: str, max_age: int) -> HTTPResponse:
        reply.cookies[COOKIE] = value
        jar = reply.cookies[COOKIE]
        jar["httponly"] = True
        jar["samesite"] = "Strict"
        jar["path"] = PREFIX
        jar["max-age"] = max_age
        if _https(request):
            jar["secure"] = True
        return reply

    @bp.post("/api/signin")
    async def signin(request: Request) -> HTTPResponse:
        try:
            refused(request)
            body = _body(request)
            name = _text(body, "name", limit=100).strip().lower()
            password = _text(body, "password", limit=4096)
            found = await run(credentials)
            if not found.enabled:
                return _json(OFF, 401)
            address = security.client_address(
                request.ip, request.headers.getall("x-forwarded-for", []), request.headers.get("x-real-ip")
            )
            keys = [f"name:{name[:60]}", f"address:{digest(address)[:32]}"]
            locked = await run(store.locked_until, keys)
            if locked is None and await run(found.verify, name, password):
                await run(store.clear_failures, keys[0])
                old = request.cookies.get(COOKIE)
                if old:
                    await run(store.end_session, old)
                token, session = await run(store.create_session, name)
                reply = _json({"trainer": session.trainer, "csrf": session.csrf})
                return cookie(request, reply, token, int(LIFETIME.total_seconds()))
            if locked is None:
                await run(store.note_failure, keys[0], ACCOUNT_FAILURES)
                await run(store.note_failure, keys[1], ADDRESS_FAILURES)
                locked = await run(store.locked_until, keys)
                if locked is None:
                    return _json(WRONG, 401)
            until = locked.astimezone().strftime("%H:%M")
            seconds = max(1, int((locked - bench.now()).total_seconds()))
            message = f"Zu viele fehlgeschlagene Anmeldungen – gesperrt bis {until} Uhr."
            return _json({"error": message}, 429, {"Retry-After": str(seconds)})
        except RefusedError as refusal:
            return _json(refusal.body, refusal.status)
        except AccountsError as error:
            logger.error("trainer accounts: %s", error)
            return _json({"error": f"Die Konten-Datei ist fehlerhaft: {error}"}, 503)
        except SQLAlchemyError:
            logger.exception("workbench: database error at sign-in")
            return _json({"error": "Die Datenbank ist gerade nicht erreichbar."}, 503)

    @bp.post("/api/signout")
    @api(change=True)
    async def signout(request: Request, _: Session) -> HTTPResponse:
        await run(store.end_session, request.cookies.get(COOKIE) or "")
        return cookie(request, _json({"signed_out": True}), "", 0)

    @bp.get("/api/session")
    @api()
    async def session_info(_: Request, session: Session) -> HTTPResponse:
        return _json({"trainer": session.trainer, "csrf": session.csrf, "writable": bench.writable})

    # --- review -----------------------------------------------------------------------------------

    @bp.get("/api/choices")
    @api()
    async def choices(_: Request, __: Session) -> HTTPResponse:
        guides = bench.guides
        vocabulary = guides.vocabulary
        intents = sorted(i for i in await run(domain_intents, DOMAIN_FILE) if i != "nlu_fallback")
        return _json(
            {
                "kinds": [{"value": kind, "label": KIND_LABELS[kind]} for kind in KINDS],
                "units": [
                    {"value": code, "label": unit.get("de")} for code, unit in vocabulary.units.items()
                ],
                "topics": [{"value": e.id, "label": e.text.get("de").verdict} for e in guides.entries],
                "intents": intents,
                "files": await run(editing.conversation_files, bench.root),
                "writable": bench.writable,
                "guides_version": guides.version,
            }
        )

    @bp.get("/api/conversations")
    @api()
    async def conversations(request: Request, _: Session) -> HTTPResponse:
        marks = tuple(m for m in (request.args.get("filter") or "").split(",") if m)
        unknown = [m for m in marks if m not in FILTERS]
        if unknown:
            raise RefusedError(
                400, {"error": f"Unbekannter Filter „{unknown[0][:40]}“ (möglich: {', '.join(FILTERS)})."}
            )
        days = _days(request, DEFAULT_DAYS)
        ratings = await run(bench.parts.store.ratings)
        everything = await run(review, bench.conversations, ratings, Query(days=days), bench.now())
        query = Query(
            days=days,
            marks=marks,
            topic=request.args.get("topic") or None,
            lang=request.args.get("lang") or None,
            version=request.args.get("version") or None,
        )
        shown = [c for c in everything if query.keeps(c)]

        def facet(key: str) -> list[str]:
            return sorted(set().union(*(c.values(key) for c in everything)))

        return _json(
            {
                "days": days,
                "count": len(shown),
                "conversations": [c.as_json() for c in shown],
                "facets": {
                    "topic": facet("topic"),
                    "lang": facet("lang"),
                    "version": facet("guides_version"),
                },
            }
        )

    # --- turning a turn into work -----------------------------------------------------------------

    async def stored_turns(body: dict[str, Any]) -> list[Any]:
        """The turns of the stored conversation up to the chosen one."""
        conversation_id, upto = _text(body, "conversation", limit=40), body.get("turn")
        if isinstance(upto, bool) or not isinstance(upto, int) or upto < 1:
            raise RefusedError(400, {"error": "„turn“ muss die Nummer eines Zuges sein."})
        since = bench.now() - dt.timedelta(days=MAX_DAYS)
        found = await run(
            functools.partial(bench.conversations.read, since, only=conversation_id, limit=100_000)
        )
        if not found:
            raise RefusedError(404, {"error": "Dieses Gespräch ist nicht (mehr) gespeichert."})
        turns = found[0].turns
        if upto > len(turns):
            raise RefusedError(400, {"error": f"Das Gespräch hat nur {len(turns)} Züge."})
        chosen: list[Any] = turns[:upto]
        return chosen

    def test_change(body: dict[str, Any], turns: list[Any]) -> editing.Change:
        expects = body.get("expect")
        if not isinstance(expects, list) or len(expects) != len(turns):
            raise RefusedError(
                400, {"error": f"„expect“ muss für jeden der {len(turns)} Züge eine Erwartung haben."}
            )
        specs = []
        for turn, given in zip(turns, expects, strict=True):
            if not isinstance(given, dict):
                raise RefusedError(400, {"error": "Jede Erwartung ist ein Objekt mit kind, unit, topic."})
            expect: dict[str, Any] = {"kind": given.get("kind")}
            for key in ("unit", "topic"):
                value = given.get(key, "")
                if not isinstance(value, str):
                    raise RefusedError(400, {"error": f"„{key}“ muss ein Text sein."})
                if value:
                    expect[key] = None if value == "null" else value
            specs.append(TurnSpec(turn.click or turn.text, bool(turn.click), expect))
        file_name = _text(body, "file", limit=100)
        name = _text(body, "name", limit=500)
        return editing.add_conversation(bench.root, file_name, name, specs, bench.guides)

    @bp.post("/api/tests/preview")
    @api(change=True)
    async def test_preview(request: Request, _: Session) -> HTTPResponse:
        body = _body(request)
        change = await run(test_change, body, await stored_turns(body))
        return _json(change.as_json(bench.writable))

    @bp.post("/api/tests/save")
    @api(change=True)
    async def test_save(request: Request, _: Session) -> HTTPResponse:
        body = _body(request)
        change = await run(test_change, body, await stored_turns(body))
        await run(editing.save, bench.root, change, _text(body, "stamp", limit=64))
        return _json({"saved": change.path, "message": f"Gespeichert in {change.path}."}, 201)

    def example_change(body: dict[str, Any]) -> editing.Change:
        intents = sorted(domain_intents(DOMAIN_FILE))
        return editing.add_example(
            bench.root, _text(body, "intent", limit=100), _text(body, "text", limit=1000), intents
        )

    @bp.post("/api/examples/preview")
    @api(change=True)
    async def example_preview(request: Request, _: Session) -> HTTPResponse:
        change = await run(example_change, _body(request))
        return _json(change.as_json(bench.writable))

    @bp.post("/api/examples/save")
    @api(change=True)
    async def example_save(request: Request, _: Session) -> HTTPResponse:
        body = _body(request)
        change = await run(example_change, body)
        await run(editing.save, bench.root, change, _text(body, "stamp", limit=64))
        return _json({"saved": change.path, "message": editing.RETRAIN}, 201)

    # --- running the tests ------------------------------------------------------------------------

    @bp.post("/api/runs")
    @api(change=True)
    async def start(request: Request, session: Session) -> HTTPResponse:
        body = _body(request)
        name = body.get("file") or None
        folder = bench.root.joinpath(*CONVERSATIONS)
        if name is None:
            files = sorted(folder.glob("*.yml"))
        else:
            path = editing.target(bench.root, CONVERSATIONS, _text(body, "file", limit=100))
            if not path.exists():
                raise RefusedError(404, {"error": f"Keine Datei tests/conversations/{path.name}."})
            files = [path]
        if not files:
            raise RefusedError(404, {"error": "Es gibt keine Testgespräche in tests/conversations/."})
        started = await run(
            runs.start_run, store, session.trainer, files, bench.parts.settings.rasa_url, lambda: bench.guides
        )
        if isinstance(started, Run):
            at = started.started_at.astimezone().strftime("%H:%M")
            message = f"Es läuft schon ein Testlauf (gestartet von {started.trainer} um {at} Uhr)."
            return _json({"error": message, "run": started.as_json()}, 409)
        return _json({"run": started}, 202)

    @bp.get("/api/runs")
    @api()
    async def last_run(_: Request, __: Session) -> HTTPResponse:
        found = await run(store.last_run)
        return _json({"run": found.as_json() if found else None})

    @bp.get("/api/runs/<run_id:[0-9a-f]{16}>")
    @api()
    async def run_status(_: Request, __: Session, run_id: str) -> HTTPResponse:
        found = await run(store.run, run_id)
        if found is None:
            raise RefusedError(404, {"error": "Keinen solchen Testlauf."})
        return _json({"run": found.as_json()})

    @bp.get("/api/runs/<run_id:[0-9a-f]{16}>/confusion.png")
    @api()
    async def run_plot(_: Request, __: Session, run_id: str) -> HTTPResponse:
        png = await run(store.plot, run_id)
        if png is None:
            raise RefusedError(404, {"error": "Für diesen Lauf gibt es (noch) kein Bild."})
        return response.raw(png, content_type="image/png", headers={"Cache-Control": "no-store"})

    # --- dashboard and guides ---------------------------------------------------------------------

    async def figures(request: Request) -> dashboard.Figures:
        days = _days(request, DASHBOARD_DAYS)
        now = bench.now()
        ratings = await run(bench.parts.store.ratings)
        conversations = await run(review, bench.conversations, ratings, Query(days=days), now)
        unanswered = await run(bench.parts.store.frequent_unanswered, 10)
        return dashboard.figures(conversations, ratings, unanswered, now.astimezone().date(), days)

    @bp.get("/api/dashboard")
    @api()
    async def dashboard_numbers(request: Request, _: Session) -> HTTPResponse:
        return _json((await figures(request)).as_json())

    @bp.get("/api/charts/<chart:(questions|kinds|ratings)\\.svg>")
    @api()
    async def chart(request: Request, _: Session, chart: str) -> HTTPResponse:
        svg = dashboard.chart(chart.removesuffix(".svg"), await figures(request))
        return response.raw(
            svg.encode(),
            content_type="image/svg+xml; charset=utf-8",
            headers={**PAGE_HEADERS, "Cache-Control": "no-store"},
        )

    @bp.get("/api/guides")
    @api()
    async def guides_status(_: Request, __: Session) -> HTTPResponse:
        in_service = await run(_in_service)
        report = await run(check, bench.root, guides_dir())
        web_store = bench.parts.guides
        return _json(
            {
                "in_service": in_service,
                "web": {"version": web_store.get().version, "error": web_store.last_error},
                "check": {
                    "ok": report.ok,
                    "summary": report.summary(),
                    "problems": [{"file": p.file, "line": p.line, "text": str(p)} for p in report.problems],
                },
            }
        )

    # --- anything else under /trainer -------------------------------------------------------------

    @bp.route("/<rest:path>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def elsewhere(request: Request, rest: str) -> HTTPResponse:
        if await session_of(request) is None:
            if rest.startswith("api/") or request.method != "GET":
                return _json(NO_SESSION, 401)
            return response.redirect(f"{PREFIX}/signin", status=303)
        return _json({"error": "Hier gibt es nichts."}, 404)

    return bp


def _https(request: Request) -> bool:
    """Whether the browser reached us over https: directly, or as a proxy on loopback (nginx) says."""
    if request.scheme == "https":
        return True
    try:
        peer = ipaddress.ip_address(request.ip or "")
    except ValueError:
        return False
    return peer.is_loopback and request.headers.get("x-forwarded-proto", "").lower() == "https"


def _in_service() -> dict[str, Any]:
    """The guides the running bot answers with: the action server's own report (its version, when it
    was loaded, any guide error with file and line) – LOTSE_ACTIONS_HOST / _PORT, as `make run` and
    the cluster give every server."""
    config = settings()
    url = f"http://{config.actions_host}:{config.actions_port}/health"
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_S) as reply:
            body = json.loads(reply.read())
    except (OSError, ValueError) as error:
        return {
            "ok": False,
            "error": f"Der Aktions-Server von Lotse ist nicht erreichbar ({type(error).__name__})",
        }
    if not isinstance(body, dict) or "guides_version" not in body:
        return {"ok": False, "error": "Der Aktions-Server meldet keine Leitfäden"}
    return {
        "ok": body.get("guide_error") is None,
        "version": body.get("guides_version"),
        "loaded_at": body.get("guides_loaded_at"),
        "error": body.get("guide_error"),
    }
