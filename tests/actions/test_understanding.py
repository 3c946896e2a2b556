"""Classes of questions staff ask that Lotse used to misread (issue #11): each test is a class, with
real domain.yml and guides, and asserts what staff would see — the kind, the entry, the first line."""

from __future__ import annotations

import datetime as dt

import pytest

from actions import (
    ActionAnswerGuide,
    ActionAnswerOutOfScope,
    ActionAnswerReset,
    ActionAnswerSmallTalk,
    ActionAnswerSource,
    ActionAnswerValidity,
    ActionAnswerWhy,
)
from bot.answering.guides import Guides
from bot.answering.payload import format_date
from bot.answering.responses import Responses
from tests.conftest import MakeTracker, RunAction
from tests.rules import unit_of

UNSURE = [("nlu_fallback", 0.3), ("out_of_scope", 0.25), ("ask_email_block", 0.2)]


def test_a_denied_way_overrules_the_way_the_intent_states(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The appointment intents state "contact form"; "nicht übers Kontaktformular" says it was not."""
    text = "Terminanfrage kam per E-Mail ans Teampostfach der EZ, nicht übers Kontaktformular – wer?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_av"))
    assert result.answer["kind"] == "not_covered" and result.answer["unit"] is None


@pytest.mark.parametrize(
    ("text", "intent", "section"),
    [
        (
            "in welchem Abschnitt steht das mit den Kontaktformularen zu Terminen?",
            "ask_appointment_cancellation",
            "2.2",
        ),
        ("which section covers blocking the team postboxes?", "ask_email_block", "2.1"),
    ],
)
def test_a_question_of_its_own_for_the_section_gets_the_source(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, section: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact"
    assert result.answer["source"]["section"] == section
    assert f" {section} " in result.text


def test_which_postboxes_is_answered_per_postbox_not_asked_back(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    text = "für welche Postfächer ist die Sperrfunktion freigegeben?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "fact" and result.answer.get("asks") is None
    for entry in (e for e in guides.entries if "email_block" in e.when.get("subject", ())):
        if entry.valid_on(dt.date(2026, 11, 27)):
            assert entry.text.de.verdict in result.text
    assert result.slots["pending_condition"] is None


def test_since_when_with_nothing_before_is_about_the_instruction_only_in_its_words(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    off = run_action(
        ActionAnswerValidity, make_tracker("wann ist der nächste Betriebsausflug?", "ask_validity")
    )
    assert off.answer["kind"] == "out_of_scope"
    own = run_action(ActionAnswerValidity, make_tracker("ab wann gilt die Weisung?", "ask_validity"))
    assert own.answer["kind"] == "fact" and "26.05.2025" in own.text  # the instruction's own first day


def test_new_question_is_believed_only_with_its_words(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = run_action(ActionAnswerReset, make_tracker("Rezept für Käsespätzle bitte", "new_question"))
    assert result.answer["kind"] == "out_of_scope"
    assert not any(event["event"] == "reset_slots" for event in result.events)


def test_und_wenn_changes_the_condition_the_nlu_misread_as_another_subject(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After an online change of address, "… per Brief?" read as press work is that change by letter."""
    tracker = make_tracker(
        "und wenn er die Adresse per Brief schickt?",
        "ask_press",
        subject="master_data_change",
        channel="online",
        last_topic="stammdaten_online",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.answer["topic"] != "pressearbeit"


def test_a_past_day_before_the_rule_asked_whether_it_applied_is_a_fact_with_its_start(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    text = "Terminabsage per Kontaktformular am 25.06.2025 – galt da schon die neue Zuordnung?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_cancellation"))
    entry = guides.by_id[result.answer["topic"]]
    assert result.answer["kind"] == "fact"
    assert result.first_line.startswith("Am 25.06.2025 galt das noch nicht")
    assert format_date(entry.valid_from, "de") in result.first_line
    who = run_action(
        ActionAnswerGuide,
        make_tracker("who processed online change notices before July 2025?", "ask_change_notice"),
    )
    assert who.answer["kind"] == "not_covered"  # the guides do not say who did it before


def test_a_date_that_says_when_the_appointment_is_does_not_move_the_question(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "Schülerin will übers Kontaktformular nen Termin bei der Berufsberatung im Januar – wer macht das?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_bb"))
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", unit_of("kontaktformular_termine"))


