"""The feedback store on a real SQLite file: what is kept and what is refused.

What the trainers' report shows from it: tests/bot/trainers/test_feedback_report.py.
"""

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
)

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
