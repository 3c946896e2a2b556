"""The workbench's figures: questions per day, answer kinds over time, what the guides left unanswered,
👍 / 👎 per guide entry, and the share answered within one click – with the charts drawn here as SVG.

Why SVG written by hand: the page loads nothing from elsewhere and runs no chart library; a chart
is an <img> of this server (it cannot run a script), with its numbers in a table beside it.

"Answered within one click": of the questions staff typed, those whose answer came from a guide
entry (routing or fact) at once, or right after one click on a button Lotse offered (its clarifying
question or "Meinten Sie"), and that got no 👎. A typed answer to a clarifying question counts as a
new question.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.serving.feedback import FrequentQuestion, StoredRating
from bot.trainers.files import KINDS
from bot.trainers.workbench.review import Conversation, Turn

ANSWERED = ("routing", "fact")
# colours with at least 3:1 contrast on white, told apart by more than hue alone (the table has the numbers)
KIND_COLOURS = {
    "routing": "#1f5fa8",
    "fact": "#2e7d32",
    "clarify": "#8a5a00",
    "not_covered": "#b3261e",
    "out_of_scope": "#5f5f5f",
}
UP, DOWN = "#2e7d32", "#b3261e"
KIND_NAMES = {
    "routing": "Zuständigkeit",
    "fact": "Sachauskunft",
    "clarify": "Rückfrage",
    "not_covered": "nicht geregelt",
    "out_of_scope": "außerhalb",
}
CHARTS = ("questions", "kinds", "ratings")


@dataclass
class Figures:
    days: list[dt.date]
    questions: dict[dt.date, int]
    kinds: dict[dt.date, Counter[str]]
    unanswered: list[FrequentQuestion]
    ratings: dict[str, tuple[int, int]]  # entry -> (👍, 👎)
    typed: int  # typed questions in the period
    right_at_once: int
    right_after_click: int

    @property
    def share(self) -> float | None:
        return (self.right_at_once + self.right_after_click) / self.typed if self.typed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "days": [
                {
                    "day": day.isoformat(),
                    "questions": self.questions.get(day, 0),
                    "kinds": {kind: self.kinds.get(day, Counter())[kind] for kind in KINDS},
                }
                for day in self.days
            ],
            "unanswered": [
                {
                    "question": q.question,
                    "count": q.count,
                    "kinds": list(q.kinds),
                    "last": q.last_seen.isoformat(),
                }
                for q in self.unanswered
            ],
            "ratings": [
                {"topic": topic, "up": up, "down": down}
                for topic, (up, down) in sorted(self.ratings.items(), key=lambda item: (-item[1][1], item[0]))
            ],
            "one_click": {
                "typed": self.typed,
                "at_once": self.right_at_once,
                "after_one_click": self.right_after_click,
                "share": None if self.share is None else round(self.share, 3),
            },
        }


def figures(
    conversations: Sequence[Conversation],
    ratings: Sequence[StoredRating],
    unanswered: list[FrequentQuestion],
    today: dt.date,
    days: int,
) -> Figures:
    """The figures of the `days` days up to `today` (conversations already carry their ratings)."""
    period = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    questions: Counter[dt.date] = Counter()
    kinds: dict[dt.date, Counter[str]] = defaultdict(Counter)
    typed = at_once = after_click = 0
    for conversation in conversations:
        turns = conversation.turns
        for index, turn in enumerate(turns):
            day = turn.at.astimezone().date()
            if day not in period:
                continue
            kind = str(turn.answer.get("kind"))
            kinds[day][kind] += 1
            if turn.click:
                continue
            questions[day] += 1
            typed += 1
            following = turns[index + 1] if index + 1 < len(turns) else None

            if kind in ANSWERED and _liked(turn):
                at_once += 1
            elif (
                kind == "clarify"
                and following is not None
                and following.click
                and following.answer.get("kind") in ANSWERED
                and _liked(following)
            ):
                after_click += 1
    per_entry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    first = dt.datetime.combine(period[0], dt.time(), dt.timezone.utc)
    for rating in ratings:
        if rating.topic and rating.created_at >= first:
            per_entry[rating.topic][0 if rating.rating > 0 else 1] += 1
    return Figures(
        period,
        dict(questions),
        dict(kinds),
        unanswered,
        {topic: (up, down) for topic, (up, down) in per_entry.items()},
        typed,
        at_once,
        after_click,
    )


def _liked(turn: Turn) -> bool:
    """No 👎 on the turn's answer."""
    return not any(r["rating"] < 0 for r in turn.ratings)


