"""No personal value reaches a disk, and personal data does not change the answer (the real bot over REST).

The corpus (tests/privacy/corpus.yml) was written blind from the instruction by someone who had
not seen the redaction code: realistic German and English staff messages with names, customer
numbers, phone numbers, e-mail addresses, IBANs, dates and places of birth, addresses, social
security, tax, passport, ID-card, BG and UK NI numbers, each with its values and the same
question without them. tests/privacy/holdout.yml is a second one, measured in the closing note
of the hardening issue and searched here too.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ops.processes import BotConfig
from bot.paths import PROJECT_ROOT
from bot.serving.feedback import FeedbackStore, Rating
from bot.trainers.evaluate import BotReply, ask

CORPORA = [PROJECT_ROOT / "tests" / "privacy" / name for name in ("corpus.yml", "holdout.yml")]
# the share of with/without pairs that must get the same kind and topic: the target is 0.99, reached
# (276 of 278); the floor leaves two pairs of margin for a model trained on another machine. The two
# that differ are questions the NLU reads differently with a phrase more or less ("ID card, address
# on it – customer says …" / "customer says … compared to the ID card"), not personal data left in them
SAME_ANSWER_FLOOR = 0.985


def _messages() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for path in CORPORA:
        messages += yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return messages


def stored_forms(value: str) -> list[bytes]:
    """The bytes a value would have in a file: UTF-8 (logs, SQLite text) or JSON-escaped (event data)."""
    return [
        value.encode(),
        json.dumps(value)[1:-1].encode(),
        json.dumps(value, ensure_ascii=False)[1:-1].encode(),
    ]


def _short_number(value: str) -> bool:
    """Digits alone, fewer than 8: such a run can stand in any event's timestamp or id by chance."""
    digits = re.sub(r"[\s./-]", "", value)
    return digits.isdigit() and len(digits) < 8


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "message_id":  # a random id, not what anyone typed
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _user_texts(database: Path) -> Iterator[str]:
    """Every text a user event stores (its text, parse data, entity values): not its numbers
    (timestamps, confidences), where any short digit run turns up by chance."""
    with sqlite3.connect(database) as connection:
        for (data,) in connection.execute("SELECT data FROM events WHERE type_name = 'user'"):
            yield from _strings(json.loads(data))


@pytest.fixture(scope="module")
def replies(running_bot: BotConfig) -> list[tuple[dict[str, Any], BotReply, BotReply]]:
    """Every corpus message and its `without` question, each on a fresh conversation."""
    out = []
    for message in _messages():
        with_data = ask(running_bot.rasa_url, f"privacy-{uuid.uuid4().hex}", message["text"])
        without = ask(running_bot.rasa_url, f"privacy-{uuid.uuid4().hex}", message["without"])
        out.append((message, with_data, without))
    return out


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus message as a 👎 question and comment, and as an unanswered question, in a real store."""
    path = tmp_path_factory.mktemp("feedback") / "feedback.db"
    store = FeedbackStore(f"sqlite:///{path}")
    for message in _messages():
        store.add_rating(
            Rating(
                rating=-1,
                question=message["text"],
                comment=f"falsch: {message['text']}"[:280],
                topic="kontaktformular_termine",
                kind="routing",
                unit="EZ",
                lang=message["lang"],
                guides_version="30145a60298d",
            )
        )
        store.record_unanswered(message["text"], "not_covered")
    store.close()
    return path


def test_no_personal_value_is_stored_or_logged(
    running_bot: BotConfig, replies: list[tuple[dict[str, Any], BotReply, BotReply]], feedback_db: Path
) -> None:
    database = sorted(running_bot.tracker_db.parent.glob(running_bot.tracker_db.name + "*"))
    files = [*database, feedback_db, *sorted(running_bot.log_dir.glob("*"))]
    assert running_bot.tracker_db in database and len(replies) >= 250
    contents = {path: path.read_bytes() for path in files}
    user_events = "\n".join(_user_texts(running_bot.tracker_db)).encode()
    # the search reaches what was stored: the questions' own words are there
    assert b"Kontaktformular" in user_events and b"VCC" in user_events
    found = []
    for message in _messages():
        for value in message["values"]:
            for form in stored_forms(value):
                places = {"tracker events": user_events} if _short_number(value) else contents
                found += [
                    (message["id"], value, str(place)) for place, data in places.items() if form in data
                ]
    assert found == [], f"{len(found)} personal values on disk: {found[:10]}"


def test_personal_data_does_not_change_the_answer(
    replies: list[tuple[dict[str, Any], BotReply, BotReply]],
) -> None:
    """The answer to a question with personal data is the answer to the same question without it."""
    differing = []
    for message, with_data, without in replies:
        if not message["values"]:
            continue
        got = [(r.answer or {}).get(key) for r in (with_data, without) for key in ("kind", "topic")]
        if got[:2] != got[2:]:
            differing.append((message["id"], got[:2], got[2:]))
    pairs = sum(1 for message, _, _ in replies if message["values"])
    share = 1 - len(differing) / pairs
    print(f"same kind and topic: {pairs - len(differing)}/{pairs} ({share:.3f}); differing: {differing}")
    assert share >= SAME_ANSWER_FLOOR, differing


def test_a_message_of_personal_data_only_is_answered_and_not_stored(running_bot: BotConfig) -> None:
    sender = f"privacy-{uuid.uuid4().hex}"
    reply = ask(running_bot.rasa_url, sender, "Kd-Nr. 123D456789, Tel. 0911 4455667")
    assert "ohne Kundendaten" in reply.text
    with sqlite3.connect(running_bot.tracker_db) as connection:
        rows = connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()
    assert rows == (0,)


def test_a_slash_message_is_words_and_never_logged(running_bot: BotConfig) -> None:
    """Rasa reads "/…" as an intent and logs an unknown one in clear: only our own payloads stay intents."""
    reply = ask(running_bot.rasa_url, f"privacy-{uuid.uuid4().hex}", "/Terminabsage von Herrn Zawadzki")
    assert reply.answer is not None
    logs = b"".join(path.read_bytes() for path in running_bot.log_dir.glob("*.log"))
    assert b"Zawadzki" not in logs
    clicked = ask(running_bot.rasa_url, f"privacy-{uuid.uuid4().hex}", '/inform{"customer": "reactivation"}')
    assert clicked.texts  # a button's payload still works
