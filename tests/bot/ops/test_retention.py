"""Retention: conversations whose last event is older than the limit go, newer ones stay whole."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from pathlib import Path

from bot.ops.retention import SECONDS_PER_DAY, purge, purge_conversations
from bot.serving.feedback import FeedbackStore, Rating

NOW = 1_800_000_000.0


def _tracker_db(path: Path, conversations: dict[str, list[float]]) -> str:
    """A tracker database with Rasa's events table (the columns retention reads)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL)"
        )
        for sender, ages in conversations.items():
            for age_days in ages:
                db.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp) VALUES (?, 'user', ?)",
                    (sender, NOW - age_days * SECONDS_PER_DAY),
                )
    return f"sqlite:///{path}"


def _senders(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall())


def test_old_conversations_are_deleted_and_recent_ones_kept_whole(tmp_path: Path) -> None:
    path = tmp_path / "trackers.db"
    url = _tracker_db(
        path,
        {
            "old": [45, 40, 31],  # last event 31 days ago
            "recent": [60, 2],  # started long ago, still going: kept with all its events
            "today": [0],
        },
    )
    assert purge_conversations(url, 30, now=NOW) == (1, 3)
    assert _senders(path) == {"recent": 2, "today": 1}


def test_shorter_retention_deletes_more(tmp_path: Path) -> None:
    path = tmp_path / "trackers.db"
    url = _tracker_db(path, {"a": [10], "b": [3], "c": [0.5]})
    assert purge_conversations(url, 1, now=NOW) == (2, 2)
    assert _senders(path) == {"c": 1}


def test_a_database_without_conversations_is_fine(tmp_path: Path) -> None:
    assert purge_conversations(f"sqlite:///{tmp_path / 'new.db'}", 30) == (0, 0)


def test_purge_also_removes_old_log_files(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir()
    old, fresh = logs / "rasa-5005.log", logs / "actions-5005.log"
    old.write_text("old", encoding="utf-8")
    fresh.write_text("fresh", encoding="utf-8")
    os.utime(old, (time.time() - 40 * SECONDS_PER_DAY,) * 2)
    result = purge(_tracker_db(tmp_path / "t.db", {"x": [1]}), logs, 30)
    assert (result.conversations, result.log_files) == (0, 1)
    assert not old.exists() and fresh.exists()


def test_purge_also_removes_old_feedback_and_unanswered_questions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    store = FeedbackStore(url)
    then = dt.datetime.fromtimestamp(NOW, tz=dt.timezone.utc)
    rating = Rating(rating=-1, question="Wohin gehen Terminabsagen?", kind="routing")
    store.add_rating(rating, now=then - dt.timedelta(days=40))
    store.add_rating(rating, now=then - dt.timedelta(days=2))
    store.record_unanswered("Wie wird das Wetter?", "out_of_scope", now=then - dt.timedelta(days=31))
    store.close()
    result = purge(_tracker_db(tmp_path / "t.db", {}), tmp_path, 30, now=NOW, feedback_url=url)
    assert result.feedback_rows == 2
    store = FeedbackStore(url)
    assert len(store.ratings()) == 1 and store.frequent_unanswered() == []
    store.close()
