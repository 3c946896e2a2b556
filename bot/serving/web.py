"""The web server for staff: the intranet page with the chat widget, the call view, feedback.

It serves the widget's files from the package (bot/serving/static/) and passes the
widget's questions on to Rasa's REST webhook, so the page talks to one origin
and the browser never needs Rasa's address. On the way back it notes every
question the guides did not answer (out_of_scope / not_covered) in the feedback
store; 👍 / 👎 arrive at /api/feedback. Both go through bot/serving/feedback.py, which
redacts personal data before anything is stored.

Another intranet page may embed the widget with one script tag; its origin must
then be listed in LOTSE_WEB_CORS_ORIGINS (exact origins, comma-separated –
never `*`). A POST must be sent as application/json, and a browser's Origin must be
listed or the page's own (bot/serving/security.py): any other page could post text/plain
without a CORS preflight. Run it as `python -m bot.serving.web` (staff pages only); `make run` starts
`python -m bot.ops.web`, which adds the trainers' workbench (bot/trainers/workbench/) through
`main(extend=…)`.

Besides passing questions on it serves what helps staff before and after they ask: type-ahead
(`/api/suggest`) and the start screen's questions (`/api/start`) from bot/serving/suggest.py, the
page of an answer's source (`/source/<entry>`), and, added to each answer on its way back, the
facts of the entry the question asked for (`facts`: the call view shows them under the verdict).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import html
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.answering.engine import matches
from bot.answering.guides import Bilingual, GuideError, Guides, load_sources
from bot.answering.payload import days_named, format_date
from bot.answering.responses import Responses
from bot.answering.store import GuideStore
from bot.paths import DATA_DIR, DOMAIN_FILE, guides_dir
from bot.serving import http_guard, security
from bot.serving.asked import AskedTopics
from bot.serving.feedback import DB_URL_ENV, UNANSWERED_KINDS, FeedbackError, FeedbackStore, Rating, db_url
from bot.serving.rate_limit import RateLimiter
from bot.serving.suggest import LANGS, MAX_QUERY_CHARS, Suggester
from bot.settings import Settings, SettingsError, env_name, settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_RASA_URL = Settings.__fields__["rasa_url"].default
CORS_ENV = env_name("web_cors_origins")
MAX_BODY_BYTES = 64 * 1024  # as the REST channel: a question plus JSON
# Rasa's channel answers within 3 s (or says the tables are unavailable); the widget gives up
# after 5 s. Waiting longer here would only hold a connection nobody reads any more.
UPSTREAM_TIMEOUT_S = 6.0
WEBHOOK_PATH = "/webhooks/rest/webhook"
FEEDBACK_PATH = "/api/feedback"
SUGGEST_PATH = "/api/suggest"
START_PATH = "/api/start"
SOURCE_PATH = "/source"
# ratings per client address and second: a person clicks one or two, but many staff may share one
# address (terminal servers); far more is a script filling the store
FEEDBACK_PER_SECOND = 20
TOO_MANY_RATINGS = {
    "error": "Zu viele Rückmeldungen – bitte kurz warten. / Too much feedback at once – please wait a moment."
}

# file name -> content type; nothing else under bot/serving/static is served
STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "call.html": "text/html; charset=utf-8",
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "page.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# The pages load nothing from elsewhere and run no inline script: even a text that slipped into
# the DOM as HTML could not run.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# the static files that name the instruction in force: `{{instruction}}` (its number) and
# `{{instruction_date}}` are filled from guides/sources.yml when served, so no number is in code;
# `{{ai_notice_de}}` / `{{ai_notice_en}}` (what Lotse is: the EU AI Act's transparency notice) from
# domain.yml's `utter_ai_notice`, so its wording is data too
TEMPLATED_FILES = frozenset({"index.html", "widget.js"})
NOTICE_RESPONSE = "utter_ai_notice"
# the facts of an entry the call view shows under the verdict when the question asks for them: the
# answer fields of guides/vocabulary.yml's follow_up_attributes that are a date, a form or a place
FACT_FIELDS = ("deadline", "valid_from", "form", "form_location", "where")
MAX_FACTS = 2
UNREACHABLE = {
    "error": "Lotse ist gerade nicht erreichbar. / Lotse is not reachable right now.",
}
TIMEOUT = {"error": "Lotse hat nicht rechtzeitig geantwortet. / Lotse did not answer in time."}


@dataclass(frozen=True)
class WebSettings:
    """Where Rasa answers and which other pages may embed the widget."""

    rasa_url: str = DEFAULT_RASA_URL
    cors_origins: frozenset[str] = frozenset()
    upstream_timeout_s: float = UPSTREAM_TIMEOUT_S


def instruction_values(last: dict[str, str], folder: Path | None = None) -> dict[str, str]:
    """What the page and the widget say about the instruction in force, read again for every page load.

    sources.yml is small, and reading it each time lets a new instruction show from its first day.
    A broken file keeps `last` (or a bare "Weisung" without number until one was read).
    """
    try:
        instruction = load_sources(folder or guides_dir()).current(dt.date.today())
    except (GuideError, SettingsError) as error:
        logger.warning("the page keeps its instruction: %s", error)
        return last or {"instruction": "", "instruction_date": ""}
    return {"instruction": instruction.number, "instruction_date": instruction.date.strftime("%d.%m.%Y")}


_notices: dict[tuple[object, ...], dict[str, str]] = {}  # the last notice read, by the files' times


def notice_values(
    last: dict[str, str], domain: Path = DOMAIN_FILE, folder: Path | None = None
) -> dict[str, str]:
    """The notice that answers come from an automated assistant (domain.yml), per language.

    Read again when domain.yml or the sources change (or the day, which may bring a new
    instruction), so a reworded notice shows without a restart; a broken domain.yml keeps `last`.
    """
    folder = folder or guides_dir()
    try:
        key = (
            domain,
            domain.stat().st_mtime_ns,
            (folder / "sources.yml").stat().st_mtime_ns,
            dt.date.today(),
        )
        if key not in _notices:
            responses = Responses.from_domain_file(domain, folder)
            _notices.clear()
            _notices[key] = {f"ai_notice_{lang}": responses.text(NOTICE_RESPONSE, lang) for lang in LANGS}
        return _notices[key]
    except (OSError, KeyError, ValueError, GuideError, SettingsError) as error:
        logger.warning("the page keeps its notice: %s", error)
        return last or {f"ai_notice_{lang}": "" for lang in LANGS}


def templated(body: bytes, values: dict[str, str], script: bool) -> bytes:
    """`{{name}}` filled in: as the contents of a JS string in a script, HTML-escaped in a page."""
    for key, value in values.items():
        text = (
            json.dumps(value, ensure_ascii=False)[1:-1].replace("</", "<\\/")
            if script
            else html.escape(value)
        )
        body = body.replace(b"{{" + key.encode() + b"}}", text.encode())
    return body


def today() -> dt.date:
    """The day answers are for: LOTSE_TODAY when pinned (tests, trainers), else the real date."""
    return settings().today or dt.date.today()


def _fact_value(guides: Guides, answer: dict[str, Any], field: str, lang: str) -> str | None:
    """One fact of the answer's entry as the card shows it, in the answer's language."""
    entry = guides.by_id[answer["topic"]]
    if field == "valid_from":  # the validity of what the verdict states: the card's one date
        value = answer.get("statement_validity") or answer.get("validity")
    elif field in ("deadline", "where"):
        value = answer.get(field)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # an ISO day
            with contextlib.suppress(ValueError):
                value = format_date(dt.date.fromisoformat(value), lang)
    else:
        value = getattr(entry.answer, field, None)
    if isinstance(value, Bilingual):
        value = value.get(lang)
    return value if isinstance(value, str) and value.strip() else None


def _given(value: str, lead: str) -> bool:
    """Whether the lead already says it: the same words, or (a date line) the same days."""
    days = days_named(value)
    return value.rstrip(".") in lead or bool(days and days <= days_named(lead))


def asked_facts(guides: Guides, question: Any, answer: dict[str, Any]) -> list[dict[str, str | None]]:
    """The one or two facts of the answer's entry the question asked for ("seit wann …?": the date).

    Read with the cues of guides/vocabulary.yml's follow_up_attributes, so what counts as asking
    for a deadline or a form is data. A fact the answer's lead already gives (Lotse answers a
    question for one detail with that detail above the verdict) is not repeated; none for a click
    or a reply about no entry. A date carries no label (its line says it).
    """
    if not isinstance(question, str) or question.lstrip().startswith("/"):
        return []
    lead = answer["lead"] if isinstance(answer.get("lead"), str) else ""
    if answer.get("kind") not in ("routing", "fact") or answer.get("topic") not in guides.by_id:
        return []
    lang = str(answer["lang"]) if answer.get("lang") in LANGS else "de"
    facts: list[dict[str, str | None]] = []
    deadline = False  # "bis wann?" is the deadline where the entry names one, not the validity
    for name, attribute in guides.vocabulary.follow_up_attributes.items():
        if attribute.field not in FACT_FIELDS or attribute.unsettled:
            continue
        if attribute.field == "valid_from" and (deadline or days_named(lead)):
            continue  # a lead that names a day has answered the date
        cues = (*guides.attribute_cues.get(name, ()), *guides.attribute_question_cues.get(name, ()))
        if not matches(cues, question):
            continue
        value = _fact_value(guides, answer, attribute.field, lang)
        deadline = deadline or (attribute.field == "deadline" and value is not None)
        if value is None or any(f["value"] == value for f in facts) or _given(value, lead):
            continue
        label = None if attribute.field == "valid_from" else attribute.label.get(lang)
        facts.append({"key": name, "label": label, "value": value})
        if len(facts) == MAX_FACTS:
            break
    return facts


def source_page(guides: Guides, topic: str, lang: str) -> str | None:
    """The page an answer's source links to: the guide entry as staff can check it, with its
    instruction, section, guide document and validity. Every text escaped."""
    entry = guides.by_id.get(topic)
    if entry is None:
        return None
    instruction = guides.instruction_of(entry)
    text = entry.text.get(lang)
    section = instruction.sections[entry.section].get(lang)
    document = guides.documents[entry.document].title.get(lang)
    words = SOURCE_WORDS[lang]
    valid = " – ".join(
        f"{label} {format_date(day, lang)}"
        for label, day in ((words["from"], entry.valid_from), (words["to"], entry.valid_to))
        if day is not None
    )
    rows = [
        (
            words["instruction"],
            f"{instruction.label.get(lang)} – {instruction.title} ({format_date(instruction.date, lang)})",
        ),
        (words["section"], f"{entry.section} {section}"),
        (words["guide"], document),
        (words["valid"], valid or words["always"]),
    ]
    e = html.escape
    table = "".join(f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
    detail = "".join(f"<p>{e(line)}</p>" for line in text.detail.split("\n") if line.strip())
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(words['title'])} – {e(text.verdict[:60])}</title>"
        '<link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/page.css">'
        f'</head><body><main class="source"><h1>{e(words["title"])}</h1>'
        f'<p class="source__verdict">{e(text.verdict)}</p>{detail}'
        f'<table class="source__table">{table}</table>'
        f'<p class="source__note">{e(words["note"])}</p></main></body></html>'
    )


# the source page's own words (the entry's texts are the guides')
SOURCE_WORDS = {
    "de": {
        "title": "Quelle der Antwort",
        "instruction": "Weisung",
        "section": "Abschnitt",
        "guide": "Leitfaden",
        "valid": "Gültigkeit",
        "from": "ab",
        "to": "bis",
        "always": "ohne Datum",
        "note": "Eintrag der Gesprächsleitfäden, aus dem Lotse antwortet – maßgeblich ist die Weisung.",
    },
    "en": {
        "title": "Source of the answer",
        "instruction": "Instruction",
        "section": "Section",
        "guide": "Guide",
        "valid": "Validity",
        "from": "from",
        "to": "until",
        "always": "no dates",
        "note": "The entry of the talk guides Lotse answers from – the instruction is what counts.",
    },
}


def parse_origins(value: str | None) -> frozenset[str]:
    """The pages (LOTSE_WEB_CORS_ORIGINS) that may embed the widget, checked like Rasa's origins."""
    return frozenset(security.parse_origins(value, CORS_ENV))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json(
        body, status=status, headers=headers, dumps=lambda b: json.dumps(b, ensure_ascii=False)
    )


