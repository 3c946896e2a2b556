"""The trainers' feedback report (`make feedback-report`): the 👎 per guide entry, then the questions
the guides did not answer – what trainers should look at next.

A trainers' tool, so it lives here; it only reads the store the web server writes
(bot/serving/feedback.py). Everything it copies from the store is made inert Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from bot.answering import markdown
from bot.paths import PROJECT_ROOT
from bot.serving.feedback import FeedbackStore, StoredRating

REPORT_FILE = PROJECT_ROOT / "var" / "reports" / "feedback.md"


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
