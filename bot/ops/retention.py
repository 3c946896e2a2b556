"""Delete what Lotse no longer needs: old conversations and old log files.

Conversations hold staff questions (redacted, but still about real cases); they
are kept only as long as trainers and support need them (LOTSE_RETENTION_DAYS,
default 30). `make purge` runs this, and every start of the bot runs it first.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from bot.serving.feedback import FeedbackStore

SECONDS_PER_DAY = 86_400
EVENTS_TABLE = "events"  # Rasa's SQL tracker store: one row per event, with sender_id and timestamp


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    log_files: int
    feedback_rows: int = 0


def purge_conversations(db_url: str, days: int, now: float | None = None) -> tuple[int, int]:
    """Delete every conversation whose last event is older than `days`; (conversations, events) deleted."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    engine = create_engine(db_url)
    try:
        if not inspect(engine).has_table(EVENTS_TABLE):  # no conversation stored yet
            return 0, 0
        old = f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
        with engine.begin() as connection:
            conversations = connection.execute(
                text(f"SELECT COUNT(*) FROM ({old}) AS old_conversations"), {"cutoff": cutoff}
            ).scalar_one()
            # one statement decides and deletes: a conversation that gets a new message while
            # the purge runs is not old any more and keeps every event
            result = connection.execute(
                text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN ({old})"), {"cutoff": cutoff}
            )
        return int(conversations), int(result.rowcount or 0)
    finally:
        engine.dispose()


def purge_logs(log_dir: Path, days: int, now: float | None = None) -> int:
    """Delete log files not written to for `days`; the number deleted."""
    if not log_dir.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    removed = 0
    for path in log_dir.glob("*.log"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def purge_feedback(feedback_url: str, days: int, now: float | None = None) -> int:
    """Delete feedback and unanswered questions older than `days`: they are staff questions too."""
    cutoff = dt.datetime.fromtimestamp(
        (time.time() if now is None else now) - days * SECONDS_PER_DAY, tz=dt.timezone.utc
    )
    store = FeedbackStore(feedback_url)
    try:
        return store.purge(cutoff)
    finally:
        store.close()


def purge(
    db_url: str, log_dir: Path, days: int, now: float | None = None, feedback_url: str | None = None
) -> Purged:
    """Everything older than `days`: conversations in the tracker store, log files, feedback."""
    conversations, events = purge_conversations(db_url, days, now)
    feedback_rows = purge_feedback(feedback_url, days, now) if feedback_url else 0
    return Purged(conversations, events, purge_logs(log_dir, days, now), feedback_rows)
