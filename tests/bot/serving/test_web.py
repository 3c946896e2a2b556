"""The web server (`python -m bot.serving.web`) as the browser sees it: real process, real SQLite.

Its answers when Rasa is up are tested in the browser (tests/browser) against the real bot;
here Rasa is down (nothing listens) or hangs (a socket that never answers).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.answering.responses import Responses
from bot.ops.processes import reachable
from bot.paths import DOMAIN_FILE, PROJECT_ROOT
from bot.serving.feedback import FeedbackStore
from bot.serving.security import SettingsError
from bot.serving.web import (
    FEEDBACK_PER_SECOND,
    NOTICE_RESPONSE,
    STATIC_DIR,
    parse_origins,
    record_unanswered,
    templated,
)
from tests.bots import port_of
from tests.http import call
from tests.report_html import render
from tests.web_server import WebServer, silent_server, web_server

INTRANET = "http://intranet.example:8443"
OTHER_ORIGIN = "http://evil.example"
DEAD_RASA = f"http://127.0.0.1:{port_of(999)}"


def post_json(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, head, reply = call(url, "POST", raw, {"Content-Type": "application/json", **(headers or {})})
    return status, head, json.loads(reply) if reply else None


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('web') / 'feedback.db'}"


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """A web server whose Rasa is down; embedding allowed for INTRANET only."""
    assert not reachable(f"{DEAD_RASA}/"), f"{DEAD_RASA} must be free for these tests"
    log = tmp_path_factory.mktemp("web-log") / "web.log"
    with web_server(port_of(971), DEAD_RASA, db_url, log, cors=INTRANET) as running:
        yield running


@pytest.fixture
def store(db_url: str) -> Iterator[FeedbackStore]:
    feedback = FeedbackStore(db_url)
    yield feedback
    feedback.close()


# --- the page and its files ------------------------------------------------------------------------

PAGES = [
    ("/", "text/html", "widget.js"),
    ("/call", "text/html", 'data-mode="call"'),
    ("/widget.js", "text/javascript", "role"),
    ("/widget.css", "text/css", ".lotse"),
    ("/page.css", "text/css", "body"),
    ("/page.js", "text/javascript", "matchMedia"),
    ("/favicon.svg", "image/svg+xml", "<svg"),
]


@pytest.mark.parametrize(("path", "content_type", "contains"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_and_its_files_are_served(
    server: WebServer, path: str, content_type: str, contains: str
) -> None:
    status, headers, body = call(server.url + path)
    assert status == 200
    assert headers["content-type"].startswith(content_type)
    assert contains in body.decode("utf-8")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/widget.jsx", "/static/widget.js", "/../bot/serving/web.py", "/index.html.bak", "/x"]
)
def test_nothing_else_is_served(server: WebServer, path: str) -> None:
    status, headers, _ = call(server.url + path)
    assert status == 404 and headers["content-type"].startswith("application/json")


def test_no_file_of_the_page_loads_anything_from_elsewhere() -> None:
    """No CDN, no web font: the only URL in the files is the SVG namespace (not a request)."""
    for path in sorted(STATIC_DIR.iterdir()):
        text = path.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]", text), path.name
        assert "@import" not in text and "@font-face" not in text, path.name


def test_the_widget_never_writes_html() -> None:
    """Bot and user text reach the page via textContent only."""
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "textContent" in script


def test_the_notice_of_what_lotse_is_comes_from_the_domain(server: WebServer) -> None:
    """The EU AI Act's transparency notice: its wording is domain.yml's, filled into page and widget."""
    responses = Responses.from_domain_file(DOMAIN_FILE)
    _, _, script = call(server.url + "/widget.js")
    _, _, page = call(server.url + "/")
    for lang in ("de", "en"):
        notice = responses.text(NOTICE_RESPONSE, lang)
        assert "Automatisierter Assistent" in notice or "Automated assistant" in notice
        assert json.dumps(notice, ensure_ascii=False)[1:-1] in script.decode("utf-8")
    assert b"{{" not in script and b"{{" not in page


def test_placeholders_are_escaped_for_where_they_stand() -> None:
    value = {"x": 'a "b" </script> <i>'}
    assert templated(b'var t = "{{x}}";', value, script=True) == b'var t = "a \\"b\\" <\\/script> <i>";'
    assert (
        templated(b"<p>{{x}}</p>", value, script=False) == b"<p>a &quot;b&quot; &lt;/script&gt; &lt;i&gt;</p>"
    )


def test_type_ahead_answers_from_the_third_character_in_the_language_typed(server: WebServer) -> None:
    status, headers, body = call(f"{server.url}/api/suggest?q=Terminab&lang=de")
    found = json.loads(body)["suggestions"]
    assert status == 200 and headers["cache-control"] == "no-store"
    assert 1 <= len(found) <= 5 and {s["lang"] for s in found} == {"de"}
    assert all({"text", "ask", "kind", "topic"} <= set(s) for s in found)
    assert json.loads(call(f"{server.url}/api/suggest?q=Te&lang=de")[2])["suggestions"] == []
    english = json.loads(call(f"{server.url}/api/suggest?q=who+handles&lang=de")[2])["suggestions"]
    assert english and {s["lang"] for s in english} == {"en"}
    status, _, body = call(f"{server.url}/api/suggest?q=" + "x" * 5000)  # a paste, not typing
    assert status == 200 and json.loads(body)["suggestions"] == []


def test_the_start_screen_has_six_questions_and_a_listed_page_may_read_them(server: WebServer) -> None:
    status, headers, body = call(f"{server.url}/api/start?lang=en", headers={"Origin": INTRANET})
    questions = json.loads(body)["questions"]
    assert status == 200 and headers["access-control-allow-origin"] == INTRANET
    assert len(questions) == 6 and {q["lang"] for q in questions} == {"en"}
    assert len({q["topic"] for q in questions}) == 6


def test_an_answers_source_has_a_page(server: WebServer) -> None:
    status, headers, body = call(f"{server.url}/source/sperre_liegenschaftspostfaecher?lang=de")
    page = body.decode("utf-8")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "Die Liegenschaftspostfächer werden zum 01.07.2025" in page and "2.1 Einschränkung" in page
    assert call(f"{server.url}/source/gibt_es_nicht")[0] == 404
    assert call(f"{server.url}/source/..%2Fweb.py")[0] == 404


# --- questions while Rasa is down or hangs ---------------------------------------------------------


def test_rasa_down_gets_a_clear_502(server: WebServer) -> None:
    status, _, body = post_json(f"{server.url}/webhooks/rest/webhook", {"sender": "t1", "message": "Hallo"})
    assert status == 502
    assert "nicht erreichbar" in body["error"] and "not reachable" in body["error"]


def test_rasa_that_does_not_answer_gets_a_504_in_time(db_url: str, tmp_path: Path) -> None:
    with (
        silent_server(port_of(996)) as hanging,
        web_server(port_of(972), hanging, db_url, tmp_path / "web.log", upstream_timeout=1.0) as slow,
    ):
        started = time.monotonic()
        status, _, body = post_json(f"{slow.url}/webhooks/rest/webhook", {"sender": "t2", "message": "Hallo"})
        waited = time.monotonic() - started
    assert status == 504 and "nicht rechtzeitig" in body["error"]
    assert 0.9 < waited < 4


BAD_BODIES = [
    ("not json", b"sender=a&message=b"),
    ("a list", b'[{"sender": "a", "message": "b"}]'),
    ("a string", b'"Wer bearbeitet VAM?"'),
    ("empty", b""),
    ("nested deeper than Python recurses", b"[" * 60_000),
]


@pytest.mark.parametrize("body", [b[1] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES])
def test_a_malformed_question_is_refused_before_rasa(server: WebServer, body: bytes) -> None:
    status, _, reply = post_json(f"{server.url}/webhooks/rest/webhook", body)
    assert status == 400 and "JSON object" in reply["error"]


def test_an_oversized_body_gets_413(server: WebServer) -> None:
    body = json.dumps({"sender": "t3", "message": "x" * 70_000}).encode()
    status, _, _ = call(
        f"{server.url}/webhooks/rest/webhook", "POST", body, {"Content-Type": "application/json"}
    )
    assert status == 413


def test_get_on_the_webhook_is_not_allowed(server: WebServer) -> None:
    status, _, _ = call(f"{server.url}/webhooks/rest/webhook")
    assert status == 405


# --- embedding in another intranet page: CORS for listed origins only ------------------------------


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/api/feedback"])
def test_a_listed_origin_may_call_the_api(server: WebServer, path: str) -> None:
    status, headers, _ = call(
        server.url + path,
        "OPTIONS",
        headers={"Origin": INTRANET, "Access-Control-Request-Method": "POST"},
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == INTRANET
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-headers"] == "Content-Type"
    _, headers, _ = post_json(server.url + path, {"sender": "t4", "message": "Hallo"}, {"Origin": INTRANET})
    assert headers["access-control-allow-origin"] == INTRANET


@pytest.mark.parametrize("origin", [OTHER_ORIGIN, INTRANET + ".evil.example", "null"])
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/api/feedback"])
def test_another_origin_gets_no_cors_headers(server: WebServer, path: str, origin: str) -> None:
    _, headers, _ = call(server.url + path, "OPTIONS", headers={"Origin": origin})
    assert "access-control-allow-origin" not in headers
    _, headers, _ = post_json(server.url + path, {"sender": "t5", "message": "Hallo"}, {"Origin": origin})
    assert "access-control-allow-origin" not in headers


# --- what another page can send without a CORS preflight is refused ---------------------------------

API_PATHS = ["/webhooks/rest/webhook", "/api/feedback"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
@pytest.mark.parametrize("path", API_PATHS)
def test_a_post_not_declared_json_gets_415_and_stores_nothing(
    server: WebServer, store: FeedbackStore, path: str, content_type: str | None
) -> None:
    """A page on any origin may send text/plain or a form without a preflight; JSON inside or not."""
    before = len(store.ratings())
    headers = {"Content-Type": content_type} if content_type else {}
    status, head, raw = call(server.url + path, "POST", json.dumps(RATING).encode(), headers)
    assert status == 415 and "application/json" in json.loads(raw)["error"]
    assert head["content-type"].startswith("application/json")
    assert len(store.ratings()) == before


@pytest.mark.parametrize("origin", [OTHER_ORIGIN, "null", INTRANET + ".evil.example"])
@pytest.mark.parametrize("path", API_PATHS)
def test_a_post_from_an_origin_not_allowed_gets_403_and_stores_nothing(
    server: WebServer, store: FeedbackStore, path: str, origin: str
) -> None:
    before = len(store.ratings())
    status, headers, body = post_json(server.url + path, RATING, {"Origin": origin})
    assert status == 403 and body["error"]
    assert "access-control-allow-origin" not in headers
    assert len(store.ratings()) == before


def test_the_pages_own_origin_may_post(server: WebServer, store: FeedbackStore) -> None:
    """The widget on the server's own page: its Origin names the host the request went to."""
    before = len(store.ratings())
    status, _, _ = post_json(f"{server.url}/api/feedback", RATING, {"Origin": server.url})
    assert status == 201 and len(store.ratings()) == before + 1
    status, _, _ = post_json(
        f"{server.url}/api/feedback", RATING, {"Origin": server.url.replace("127.0.0.1", "x")}
    )
    assert status == 403


