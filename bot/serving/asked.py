"""How often each guide entry was asked for, per day: what the start screen's "most asked" ranks.

Only the entry's id and the day are counted — never the question, the sender or the time of day —
so nothing here can hold personal data, and the start screen shows each entry as its canonical
question from the training data (bot/serving/suggest.py), never what someone typed. It lives in
the feedback database (LOTSE_FEEDBACK_DB_URL: SQLite or PostgreSQL) as one more table; days older
than the window are dropped as new ones are counted.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.serving.feedback import open_database

WINDOW_DAYS = 30  # "asked most in the last 30 days"
_TOPIC = re.compile(r"^[a-z0-9_]{1,100}$")  # a guide entry's id

_metadata = sa.MetaData()

asked_table = sa.Table(
    "lotse_asked_topics",
    _metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("topic", sa.String(100), primary_key=True),
    sa.Column("asked", sa.Integer, nullable=False),
)


class AskedTopics:
    """Counts of answers per guide entry and day."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_database(url, _metadata)
        self._last_purge: dt.date | None = None

    def close(self) -> None:
        self.engine.dispose()

    def note(self, topic: str, day: dt.date) -> bool:
        """Count one answer with entry `topic` on `day`; False for what is no entry id."""
        if not _TOPIC.match(topic):
            return False
        table = asked_table
        where = (table.c.day == day) & (table.c.topic == topic)
        for _ in range(3):  # another instance may insert the same row between our update and insert
            with self.engine.begin() as connection:
                updated = connection.execute(table.update().where(where).values(asked=table.c.asked + 1))
                if updated.rowcount:
                    break
                try:
                    with connection.begin_nested():
                        connection.execute(table.insert().values(day=day, topic=topic, asked=1))
                    break
                except IntegrityError:
                    continue
        if self._last_purge != day:
            self.purge(day - dt.timedelta(days=WINDOW_DAYS))
            self._last_purge = day
        return True

    def counts(self, today: dt.date, days: int = WINDOW_DAYS) -> dict[str, int]:
        """Answers per entry over the `days` days up to `today`."""
        since = today - dt.timedelta(days=days - 1)
        total = sa.func.sum(asked_table.c.asked)
        query = (
            sa.select(asked_table.c.topic, total)
            .where(asked_table.c.day >= since, asked_table.c.day <= today)
            .group_by(asked_table.c.topic)
        )
        with self.engine.connect() as connection:
            return {str(topic): int(n) for topic, n in connection.execute(query)}

    def purge(self, before: dt.date) -> int:
        """Drop the days before `before`; the rows deleted."""
        with self.engine.begin() as connection:
            result = connection.execute(asked_table.delete().where(asked_table.c.day < before))
            return int(result.rowcount or 0)