def _answers(messages: Iterable[Any]) -> list[dict[str, Any]]:
    """The `custom.answer` payloads of a reply."""
    found = []
    for message in messages:
        custom = message.get("custom") if isinstance(message, dict) else None
        answer = custom.get("answer") if isinstance(custom, dict) else None
        if isinstance(answer, dict):
            found.append(answer)
    return found


def record_unanswered(store: FeedbackStore, question: Any, messages: Any) -> int:
    """Note the question when the reply says the guides do not answer it; returns how many were noted.

    Button clicks ("/inform{…}") are not questions and are skipped.
    """
    if not isinstance(question, str) or question.lstrip().startswith("/") or not isinstance(messages, list):
        return 0
    noted = 0
    for answer in _answers(messages):
        kind = answer.get("kind")
        if kind in UNANSWERED_KINDS:
            store.record_unanswered(
                question,
                kind,
                topic=answer.get("topic"),
                lang=answer.get("lang"),
                guides_version=answer.get("guides_version"),
            )
            noted += 1
    return noted


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise FeedbackError(f'"{key}" must be a string or null')
    return value or None


def rating_from_body(body: Any) -> Rating:
    """The widget's feedback JSON as a Rating; a wrong type is named."""
    if not isinstance(body, dict):
        raise FeedbackError("the body must be a JSON object")
    rating, question, kind = body.get("rating"), body.get("question"), body.get("kind")
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise FeedbackError('"rating" must be 1 (👍) or -1 (👎)')
    if not isinstance(question, str):
        raise FeedbackError('"question" must be a string')
    if not isinstance(kind, str):
        raise FeedbackError('"kind" must be a string')
    return Rating(
        rating=rating,
        question=question,
        kind=kind,
        topic=_optional_str(body, "topic"),
        unit=_optional_str(body, "unit"),
        lang=_optional_str(body, "lang"),
        guides_version=_optional_str(body, "guides_version"),
        comment=_optional_str(body, "comment"),
    )


