"""A conversation keeps its thread when its turns land on different Rasa instances.

The tracker lives in PostgreSQL, not in an instance: Lotse asks back on one
instance, the answer to that question arrives at the other, and it is still
understood as the answer – by click (the button's payload) or by a typed word.
"""

from __future__ import annotations

import uuid

import pytest

from bot.ops.cluster import Cluster
from tests.cluster.conftest import post, stored_events
from tests.rules import rule

# (how the user answers the clarifying question, what comes of it; its unit is the guides' own)
ANSWERS = [
    ("click:Ja, schon einmal einen Status", "routing", "asu_telefon_reaktivierung"),
    ("click:Nein, noch nie einen Status", "not_covered", "asu_telefon_ohne_status"),
    ("say:ja", "routing", "asu_telefon_reaktivierung"),
    ("say:nein", "not_covered", "asu_telefon_ohne_status"),
]


@pytest.mark.parametrize("answer,kind,topic", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_clarify_on_one_instance_answer_on_the_other(
    cluster: Cluster, answer: str, kind: str, topic: str
) -> None:
    unit = rule(topic).answer.unit
    first, second = cluster.config.rasa_url(0), cluster.config.rasa_url(1)
    sender = f"thread-{uuid.uuid4().hex}"

    asked = post(first, sender, "telefonische ASU – wer?")
    assert asked.status == 200 and asked.answer is not None, asked
    assert asked.answer["kind"] == "clarify"
    buttons = {b["title"]: b["payload"] for m in asked.messages for b in (m.get("buttons") or [])}

    how, value = answer.split(":", 1)
    message = buttons[value] if how == "click" else value
    answered = post(second, sender, message)
    assert answered.status == 200 and answered.answer is not None, answered
    assert (answered.answer["kind"], answered.answer["unit"], answered.answer["topic"]) == (kind, unit, topic)

    source = post(first, sender, "wo steht das?")  # the follow-up goes back to the first instance
    assert source.answer is not None and source.answer["topic"] == topic
    assert "Abschnitt 2.2" in source.texts[0]

    users = [
        event["text"] for _, kind_, event in stored_events(cluster.tracker_db_url, sender) if kind_ == "user"
    ]
    assert users == ["telefonische ASU – wer?", message, "wo steht das?"]


def test_without_the_shared_tracker_the_answer_alone_means_nothing(cluster: Cluster) -> None:
    """The control: "ja" on a fresh conversation is no answer – the thread above came from PostgreSQL."""
    reply = post(cluster.config.rasa_url(1), f"thread-{uuid.uuid4().hex}", "ja")
    assert reply.status == 200
    assert reply.answer is None or reply.answer.get("topic") != "asu_telefon_reaktivierung"
