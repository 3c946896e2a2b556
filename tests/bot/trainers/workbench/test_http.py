"""The workbench over HTTP, as a browser or a script meets it: a real `python -m bot.ops.web` from a
copy of the checkout, real SQLite stores (conversations written by Lotse's own tracker store), real
argon2 accounts. Rasa is down here: what needs the bot is tested in the browser (tests/browser)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.serving.feedback import FeedbackStore, Rating
from bot.trainers.workbench.sessions import ACCOUNT_FAILURES, ADDRESS_FAILURES
from tests.bots import port_of
from tests.rules import unit_of
from tests.web_server import WebServer, web_server
from tests.workbench import PASSWORD, Trainer, accounts, copy_checkout, store_conversation

DEAD_RASA = f"http://127.0.0.1:{port_of(999)}"
APIS = [
    ("GET", "/trainer/api/session"),
    ("GET", "/trainer/api/choices"),
    ("GET", "/trainer/api/conversations"),
    ("GET", "/trainer/api/runs"),
    ("GET", "/trainer/api/runs/0123456789abcdef"),
    ("GET", "/trainer/api/runs/0123456789abcdef/confusion.png"),
    ("GET", "/trainer/api/dashboard"),
    ("GET", "/trainer/api/charts/questions.svg"),
    ("GET", "/trainer/api/guides"),
    ("GET", "/trainer/api/anything"),
    ("POST", "/trainer/api/signout"),
    ("POST", "/trainer/api/tests/preview"),
    ("POST", "/trainer/api/tests/save"),
    ("POST", "/trainer/api/examples/preview"),
    ("POST", "/trainer/api/examples/save"),
    ("POST", "/trainer/api/runs"),
    ("DELETE", "/trainer/api/runs"),
]
ROUTED = unit_of("asu_telefon_reaktivierung")


def answer(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "topic": None, "unit": None, "lang": "de", "guides_version": "abc123", **fields}


ASKS_CUSTOMER = answer(
    "clarify",
    asks="customer",
    options=[
        {"title": "Ja, schon einmal einen Status", "payload": '/inform{"customer": "reactivation"}'},
        {"title": "Nein, noch nie einen Status", "payload": '/inform{"customer": "new"}'},
    ],
)


@dataclass
class Bench:
    server: WebServer
    root: Path  # the checkout copy it writes into
    feedback_url: str
    senders: dict[str, str]  # what each stored conversation is, by its role in these tests

    def trainer(self) -> Trainer:
        return Trainer(self.server.url, address=f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    folder = tmp_path_factory.mktemp("workbench-http")
    root = copy_checkout(folder / "checkout")
    feedback_url = f"sqlite:///{folder / 'feedback.db'}"
    tracker_url = f"sqlite:///{folder / 'trackers.db'}"
    now = time.time()
    senders = {name: f"web-{uuid.uuid4().hex}" for name in ("weather", "clicked", "circles", "english")}
    store_conversation(
        tracker_url, senders["weather"], [("Wie wird das Wetter morgen?", answer("out_of_scope"), now - 600)]
    )
    store_conversation(
        tracker_url,
        senders["clicked"],
        [
            ("telefonische ASU – wer?", ASKS_CUSTOMER, now - 500),
            (
                '/inform{"customer": "reactivation"}',
                answer("routing", topic="asu_telefon_reaktivierung", unit=ROUTED),
                now - 490,
            ),
        ],
    )
    store_conversation(
        tracker_url,
        senders["circles"],
        [("telefonische ASU – wer?", ASKS_CUSTOMER, now - 400), ("keine Ahnung", ASKS_CUSTOMER, now - 390)],
    )
    store_conversation(
        tracker_url,
        senders["english"],
        [
            (
                "who handles contact forms?",
                answer("fact", topic="kontaktformular_termine", lang="en"),
                now - 300,
            )
        ],
    )
    store_conversation(tracker_url, "workbench-run-1", [("Testlauf", answer("fact"), now - 200)])
    store_conversation(tracker_url, senders["weather"] + "-old", [("alt", answer("fact"), now - 40 * 86400)])
    feedback = FeedbackStore(feedback_url)
    feedback.add_rating(
        Rating(-1, "Wie wird das Wetter morgen?", "out_of_scope", lang="de", comment="falsch")
    )
    feedback.close()
    env = {
        "LOTSE_TRAINER_ACCOUNTS_FILE": str(accounts(folder / "trainers")),
        "LOTSE_TRACKER_DB_URL": tracker_url,
        "LOTSE_SECRETS_FILE": str(folder / "secrets.env"),
        "LOTSE_ACTIONS_PORT": str(port_of(999)),  # nothing listens: the bot is down here
    }
    log = folder / "web.log"
    with web_server(
        port_of(990), DEAD_RASA, feedback_url, log, root=root, module="bot.ops.web", env=env
    ) as server:
        yield Bench(server, root, feedback_url, senders)


@pytest.fixture
def anna(bench: Bench) -> Trainer:
    trainer = bench.trainer()
    assert trainer.sign_in("anna")[0] == 200
    return trainer


# --- without a session -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), APIS, ids=[f"{m} {p}" for m, p in APIS])
def test_no_trainer_api_answers_without_a_session(bench: Bench, method: str, path: str) -> None:
    status, body = bench.trainer().json(method, path, {} if method != "GET" else None)
    assert status == 401
    assert body == {"error": "Nicht angemeldet – bitte unter /trainer/signin anmelden."}


@pytest.mark.parametrize("path", ["/trainer", "/trainer/", "/trainer/review", "/trainer/api"])
def test_a_trainer_page_without_a_session_redirects_to_the_sign_in(bench: Bench, path: str) -> None:
    status, headers, _ = bench.trainer().request("GET", path)
    assert (status, headers["location"]) == (303, "/trainer/signin")


def test_the_sign_in_page_and_the_staff_pages_need_no_session(bench: Bench) -> None:
    trainer = bench.trainer()
    status, _, page = trainer.request("GET", "/trainer/signin")
    assert status == 200 and b"Anmelden" in page and b'type="password"' in page
    assert trainer.request("GET", "/")[0] == 200
    assert trainer.request("GET", "/trainer/static/workbench.js")[0] == 200


# --- signing in and out ------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_the_right_one_gives_a_strict_session_cookie(bench: Bench) -> None:
    trainer = bench.trainer()
    assert trainer.sign_in("anna", "falsches-passwort-123") == (401, {"error": "Name oder Passwort falsch."})
    assert trainer.sign_in("niemand", PASSWORD) == (401, {"error": "Name oder Passwort falsch."})
    status, headers, raw = trainer.request(
        "POST", "/trainer/api/signin", {"name": "anna", "password": PASSWORD}
    )
    assert status == 200
    cookie = headers["set-cookie"]
    assert cookie.startswith("lotse_trainer=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/trainer"):
        assert flag in cookie
    assert (
        "Secure" not in cookie
    )  # plain http on localhost; behind https (X-Forwarded-Proto from loopback) it is set
    secure = bench.trainer().request(
        "POST", "/trainer/api/signin", {"name": "anna", "password": PASSWORD}, {"X-Forwarded-Proto": "https"}
    )
    assert "Secure" in secure[1]["set-cookie"]
    status, body = trainer.json("GET", "/trainer/api/session")
    assert status == 200 and body["trainer"] == "anna" and len(body["csrf"]) >= 32
    assert PASSWORD.encode() not in raw


def test_repeated_failures_lock_the_name_even_for_the_right_password(bench: Bench) -> None:
    trainer = bench.trainer()
    for _ in range(ACCOUNT_FAILURES - 1):
        assert trainer.sign_in("clara", "falsch-falsch-falsch")[0] == 401
    status, headers, raw = trainer.request(
        "POST", "/trainer/api/signin", {"name": "clara", "password": "falsch-falsch-falsch"}
    )
    assert status == 429 and "gesperrt bis" in raw.decode()
    assert int(headers["retry-after"]) > 0
    status, body = bench.trainer().sign_in("clara", PASSWORD)  # the name is locked, from any address
    assert status == 429 and body["error"].startswith("Zu viele fehlgeschlagene Anmeldungen – gesperrt bis")
    assert bench.trainer().sign_in("anna")[0] == 200  # another name is not


def test_repeated_failures_from_one_address_lock_that_address(bench: Bench) -> None:
    trainer = bench.trainer()
    for number in range(ADDRESS_FAILURES):
        status, _ = trainer.sign_in(f"rater{number}", "falsch-falsch-falsch")
    assert status == 429
    assert trainer.sign_in("anna")[0] == 429  # a right password from that address too
    assert bench.trainer().sign_in("anna")[0] == 200  # from another address it works


def test_sign_out_ends_the_session_on_the_server(bench: Bench, anna: Trainer) -> None:
    cookie = anna.cookie()
    assert cookie
    status, headers, _ = anna.request("POST", "/trainer/api/signout", {})
    assert status == 200 and "Max-Age=0" in headers["set-cookie"]
    replayed = Trainer(bench.server.url)
    status, _ = replayed.json("GET", "/trainer/api/session", headers={"Cookie": f"lotse_trainer={cookie}"})
    assert status == 401


# --- CSRF and the rules of every change ----------------------------------------------------------------


def test_a_change_without_the_sessions_csrf_token_is_refused(bench: Bench, anna: Trainer) -> None:
    for headers in ({}, {"X-CSRF-Token": "x" * 43}, {"X-CSRF-Token": ""}):
        status, _, raw = anna.request("POST", "/trainer/api/signout", {}, headers, csrf=False)
        assert status == 403 and "CSRF" in raw.decode()
    status, _, _ = anna.request("POST", "/trainer/api/signout", b"{}", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = anna.request("POST", "/trainer/api/signout", {}, {"Origin": "http://evil.example"})
    assert status == 403
    other = bench.trainer()
    assert other.sign_in("anna")[0] == 200
    assert (
        anna.request("POST", "/trainer/api/signout", {}, {"X-CSRF-Token": other.csrf or ""}, csrf=False)[0]
        == 403
    )
    assert anna.json("GET", "/trainer/api/session")[0] == 200  # none of it signed anna out


def test_the_sign_in_takes_only_json_from_the_pages_own_origin(bench: Bench) -> None:
    trainer = bench.trainer()
    form = b"name=anna&password=" + PASSWORD.encode()
    assert (
        trainer.request(
            "POST", "/trainer/api/signin", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )[0]
        == 415
    )
    assert (
        trainer.request(
            "POST",
            "/trainer/api/signin",
            {"name": "anna", "password": PASSWORD},
            {"Origin": "http://evil.example"},
        )[0]
        == 403
    )
    own = bench.server.url
    assert (
        trainer.request(
            "POST", "/trainer/api/signin", {"name": "anna", "password": PASSWORD}, {"Origin": own}
        )[0]
        == 200
    )


# --- review ---------------------------------------------------------------------------------------


def conversations(trainer: Trainer, query: str = "") -> list[dict[str, Any]]:
    status, body = trainer.json("GET", f"/trainer/api/conversations?days=7{query}")
    assert status == 200, body
    found: list[dict[str, Any]] = body["conversations"]
    return found


def first_texts(found: list[dict[str, Any]]) -> list[str]:
    return [c["turns"][0]["text"] for c in found]


def test_the_review_shows_stored_conversations_newest_first_without_machines_or_old_ones(
    anna: Trainer,
) -> None:
    found = conversations(anna)
    assert first_texts(found) == [
        "who handles contact forms?",
        "telefonische ASU – wer?",
        "telefonische ASU – wer?",
        "Wie wird das Wetter morgen?",
    ]
    clicked = found[2]["turns"]
    assert (clicked[1]["click"], clicked[1]["kind"], clicked[1]["topic"], clicked[1]["unit"]) == (
        "Ja, schon einmal einen Status",
        "routing",
        "asu_telefon_reaktivierung",
        ROUTED,
    )
    assert clicked[1]["guides_version"] == "abc123"
    assert all("sender" not in c and not c["id"].startswith("web-") for c in found)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("&filter=down", ["Wie wird das Wetter morgen?"]),
        ("&filter=unanswered", ["Wie wird das Wetter morgen?"]),
        ("&filter=circles", ["telefonische ASU – wer?"]),
        ("&lang=en", ["who handles contact forms?"]),
        ("&topic=asu_telefon_reaktivierung", ["telefonische ASU – wer?"]),
        ("&version=abc123&filter=down,unanswered", ["Wie wird das Wetter morgen?"]),
        ("&filter=did_you_mean", []),
        ("&version=nope", []),
    ],
)
def test_the_review_filters(anna: Trainer, query: str, first: list[str]) -> None:
    found = conversations(anna, query)
    assert first_texts(found) == first
    if "circles" in query:
        assert [t["text"] for t in found[0]["turns"]] == ["telefonische ASU – wer?", "keine Ahnung"]


def test_a_thumbs_down_shows_on_its_turn(anna: Trainer) -> None:
    [weather] = conversations(anna, "&filter=down")
    assert [(r["rating"], r["comment"]) for r in weather["turns"][0]["ratings"]] == [(-1, "falsch")]
    assert weather["marks"] == ["down", "unanswered"]


# --- saving a test conversation and an example ----------------------------------------------------------


def clicked_id(trainer: Trainer) -> str:
    found = conversations(trainer, "&topic=asu_telefon_reaktivierung")
    return str(found[0]["id"])


def save_body(conversation: str, file: str, name: str, stamp: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation": conversation,
        "turn": 2,
        "file": file,
        "name": name,
        "expect": [
            {"kind": "clarify", "unit": "null", "topic": "null"},
            {"kind": "routing", "unit": ROUTED, "topic": "asu_telefon_reaktivierung"},
        ],
    }
    if stamp is not None:
        body["stamp"] = stamp
    return body


def test_a_turn_becomes_a_test_conversation_after_its_diff_and_a_stale_save_is_refused(
    bench: Bench, anna: Trainer
) -> None:
    conversation = clicked_id(anna)
    status, preview = anna.json(
        "POST", "/trainer/api/tests/preview", save_body(conversation, "http-neu.yml", "ASU geklickt")
    )
    assert status == 200, preview
    assert preview["path"] == "tests/conversations/http-neu.yml" and preview["stamp"] == ""
    assert "+  - name: ASU geklickt\n" in preview["diff"]
    assert "+      - click: Ja, schon einmal einen Status\n" in preview["diff"]
    target = bench.root / "tests" / "conversations" / "http-neu.yml"
    assert not target.exists()  # a preview writes nothing
    status, saved = anna.json(
        "POST",
        "/trainer/api/tests/save",
        save_body(conversation, "http-neu.yml", "ASU geklickt", preview["stamp"]),
    )
    assert status == 201 and saved["saved"] == "tests/conversations/http-neu.yml"
    assert target.read_text(encoding="utf-8") == preview["content"]
    assert preview["content"].endswith(
        "      - say: telefonische ASU – wer?\n"
        "        expect: {kind: clarify, unit: null, topic: null}\n"
        "      - click: Ja, schon einmal einen Status\n"
        f"        expect: {{kind: routing, unit: {ROUTED}, topic: asu_telefon_reaktivierung}}\n"
    )
    before = target.read_bytes()
    status, refused = anna.json(
        "POST",
        "/trainer/api/tests/save",
        save_body(conversation, "http-neu.yml", "ein zweites", preview["stamp"]),
    )
    assert status == 409 and "wurde geändert, seit Sie die Vorschau geladen haben" in refused["error"]
    assert target.read_bytes() == before


def test_two_trainers_saving_the_same_file_the_second_is_refused(bench: Bench, anna: Trainer) -> None:
    ben = bench.trainer()
    assert ben.sign_in("ben")[0] == 200
    conversation = clicked_id(anna)
    body_a, body_b = (save_body(conversation, "appointments.yml", name) for name in ("von Anna", "von Ben"))
    preview_a = anna.json("POST", "/trainer/api/tests/preview", body_a)[1]
    preview_b = ben.json("POST", "/trainer/api/tests/preview", body_b)[1]
    assert preview_a["stamp"] == preview_b["stamp"] != ""
    assert anna.json("POST", "/trainer/api/tests/save", {**body_a, "stamp": preview_a["stamp"]})[0] == 201
    status, body = ben.json("POST", "/trainer/api/tests/save", {**body_b, "stamp": preview_b["stamp"]})
    assert status == 409 and "tests/conversations/appointments.yml wurde geändert" in body["error"]
    text = (bench.root / "tests" / "conversations" / "appointments.yml").read_text(encoding="utf-8")
    assert "name: von Anna" in text and "von Ben" not in text
    original = (Path(__file__).parents[4] / "tests" / "conversations" / "appointments.yml").read_text(
        encoding="utf-8"
    )
    assert text.startswith(original)  # appended: the file's own text and comments stay as they were


def test_a_question_becomes_a_training_example_and_duplicates_are_refused_with_the_reason(
    bench: Bench, anna: Trainer
) -> None:
    example = "Ex-Alo-Kundin meldet sich telefonisch arbeitsuchend, wer nimmt das auf?"
    body = {"intent": "ask_job_seeker_registration", "text": example}
    status, preview = anna.json("POST", "/trainer/api/examples/preview", body)
    assert status == 200, preview
    assert preview["path"] == "data/nlu/job_seeker_registration.yml"
    assert f"+      - {example}\n" in preview["diff"]
    status, saved = anna.json("POST", "/trainer/api/examples/save", {**body, "stamp": preview["stamp"]})
    assert status == 201 and "make model" in saved["message"]
    written = (bench.root / "data" / "nlu" / "job_seeker_registration.yml").read_text(encoding="utf-8")
    assert written == preview["content"] and f"      - {example}\n" in written
    status, again = anna.json("POST", "/trainer/api/examples/preview", body)
    assert status == 409 and "ist schon ein Beispiel unter diesem Intent" in again["error"]
    status, other = anna.json(
        "POST",
        "/trainer/api/examples/preview",
        {"intent": "ask_press", "text": "wer bearbeitet kontaktformulare"},
    )
    assert status == 409 and "„ask_contact_form“" in other["error"]


@pytest.mark.parametrize(
    "file", ["../../bot/evil.yml", "../x.yml", "/etc/passwd", "generated/x.yml", "a.yaml", "Grosse.yml", ""]
)
def test_nothing_is_written_outside_the_conversations_folder(bench: Bench, anna: Trainer, file: str) -> None:
    body = save_body(clicked_id(anna), file, "böse", stamp="")
    for step in ("preview", "save"):
        status, refused = anna.json("POST", f"/trainer/api/tests/{step}", body)
        assert status in (400, 403) and "tests/conversations/" in refused["error"]
    assert not (bench.root / "bot" / "evil.yml").exists() and not (bench.root / "tests" / "x.yml").exists()


# --- bad input --------------------------------------------------------------------------------------


BAD = [
    ("POST", "/trainer/api/tests/preview", b"{not json"),
    ("POST", "/trainer/api/tests/preview", b"[]"),
    ("POST", "/trainer/api/tests/preview", {"conversation": 5, "turn": 1}),
    ("POST", "/trainer/api/tests/preview", {"conversation": "nope", "turn": 1, "file": "x.yml", "name": "x"}),
    ("POST", "/trainer/api/tests/preview", {"conversation": "nope", "turn": 0}),
    ("POST", "/trainer/api/tests/preview", {"conversation": "nope", "turn": True}),
    ("POST", "/trainer/api/examples/preview", {"intent": "no_such_intent", "text": "hallo"}),
    ("POST", "/trainer/api/examples/preview", {"intent": "ask_press", "text": "/inform{}"}),
    ("POST", "/trainer/api/examples/preview", {"intent": "ask_press", "text": "[Presse](subject) wer"}),
    ("POST", "/trainer/api/examples/preview", {"intent": "ask_press", "text": "x" * 5000}),
    ("POST", "/trainer/api/examples/save", {"intent": "ask_press", "text": "Wer macht Presse?"}),
    ("POST", "/trainer/api/runs", {"file": "gibt-es-nicht.yml"}),
    ("POST", "/trainer/api/runs", {"file": 7}),
    ("GET", "/trainer/api/conversations?days=abc", None),
    ("GET", "/trainer/api/conversations?days=99", None),
    ("GET", "/trainer/api/conversations?filter=everything", None),
    ("GET", "/trainer/api/dashboard?days=0", None),
    ("GET", "/trainer/api/runs/0123456789abcdef", None),
    ("GET", "/trainer/api/runs/0123456789abcdef/confusion.png", None),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD, ids=[f"{m} {p} {str(b)[:30]}" for m, p, b in BAD])
def test_bad_input_gets_a_clear_answer_never_a_500(anna: Trainer, method: str, path: str, body: Any) -> None:
    status, headers, raw = anna.request(method, path, body)
    assert 400 <= status < 500, raw
    assert headers["content-type"].startswith("application/json")
    import json

    assert json.loads(raw)["error"]


def test_a_test_run_against_a_bot_that_is_down_ends_and_says_what_came(anna: Trainer) -> None:
    status, body = anna.json("POST", "/trainer/api/runs", {"file": "eakte.yml"})
    assert status == 202, body
    run: dict[str, Any] = {}
    for _ in range(600):  # every turn fails at once (connection refused); polled as the page does
        run = anna.json("GET", f"/trainer/api/runs/{body['run']}")[1]["run"]
        if run["status"] != "running":
            break
        time.sleep(0.1)
    assert run["status"] == "done" and run["done"] == run["total"] > 0
    result = run["result"]
    assert result["passed"] == 0 and result["failed"] == len(result["turns"]) > 0
    assert all(t["problems"][0].startswith("no reply") for t in result["turns"])
    status, _, png = anna.request("GET", f"/trainer/api/runs/{body['run']}/confusion.png")
    assert status == 200 and png.startswith(b"\x89PNG")


def test_the_guides_page_reports_the_check_and_that_the_bot_is_down(anna: Trainer) -> None:
    status, body = anna.json("GET", "/trainer/api/guides")
    assert status == 200
    assert body["check"]["ok"] and body["check"]["summary"].startswith("check-guides ok:")
    assert body["in_service"] == {
        "ok": False,
        "error": "Der Aktions-Server von Lotse ist nicht erreichbar (URLError)",
    }
    assert body["web"]["error"] is None and body["web"]["version"]


def test_the_dashboard_counts_and_draws(anna: Trainer) -> None:
    status, body = anna.json("GET", "/trainer/api/dashboard?days=7")
    assert status == 200
    today = dt.date.today().isoformat()
    [day] = [d for d in body["days"] if d["day"] == today] or [None]
    if day is not None:  # the conversations were stored minutes ago (not yesterday, unless at midnight)
        assert day["questions"] >= 4
    assert {"topic": "asu_telefon_reaktivierung", "up": 0, "down": 0} not in body["ratings"]
    for chart in ("questions", "kinds", "ratings"):
        status, headers, svg = anna.request("GET", f"/trainer/api/charts/{chart}.svg?days=7")
        assert status == 200 and headers["content-type"].startswith("image/svg+xml")
        assert svg.startswith(b"<svg") and b"<script" not in svg


# --- off without accounts ---------------------------------------------------------------------------


def test_without_accounts_the_workbench_is_off_and_says_how_to_create_one(
    tmp_path: Path, bench: Bench
) -> None:
    env = {
        "LOTSE_TRAINER_ACCOUNTS_FILE": str(tmp_path / "none"),
        "LOTSE_SECRETS_FILE": str(tmp_path / "secrets.env"),
        "LOTSE_TRACKER_DB_URL": f"sqlite:///{tmp_path / 'trackers.db'}",
    }
    log = tmp_path / "web.log"
    with web_server(
        port_of(991), DEAD_RASA, bench.feedback_url, log, root=bench.root, module="bot.ops.web", env=env
    ) as off:
        trainer = Trainer(off.url)
        status, _, page = trainer.request("GET", "/trainer")
        assert status == 200 and "bot.cli trainer-add NAME" in page.decode()
        status, body = trainer.sign_in("anna")
        assert status == 401 and "trainer-add" in body["error"]
        assert trainer.json("GET", "/trainer/api/conversations")[0] == 401
        assert trainer.request("GET", "/")[0] == 200  # the staff pages as ever
