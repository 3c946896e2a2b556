"""Delete what Lotse no longer needs: old conversations and old log files.

Conversations hold staff questions (redacted, but still about real cases); they
are kept only as long as trainers and support need them (LOTSE_RETENTION_DAYS,
default 30). `make purge` runs this, and every start of the bot runs it first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

SECONDS_PER_DAY = 86_400
EVENTS_TABLE = "events"  # Rasa's SQL tracker store: one row per event, with sender_id and timestamp


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    log_files: int


def purge_conversations(db_url: str, days: int, now: float | None = None) -> tuple[int, int]:
    """Delete every conversation whose last event is older than `days`; (conversations, events) deleted."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    engine = create_engine(db_url)
    try:
        if not inspect(engine).has_table(EVENTS_TABLE):  # no conversation stored yet
            return 0, 0
        with engine.begin() as connection:
            old = [
                row[0]
                for row in connection.execute(
                    text(
                        f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                        "HAVING MAX(timestamp) < :cutoff"
                    ),
                    {"cutoff": cutoff},
                )
            ]
            deleted = 0
            for start in range(0, len(old), 500):  # keep the IN list within every database's limits
                chunk = old[start : start + 500]
                marks = ", ".join(f":s{i}" for i in range(len(chunk)))
                result = connection.execute(
                    text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN ({marks})"),
                    {f"s{i}": sender for i, sender in enumerate(chunk)},
                )
                deleted += result.rowcount or 0
        return len(old), deleted
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


def purge(db_url: str, log_dir: Path, days: int, now: float | None = None) -> Purged:
    """Everything older than `days`: conversations in the tracker store, log files."""
    conversations, events = purge_conversations(db_url, days, now)
    return Purged(conversations, events, purge_logs(log_dir, days, now))