def _read_json(request: Request) -> Any:
    """The body as JSON, or None when it is not JSON (the caller then names what it expects)."""
    try:
        return json.loads(request.body or b"")
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deeper than Python recurses
        return None


def create_app(
    settings: WebSettings,
    store: FeedbackStore,
    guides: GuideStore | None = None,
    asked: AskedTopics | None = None,
) -> Sanic:
    """The web server; `guides` (type-ahead, start screen, facts, source pages) and `asked` (the
    start screen's counts) are optional so that a server without them still passes questions on."""
    app = Sanic("lotse_web", configure_logging=False)
    suggester = Suggester(guides, DATA_DIR, today) if guides is not None else None
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    session: dict[str, aiohttp.ClientSession] = {}
    ratings_per_client = RateLimiter()  # this server's own count: one web server per bot

    @app.before_server_start
    async def open_session(*_: Any) -> None:
        session["rasa"] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.upstream_timeout_s)
        )
        if suggester is not None:  # built now, not on the first keystroke
            await asyncio.to_thread(suggester.index)

    @app.after_server_stop
    async def close_session(*_: Any) -> None:
        if "rasa" in session:
            await session.pop("rasa").close()

    def cors_headers(request: Request) -> dict[str, str]:
        """CORS for the API, only for an origin listed exactly (another origin gets none)."""
        origin = request.headers.get("origin")
        if origin and origin in settings.cors_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"Vary": "Origin"}

    def refused(request: Request) -> HTTPResponse | None:
        """415 for a body not sent as JSON; 403 for a browser on an origin not listed and not the page's."""
        problem = security.refuse_post(
            request.headers.get("content-type"),
            request.headers.get("origin"),
            settings.cors_origins,
            own_host=request.headers.get("host"),
        )
        if problem is None:
            return None
        return _json({"error": problem[1]}, problem[0], cors_headers(request))  # a listed page reads why

    def client(request: Request) -> str:
        """The browser's address: the peer's, or what a proxy on loopback names (serving/security.py)."""
        return security.client_address(
            request.ip, request.headers.getall("x-forwarded-for", []), request.headers.get("x-real-ip")
        )

    def preflight(request: Request) -> HTTPResponse:
        headers = cors_headers(request)
        if "Access-Control-Allow-Origin" in headers:
            headers.update(
                {
                    "Access-Control-Allow-Methods": "POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type",
                    "Access-Control-Max-Age": "600",
                }
            )
        return response.empty(status=204, headers=headers)

    page_values: dict[str, str] = {}  # the last good values: a broken sources.yml keeps them

    def static(name: str) -> HTTPResponse:
        body = (STATIC_DIR / name).read_bytes()
        if name in TEMPLATED_FILES:
            page_values.update(instruction_values(page_values))
            page_values.update(notice_values(page_values))
            body = templated(body, page_values, script=name.endswith(".js"))
        headers = dict(PAGE_HEADERS)
        if name.endswith((".js", ".css")):  # embedding pages on listed origins load these too
            headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response.raw(body, content_type=STATIC_FILES[name], headers=headers)

    @app.get("/")
    async def index(_: Request) -> HTTPResponse:
        return static("index.html")

    @app.get("/call")
    async def call_view(_: Request) -> HTTPResponse:
        return static("call.html")

    @app.get("/<name:(widget\\.js|widget\\.css|page\\.css|page\\.js|favicon\\.svg)>")
    async def asset(_: Request, name: str) -> HTTPResponse:
        return static(name)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return _json({"status": "ok"})

    def lang_of(request: Request) -> str | None:
        lang = request.args.get("lang")
        return lang if lang in LANGS else None

    @app.get(SUGGEST_PATH)
    async def suggest(request: Request) -> HTTPResponse:
        """Up to five suggestions for what was typed (`q`), in the language typed (`lang`: the hint)."""
        headers = {**cors_headers(request), "Cache-Control": "no-store"}
        if suggester is None:
            return _json({"suggestions": []}, headers=headers)
        query = (request.args.get("q") or "")[:MAX_QUERY_CHARS]
        found = suggester.index().suggest(query, lang_of(request))
        return _json({"suggestions": [s.as_json() for s in found]}, headers=headers)

    @app.get(START_PATH)
    async def start(request: Request) -> HTTPResponse:
        """The start screen: the entries asked most in the last 30 days as their canonical questions."""
        headers = {**cors_headers(request), "Cache-Control": "no-store"}
        if suggester is None:
            return _json({"questions": []}, headers=headers)
        counts: dict[str, int] = {}
        if asked is not None:
            try:
                counts = await asyncio.to_thread(asked.counts, today())
            except SQLAlchemyError:  # the fixed list still helps
                logger.exception("could not read the asked topics")
        found = suggester.index().start_questions(counts, lang_of(request) or "de")
        return _json({"questions": [s.as_json() for s in found]}, headers=headers)

    @app.get(f"{SOURCE_PATH}/<topic:[a-z0-9_]{{1,100}}>")
    async def source(request: Request, topic: str) -> HTTPResponse:
        page = source_page(guides.get(), topic, lang_of(request) or "de") if guides is not None else None
        if page is None:
            return response.text("Keine solche Quelle. / No such source.", status=404, headers=PAGE_HEADERS)
        return response.html(page, headers=PAGE_HEADERS)

    def enrich(question: Any, messages: Any) -> bool:
        """Add the asked facts to each answer, and count the entry it answered with; True if changed."""
        if guides is None or not isinstance(messages, list):
            return False
        current, changed = guides.get(), False
        for answer in _answers(messages):
            facts = asked_facts(current, question, answer)
            if facts:
                answer["facts"] = facts
                changed = True
        return changed

    def count_asked(messages: Any) -> None:
        """One more answer for the entry a question was answered with (a follow-up's has a lead: not)."""
        if asked is None or guides is None or not isinstance(messages, list):
            return
        for answer in _answers(messages)[:1]:
            topic = answer.get("topic")
            answered = answer.get("kind") in ("routing", "fact") and not answer.get("lead")
            if answered and isinstance(topic, str) and topic in guides.get().by_id:
                asked.note(topic, today())

    @app.route(WEBHOOK_PATH, methods=["POST", "OPTIONS"])
    async def webhook(request: Request) -> HTTPResponse:
        if request.method == "OPTIONS":
            return preflight(request)
        refusal = refused(request)
        if refusal is not None:
            return refusal
        headers = cors_headers(request)
        body = _read_json(request)
        if not isinstance(body, dict):
            problem = 'the body must be a JSON object {"sender": "...", "message": "..."}'
            return _json({"error": problem}, 400, headers)
        forward = {"sender": body.get("sender"), "message": body.get("message")}
        # Rasa sees this server on 127.0.0.1 and counts its per-address limit on the browser's
        # address instead, which it takes from these headers only from a peer on loopback
        address = client(request)
        via = {"X-Forwarded-For": address, "X-Real-IP": address}
        url = f"{settings.rasa_url}{WEBHOOK_PATH}"
        try:
            async with session["rasa"].post(url, json=forward, headers=via) as upstream:
                status, raw = upstream.status, await upstream.read()
        except asyncio.TimeoutError:
            logger.error("Rasa did not answer within %.1f s", settings.upstream_timeout_s)
            return _json(TIMEOUT, 504, headers)
        except aiohttp.ClientError as error:
            logger.error("Rasa is not reachable at %s: %s", settings.rasa_url, error)
            return _json(UNREACHABLE, 502, headers)
        if status >= 500:
            logger.error("Rasa answered %d", status)
            return _json(UNREACHABLE, 502, headers)
        if status == 200:
            try:
                messages = json.loads(raw)
            except ValueError:
                messages = None
            try:
                if enrich(forward["message"], messages):
                    raw = json.dumps(messages, ensure_ascii=False).encode()
            except (KeyError, TypeError, ValueError):  # the user still gets the answer as Rasa gave it
                logger.exception("could not add the asked facts")
            try:
                await asyncio.to_thread(record_unanswered, store, forward["message"], messages)
                await asyncio.to_thread(count_asked, messages)
            except (ValueError, SQLAlchemyError):  # the user still gets the answer
                logger.exception("could not note an unanswered question")
        return response.raw(raw, status=status, content_type="application/json", headers=headers)

    @app.route(FEEDBACK_PATH, methods=["POST", "OPTIONS"])
    async def feedback(request: Request) -> HTTPResponse:
        if request.method == "OPTIONS":
            return preflight(request)
        refusal = refused(request)
        if refusal is not None:
            return refusal
        headers = cors_headers(request)
        address = client(request)
        if ratings_per_client.refused_by({address: FEEDBACK_PER_SECOND}) is not None:
            return _json(TOO_MANY_RATINGS, 429, headers)
        try:
            rating = rating_from_body(_read_json(request))
            stored = await asyncio.to_thread(store.add_rating, rating)
        except FeedbackError as error:
            return _json({"error": str(error)}, 400, headers)
        except SQLAlchemyError:
            logger.exception("feedback could not be stored")
            return _json(
                {"error": "Die Rückmeldung konnte nicht gespeichert werden. / Feedback could not be stored."},
                503,
                headers,
            )
        return _json({"stored": stored}, 201, headers)

    return app