# --- SVG ------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 46


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    e = html.escape
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{e(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">'
        f"<title>{e(title)}</title>"
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>'
        f'<text x="{LEFT}" y="18" font-size="14" fill="#1a1a1a">{e(title)}</text>' + "".join(body) + "</svg>"
    )


def _axis(peak: int, height: int) -> tuple[list[str], float]:
    """The y axis with a few whole-number ticks; returns its parts and the pixels per unit."""
    plot = height - TOP - BOTTOM
    peak = max(peak, 1)
    scale = plot / peak
    step = max(1, -(-peak // 4))
    parts = []
    for value in range(0, peak + 1, step):
        y = height - BOTTOM - value * scale
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{value}</text>')
    return parts, scale


def _day_labels(days: Sequence[dt.date], slot: float) -> list[str]:
    every = max(1, len(days) // 10)
    return [
        f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
        f'fill="#333">{day.strftime("%d.%m.")}</text>'
        for i, day in enumerate(days)
        if i % every == 0
    ]


def questions_chart(figures: Figures) -> str:
    days = figures.days
    counts = [figures.questions.get(day, 0) for day in days]
    parts, scale = _axis(max(counts, default=0), HEIGHT)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    for i, count in enumerate(counts):
        height = count * scale
        x = LEFT + slot * i + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" fill="#1f5fa8"><title>{day_title(days[i])}: {count}</title></rect>'
        )
    parts += _day_labels(days, slot)
    return _svg(f"Fragen pro Tag ({sum(counts)} in {len(days)} Tagen)", parts)


def day_title(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def kinds_chart(figures: Figures) -> str:
    days = figures.days
    totals = [sum(figures.kinds.get(day, Counter()).values()) for day in days]
    parts, scale = _axis(max(totals, default=0), HEIGHT)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    for i, day in enumerate(days):
        y = float(HEIGHT - BOTTOM)
        for kind in KINDS:
            count = figures.kinds.get(day, Counter())[kind]
            if not count:
                continue
            height = count * scale
            y -= height
            parts.append(
                f'<rect x="{LEFT + slot * i + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{KIND_COLOURS[kind]}" stroke="#fff" stroke-width="0.5">'
                f"<title>{day_title(day)}: {KIND_NAMES[kind]} {count}</title></rect>"
            )
    parts += _day_labels(days, slot)
    x = LEFT
    for kind in KINDS:  # the legend under the axis
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{KIND_COLOURS[kind]}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 9}" fill="#1a1a1a">{KIND_NAMES[kind]}</text>')
        x += 24 + 7 * len(KIND_NAMES[kind])
    return _svg("Antwortarten pro Tag", parts)


def ratings_chart(figures: Figures, limit: int = 12) -> str:
    rows = sorted(figures.ratings.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))[:limit]
    row_height = 22
    height = TOP + 20 + row_height * max(len(rows), 1) + 10
    label = 250
    peak = max((max(up, down) for _, (up, down) in rows), default=1) or 1
    half = (WIDTH - label - RIGHT - 20) / 2
    parts = [
        f'<text x="{label + half / 2:.0f}" y="{TOP + 10}" text-anchor="middle" fill="{UP}">👍</text>',
        f'<text x="{label + half * 1.5 + 20:.0f}" y="{TOP + 10}" text-anchor="middle" '
        f'fill="{DOWN}">👎</text>',
    ]
    if not rows:
        parts.append(f'<text x="{LEFT}" y="{TOP + 40}" fill="#333">Keine Bewertungen im Zeitraum.</text>')
    for i, (topic, (up, down)) in enumerate(rows):
        y = TOP + 20 + i * row_height
        e = html.escape(topic)
        parts.append(f'<text x="{label - 8}" y="{y + 14}" text-anchor="end" fill="#1a1a1a">{e[:38]}</text>')
        for offset, count, colour in ((0.0, up, UP), (half + 20, down, DOWN)):
            width = count / peak * (half - 30)
            x = label + offset
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{row_height - 8}" '
                f'fill="{colour}"/>'
            )
            parts.append(f'<text x="{x + width + 4:.1f}" y="{y + 14}" fill="#1a1a1a">{count}</text>')
    return _svg("👍 / 👎 pro Leitfadeneintrag", parts, height)


def chart(name: str, figures: Figures) -> str:
    if name == "questions":
        return questions_chart(figures)
    if name == "kinds":
        return kinds_chart(figures)
    if name == "ratings":
        return ratings_chart(figures)
    raise KeyError(name)
