"""What staff think of Lotse's answers, kept for the trainers who maintain the guides.

Two things are stored: 👍 / 👎 ratings (with an optional one-line comment) on an
answer, and every question the web server saw answered `out_of_scope` or
`not_covered` – together they tell trainers which guide entries are wrong and
which questions the guides do not answer yet.

Nothing personal may reach this store: questions and comments are redacted
(bot/serving/redaction/) here, in the store itself, whoever the caller is. The store is
plain SQLAlchemy Core on a URL, so the SQLite default and a PostgreSQL server
run the same code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.answering.guides import UNIT_CODE_MAX_CHARS, load_vocabulary
from bot.paths import PROJECT_ROOT, guides_dir
from bot.serving.lexicon import warm_up
from bot.serving.redaction import for_storage
from bot.settings import settings

DB_URL_ENV = "LOTSE_FEEDBACK_DB_URL"
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'feedback.db'}"

MAX_QUESTION_CHARS = 500  # what is stored of a question; enough to recognise it
MAX_COMMENT_CHARS = 500  # "what was wrong?" is one line
KINDS = ("routing", "fact", "clarify", "not_covered", "out_of_scope")
UNANSWERED_KINDS = ("out_of_scope", "not_covered")
LANGS = ("de", "en")
_TOPIC = re.compile(r"^[a-z0-9_]{1,100}$")  # the guide entries' ids
_VERSION = re.compile(r"^[0-9a-f]{1,64}$")  # a hash of the guide files

_metadata = sa.MetaData()

feedback_table = sa.Table(
    "lotse_feedback",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("topic", sa.String(100), nullable=True, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("unit", sa.String(UNIT_CODE_MAX_CHARS), nullable=True),
    sa.Column("lang", sa.String(2), nullable=True),
    sa.Column("guides_version", sa.String(64), nullable=True),
)

unanswered_table = sa.Table(
    "lotse_unanswered",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("topic", sa.String(100), nullable=True),
    sa.Column("lang", sa.String(2), nullable=True),
    sa.Column("guides_version", sa.String(64), nullable=True),
)


class FeedbackError(ValueError):
    """A rating or question that cannot be stored; the message says which field is wrong."""


@dataclass(frozen=True)
class Rating:
    """One 👍 / 👎 on one answer, as the widget sends it (before redaction)."""

    rating: int
    question: str
    kind: str
    topic: str | None = None
    unit: str | None = None
    lang: str | None = None
    guides_version: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class StoredRating:
    id: int
    created_at: dt.datetime
    rating: int
    question: str
    comment: str | None
    topic: str | None
    kind: str
    unit: str | None
    lang: str | None
    guides_version: str | None


@dataclass(frozen=True)
class FrequentQuestion:
    """A question (compared without case and spacing) that got no answer from the guides."""

    question: str  # its latest wording
    count: int
    kinds: tuple[str, ...]
    last_seen: dt.datetime


def open_database(url: str, metadata: sa.MetaData) -> Engine:
    """An engine on `url` with `metadata`'s tables created (a SQLite file's folder too): the feedback
    store, the asked-topics counts and the trainers' workbench keep their tables in one database."""
    engine: Engine = sa.create_engine(url, future=True)
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    metadata.create_all(engine)
    return engine


def db_url() -> str:
    """LOTSE_FEEDBACK_DB_URL, or the SQLite file in var/."""
    return settings().secret("feedback_db_url") or DEFAULT_DB_URL


def _clean(text: str, limit: int) -> str:
    """Allow-listed, one line, at most `limit` characters (cut after redaction, so no half number stays)."""
    return " ".join(for_storage(text).split())[:limit]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def validate(rating: Rating, units: Collection[str]) -> None:
    """Refuse what the report could not use, naming the field; `units` are the codes the guides declare."""
    if rating.rating not in (1, -1):
        raise FeedbackError('"rating" must be 1 (👍) or -1 (👎)')
    if not rating.question.strip():
        raise FeedbackError('"question" must be the question that was answered')
    if rating.kind not in KINDS:
        raise FeedbackError(f'"kind" must be one of {", ".join(KINDS)}')
    if rating.topic is not None and not _TOPIC.match(rating.topic):
        raise FeedbackError('"topic" must be a guide entry id (a-z, 0-9, _)')
    if rating.unit is not None and rating.unit not in units:
        raise FeedbackError(f'"unit" must be one of {", ".join(sorted(units))} or null')
    if rating.lang is not None and rating.lang not in LANGS:
        raise FeedbackError('"lang" must be de, en or null')
    if rating.guides_version is not None and not _VERSION.match(rating.guides_version):
        raise FeedbackError('"guides_version" must be the hash from the answer')
    if rating.comment is not None and len(rating.comment) > MAX_COMMENT_CHARS:
        raise FeedbackError(f'"comment" must be at most {MAX_COMMENT_CHARS} characters')