def test_an_instruction_named_by_its_number_is_about_that_instruction(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker("Is there an expiry date for 202505010?", "nlu_fallback", intent_ranking=UNSURE)
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact"
    assert "unlimited" in result.text


def test_who_handles_an_unassigned_matter_is_not_covered_before_any_offer(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    ranking = [("out_of_scope", 0.39), ("ask_customer_reactions", 0.27), ("ask_change_notice", 0.04)]
    tracker = make_tracker(
        "wer bearbeitet Widersprüche gegen Alg-Bescheide?", "out_of_scope", intent_ranking=ranking
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered" and not result.answer.get("options")


@pytest.mark.parametrize(
    "text",
    [
        "gibt es Ausnahmen von der Mailsperre für Kooperationspartner?",
        "werden die abgewiesenen externen Mails irgendwo gespeichert?",
        "können Kunden nach der Sperre noch per Fax Unterlagen schicken?",
    ],
)
def test_details_the_instruction_never_gives_are_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "not_covered"


def test_a_short_question_after_an_answer_is_read_against_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "wo?" right after an answer, with the NLU unsure: that answer's entry again, verdict first."""
    entry = guides.by_id["sperre_team_organisationspostfaecher"]
    before = [
        {"event": "bot", "text": entry.text.de.verdict, "data": {"custom": {"answer": {"topic": entry.id}}}}
    ]
    tracker = make_tracker(
        "wo?",
        "ask_why",
        intent_ranking=[("ask_why", 0.34), ("ask_source", 0.22), ("out_of_scope", 0.09)],
        said_before=["Wer sperrt die Teampostfächer im SC?"],
        events_before=before,
        last_topic=entry.id,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["topic"] == entry.id and result.first_line == entry.text.de.verdict


def test_not_understood_is_told_apart_from_off_topic(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    unsure = run_action(
        ActionAnswerOutOfScope,
        make_tracker("hmm ja also", "nlu_fallback", intent_ranking=[("nlu_fallback", 0.3), ("affirm", 0.2)]),
    )
    assert unsure.answer["kind"] == "out_of_scope" and unsure.answer["understood"] is False
    assert unsure.text == responses.text("utter_not_understood", "de")
    sure = run_action(
        ActionAnswerOutOfScope,
        make_tracker("Wie wird das Wetter?", "out_of_scope", intent_ranking=[("out_of_scope", 0.9)]),
    )
    assert "understood" not in sure.answer and sure.text == responses.text("utter_out_of_scope", "de")


@pytest.mark.parametrize(
    ("text", "section"),
    [("was steht in Abschnitt 4?", "4"), ("in welchem Abschnitt stehen die Einzelaufträge?", "3")],
)
def test_a_section_named_by_number_or_title_gets_what_it_settles(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str, section: str
) -> None:
    result = run_action(ActionAnswerSource, make_tracker(text, "ask_source"))
    assert result.answer["kind"] == "fact"
    assert result.first_line.startswith(f"Abschnitt {section} ")
    settled = [e for e in guides.entries if e.section == section and e.valid_on(dt.date(2026, 11, 27))]
    assert settled and all(e.text.de.verdict in result.text for e in settled if e.kind != "not_covered")


def test_two_sections_named_are_not_taken_for_either(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "steht die Regel zu den Kontaktformularen in Abschnitt 2.1 oder 2.2?"
    result = run_action(ActionAnswerSource, make_tracker(text, "ask_source"))
    assert not result.first_line.startswith("Abschnitt 2.1 ")


def test_why_with_nothing_before_it_gives_the_named_subjects_reason(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    ranking = [("ask_why", 0.7), ("ask_phone_registration", 0.23), ("ask_duties_sc", 0.01)]
    tracker = make_tracker(
        "warum bleibt die tel. ASU jetzt komplett im SC?", "ask_why", intent_ranking=ranking
    )
    result = run_action(ActionAnswerWhy, tracker)
    assert result.answer["kind"] == "fact" and "Trennung" in result.text


def test_thanks_followed_by_a_question_is_answered_as_the_question(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    tracker = make_tracker(
        "danke. was gibt es heute in der Kantine?", "thank", intent_ranking=[("thank", 0.6)]
    )
    result = run_action(ActionAnswerSmallTalk, tracker)
    assert result.text != responses.text("utter_thank", "de")
    assert result.answer["kind"] == "out_of_scope"
