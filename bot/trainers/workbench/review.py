"""The stored conversations as trainers review them: turns with their answers and the 👍 / 👎 on them.

Read-only, from the tracker store's own `events` table (SQLite locally, PostgreSQL in the cluster;
LOTSE_TRACKER_DB_URL): only what Rasa stored, i.e. the allow-listed text (bot/serving/tracker_store.py)
– nothing is stored anew. A conversation is shown under a hash of its sender id, never the id.

Ratings carry no sender (bot/serving/feedback.py keeps none), so a 👍 / 👎 is put on the turn it was
given for: the latest turn before the rating whose question (as the widget names it: a click as
"question → button") and answer (kind, entry) are the rating's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.serving.feedback import StoredRating
from bot.trainers.generate_examples import normalise

UNANSWERED = ("not_covered", "out_of_scope")
# senders of machines, not staff: the runner of the test conversations (make conversations and the
# workbench), the start-up probes
MACHINE_SENDERS = ("conversations-", "workbench-", "eval-", "lotse-readiness-probe")
MAX_CONVERSATIONS = 200
CLICK_ARROW = " → "  # how the widget names a click's question in a rating
FILTERS = ("down", "unanswered", "circles", "did_you_mean")

_metadata = sa.MetaData()
events_table = sa.Table(  # Rasa's SQLTrackerStore table, the columns read here
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


@dataclass
class Turn:
    """One message of staff and Lotse's answer to it."""

    number: int  # from 1, as trainers count turns
    at: dt.datetime
    text: str  # as stored (redacted); a click's payload
    click: str | None  # the title of the button clicked, when the message was a click
    answer: dict[str, Any]  # the answer payload (kind, topic, unit, lang, guides_version, options …)
    reply: str  # the first line of the reply's text
    intent: str | None = None  # what the NLU read (the workbench offers it for a training example)
    ratings: list[dict[str, Any]] = field(default_factory=list)  # {rating, comment, at}

    @property
    def question(self) -> str:
        """What was asked as a trainer reads it: the typed text, or "[button title]"."""
        return f"[{self.click}]" if self.click else self.text

    def as_json(self) -> dict[str, Any]:
        answer = self.answer
        return {
            "number": self.number,
            "at": self.at.isoformat(),
            "text": self.text,
            "click": self.click,
            "kind": answer.get("kind"),
            "topic": answer.get("topic"),
            "unit": answer.get("unit"),
            "lang": answer.get("lang"),
            "guides_version": answer.get("guides_version"),
            "asks": answer.get("asks"),
            "options": [o.get("title") for o in _options(answer)],
            "reply": self.reply,
            "intent": self.intent,
            "ratings": self.ratings,
        }


@dataclass
class Conversation:
    id: str  # a hash of the sender id
    turns: list[Turn]

    @property
    def last(self) -> dt.datetime:
        return self.turns[-1].at

    def kinds(self) -> set[str]:
        return {str(t.answer.get("kind")) for t in self.turns}

    def has(self, what: str) -> bool:
        """Whether the conversation shows one of the filters' marks (FILTERS)."""
        if what == "down":
            return any(r["rating"] < 0 for t in self.turns for r in t.ratings)
        if what == "unanswered":
            return bool(self.kinds() & set(UNANSWERED))
        if what == "did_you_mean":
            return any(
                t.answer.get("kind") == "clarify" and t.answer.get("asks") == "topic" for t in self.turns
            )
        if what == "circles":  # Lotse asked the same thing again right after asking it
            return any(
                a.answer.get("kind") == b.answer.get("kind") == "clarify"
                and a.answer.get("asks") == b.answer.get("asks")
                for a, b in zip(self.turns, self.turns[1:], strict=False)
            )
        raise ValueError(what)

    def values(self, key: str) -> set[str]:
        return {str(t.answer[key]) for t in self.turns if t.answer.get(key)}

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "last": self.last.isoformat(),
            "marks": [what for what in FILTERS if self.has(what)],
            "turns": [t.as_json() for t in self.turns],
        }


@dataclass(frozen=True)
class Query:
    """What the review shows: the last `days` days, and every filter given."""

    days: int = 7
    marks: tuple[str, ...] = ()  # of FILTERS; all must hold
    topic: str | None = None
    lang: str | None = None
    version: str | None = None

    def keeps(self, conversation: Conversation) -> bool:
        return (
            all(conversation.has(mark) for mark in self.marks)
            and (self.topic is None or self.topic in conversation.values("topic"))
            and (self.lang is None or self.lang in conversation.values("lang"))
            and (self.version is None or self.version in conversation.values("guides_version"))
        )


def conversation_id(sender: str) -> str:
    return hashlib.sha256(sender.encode()).hexdigest()[:20]


def _options(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in answer.get("options") or [] if isinstance(o, dict)]


