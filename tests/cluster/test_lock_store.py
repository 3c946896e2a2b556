"""Messages of one conversation sent at the same moment to both instances are processed one by one.

The Redis lock store serialises them: in the tracker store each question is followed by its own
answer before the next question starts, whichever instance took it. Without a shared lock, two
instances would each load the same tracker, and the questions and answers would interleave.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.ops.cluster import Cluster
from bot.serving.channels import ask_again_replies
from bot.serving.redaction import for_storage
from tests.cluster.conftest import Reply, post, stored_events

# Questions that stand on their own, each answered from another guide entry.
QUESTIONS = {
    "Wohin gehen Terminabsagen aus dem Kontaktformular?": "kontaktformular_termine",
    "wer bearbeitet online stammdatenaenderungen aus kusos": "stammdaten_online",
    "Who handles online change notices from the eService?": "veraenderungsmitteilung_online",
    "who handles a phone ASU of a former Alo customer?": "asu_telefon_reaktivierung",
    "Wann werden die Liegenschaftspostfächer gesperrt?": "sperre_liegenschaftspostfaecher",
    "Welche Dokumentart wird im eAkte-Regelwerk umgestellt?": "eakte_regelwerk",
}
SETTLE_S = 45.0  # turns that waited for the lock longer than the reply timeout finish in the background


def _turns(events: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    """(question, topics of the answers that came before the next question), in tracker order."""
    turns: list[tuple[str, list[str]]] = []
    for _, kind, event in events:
        if kind == "user":
            turns.append((event["text"], []))  # as stored: allow-listed (bot/serving/redaction/)
        elif kind == "bot" and turns:
            answer = ((event.get("data") or {}).get("custom") or {}).get("answer")
            if isinstance(answer, dict):
                turns[-1][1].append(str(answer.get("topic")))
    return turns


def test_concurrent_messages_of_one_conversation_do_not_interleave(cluster: Cluster) -> None:
    sender = f"lock-{uuid.uuid4().hex}"
    questions = list(QUESTIONS)
    start = threading.Barrier(len(questions))

    def send(index: int) -> Reply:
        start.wait()  # all at once, alternating between the two instances
        return post(cluster.config.rasa_url(index % 2), sender, questions[index], timeout=30.0)

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        replies = list(pool.map(send, range(len(questions))))

    for question, reply in zip(questions, replies, strict=True):
        assert reply.status == 200, reply
        # its own answer, or "ask again" when it waited for the lock longer than the 3 s reply timeout
        if not ask_again_replies() & set(reply.texts):
            assert reply.answer is not None and reply.answer["topic"] == QUESTIONS[question], (
                question,
                reply,
            )

    deadline = time.monotonic() + SETTLE_S
    turns = _turns(stored_events(cluster.tracker_db_url, sender))
    while time.monotonic() < deadline and sum(bool(topics) for _, topics in turns) < len(questions):
        time.sleep(0.5)
        turns = _turns(stored_events(cluster.tracker_db_url, sender))

    stored = {for_storage(question): question for question in questions}  # what the tracker keeps of each
    assert sorted(question for question, _ in turns) == sorted(stored)  # each exactly once
    for question, topics in turns:
        expected = QUESTIONS[stored[question]]
        assert topics == [expected], f"after {question!r} came the answers {topics}: interleaved"