@dataclass(frozen=True)
class WebParts:
    """What the web server is built from; a caller one layer up adds its own routes on them
    (bot/ops/web.py adds the trainers' workbench: serving cannot import the trainers' layer)."""

    settings: WebSettings
    store: FeedbackStore
    guides: GuideStore
    asked: AskedTopics


Extend = Callable[[Sanic, WebParts], None]


def main(
    argv: list[str] | None = None, extend: Extend | None = None, prog: str = "python -m bot.serving.web"
) -> int:
    """Run the web server; `extend` adds routes to the app before it serves (a problem it raises as
    SettingsError stops the start with its sentence, as a bad setting does)."""
    try:
        config = settings()
    except SettingsError as error:
        print(f"Lotse web server not started: {error}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=config.web_host)
    parser.add_argument("--port", type=int, default=config.web_port)
    parser.add_argument("--rasa-url", default=config.rasa_url)
    parser.add_argument(
        "--upstream-timeout", type=float, default=UPSTREAM_TIMEOUT_S, help="seconds to wait for Rasa's reply"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        web_settings = WebSettings(
            rasa_url=args.rasa_url.rstrip("/"),
            cors_origins=parse_origins(config.web_cors_origins),
            upstream_timeout_s=args.upstream_timeout,
        )
        # feedback accepts the units the guides declare: read now, and again when a guide file changes
        guides = GuideStore(guides_dir())
        # the URL from the environment: a PostgreSQL URL may hold a password
        store = FeedbackStore(db_url(), units=lambda: guides.get().vocabulary.units)
        asked = AskedTopics(db_url())  # the same database: one table of counts per entry and day
        app = create_app(web_settings, store, guides, asked)
        if extend is not None:
            extend(app, WebParts(web_settings, store, guides, asked))
    except GuideError as error:
        print(f"Lotse web server not started – the guides are invalid:\n  {error}", file=sys.stderr)
        return 2
    except SettingsError as error:
        print(f"Lotse web server not started: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:  # its message can quote the whole URL, password included
        print(
            f"Lotse web server not started: the feedback database ({DB_URL_ENV}) is not usable: "
            f"{type(error).__name__}",
            file=sys.stderr,
        )
        return 2
    logger.info("widget on http://%s:%d/ (Rasa at %s)", args.host, args.port, web_settings.rasa_url)
    http_guard.install()  # Content-Length / Transfer-Encoding checked, header and body deadlines
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
