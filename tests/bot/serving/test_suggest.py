"""Type-ahead and the start screen (bot/serving/suggest.py), the counts they rank by (bot/serving/asked.py)
and the facts the call view shows (bot/serving/web.py's asked_facts), on the real guides and data."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.answering.guides import Guides
from bot.answering.store import GuideStore
from bot.paths import DATA_DIR
from bot.serving.asked import WINDOW_DAYS, AskedTopics
from bot.serving.suggest import (
    MAX_SUGGESTIONS,
    START_QUESTIONS,
    Suggester,
    SuggestionIndex,
    example_language,
    read_examples,
    well_formed,
)
from bot.serving.web import asked_facts
from tests.bots import TODAY
from tests.conftest import GuideCopy

DAY = dt.date.fromisoformat(TODAY)


@pytest.fixture(scope="module")
def index(guides: Guides) -> SuggestionIndex:
    return SuggestionIndex(guides, read_examples(DATA_DIR, guides.vocabulary.intents), DAY)


@pytest.fixture(scope="module")
def examples(guides: Guides) -> set[str]:
    return {text for _, text in read_examples(DATA_DIR, guides.vocabulary.intents)}


def test_from_the_third_character_up_to_five_suggestions_of_what_was_typed(index: SuggestionIndex) -> None:
    assert index.suggest("te", "de") == [] and index.suggest("  a ", "de") == []
    found = index.suggest("Terminab", "de")
    assert 1 <= len(found) <= MAX_SUGGESTIONS
    for suggestion in found:
        words = suggestion.text.lower().replace("-", " ").split()
        assert any("terminab" in word for word in words), suggestion.text
    assert len(index.suggest("wer", "de")) == MAX_SUGGESTIONS


def test_a_suggestion_that_starts_as_typed_comes_first(index: SuggestionIndex) -> None:
    first = index.suggest("Wer bearbeitet", "de")[0]
    assert first.text.startswith("Wer bearbeitet")


@pytest.mark.parametrize(
    ("typed", "hint", "lang"),
    [("who handles", "de", "en"), ("wer bearbeitet", "en", "de"), ("Veränderungsmitt", "de", "de")],
)
def test_suggestions_are_in_the_language_typed(
    index: SuggestionIndex, typed: str, hint: str, lang: str
) -> None:
    found = index.suggest(typed, hint)
    assert found and {s.lang for s in found} == {lang}


def test_jargon_typed_without_umlauts_or_hyphens_is_found(index: SuggestionIndex) -> None:
    assert index.suggest("VAEM", "de") == index.suggest("VÄM", "de") != []
    assert index.suggest("email sperre", "de")  # "E-Mail-Sperre" typed as one word


def test_topics_and_questions_each_lead_to_a_different_answer(index: SuggestionIndex, guides: Guides) -> None:
    """Five lines are five different answers: one question per guide entry, one topic per subject."""
    for typed in ("wer", "kontakt", "asu", "sperre", "who handles", "appointment", "e-mail"):
        found = index.suggest(typed, "de")
        questions = [s.topic or f"asks:{s.subject}" for s in found if s.kind == "question"]
        topics = [s.subject for s in found if s.kind == "topic"]
        assert len(questions) == len(set(questions)) and len(topics) == len(set(topics)), typed
        for suggestion in found:
            assert suggestion.topic is None or guides.by_id[suggestion.topic].valid_on(DAY)
            assert suggestion.ask  # what is asked when picked: a question, never a bare label
            if suggestion.kind == "topic":
                label = (
                    guides.vocabulary.conditions["subject"].values[suggestion.subject].get(suggestion.lang)
                )
                assert suggestion.text == label


def test_only_well_formed_questions_of_the_training_data_are_offered(
    index: SuggestionIndex, examples: set[str]
) -> None:
    for typed in ("wer", "was", "who", "what", "kontaktformular", "stammdaten"):
        for suggestion in index.suggest(typed, "de"):
            if suggestion.kind == "question":
                assert suggestion.text in examples and well_formed(suggestion.text)
    assert not well_formed("adressaenderung wer zustaendig")
    assert not well_formed("[online](channel) wer?")
    assert example_language("Who handles it?") == "en" and example_language("Wer macht das?") == "de"


def test_a_rule_no_longer_valid_is_never_suggested(index: SuggestionIndex) -> None:
    """freie_emails_bis_juni_2025 ended on 30.06.2025: its questions lead to today's rule."""
    topics = {
        s.topic for typed in ("liegenschaft", "freie e-mails", "site postbox") for s in index.suggest(typed)
    }
    assert "freie_emails_bis_juni_2025" not in topics