def test_the_widget_sends_its_posts_as_json() -> None:
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    posts = re.findall(r'fetch\(base \+ "([^"]+)", \{(.*?)\}\)', script, re.DOTALL)
    assert {path for path, _ in posts} >= {"/webhooks/rest/webhook", "/api/feedback"}
    for path, options in posts:
        assert 'method: "POST"' in options and '"Content-Type": "application/json"' in options, path


ORIGINS = [
    ("none", "", frozenset()),
    (
        "two",
        "http://a.example, https://b.example:8443/",
        frozenset({"http://a.example", "https://b.example:8443"}),
    ),
]


@pytest.mark.parametrize(("value", "expected"), [o[1:] for o in ORIGINS], ids=[o[0] for o in ORIGINS])
def test_origins_are_read_exactly(value: str, expected: frozenset[str]) -> None:
    assert parse_origins(value) == expected


@pytest.mark.parametrize(
    "value", ["*", "http://*.example", "intranet.example", "http://a.example/page", "ftp://a"]
)
def test_a_wildcard_or_a_non_origin_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="LOTSE_WEB_CORS_ORIGINS"):
        parse_origins(value)


def test_the_server_does_not_start_with_a_wildcard_origin(db_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.serving.web", "--port", str(port_of(973))],
        cwd=PROJECT_ROOT,
        env={"LOTSE_WEB_CORS_ORIGINS": "*", "LOTSE_FEEDBACK_DB_URL": db_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "not started" in result.stderr and "no `*`" in result.stderr


# --- feedback --------------------------------------------------------------------------------------

RATING = {
    "rating": -1,
    "question": "Herr Mustermann (Tel. 0911 1234567) fragt: Terminabsage per Kontaktformular?",
    "comment": "falsches Postfach, Kd-Nr. 123D456789",
    "kind": "routing",
    "topic": "kontaktformular_termine",
    "unit": "EZ",
    "lang": "de",
    "guides_version": "30145a60298d",
}


def test_feedback_is_stored_redacted(server: WebServer, store: FeedbackStore) -> None:
    status, _, body = post_json(f"{server.url}/api/feedback", RATING)
    assert status == 201
    [stored] = [r for r in store.ratings() if r.id == body["stored"]]
    assert stored.question == "Herr [NAME] (Tel. [NUMMER]) fragt: Terminabsage per Kontaktformular?"
    assert stored.comment == "falsches Postfach, Kd-Nr. [NUMMER]"
    assert (stored.rating, stored.topic, stored.unit, stored.kind) == (
        -1,
        "kontaktformular_termine",
        "EZ",
        "routing",
    )


BAD_FEEDBACK = [
    ("not json", b"rating=-1", "JSON object"),
    ("a list", [RATING], "JSON object"),
    ("rating true", {**RATING, "rating": True}, '"rating"'),
    ("rating text", {**RATING, "rating": "-1"}, '"rating"'),
    ("rating 5", {**RATING, "rating": 5}, '"rating"'),
    ("no question", {k: v for k, v in RATING.items() if k != "question"}, '"question"'),
    ("kind missing", {k: v for k, v in RATING.items() if k != "kind"}, '"kind"'),
    ("topic a number", {**RATING, "topic": 7}, '"topic"'),
    ("comment too long", {**RATING, "comment": "x" * 501}, '"comment"'),
    ("unit unknown", {**RATING, "unit": "XY"}, '"unit"'),
]


@pytest.mark.parametrize(("body", "named"), [b[1:] for b in BAD_FEEDBACK], ids=[b[0] for b in BAD_FEEDBACK])
def test_bad_feedback_is_refused_naming_the_field(
    server: WebServer, store: FeedbackStore, body: Any, named: str
) -> None:
    before = len(store.ratings())
    status, _, reply = post_json(f"{server.url}/api/feedback", body)
    assert status == 400 and named in reply["error"]
    assert len(store.ratings()) == before


def test_a_flood_of_feedback_is_refused_for_a_moment(server: WebServer, store: FeedbackStore) -> None:
    """A script posting ratings in a loop gets 429 with a reason; a second later ratings count again."""
    before = len(store.ratings())
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: post_json(f"{server.url}/api/feedback", RATING), range(60)))
    statuses = Counter(status for status, _, _ in replies)
    assert set(statuses) == {201, 429} and statuses[201] <= 2 * FEEDBACK_PER_SECOND
    assert all("warten" in body["error"] for status, _, body in replies if status == 429)
    assert len(store.ratings()) == before + statuses[201]
    time.sleep(1.1)
    assert post_json(f"{server.url}/api/feedback", RATING)[0] == 201
    time.sleep(1.1)  # the next test starts with a full budget


