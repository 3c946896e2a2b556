"""Hostile input at volume: thousands of generated requests, and the bot still answers afterwards.

Anyone on the intranet can post to the REST webhook. Every generated request must get
a well-formed reply — a JSON list of messages with text, or a 4xx with a JSON error —
never a 5xx, an empty list (silence), a timeout, or one of the bot's own "something
broke" replies (the action server is up, so those mean a crash was caught).

The corpus comes from hypothesis strategies with a fixed seed, so every run
sends the same inputs; it is generated first and then sent with a few requests in
flight, each from its own sender (below the per-sender rate limit).
"""

from __future__ import annotations

import json
import string
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.answering.responses import Responses
from bot.ops.processes import BotConfig
from bot.paths import DOMAIN_FILE
from bot.serving.channels import ERROR_REPLY, ask_again_replies, unavailable_reply
from bot.trainers.evaluate import ask
from tests.http import call
from tests.rules import unit_of

MIN_INPUTS = 2000
IN_FLIGHT = 6  # the bot answers ~20 messages/s on two cores; more in flight only queues
TIMEOUT_S = 15.0
ANSWER_KINDS = {"routing", "fact", "clarify", "not_covered", "out_of_scope"}

QUESTIONS = [
    "Wer bearbeitet Terminabsagen?",
    "Wohin gehen Terminabsagen aus dem Kontaktformular?",
    "telefonische ASU – wer?",
    "who handles a phone ASU of a former Alo customer?",
    "Wann werden die Liegenschaftspostfächer gesperrt?",
]
SQL = [
    "' OR 1=1; --",
    "'; DROP TABLE events; --",
    '" OR ""="',
    "1; SELECT sender_id, data FROM events --",
    "admin'/*",
    "' UNION SELECT NULL, sqlite_version() --",
]
TEMPLATES = [
    "{{7*7}}",
    "${7*7}",
    "${jndi:ldap://127.0.0.1/a}",
    "{% for x in range(99999999) %}x{% endfor %}",
    "{% raw %}",
    "<%= 7*7 %>",
    "#{7*7}",
    "{{config.items()}}",
    "{0.__class__.__mro__}",
    "%s%s%s%n%x",
    "{document}",
    "{topic} {date} {section}",
    "{",
    "}}",
]
HTML = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "<iframe src=//example.org>",
    "<b>fett</b>",
    "&lt;b&gt; &#x3C;",
    "<!--",
    "]]>",
]
YAML_JSON = [
    "!!python/object/apply:os.system ['id']",
    "&a [*a, *a, *a]",
    "key: value\n- item",
    "--- !ruby/object:Gem::Installer\ni: x",
    "? complex\n: key",
    'version: "3.1"\nnlu:\n- intent: greet',
    "<<: *default",
    '{"sender": "x", "message": "y"}',
    '{"__proto__": {"admin": true}}',
    "[1, 2",
    "NaN Infinity -0 1e309",
    '"\\u0000"',
]
RIGHT_TO_LEFT = [
    "مرحبا كيف حالك",
    "من يتولى إلغاء المواعيد؟",
    "שלום, מי מטפל בזה?",
    "\u202eTerminabsage\u202c wer?",
    "\u200fASU\u200e telefonisch",
    "ASU \u2067telefonisch\u2069 – wer?",
]
RASA_FIXED = [
    "/greet",
    "/restart",
    "/session_start",
    "/back",
    "/inform",
    '/inform{"customer": "reactivation"}',
    "/out_of_scope",
    "/nlu_fallback",
    "/action_listen",
    "/action_restart",
    "/new_question",
    "/",
    "//",
]
INTENTS = [
    "greet",
    "inform",
    "affirm",
    "deny",
    "restart",
    "session_start",
    "back",
    "ask_job_seeker_registration",
    "ask_at_date",
    "ask_source",
    "ask_why",
    "new_question",
    "out_of_scope",
    "nlu_fallback",
    "action_listen",
    "unknown_intent",
]
ENTITY_KEYS = ["customer", "channel", "postbox", "subject", "pending_condition", "lang", "x", ""]
FRAGMENTS = SQL + TEMPLATES + HTML + YAML_JSON + RIGHT_TO_LEFT + RASA_FIXED

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# controls, format characters (bidi overrides, zero width), lone surrogates, private use, combining marks
odd_characters = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Mn"])
rasa_payloads = st.builds(
    lambda intent, confidence, entities: f"/{intent}{confidence}{entities}",
    st.sampled_from(INTENTS) | st.text(max_size=12),
    st.sampled_from(["", "@0.1", "@1", "@nan", "@-5", "@1e309", "@", "@abc"]),
    st.one_of(
        st.just(""),
        st.dictionaries(st.sampled_from(ENTITY_KEYS), json_values, max_size=3).map(json.dumps),
        st.text(max_size=20).map(lambda junk: "{" + junk + "}"),
    ),
)
# a typed button payload answering the clarifying question on the customer, with any JSON as the value
clarify_answers = st.builds(
    lambda intent, value: f"/{intent}" + json.dumps({"customer": value}),
    st.sampled_from(["inform", "affirm", "deny"]),
    json_values,
)
long_words = st.builds(
    lambda piece, times: (piece * times)[:2600],
    st.text(string.ascii_letters + "äöüß", min_size=1, max_size=5) | st.characters(),
    st.integers(min_value=50, max_value=2600),
)
messages = st.one_of(
    st.text(max_size=200),
    st.text(odd_characters, max_size=40),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=15) | odd_characters, max_size=6).map("".join),
    st.sampled_from(FRAGMENTS),
    rasa_payloads,
    long_words,
    st.builds(lambda q, frag: f"{q} {frag}", st.sampled_from(QUESTIONS), st.sampled_from(FRAGMENTS)),
    st.builds(lambda q, frag: f"{frag} {q}", st.sampled_from(QUESTIONS), rasa_payloads),
)


