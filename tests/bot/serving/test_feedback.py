"""The feedback store on a real SQLite file: what is kept, what is refused, what the report shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.serving.feedback import (
    DB_URL_ENV,
    DEFAULT_DB_URL,
    MAX_COMMENT_CHARS,
    MAX_QUESTION_CHARS,
    FeedbackError,
    FeedbackStore,
    Rating,
    db_url,
    format_report,
    write_report,
)
from tests.report_html import render

VERSION = "30145a60298d"
T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "feedback.db"


@pytest.fixture
def store(db_file: Path) -> Iterator[FeedbackStore]:
    feedback = FeedbackStore(f"sqlite:///{db_file}")
    yield feedback
    feedback.close()


def down(question: str, topic: str | None = "kontaktformular_termine", **fields: object) -> Rating:
    values: dict[str, object] = {
        "rating": -1,
        "question": question,
        "kind": "routing",
        "topic": topic,
        "unit": "EZ",
        "lang": "de",
        "guides_version": VERSION,
    }
    values.update(fields)
    return Rating(**values)  # type: ignore[arg-type]


def test_a_rating_is_stored_with_everything_the_trainers_need(store: FeedbackStore, db_file: Path) -> None:
    stored = store.add_rating(down("Wohin gehen Terminabsagen?", comment="falsches Postfach"), now=T0)
    [rating] = store.ratings()
    assert db_file.exists()  # the folder was created
    assert (rating.id, rating.rating, rating.question, rating.comment) == (
        stored,
        -1,
        "Wohin gehen Terminabsagen?",
        "falsches Postfach",
    )
    assert (rating.topic, rating.kind, rating.unit, rating.lang, rating.guides_version) == (
        "kontaktformular_termine",
        "routing",
        "EZ",
        "de",
        VERSION,
    )
    assert rating.created_at == T0


PERSONAL = [
    ("e-mail", "Frage von max.muster@example.org zu VÄM", "max.muster@example.org", "[E-MAIL]"),
    ("phone", "Kunde unter 0911 1234567 will Termin absagen", "1234567", "[NUMMER]"),
    ("customer number", "Kd-Nr. 123D456789 hat eine VÄM geschickt", "123D456789", "[NUMMER]"),
    ("name", "Herr Mustermann will seine ASU telefonisch machen", "Mustermann", "[NAME]"),
    ("iban", "IBAN DE89 3704 0044 0532 0130 00 geändert – wer?", "0532 0130", "[NUMMER]"),
]


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"), [c[1:] for c in PERSONAL], ids=[c[0] for c in PERSONAL]
)
def test_personal_data_never_reaches_the_store(
    store: FeedbackStore, db_file: Path, text: str, secret: str, placeholder: str
) -> None:
    store.add_rating(down(text, comment=f"siehe {text}"))
    store.record_unanswered(text, "out_of_scope")
    [rating] = store.ratings()
    [unanswered] = store.frequent_unanswered()
    assert placeholder in rating.question and placeholder in (rating.comment or "")
    assert placeholder in unanswered.question
    store.close()
    assert secret.encode() not in db_file.read_bytes()


BAD_RATINGS = [
    ("rating zero", {"rating": 0}, '"rating"'),
    ("rating two", {"rating": 2}, '"rating"'),
    ("empty question", {"question": "   "}, '"question"'),
    ("unknown kind", {"kind": "opinion"}, '"kind"'),
    ("topic with markup", {"topic": "<b>x</b>"}, '"topic"'),
    ("unit", {"unit": "AA"}, '"unit"'),
    ("lang", {"lang": "fr"}, '"lang"'),
    ("version", {"guides_version": "not a hash"}, '"guides_version"'),
    ("long comment", {"comment": "x" * (MAX_COMMENT_CHARS + 1)}, '"comment"'),
]


@pytest.mark.parametrize(("fields", "named"), [c[1:] for c in BAD_RATINGS], ids=[c[0] for c in BAD_RATINGS])
def test_a_rating_the_report_could_not_use_is_refused(
    store: FeedbackStore, fields: dict[str, object], named: str
) -> None:
    with pytest.raises(FeedbackError, match=named):
        store.add_rating(down(**{"question": "Wer bearbeitet VÄM?", **fields}))  # type: ignore[arg-type]
    assert store.ratings() == []


def test_long_questions_are_cut_and_comments_kept_to_one_line(store: FeedbackStore) -> None:
    store.add_rating(down("Wer " + "sehr " * 200 + "?", comment="erste Zeile\nzweite   Zeile"))
    [rating] = store.ratings()
    assert len(rating.question) == MAX_QUESTION_CHARS
    assert rating.comment == "erste Zeile zweite Zeile"


def test_only_unanswered_kinds_are_recorded(store: FeedbackStore) -> None:
    with pytest.raises(FeedbackError, match="routing"):
        store.record_unanswered("Wer bearbeitet VÄM?", "routing")
    store.record_unanswered("   ", "out_of_scope")  # nothing left to record
    assert store.frequent_unanswered() == []


def test_frequent_questions_count_case_spacing_and_punctuation_as_one(store: FeedbackStore) -> None:
    for n, (question, kind) in enumerate(
        [
            ("Wie wird das Wetter?", "out_of_scope"),
            ("wie  wird das wetter", "out_of_scope"),
            ("Wer nimmt ASU von Erstkunden auf?", "not_covered"),
            ("WIE WIRD DAS WETTER!", "out_of_scope"),
            ("Wer nimmt ASU von Erstkunden auf", "not_covered"),
            ("Was kostet die Kantine?", "out_of_scope"),
        ]
    ):
        store.record_unanswered(question, kind, now=minutes(n))
    frequent = store.frequent_unanswered()
    assert [(q.question, q.count, q.kinds) for q in frequent] == [
        ("WIE WIRD DAS WETTER!", 3, ("out_of_scope",)),
        ("Wer nimmt ASU von Erstkunden auf", 2, ("not_covered",)),
        ("Was kostet die Kantine?", 1, ("out_of_scope",)),
    ]
    assert frequent[0].last_seen == minutes(3)
    assert len(store.frequent_unanswered(limit=1)) == 1


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


def test_the_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert db_url() == DEFAULT_DB_URL == f"sqlite:///{PROJECT_ROOT / 'var' / 'feedback.db'}"
    monkeypatch.setenv(DB_URL_ENV, "postgresql+psycopg2://lotse@db/lotse")
    assert db_url() == "postgresql+psycopg2://lotse@db/lotse"


def test_the_store_survives_a_restart(db_file: Path) -> None:
    first = FeedbackStore(f"sqlite:///{db_file}")
    first.add_rating(down("Terminabsage?"))
    first.close()
    second = FeedbackStore(f"sqlite:///{db_file}")
    assert [r.question for r in second.ratings()] == ["Terminabsage?"]
    second.close()