def test_the_start_screen_ranks_entries_by_answers_and_fills_up_from_the_fixed_list(
    index: SuggestionIndex, guides: Guides
) -> None:
    fixed = index.start_questions({}, "de")
    assert len(fixed) == START_QUESTIONS == len({s.topic for s in fixed})
    assert [s.topic for s in fixed] == index.fallback[:START_QUESTIONS]
    counts = {"pressearbeit": 2, "eakte_antrag": 5, "freie_emails_bis_juni_2025": 9, "kein_eintrag": 7}
    ranked = index.start_questions(counts, "en")
    assert [s.topic for s in ranked[:2]] == ["eakte_antrag", "pressearbeit"]  # an old or unknown one: never
    assert len(ranked) == START_QUESTIONS and {s.lang for s in ranked} == {"en"}
    for suggestion in ranked:  # each entry as its canonical question, asked as it is shown
        assert suggestion.text == index.canonical["en"][suggestion.topic or ""] == suggestion.ask


def test_the_index_follows_a_guide_reload(guide_copy: GuideCopy) -> None:
    suggester = Suggester(GuideStore(guide_copy.path), DATA_DIR, lambda: DAY)
    first = suggester.index()
    assert suggester.index() is first  # nothing changed: the same index
    assert not first.suggest("Absageschreiben", "de")
    guide_copy.replace(
        "vocabulary.yml",
        "appointment_cancellation: {de: Terminabsage,",
        "appointment_cancellation: {de: Absageschreiben,",
    )
    stamp = guide_copy.file("vocabulary.yml").stat().st_mtime_ns
    os.utime(guide_copy.file("vocabulary.yml"), ns=(stamp + 10**9, stamp + 10**9))
    found = suggester.index().suggest("Absageschreiben", "de")
    assert [(s.kind, s.text) for s in found] == [("topic", "Absageschreiben")]


def test_asked_topics_count_entries_per_day_and_forget_old_days(tmp_path: Path) -> None:
    store = AskedTopics(f"sqlite:///{tmp_path / 'feedback.db'}")
    store.note("pressearbeit", DAY - dt.timedelta(days=WINDOW_DAYS + 1))  # outside the window
    store.note("pressearbeit", DAY - dt.timedelta(days=1))
    for _ in range(3):
        store.note("eakte_antrag", DAY)
    assert store.note("Herr Müller, 0171 1234567", DAY) is False  # only entry ids are counted
    assert store.counts(DAY) == {"eakte_antrag": 3, "pressearbeit": 1}
    assert store.purge(DAY - dt.timedelta(days=WINDOW_DAYS)) == 0  # the old day went when DAY was noted
    store.close()


ASKED = [
    (
        "Bis wann und mit welchem Formular beantrage ich die Änderung am eAkte-Regelwerk?",
        "eakte_antrag",
        {"deadline", "form"},
    ),
    (
        "Seit wann bearbeitet die EZ Terminabsagen aus dem Kontaktformular?",
        "kontaktformular_termine",
        {"since"},
    ),
    ("Wer bearbeitet Terminabsagen aus dem Kontaktformular?", "kontaktformular_termine", set()),
]


@pytest.mark.parametrize(("question", "topic", "keys"), ASKED, ids=["deadline+form", "since", "nothing"])
def test_the_facts_a_question_asks_for(guides: Guides, question: str, topic: str, keys: set[str]) -> None:
    entry = guides.by_id[topic]
    deadline = "spätestens 2 Wochen vor dem Umstellungstermin" if topic == "eakte_antrag" else None
    answer = {
        "kind": entry.kind,
        "topic": topic,
        "lang": "de",
        "lead": None,
        "where": None,
        "deadline": deadline,
        "validity": "Gilt ab 01.07.2025.",
        "statement_validity": "Gilt ab 01.07.2025.",
    }
    facts = asked_facts(guides, question, answer)
    assert {f["key"] for f in facts} == keys
    for fact in facts:
        assert fact["value"] and (fact["label"] is None) == (fact["key"] == "since")
    # a fact the lead already gives is not repeated; a click is no question
    lead = {**answer, "lead": "Frist: spätestens 2 Wochen vor dem Umstellungstermin"}
    assert "deadline" not in {f["key"] for f in asked_facts(guides, question, lead)}
    assert asked_facts(guides, "/ask_eakte_request", answer) == []
