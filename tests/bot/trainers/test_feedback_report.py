"""The trainers' feedback report (bot/trainers/feedback_report.py) over a real SQLite store:
the 👎 grouped by guide entry, the unanswered questions, and text copied as inert Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.serving.feedback import FeedbackStore
from bot.trainers.feedback_report import format_report, write_report
from tests.bot.serving.test_feedback import VERSION, down, minutes
from tests.report_html import render


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    feedback = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    yield feedback
    feedback.close()


def test_report_groups_negative_feedback_by_entry_newest_first(store: FeedbackStore) -> None:
    store.add_rating(down("Terminabsage per Kontaktformular?", comment="alt"), now=minutes(1))
    store.add_rating(
        down("VÄM online?", topic="vaem_online", unit="EZ", comment="Zuständigkeit?"), now=minutes(2)
    )
    store.add_rating(down("Terminabsage?", comment="neu"), now=minutes(3))
    store.add_rating(down("Wetter?", topic=None, kind="out_of_scope", unit=None), now=minutes(4))
    store.add_rating(down("Gut so", rating=1, comment="passt"), now=minutes(5))
    store.record_unanswered("Wie wird das Wetter?", "out_of_scope", now=minutes(6))
    store.record_unanswered("wie wird das wetter", "out_of_scope", now=minutes(7))
    report = format_report(store)
    assert "4 × 👎, 1 × 👍." in report
    headings = [line for line in report.splitlines() if line.startswith("### ")]
    assert headings == [
        "### (no entry: out_of_scope) – 1 × 👎 (unit –)",
        "### kontaktformular_termine – 2 × 👎 (unit EZ)",
        "### vaem_online – 1 × 👎 (unit EZ)",
    ]
    termine = report.split("### kontaktformular_termine")[1].split("###")[0]
    assert termine.index("| neu |") < termine.index("| alt |")  # newest first
    assert "2026-11-27 09:03 UTC" in termine and VERSION in termine
    assert "passt" not in report  # 👍 are counted, not listed
    assert "| 2 | wie wird das wetter | out_of_scope | 2026-11-27 09:07 UTC |" in report


def test_report_of_an_empty_store_says_so(store: FeedbackStore) -> None:
    report = format_report(store)
    assert "No negative feedback." in report and "None recorded." in report


def test_report_cells_cannot_break_the_table(store: FeedbackStore) -> None:
    store.add_rating(down("A | B", comment="x | y"))
    assert "| A \\| B | x \\| y |" in format_report(store)


def test_report_shows_markup_from_questions_and_comments_as_text(store: FeedbackStore) -> None:
    """A comment or question is text the trainer reads: no element, no link in the rendered report."""
    script, image = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    link = "[neu anmelden](https://evil.example/login)"
    store.add_rating(down(f"Terminabsage? {link}", comment=f"{script} {image}"))
    store.record_unanswered(f"Wetter? {image} ![x](https://evil.example/p.png)", "out_of_scope")
    report = format_report(store)
    assert "<script" not in report and "<img" not in report
    rendered = render(report)
    assert rendered.tags <= {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td"}
    [stored] = store.ratings()  # as stored, i.e. redacted: the report shows exactly that
    [unanswered] = store.frequent_unanswered()
    assert stored.comment and stored.comment.startswith(script)
    for shown in (stored.question, stored.comment, unanswered.question):
        assert shown in rendered.text


def test_write_report_writes_the_file(store: FeedbackStore, tmp_path: Path) -> None:
    store.add_rating(down("Terminabsage?", comment="falsch"))
    text, path = write_report(store, tmp_path / "reports" / "feedback.md")
    assert path.read_text(encoding="utf-8") == text and "falsch" in text