def test_a_comment_with_markup_reaches_the_report_as_text(
    server: WebServer, store: FeedbackStore, db_url: str, tmp_path: Path
) -> None:
    """What the tester found: `make feedback-report` copied <script> and <img onerror> from comments."""
    comment = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
    question = "Terminabsage? [hier klicken](https://evil.example/)"
    status, _, body = post_json(
        f"{server.url}/api/feedback", {**RATING, "comment": comment, "question": question}
    )
    assert status == 201
    [stored] = [r for r in store.ratings() if r.id == body["stored"]]
    assert stored.comment and stored.comment.startswith("<script>alert(1)</script>")
    out = tmp_path / "feedback.md"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "feedback-report", "--out", str(out)],
        cwd=PROJECT_ROOT,
        env={"LOTSE_FEEDBACK_DB_URL": db_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text(encoding="utf-8")
    assert "<script" not in report and "<img" not in report and "&lt;script&gt;alert(1)" in report
    rendered = render(report)
    assert rendered.tags <= {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td"}
    assert stored.comment in rendered.text and stored.question in rendered.text  # shown as typed


# --- which replies are noted as unanswered ---------------------------------------------------------


def reply(kind: str, text: str = "…", **answer: Any) -> list[dict[str, Any]]:
    payload = {"kind": kind, "topic": None, "unit": None, "lang": "de", "guides_version": "30145a60298d"}
    return [
        {"recipient_id": "s", "text": text},
        {"recipient_id": "s", "custom": {"answer": {**payload, **answer}}},
    ]


NOTED = [
    (
        "out of scope",
        "Wie wird das Wetter?",
        reply("out_of_scope"),
        [("Wie wird das Wetter?", "out_of_scope")],
    ),
    (
        "not covered",
        "Wer nimmt ASU von Erstkunden auf?",
        reply("not_covered", topic="asu_telefon_ohne_status"),
        [("Wer nimmt ASU von Erstkunden auf?", "not_covered")],
    ),
    ("routing", "Terminabsage?", reply("routing", unit="EZ", topic="kontaktformular_termine"), []),
    ("clarify", "ASU?", reply("clarify"), []),
    ("button click", '/inform{"customer": "new"}', reply("not_covered"), []),
    ("no payload", "Hallo", [{"recipient_id": "s", "text": "Hallo!"}], []),
    ("not a list", "Hallo", {"error": "x"}, []),
]


@pytest.mark.parametrize(
    ("question", "messages", "expected"), [n[1:] for n in NOTED], ids=[n[0] for n in NOTED]
)
def test_unanswered_questions_are_noted(
    tmp_path: Path, question: str, messages: Any, expected: list[tuple[str, str]]
) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    assert record_unanswered(store, question, messages) == len(expected)
    assert [(q.question, q.kinds[0]) for q in store.frequent_unanswered()] == expected
    store.close()
