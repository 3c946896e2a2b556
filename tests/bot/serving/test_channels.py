"""The REST channel's own checks: a malformed request is named, control characters are dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.serving.channels import MAX_SENDER_CHARS, clean_message, parse_request


class RequestBody:
    """Holds a raw body; `.json` parses it like sanic's Request.json (raises on non-JSON)."""

    def __init__(self, raw: bytes) -> None:
        self.body = raw

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _request(body: Any) -> RequestBody:
    return RequestBody(json.dumps(body).encode("utf-8"))


BAD_REQUESTS = [
    ("not-json", RequestBody(b"sender=a&message=b"), "must be JSON"),
    ("truncated-json", RequestBody(b'{"sender": "a", "message": '), "must be JSON"),
    ("list-body", _request([{"sender": "a", "message": "b"}]), "JSON object"),
    ("string-body", _request("Wer bearbeitet Terminabsagen?"), "JSON object"),
    ("null-body", _request(None), "JSON object"),
    ("missing-sender", _request({"message": "Hallo"}), '"sender"'),
    ("blank-sender", _request({"sender": "   ", "message": "Hallo"}), '"sender"'),
    ("sender-not-string", _request({"sender": 42, "message": "Hallo"}), '"sender"'),
    ("sender-too-long", _request({"sender": "s" * (MAX_SENDER_CHARS + 1), "message": "Hallo"}), '"sender"'),
    # Rasa's SQL tracker store exits the server on a sender it cannot encode (found by the fuzz test)
    ("sender-lone-surrogate", _request({"sender": "\ud800", "message": "Hallo"}), "lone surrogates"),
    ("sender-nul", _request({"sender": "agent\x00", "message": "Hallo"}), "control characters"),
    ("missing-message", _request({"sender": "agent-1"}), '"message" must be a string'),
    (
        "message-not-string",
        _request({"sender": "agent-1", "message": ["Hallo"]}),
        '"message" must be a string',
    ),
    ("message-number", _request({"sender": "agent-1", "message": 5}), '"message" must be a string'),
    ("metadata-not-dict", _request({"sender": "a", "message": "b", "metadata": ["x"]}), '"metadata"'),
    ("metadata-string", _request({"sender": "a", "message": "b", "metadata": "x"}), '"metadata"'),
]


@pytest.mark.parametrize(
    ("request_", "problem_word"), [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_request_is_refused_with_its_reason(request_: RequestBody, problem_word: str) -> None:
    body, problem = parse_request(request_)
    assert body is None
    assert problem is not None and problem_word in problem


GOOD_BODIES = [
    ("plain", {"sender": "agent-1", "message": "Wer bearbeitet Terminabsagen?"}),
    ("with-metadata", {"sender": "agent-1", "message": "Hallo", "metadata": {"widget": "1.2"}}),
    ("metadata-null", {"sender": "agent-1", "message": "Hallo", "metadata": None}),
    ("empty-message", {"sender": "agent-1", "message": ""}),  # answered later with a request for a question
    ("longest-sender", {"sender": "s" * MAX_SENDER_CHARS, "message": "Hallo"}),
]


@pytest.mark.parametrize("body", [c[1] for c in GOOD_BODIES], ids=[c[0] for c in GOOD_BODIES])
def test_good_request_is_accepted_unchanged(body: dict[str, Any]) -> None:
    parsed, problem = parse_request(_request(body))
    assert problem is None
    assert parsed == body


CLEAN_CASES = [
    ("nul-and-bell", "Wer\x00 bearbeitet\x07 das?", "Wer bearbeitet das?"),
    ("escape-sequence", "\x1b[31mTerminabsage\x1b[0m", "[31mTerminabsage[0m"),
    ("del-and-c1", "ASU\x7f\x85\x9f", "ASU"),
    ("lone-high-surrogate", "Hallo \ud800Welt", "Hallo Welt"),
    ("lone-low-surrogate", "\udfffWo steht das?", "Wo steht das?"),
    ("keeps-tab-and-inner-newline", "Zeile 1\nZeile\t2", "Zeile 1\nZeile\t2"),
    ("strips-outer-whitespace", "  \n Hallo \t ", "Hallo"),
    (
        "keeps-umlauts-and-dashes",
        "Veränderungsmitteilung – „online“ ß",
        "Veränderungsmitteilung – „online“ ß",
    ),
    ("keeps-emoji", "Danke 👍", "Danke 👍"),
    ("only-control-characters", "\x00\x01\x02", ""),
    # Rasa's built-in control intents answer nothing: typed, they are plain words (found by the fuzz test)
    ("rasa-restart", "/restart", "restart"),
    ("rasa-session-start-with-entities", ' /session_start{"a": 1}', 'session_start{"a": 1}'),
    ("rasa-back-with-confidence", "/back@0.9", "back@0.9"),
    ("button-payload-kept", '/inform{"customer": "new"}', '/inform{"customer": "new"}'),
    ("own-intent-kept", "/greet", "/greet"),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in CLEAN_CASES], ids=[c[0] for c in CLEAN_CASES])
def test_clean_message(raw: str, expected: str) -> None:
    assert clean_message(raw) == expected