@dataclass(frozen=True)
class Case:
    """One generated request: a message to wrap in JSON, or a raw body; maybe after a real question."""

    family: str
    message: Any = None
    raw: bytes | None = None  # the whole body
    raw_message: bytes | None = None  # the message's bytes between the quotes of a JSON string
    sender: Any = None  # None: a fresh sender per request
    sender_prefix: str = ""  # put before the fresh sender (its own sender: no queueing behind others)
    extra: tuple[tuple[str, Any], ...] = ()
    before: str | None = None  # asked first on the same sender (opens a clarifying question)

    def body(self, fresh_sender: str) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.raw_message is not None:
            return b'{"sender": "' + fresh_sender.encode() + b'", "message": "' + self.raw_message + b'"}'
        sender = self.sender_prefix + fresh_sender if self.sender is None else self.sender
        document = {"sender": sender, "message": self.message, **dict(self.extra)}
        return json.dumps(document).encode()  # a lone surrogate goes as a JSON escape: "\\ud800"


cases = st.one_of(
    st.builds(Case, family=st.just("message"), message=messages),
    st.builds(Case, family=st.just("message"), message=messages),
    st.builds(Case, family=st.just("message"), message=messages),
    st.builds(
        Case,
        family=st.just("mid-clarification"),
        message=clarify_answers | rasa_payloads | messages,
        before=st.just("telefonische ASU – wer?"),
    ),
    st.builds(
        Case,
        family=st.just("mid-clarification"),
        message=clarify_answers | rasa_payloads | messages,
        before=st.just("telefonische ASU – wer?"),
    ),
    st.builds(Case, family=st.just("wrong types"), message=json_values),
    st.builds(
        Case,
        family=st.just("wrong types"),
        message=st.sampled_from(QUESTIONS) | json_values,
        sender=json_values.filter(lambda value: not isinstance(value, str)),
    ),
    st.builds(
        Case,
        family=st.just("odd sender"),
        message=st.sampled_from(QUESTIONS),
        sender_prefix=st.text(max_size=130) | st.text(odd_characters, max_size=10),
    ),
    st.builds(
        Case,
        family=st.just("extra fields"),
        message=st.sampled_from(QUESTIONS),
        extra=st.lists(
            st.tuples(st.sampled_from(["metadata", "input_channel", "x"]), json_values), max_size=3
        ).map(tuple),
    ),
    st.builds(
        Case,
        family=st.just("lone surrogate"),
        raw_message=st.sampled_from(
            [b"\\ud800", b"\\udfff\\ud800 Terminabsage", b"\\ud83d", b"ASU \\udc00?"]
        ),
    ),
    st.builds(
        Case,
        family=st.just("lone surrogate"),
        raw=st.sampled_from(
            [
                b'{"sender": "\\ud800", "message": "Terminabsage"}',
                b'{"sender": "fuzz\\udc00", "message": "hallo"}',
            ]
        ),
    ),
    st.builds(
        Case,
        family=st.just("invalid UTF-8"),
        raw_message=st.binary(min_size=1, max_size=8).map(lambda junk: b"Terminabsage " + junk),
    ),
    st.builds(Case, family=st.just("raw bytes"), raw=st.binary(max_size=300)),
    st.builds(
        Case,
        family=st.just("nested"),
        raw=st.integers(min_value=1, max_value=20_000).map(lambda depth: b"[" * depth + b"]" * depth),
    ),
    st.builds(
        Case,
        family=st.just("huge"),
        message=st.integers(min_value=2001, max_value=120_000).map(
            lambda size: "Terminabsage " * (size // 13)
        ),
    ),
)


BATCH = 10  # cases per hypothesis example: a third of the generation time of one per example
SEED = 202505010  # the same corpus on every run and machine, whatever else changes in this file


def _generate_corpus(count: int) -> list[Case]:
    """The same `count` cases on every run (a fixed seed, no example database)."""
    corpus: list[Case] = []

    @seed(SEED)
    @settings(
        max_examples=-(-count // BATCH),
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(cases, min_size=BATCH, max_size=BATCH))
    def collect(batch: list[Case]) -> None:
        corpus.extend(batch)

    collect()
    return corpus


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    status, _, raw = call(url, "POST", body, {"Content-Type": "application/json"}, timeout=TIMEOUT_S)
    return status, raw


def _broken_replies() -> set[str]:
    """Replies that mean something failed inside the bot (caught, but a bug with the action server up)."""
    responses = Responses.from_domain_file(DOMAIN_FILE)
    return {
        ERROR_REPLY,
        *ask_again_replies(),
        *(responses.text("utter_internal_error", lang) for lang in ("de", "en")),
    }


def problem_with(status: int, raw: bytes, broken: set[str]) -> str | None:
    """What is wrong with one HTTP reply, or None when it is well-formed."""
    try:
        reply = json.loads(raw)
    except ValueError:
        return f"status {status}, body is not JSON: {raw[:200]!r}"
    if 400 <= status < 500:
        if not (isinstance(reply, dict) and isinstance(reply.get("error"), str) and reply["error"]):
            return f"status {status} without a JSON error: {reply!r:.200}"
        return None
    if status != 200:
        return f"status {status}: {reply!r:.200}"
    if not isinstance(reply, list) or not reply:
        return f"silence: {reply!r:.200}"
    for message in reply:
        if not isinstance(message, dict):
            return f"a message that is no object: {message!r:.200}"
        custom = message.get("custom")
        answer = custom.get("answer") if isinstance(custom, dict) else None
        if custom is not None and not (isinstance(answer, dict) and answer.get("kind") in ANSWER_KINDS):
            return f"a custom payload without a known answer kind: {custom!r:.300}"
        if not message.get("text") and custom is None:
            return f"a message without text or answer: {message!r:.300}"
    texts = [m["text"] for m in reply if m.get("text")]
    if not texts:
        return f"no message with text: {reply!r:.300}"
    failed = [text for text in texts if text in broken or "Traceback" in text]
    return f"a failure reply: {failed[0]!r:.200}" if failed else None


def _send(url: str, broken: set[str], number: int, case: Case) -> list[tuple[int, str | None, bytes]]:
    """Send one case (its opening question first, if any): (status, problem, body) per request."""
    sender = f"fuzz-{number}"
    bodies = [case.body(sender)]
    if case.before is not None:
        bodies.insert(0, json.dumps({"sender": sender, "message": case.before}).encode())
    sent = []
    for body in bodies:
        try:
            status, raw = _post(url, body)
            problem = problem_with(status, raw, broken)
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            status, problem = 0, f"no reply: {error!r}"
        sent.append((status, problem, body))
    return sent


@pytest.mark.parametrize(
    ("status", "raw", "problem"),
    [
        (200, b"[]", "silence"),
        (500, b'{"error": "boom"}', "status 500"),
        (502, b"<html>Bad Gateway</html>", "not JSON"),
        (400, b'{"detail": "x"}', "without a JSON error"),
        (200, b'[{"recipient_id": "x", "text": ""}]', "without text or answer"),
        (200, b'[{"recipient_id": "x", "custom": {"answer": {"kind": "routing"}}}]', "no message with text"),
        (200, b'[{"text": "ok", "custom": {"answer": {"kind": "guess"}}}]', "known answer kind"),
        (200, b'["ok"]', "no object"),
        (200, json.dumps([{"text": unavailable_reply()["de"]}]).encode(), "a failure reply"),
    ],
    ids=[
        "silence",
        "500",
        "html",
        "4xx-without-error",
        "empty-text",
        "only-payload",
        "odd-kind",
        "not-object",
        "failure",
    ],
)
def test_the_checker_catches_what_it_must(status: int, raw: bytes, problem: str) -> None:
    """The fuzz test's verdict itself: each kind of bad reply is named (so a pass means something)."""
    found = problem_with(status, raw, _broken_replies())
    assert found is not None and problem in found


def test_generated_hostile_requests_all_get_a_clear_reply(
    running_bot: BotConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _broken_replies()
    corpus = _generate_corpus(MIN_INPUTS)
    url = f"{running_bot.rasa_url}/webhooks/rest/webhook"
    log = running_bot.log_dir / f"rasa-{running_bot.rasa_port}.log"
    log_start = log.stat().st_size
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        results = list(pool.map(lambda item: _send(url, broken, *item), enumerate(corpus)))
    seconds = time.perf_counter() - started
    requests = [(case, *result) for case, sent in zip(corpus, results, strict=True) for result in sent]
    statuses = Counter(status for _, status, _, _ in requests)
    families = Counter(case.family for case in corpus)
    with capsys.disabled():
        print(
            f"\nfuzz: {len(requests)} requests ({len(corpus)} generated inputs) in {seconds:.0f} s; "
            f"statuses {dict(sorted(statuses.items()))}; families {dict(families)}"
        )
    problems = [
        f"{case.family}: {problem} <- {body[:160]!r}" for case, _, problem, body in requests if problem
    ]
    assert not problems, f"{len(problems)} bad replies:\n" + "\n".join(problems[:20])
    assert len(requests) >= MIN_INPUTS
    assert statuses[200] > len(requests) / 2  # most inputs really reached Rasa
    new_log = log.read_bytes()[log_start:]
    assert b"Traceback" not in new_log and b"SystemExit" not in new_log, new_log[-3000:].decode(
        errors="replace"
    )

    # and the bot still answers a staff question correctly
    reply = ask(running_bot.rasa_url, "fuzz-after", "Wohin gehen Terminabsagen aus dem Kontaktformular?")
    assert reply.answer is not None
    assert (reply.answer["kind"], reply.answer["unit"], reply.answer["topic"]) == (
        "routing",
        unit_of("kontaktformular_termine"),
        "kontaktformular_termine",
    )
