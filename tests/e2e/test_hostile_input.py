"""The widget's XSS strings, replayed through the REST webhook: what comes back is plain text.

The widget shows reply texts, button titles and the answer payload. Whatever a user
types, nothing in the reply may carry markup or a script URL the bot did not write
itself: the bot does not echo the question, and its own texts hold no markup, so any
tag, event handler or `javascript:` in a reply would be an injection.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.ops.processes import BotConfig
from tests.http import call
from tests.rules import unit_of

XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    '<a href="javascript:alert(1)">klick</a>',
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[klick](javascript:alert(1))",
    "'-alert(1)-'",
]
# a tag, an HTML entity, an event handler attribute, a script URL or the payload's call
MARKUP = re.compile(r"<\s*/?\s*[a-z!]|&[#a-z0-9]+;|\bon[a-z]+\s*=|javascript:|alert\(", re.IGNORECASE)
QUESTION = "Wohin gehen Terminabsagen aus dem Kontaktformular?"  # README: kontaktformular_termine


def post(config: BotConfig, body: dict[str, Any]) -> tuple[int, str, Any]:
    """(status, Content-Type, parsed JSON) of one webhook call."""
    status, headers, raw = call(
        f"{config.rasa_url}/webhooks/rest/webhook",
        "POST",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    return status, headers.get("content-type", ""), json.loads(raw)


def shown_strings(value: Any) -> Iterator[str]:
    """Every string a client may display: texts, button titles and payloads, answer fields, errors.

    `recipient_id` is left out: it is the sender id the client chose itself.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from shown_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "recipient_id":
                yield from shown_strings(item)


def answer_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    answers = [m["custom"]["answer"] for m in messages if isinstance(m.get("custom"), dict)]
    assert len(answers) == 1, messages
    answer = answers[0]
    assert isinstance(answer, dict)
    return answer


def assert_plain(messages: Any) -> None:
    for text in shown_strings(messages):
        assert not MARKUP.search(text), f"markup in the reply: {text!r}"


@pytest.mark.parametrize("xss", XSS)
def test_the_markup_check_would_catch_an_echo(xss: str) -> None:
    """Each replayed string, echoed in a text or in the answer payload, fails the check used below."""
    with pytest.raises(AssertionError):
        assert_plain([{"recipient_id": "x", "text": f"Sie fragten: {xss}"}])
    with pytest.raises(AssertionError):
        assert_plain([{"recipient_id": "x", "custom": {"answer": {"options": [{"title": xss}]}}}])
    assert_plain([{"recipient_id": xss, "text": "ok"}])  # the client's own sender id is not shown


@pytest.mark.parametrize("xss", XSS)
def test_xss_alone_gets_the_plain_out_of_scope_answer(running_bot: BotConfig, xss: str) -> None:
    status, content_type, messages = post(running_bot, {"sender": f"xss-{uuid.uuid4().hex}", "message": xss})
    assert status == 200 and content_type.startswith("application/json")
    assert_plain(messages)
    answer = answer_of(messages)
    assert answer["kind"] == "out_of_scope" and answer["unit"] is None
    assert messages[0]["text"].splitlines()[0]  # a text an agent can read, not an empty bubble


@pytest.mark.parametrize("xss", XSS)
def test_xss_around_a_question_does_not_change_the_answer(running_bot: BotConfig, xss: str) -> None:
    for message in (f"{QUESTION} {xss}", f"{xss} {QUESTION}"):
        status, content_type, messages = post(
            running_bot, {"sender": f"xss-{uuid.uuid4().hex}", "message": message}
        )
        assert status == 200 and content_type.startswith("application/json")
        assert_plain(messages)
        answer = answer_of(messages)
        assert (answer["kind"], answer["unit"], answer["topic"]) == (
            "routing",
            unit_of("kontaktformular_termine"),
            "kontaktformular_termine",
        )
        assert messages[0]["text"].splitlines()[0] == answer["verdict"]


@pytest.mark.parametrize("xss", XSS[:4])
def test_xss_as_the_answer_to_a_clarifying_question_is_plain(running_bot: BotConfig, xss: str) -> None:
    """Buttons carry payloads the widget sends back: they stay the bot's own, whatever was typed."""
    sender = f"xss-{uuid.uuid4().hex}"
    status, _, first = post(running_bot, {"sender": sender, "message": "telefonische ASU – wer?"})
    assert status == 200 and answer_of(first)["kind"] == "clarify"
    status, _, second = post(running_bot, {"sender": sender, "message": xss})
    assert status == 200
    assert_plain(second)
    answer = answer_of(second)
    assert answer["kind"] in ("clarify", "out_of_scope", "not_covered")
    for option in answer.get("options") or []:
        assert option["payload"].startswith('/inform{"customer": ')


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "xss", "message": ["<script>alert(1)</script>"]},
        {"sender": ["<img src=x onerror=alert(1)>"], "message": "hallo"},
        {"sender": "xss", "message": "hallo", "metadata": "<svg onload=alert(1)>"},
    ],
    ids=["message-list", "sender-list", "metadata-string"],
)
def test_a_refused_request_does_not_echo_markup(running_bot: BotConfig, body: dict[str, Any]) -> None:
    status, content_type, reply = post(running_bot, body)
    assert status == 400 and content_type.startswith("application/json")
    assert isinstance(reply, dict) and reply["error"]
    assert_plain(reply)