def _moment(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


def turns_of(events: Iterable[tuple[str, float, dict[str, Any]]]) -> list[Turn]:
    """The turns of one conversation from its (type, timestamp, data) events in order."""
    turns: list[Turn] = []
    previous: dict[str, Any] = {}
    for kind, timestamp, data in events:
        if kind == "user":
            text = str(data.get("text") or "")
            click = next((o.get("title") for o in _options(previous) if o.get("payload") == text), None)
            parsed = data.get("parse_data")
            read = parsed.get("intent") if isinstance(parsed, dict) else None
            intent = read.get("name") if isinstance(read, dict) else None
            turns.append(Turn(len(turns) + 1, _moment(timestamp), text, click, {}, "", intent))
        elif kind == "bot" and turns:
            turn = turns[-1]
            custom = (data.get("data") or {}).get("custom") if isinstance(data.get("data"), dict) else None
            answer = custom.get("answer") if isinstance(custom, dict) else None
            if isinstance(answer, dict) and not turn.answer:
                turn.answer = answer
                previous = answer
            if not turn.reply and isinstance(data.get("text"), str):
                turn.reply = data["text"].split("\n", 1)[0]
    return [t for t in turns if t.text]


def _rated_question(turns: Sequence[Turn], index: int) -> str:
    """The question as the widget sends it with a rating: a click is "last typed question → title"."""
    turn = turns[index]
    if not turn.click:
        return turn.text
    typed = next((t.text for t in reversed(turns[:index]) if not t.click), "")
    return f"{typed}{CLICK_ARROW}{turn.click}" if typed else turn.click


def attach_ratings(conversations: Sequence[Conversation], ratings: Iterable[StoredRating]) -> None:
    """Put each rating on the latest turn before it with the same question, kind and entry."""
    candidates: dict[tuple[str, str, str], list[Turn]] = {}
    for conversation in conversations:
        for index, turn in enumerate(conversation.turns):
            key = (
                normalise(_rated_question(conversation.turns, index)),
                str(turn.answer.get("kind")),
                str(turn.answer.get("topic")),
            )
            candidates.setdefault(key, []).append(turn)
    for rating in ratings:
        turns = candidates.get((normalise(rating.question), rating.kind, str(rating.topic)), [])
        before = [t for t in turns if t.at <= rating.created_at + dt.timedelta(seconds=5)]
        if before:
            turn = max(before, key=lambda t: t.at)
            turn.ratings.append(
                {"rating": rating.rating, "comment": rating.comment, "at": rating.created_at.isoformat()}
            )


class Conversations:
    """The tracker store's conversations, read-only."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = sa.create_engine(url, future=True)

    def close(self) -> None:
        self.engine.dispose()

    def _senders(self, since: dt.datetime) -> list[str]:
        """The senders whose last event is after `since`, newest first."""
        last = sa.func.max(events_table.c.timestamp)
        query = (
            sa.select(events_table.c.sender_id)
            .group_by(events_table.c.sender_id)
            .having(last >= since.timestamp())
            .order_by(last.desc())
        )
        with self.engine.connect() as connection:
            senders = [str(row[0]) for row in connection.execute(query)]
        return [s for s in senders if not s.startswith(MACHINE_SENDERS)]

    def read(
        self, since: dt.datetime, only: str | None = None, limit: int = MAX_CONVERSATIONS
    ) -> list[Conversation]:
        """Conversations active since `since`, newest first, at most `limit`;
        `only`: the one with that id.."""
        if not sa.inspect(self.engine).has_table("events"):
            return []  # Rasa has not stored anything yet
        senders = self._senders(since)
        if only is not None:
            senders = [s for s in senders if conversation_id(s) == only]
        senders = senders[:limit]
        if not senders:
            return []
        query = (
            sa.select(
                events_table.c.sender_id,
                events_table.c.type_name,
                events_table.c.timestamp,
                events_table.c.data,
            )
            .where(events_table.c.sender_id.in_(senders), events_table.c.type_name.in_(("user", "bot")))
            .order_by(events_table.c.timestamp, events_table.c.id)
        )
        events: dict[str, list[tuple[str, float, dict[str, Any]]]] = {s: [] for s in senders}
        with self.engine.connect() as connection:
            for sender, kind, timestamp, data in connection.execute(query):
                try:
                    parsed = json.loads(data or "{}")
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    events[sender].append((str(kind), float(timestamp), parsed))
        found = [Conversation(conversation_id(s), turns_of(events[s])) for s in senders]
        return [c for c in found if c.turns]


def review(
    conversations: Conversations, ratings: Iterable[StoredRating], query: Query, now: dt.datetime
) -> list[Conversation]:
    """The conversations of the query's days that pass its filters, newest first, with their ratings."""
    since = now - dt.timedelta(days=query.days)
    found = conversations.read(since)
    attach_ratings(found, [r for r in ratings if r.created_at >= since])
    return [c for c in found if query.keeps(c)]
