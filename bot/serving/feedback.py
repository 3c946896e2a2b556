"""What staff think of Lotse's answers, kept for the trainers who maintain the guides.

Two things are stored: 👍 / 👎 ratings (with an optional one-line comment) on an
answer, and every question the web server saw answered `out_of_scope` or
`not_covered` – together they tell trainers which guide entries are wrong and
which questions the guides do not answer yet.

Nothing personal may reach this store: questions and comments are redacted
(bot/serving/redaction.py) here, in the store itself, whoever the caller is. The store is
plain SQLAlchemy Core on a URL, so the SQLite default and a PostgreSQL server
run the same code.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.answering import markdown
from bot.paths import PROJECT_ROOT
from bot.serving.lexicon import warm_up
from bot.serving.redaction import for_storage

DB_URL_ENV = "LOTSE_FEEDBACK_DB_URL"
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'feedback.db'}"
REPORT_FILE = PROJECT_ROOT / "var" / "reports" / "feedback.md"

MAX_QUESTION_CHARS = 500  # what is stored of a question; enough to recognise it
MAX_COMMENT_CHARS = 500  # "what was wrong?" is one line
KINDS = ("routing", "fact", "clarify", "not_covered", "out_of_scope")
UNANSWERED_KINDS = ("out_of_scope", "not_covered")
UNITS = ("SC", "EZ")
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
    sa.Column("unit", sa.String(2), nullable=True),
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


def db_url() -> str:
    """LOTSE_FEEDBACK_DB_URL, or the SQLite file in var/."""
    return os.environ.get(DB_URL_ENV) or DEFAULT_DB_URL


def _clean(text: str, limit: int) -> str:
    """Allow-listed, one line, at most `limit` characters (cut after redaction, so no half number stays)."""
    return " ".join(for_storage(text).split())[:limit]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def validate(rating: Rating) -> None:
    """Refuse what the report could not use, naming the field."""
    if rating.rating not in (1, -1):
        raise FeedbackError('"rating" must be 1 (👍) or -1 (👎)')
    if not rating.question.strip():
        raise FeedbackError('"question" must be the question that was answered')
    if rating.kind not in KINDS:
        raise FeedbackError(f'"kind" must be one of {", ".join(KINDS)}')
    if rating.topic is not None and not _TOPIC.match(rating.topic):
        raise FeedbackError('"topic" must be a guide entry id (a-z, 0-9, _)')
    if rating.unit is not None and rating.unit not in UNITS:
        raise FeedbackError('"unit" must be SC, EZ or null')
    if rating.lang is not None and rating.lang not in LANGS:
        raise FeedbackError('"lang" must be de, en or null')
    if rating.guides_version is not None and not _VERSION.match(rating.guides_version):
        raise FeedbackError('"guides_version" must be the hash from the answer')
    if rating.comment is not None and len(rating.comment) > MAX_COMMENT_CHARS:
        raise FeedbackError(f'"comment" must be at most {MAX_COMMENT_CHARS} characters')


class FeedbackStore:
    """Ratings and unanswered questions in one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        warm_up()  # the redaction's allow-list, read at the server's start
        self.url = url
        self.engine: Engine = sa.create_engine(url, future=True)
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        _metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def add_rating(self, rating: Rating, now: dt.datetime | None = None) -> int:
        """Store a rating (redacted); returns its id."""
        validate(rating)
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


# --- the trainers' report -------------------------------------------------------


def _cell(text: str | None) -> str:
    """Copied text as inert Markdown: no line break or pipe to break the table, no HTML, no link."""
    return markdown.text(text)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def format_report(store: FeedbackStore, limit: int = 20) -> str:
    """Markdown: the 👎 per guide entry (the entry with the newest 👎 first), then the unanswered."""
    negative = store.ratings(rating=-1)
    positive = len(store.ratings(rating=1))
    lines = [
        "# Lotse feedback report",
        "",
        f"{len(negative)} × 👎, {positive} × 👍.",
        "",
        "## Negative feedback by guide entry",
        "",
    ]
    if not negative:
        lines.append("No negative feedback.")
    by_entry: dict[str, list[StoredRating]] = defaultdict(list)
    for item in negative:  # newest first, so each group and the group order are newest first
        by_entry[_cell(item.topic) or f"(no entry: {_cell(item.kind)})"].append(item)
    for entry, items in by_entry.items():
        units = ", ".join(sorted({_cell(i.unit) for i in items if i.unit})) or "–"
        lines += [
            f"### {entry} – {len(items)} × 👎 (unit {units})",
            "",
            "| when | question | comment | kind | guides version |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_when(i.created_at)} | {_cell(i.question)} | {_cell(i.comment) or '–'} | {_cell(i.kind)} "
            f"| {_cell(i.guides_version) or '–'} |"
            for i in items
        ]
        lines.append("")
    frequent = store.frequent_unanswered(limit)
    lines += [
        "",
        "## Questions the guides did not answer (out_of_scope / not_covered), most frequent first",
        "",
    ]
    if not frequent:
        lines.append("None recorded.")
    else:
        lines += ["| count | question | kind | last asked |", "|---|---|---|---|"]
        lines += [
            f"| {q.count} | {_cell(q.question)} | {_cell(', '.join(q.kinds))} | {_when(q.last_seen)} |"
            for q in frequent
        ]
    return "\n".join(lines).rstrip() + "\n"


def write_report(store: FeedbackStore, path: Path = REPORT_FILE, limit: int = 20) -> tuple[str, Path]:
    """The report as text, also written to `path`."""
    text = format_report(store, limit)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text, path
