"""Twenty users ask through nginx while one Rasa instance is killed (SIGKILL); the other answers on.

Every message gets a reply or a clean retryable error – nginx's JSON 503 with Retry-After, or the
channel's "please ask again in a moment" while a conversation's lock of the dead instance runs
out – never a hang, a 500 or silence. Every turn that was answered is in the tracker store
(PostgreSQL) afterwards. The killed instance is started again at the end.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from bot.ops.cluster import Cluster
from bot.serving.channels import ERROR_REPLY, ask_again_replies
from tests.cluster.conftest import Reply, post, stored_events

USERS = 20
# What an agent asks in the morning peak: a clarified question, follow-ups, a new case, English.
SCRIPT = [
    "telefonische ASU – wer?",
    "ja",
    "wo steht das?",
    "Wohin gehen Terminabsagen aus dem Kontaktformular?",
    "seit wann gilt das?",
    "Who handles online change notices from the eService?",
    "neue Frage",
    "Wann werden die Liegenschaftspostfächer gesperrt?",
]
KILL_AFTER_ANSWERS = 60  # answered turns (all users together) before the kill
ANSWERS_AFTER_KILL = 3  # each user goes on until it has had this many answers after the kill …
MAX_MESSAGES_PER_USER = 40  # … but sends no more than this
DEADLINE_S = 150.0  # … and stops after this long
CLIENT_TIMEOUT_S = 20.0  # a reply slower than this counts as a hang
ASK_AGAIN = ask_again_replies()


@dataclass
class Turn:
    sender: str
    message: str
    reply: Reply
    after_kill: bool

    @property
    def outcome(self) -> str:
        """answered | retryable | failed (with the reason)."""
        reply = self.reply
        if reply.status == 200 and reply.texts:
            if ERROR_REPLY in reply.texts:
                return "failed: the channel's error reply"
            return "retryable" if ASK_AGAIN & set(reply.texts) else "answered"
        if reply.status == 503:
            try:
                body = json.loads(reply.error)
            except ValueError:
                return f"failed: 503 that is not JSON: {reply.error[:80]!r}"
            return (
                "retryable" if isinstance(body, dict) and body.get("error") else "failed: 503 without error"
            )
        return f"failed: status {reply.status} {reply.error[:120]!r} {reply.messages!r:.120}"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def test_killing_one_instance_under_load_loses_no_answered_turn(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    config = cluster.config
    run = uuid.uuid4().hex[:8]
    prefix = f"load-{run}-"
    killed = threading.Event()
    answered = Counter[str]()
    counter_lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_S

    def user(index: int) -> list[Turn]:
        sender = f"{prefix}{index:02d}"
        turns: list[Turn] = []
        after_kill_answers = 0
        for number in range(MAX_MESSAGES_PER_USER):
            if time.monotonic() > deadline or after_kill_answers >= ANSWERS_AFTER_KILL:
                break
            after_kill = killed.is_set()
            message = SCRIPT[number % len(SCRIPT)]
            turn = Turn(
                sender, message, post(config.nginx_url, sender, message, CLIENT_TIMEOUT_S), after_kill
            )
            turns.append(turn)
            if turn.outcome == "answered":
                with counter_lock:
                    answered["all"] += 1
                after_kill_answers += after_kill
        return turns

    started = time.monotonic()
    access_log = config.nginx_access_log
    try:
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            futures = [pool.submit(user, index) for index in range(USERS)]
            while answered["all"] < KILL_AFTER_ANSWERS and time.monotonic() < deadline:
                time.sleep(0.05)
            log_before_kill = access_log.read_text(encoding="utf-8").count("\n")
            cluster.kill_rasa(0)
            killed.set()
            killed_at = time.monotonic() - started
            turns = [
                turn for future in futures for turn in future.result(timeout=DEADLINE_S + CLIENT_TIMEOUT_S)
            ]
        duration = time.monotonic() - started
        assert cluster.process(cluster.rasa_name(0)).returncode == -9  # it really died, abruptly

        failed = [(t.sender, t.message, t.outcome) for t in turns if t.outcome.startswith("failed")]
        assert not failed, f"{len(failed)} of {len(turns)} messages failed, e.g. {failed[:5]}"

        by_user: dict[str, list[Turn]] = {}
        for turn in turns:
            by_user.setdefault(turn.sender, []).append(turn)
        short = {
            sender: sum(t.after_kill and t.outcome == "answered" for t in user_turns)
            for sender, user_turns in by_user.items()
        }
        assert len(by_user) == USERS
        assert all(count >= ANSWERS_AFTER_KILL for count in short.values()), (
            f"answers after the kill per user (want {ANSWERS_AFTER_KILL} each): {short}"
        )

        # Both instances served before the kill; afterwards nginx sent the dead one's share on.
        lines = access_log.read_text(encoding="utf-8").splitlines()
        before, after = lines[:log_before_kill], lines[log_before_kill:]
        upstream_a, upstream_b = (f"upstream={config.host}:{port}" for port in config.rasa_ports)
        assert any(upstream_a in line for line in before) and any(upstream_b in line for line in before)
        resent = sum(f"{config.host}:{config.rasa_ports[0]}, " in line for line in after)

        # No answered turn is missing from the tracker store.
        stored = Counter(
            (sender, event["text"])
            for sender, kind, event in stored_events(cluster.tracker_db_url, prefix)
            if kind == "user"
        )
        wanted = Counter((t.sender, t.message) for t in turns if t.outcome == "answered")
        missing = wanted - stored
        assert not missing, f"answered but not in the tracker store: {dict(missing)}"

        outcomes = Counter(
            t.outcome if t.reply.status == 200 else f"{t.outcome} ({t.reply.status})" for t in turns
        )
        seconds = [t.reply.seconds for t in turns]
        with capsys.disabled():
            print(
                f"\n[failover] {USERS} users, {len(turns)} messages in {duration:.1f} s; rasa-1 killed after "
                f"{killed_at:.1f} s. Outcomes: {dict(outcomes)}; answered after the kill: "
                f"{sum(t.after_kill and t.outcome == 'answered' for t in turns)}; resent by nginx to the "
                f"other instance: {resent}; latency p50 {statistics.median(seconds) * 1000:.0f} ms, "
                f"p95 {_percentile(seconds, 0.95) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
                f"answered turns found in PostgreSQL: {sum(wanted.values())}/{sum(wanted.values())}"
            )
    finally:
        if cluster.process(cluster.rasa_name(0)).poll() is not None:
            cluster.restart_rasa(0)  # the other tests of the session use both instances
