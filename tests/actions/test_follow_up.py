"""'Wo steht das?' and 'Seit wann gilt das?' about the last answer (or the instruction as a whole)."""

from __future__ import annotations

from typing import Any

import pytest

from actions import ActionAnswerSource, ActionAnswerValidity
from bot.answering.guides import Guides
from bot.answering.payload import format_date
from tests.conftest import MakeTracker, RunAction

SOURCE_QUESTION = {"de": "Wo steht das?", "en": "Where is that written?"}
VALIDITY_QUESTION = {"de": "Seit wann gilt das?", "en": "Since when does that apply?"}
SECTION_WORD = {"de": "Abschnitt", "en": "section"}


def _assert_fact_payload(answer: dict[str, Any], guides: Guides, entry_id: str, lang: str) -> None:
    entry = guides.by_id[entry_id]
    assert answer["kind"] == "fact"
    assert answer["topic"] == entry_id
    assert answer["unit"] == entry.answer.unit
    assert answer["lang"] == lang
    assert answer["source"]["document"] == "Weisung 202505010"
    assert answer["source"]["section"] == entry.section
    assert answer["valid_from"] == (entry.valid_from.isoformat() if entry.valid_from else None)


# --- source --------------------------------------------------------------------------

SOURCE_CASES = [
    ("last-answer-de", "de", "kontaktformular_termine", "kontaktformular_termine"),
    ("last-answer-en", "en", "asu_telefon_reaktivierung", "asu_telefon_reaktivierung"),
    ("no-last-answer-de", "de", None, "weisung_ueberblick"),
    ("no-last-answer-en", "en", None, "weisung_ueberblick"),
    ("unknown-last-topic", "de", "entry_removed_by_trainer", "weisung_ueberblick"),
]


@pytest.mark.parametrize(
    ("lang", "last_topic", "entry_id"), [c[1:] for c in SOURCE_CASES], ids=[c[0] for c in SOURCE_CASES]
)
def test_source_of_the_last_answer(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    lang: str,
    last_topic: str | None,
    entry_id: str,
) -> None:
    result = run_action(
        ActionAnswerSource, make_tracker(SOURCE_QUESTION[lang], "ask_source", last_topic=last_topic)
    )
    entry = guides.by_id[entry_id]
    assert f"{SECTION_WORD[lang]} {entry.section}" in result.first_line
    assert guides.instruction.sections[entry.section].get(lang) in result.first_line
    assert guides.documents[entry.document].title.get(lang) in result.first_line
    assert format_date(guides.instruction.date, lang) in result.first_line
    assert result.lines[1] == entry.text.get(lang).verdict
    _assert_fact_payload(result.answer, guides, entry_id, lang)
    assert result.message["buttons"] == []
    assert result.slots == {"lang": lang}  # a follow-up never changes the last topic


# --- validity ------------------------------------------------------------------------

VALIDITY_CASES = [
    ("from-de", "de", "asu_telefon_reaktivierung", "asu_telefon_reaktivierung", ["ab", "01.07.2025"]),
    ("from-en", "en", "asu_telefon_reaktivierung", "asu_telefon_reaktivierung", ["from", "1 July 2025"]),
    ("until-de", "de", "freie_emails_bis_juni_2025", "freie_emails_bis_juni_2025", ["bis", "30.06.2025"]),
    ("until-en", "en", "freie_emails_bis_juni_2025", "freie_emails_bis_juni_2025", ["until", "30 June 2025"]),
    # no answer before: the entry vocabulary.yml names under without_context.validity
    ("no-last-answer-de", "de", None, "neue_aufgabenverteilung_ab_juli", ["ab", "26.05.2025"]),
    ("no-last-answer-en", "en", None, "neue_aufgabenverteilung_ab_juli", ["from", "26 May 2025"]),
]


@pytest.mark.parametrize(
    ("lang", "last_topic", "entry_id", "words"),
    [c[1:] for c in VALIDITY_CASES],
    ids=[c[0] for c in VALIDITY_CASES],
)
def test_validity_of_the_last_answer(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    lang: str,
    last_topic: str | None,
    entry_id: str,
    words: list[str],
) -> None:
    result = run_action(
        ActionAnswerValidity, make_tracker(VALIDITY_QUESTION[lang], "ask_validity", last_topic=last_topic)
    )
    for word in words:
        assert word in result.first_line
    entry = guides.by_id[entry_id]
    assert result.lines[1] == entry.text.get(lang).verdict
    assert f"{SECTION_WORD[lang]} {entry.section}" in result.lines[2]
    _assert_fact_payload(result.answer, guides, entry_id, lang)
    assert result.slots == {"lang": lang}


def test_without_context_entries_are_declared_in_the_vocabulary(guides: Guides) -> None:
    """The follow-ups' fallbacks are guide data (checked at load), not names in code."""
    assert guides.vocabulary.without_context.validity == "neue_aufgabenverteilung_ab_juli"
    assert guides.vocabulary.without_context.source == "weisung_ueberblick"


@pytest.mark.parametrize(
    ("question", "action", "beside", "topic"),
    [
        (
            "ab wann gilt das mit den Terminabsagen?",
            ActionAnswerValidity,
            "ask_appointment_cancellation",
            "kontaktformular_termine",
        ),
        ("wo steht das mit dem eAkte-Regelwerk?", ActionAnswerSource, "ask_eakte_rules", "eakte_regelwerk"),
        (
            "und ab wann gilt das für die EZ-Postfächer?",
            ActionAnswerValidity,
            "ask_email_block",
            "sperre_ez_postfaecher",
        ),
    ],
)
def test_since_when_or_where_of_another_subject_named_is_about_that_subject(
    run_action: RunAction, make_tracker: MakeTracker, question: str, action: type, beside: str, topic: str
) -> None:
    """After the EZ postboxes' block, "ab wann gilt das mit den Terminabsagen?" names another subject (the
    NLU ranks it far behind the date question) and not the block's: that subject's date; a question
    naming the block's own postboxes stays with it."""
    intent = "ask_validity" if action is ActionAnswerValidity else "ask_source"
    tracker = make_tracker(
        question,
        intent,
        intent_ranking=[(intent, 0.9), (beside, 0.06), ("ask_duties_rd", 0.01)],
        subject="email_block",
        postbox="ez",
        last_topic="sperre_ez_postfaecher",
    )
    assert run_action(action, tracker).answer["topic"] == topic