class FeedbackStore:
    """Ratings and unanswered questions in one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str, units: Callable[[], Collection[str]] | None = None) -> None:
        """`units` names the unit codes a rating may carry: the web server's are those of the guides it
        loaded (bot/serving/web.py), so a unit declared in vocabulary.yml is accepted without a code
        change; without it, vocabulary.yml is read at the first rating.
        """
        warm_up()  # the redaction's allow-list, read at the server's start
        self._units = units
        self.url = url
        self.engine = open_database(url, _metadata)

    def close(self) -> None:
        self.engine.dispose()

    def units(self) -> Collection[str]:
        """The unit codes a rating may name (see __init__)."""
        if self._units is None:
            declared = tuple(load_vocabulary(guides_dir()).units)
            self._units = lambda: declared
        return self._units()

    def add_rating(self, rating: Rating, now: dt.datetime | None = None) -> int:
        """Store a rating (redacted); returns its id."""
        validate(rating, self.units())
        comment = _clean(rating.comment, MAX_COMMENT_CHARS) if rating.comment else None
        row = {
            "created_at": now or _now(),
            "rating": rating.rating,
            "question": _clean(rating.question, MAX_QUESTION_CHARS),
            "comment": comment or None,
            "topic": rating.topic,
            "kind": rating.kind,
            "unit": rating.unit,
            "lang": rating.lang,
            "guides_version": rating.guides_version,
        }
        with self.engine.begin() as connection:
            result = connection.execute(feedback_table.insert().values(**row))
            return int(result.inserted_primary_key[0])

    def record_unanswered(
        self,
        question: str,
        kind: str,
        *,
        topic: str | None = None,
        lang: str | None = None,
        guides_version: str | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        """Note a question the guides did not answer (kind out_of_scope or not_covered)."""
        if kind not in UNANSWERED_KINDS:
            raise FeedbackError(f"only {' and '.join(UNANSWERED_KINDS)} answers are recorded, not {kind!r}")
        text = _clean(question, MAX_QUESTION_CHARS)
        if not text:
            return
        row = {
            "created_at": now or _now(),
            "question": text,
            "kind": kind,
            "topic": topic if topic and _TOPIC.match(topic) else None,
            "lang": lang if lang in LANGS else None,
            "guides_version": guides_version if guides_version and _VERSION.match(guides_version) else None,
        }
        with self.engine.begin() as connection:
            connection.execute(unanswered_table.insert().values(**row))

    def purge(self, before: dt.datetime) -> int:
        """Delete ratings and unanswered questions older than `before` (retention); the rows deleted."""
        deleted = 0
        with self.engine.begin() as connection:
            for table in (feedback_table, unanswered_table):
                result = connection.execute(table.delete().where(table.c.created_at < before))
                deleted += int(result.rowcount or 0)
        return deleted

    def ratings(self, rating: int | None = None) -> list[StoredRating]:
        """Ratings, newest first (only 👎 with rating=-1)."""
        query = sa.select(feedback_table).order_by(
            feedback_table.c.created_at.desc(), feedback_table.c.id.desc()
        )
        if rating is not None:
            query = query.where(feedback_table.c.rating == rating)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [StoredRating(**{**row, "created_at": _utc(row["created_at"])}) for row in rows]

    def frequent_unanswered(self, limit: int = 20) -> list[FrequentQuestion]:
        """The questions answered out_of_scope / not_covered most often, most frequent first."""
        query = sa.select(unanswered_table).order_by(unanswered_table.c.created_at)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        groups: dict[str, list[sa.engine.RowMapping]] = defaultdict(list)
        for row in rows:
            groups[_question_key(row["question"])].append(row)
        frequent = [
            FrequentQuestion(
                question=items[-1]["question"],
                count=len(items),
                kinds=tuple(sorted({item["kind"] for item in items})),
                last_seen=_utc(items[-1]["created_at"]),
            )
            for items in groups.values()
        ]
        frequent.sort(key=lambda q: (-q.count, -q.last_seen.timestamp()))
        return frequent[:limit]


def _question_key(question: str) -> str:
    """Questions that differ only in case, spacing or end punctuation count as one."""
    return " ".join(question.casefold().split()).strip(" ?!.")
