"""Trainer sessions, the sign-in lock-out and the test runs, in the feedback database.

Why in the database and not a signed cookie: a signed cookie cannot be taken back, and sign-out must
end a session on the server; and with two web servers behind nginx (the cluster) every instance must
see the same sessions, failure counts and runs – they share PostgreSQL (SQLite locally), as the
feedback does. Only a SHA-256 of the session cookie is stored, so a copy of the database signs no one
in; the client address of a failed sign-in is kept as a hash too, and only while it counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.serving.feedback import open_database

IDLE = dt.timedelta(hours=8)  # a session not used for a working day ends
LIFETIME = dt.timedelta(hours=12)  # and any session after this long
TOUCH_EVERY = dt.timedelta(minutes=1)  # how often `seen_at` is written while a session is in use
# the lock-out: this many failed sign-ins within WINDOW lock the name (or the address) for LOCK
ACCOUNT_FAILURES, ADDRESS_FAILURES = 5, 20
WINDOW = LOCK = dt.timedelta(minutes=15)
ABANDONED_RUN = dt.timedelta(hours=1)  # a run still "running" after this long died with its server

_metadata = sa.MetaData()

sessions_table = sa.Table(
    "lotse_trainer_sessions",
    _metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("trainer", sa.String(40), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)

failures_table = sa.Table(
    "lotse_trainer_failures",
    _metadata,
    sa.Column("key", sa.String(80), primary_key=True),  # "name:<name>" or "address:<sha256>"
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)

runs_table = sa.Table(
    "lotse_trainer_runs",
    _metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("trainer", sa.String(40), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # running | done | failed
    sa.Column("done", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON list of file names
    sa.Column("result", sa.Text, nullable=True),  # JSON, when done
    sa.Column("plot", sa.LargeBinary, nullable=True),  # the topic confusion PNG
    sa.Column("error", sa.Text, nullable=True),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    trainer: str
    csrf: str


@dataclass(frozen=True)
class Run:
    id: str
    trainer: str
    started_at: dt.datetime
    status: str
    done: int
    total: int
    files: list[str]
    result: dict[str, Any] | None
    error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trainer": self.trainer,
            "started_at": self.started_at.isoformat(),
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "files": self.files,
            "result": self.result,
            "error": self.error,
        }


class WorkbenchStore:
    """Sessions, failure counts and runs: SQLAlchemy Core on the feedback database's URL."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_database(url, _metadata)

    def close(self) -> None:
        self.engine.dispose()

    # --- sessions ---------------------------------------------------------------------------------

    def create_session(self, trainer: str, now: dt.datetime | None = None) -> tuple[str, Session]:
        """A new session (a fresh id at every sign-in); returns the cookie value and the session."""
        now = now or _now()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                sessions_table.delete().where(
                    (sessions_table.c.seen_at < now - IDLE) | (sessions_table.c.created_at < now - LIFETIME)
                )
            )
            connection.execute(
                sessions_table.insert().values(
                    id_hash=digest(token), trainer=trainer, csrf=csrf, created_at=now, seen_at=now
                )
            )
        return token, Session(trainer, csrf)

    def session(self, token: str | None, now: dt.datetime | None = None) -> Session | None:
        """The session of a cookie value, or None (unknown, signed out, idle or too old)."""
        if not token or len(token) > 100:
            return None
        now = now or _now()
        key = digest(token)
        with self.engine.begin() as connection:
            row = (
                connection.execute(sa.select(sessions_table).where(sessions_table.c.id_hash == key))
                .mappings()
                .first()
            )
            if row is None:
                return None
            seen, created = _utc(row["seen_at"]), _utc(row["created_at"])
            if seen < now - IDLE or created < now - LIFETIME:
                connection.execute(sessions_table.delete().where(sessions_table.c.id_hash == key))
                return None
            if now - seen > TOUCH_EVERY:
                connection.execute(
                    sessions_table.update().where(sessions_table.c.id_hash == key).values(seen_at=now)
                )
        return Session(str(row["trainer"]), str(row["csrf"]))

    def end_session(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sessions_table.delete().where(sessions_table.c.id_hash == digest(token)))

    # --- the lock-out -----------------------------------------------------------------------------

    def locked_until(self, keys: list[str], now: dt.datetime | None = None) -> dt.datetime | None:
        """The latest end of a lock on any of `keys` still in force, or None."""
        now = now or _now()
        query = sa.select(failures_table.c.locked_until).where(failures_table.c.key.in_(keys))
        with self.engine.connect() as connection:
            ends = [_utc(end) for (end,) in connection.execute(query) if end is not None]
        later = [end for end in ends if end > now]
        return max(later) if later else None

    def note_failure(self, key: str, limit: int, now: dt.datetime | None = None) -> None:
        """Count one failed sign-in on `key`; the `limit`-th within WINDOW locks it for LOCK."""
        now = now or _now()
        for _ in range(3):  # another instance may insert the same key between our read and insert
            try:
                with self.engine.begin() as connection:
                    row = (
                        connection.execute(
                            sa.select(failures_table).where(failures_table.c.key == key).with_for_update()
                        )
                        .mappings()
                        .first()
                    )
                    fresh = row is None or _utc(row["first_at"]) < now - WINDOW
                    failures = 1 if fresh else int(row["failures"]) + 1
                    values = {
                        "failures": failures,
                        "first_at": now if fresh else _utc(row["first_at"]),
                        "locked_until": now + LOCK if failures >= limit else None,
                    }
                    if row is None:
                        connection.execute(failures_table.insert().values(key=key, **values))
                    else:
                        connection.execute(
                            failures_table.update().where(failures_table.c.key == key).values(**values)
                        )
                return
            except IntegrityError:
                continue

    def clear_failures(self, key: str, now: dt.datetime | None = None) -> None:
        """Forget the failures of `key` (a successful sign-in), and every count that no longer counts."""
        now = now or _now()
        with self.engine.begin() as connection:
            connection.execute(failures_table.delete().where(failures_table.c.key == key))
            stale = (failures_table.c.first_at < now - WINDOW) & (
                failures_table.c.locked_until.is_(None) | (failures_table.c.locked_until < now)
            )
            connection.execute(failures_table.delete().where(stale))

    # --- test runs --------------------------------------------------------------------------------

    def start_run(
        self, trainer: str, files: list[str], total: int, now: dt.datetime | None = None
    ) -> str | Run:
        """A new run's id, or the run still going (one at a time: they share the bot and its limits)."""
        now = now or _now()
        with self.engine.begin() as connection:
            running = connection.execute(
                sa.select(runs_table.c.id)
                .where(runs_table.c.status == "running", runs_table.c.started_at >= now - ABANDONED_RUN)
                .order_by(runs_table.c.started_at.desc())
            ).first()
            if running is None:
                run_id = secrets.token_hex(8)
                connection.execute(
                    runs_table.insert().values(
                        id=run_id,
                        trainer=trainer,
                        started_at=now,
                        status="running",
                        done=0,
                        total=total,
                        files=json.dumps(files),
                    )
                )
                return run_id
        current = self.run(str(running[0]))
        assert current is not None
        return current

    def progress(self, run_id: str, done: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(runs_table.update().where(runs_table.c.id == run_id).values(done=done))

    def finish(self, run_id: str, result: dict[str, Any], plot: bytes | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id)
                .values(status="done", done=runs_table.c.total, result=json.dumps(result), plot=plot)
            )

    def fail(self, run_id: str, error: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                runs_table.update().where(runs_table.c.id == run_id).values(status="failed", error=error)
            )

    def run(self, run_id: str) -> Run | None:
        query = sa.select(runs_table).where(runs_table.c.id == run_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return Run(
            id=str(row["id"]),
            trainer=str(row["trainer"]),
            started_at=_utc(row["started_at"]),
            status=str(row["status"]),
            done=int(row["done"]),
            total=int(row["total"]),
            files=list(json.loads(row["files"])),
            result=json.loads(row["result"]) if row["result"] else None,
            error=row["error"],
        )

    def plot(self, run_id: str) -> bytes | None:
        query = sa.select(runs_table.c.plot).where(runs_table.c.id == run_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def last_run(self) -> Run | None:
        query = sa.select(runs_table.c.id).order_by(runs_table.c.started_at.desc()).limit(1)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return self.run(str(row[0])) if row is not None else None
