"""Keeping the thread: another date for the same case, 'why?', and starting over."""

from __future__ import annotations

from actions import ActionAnswerGuide, ActionAnswerReset, ActionAnswerWhy
from bot.answering.guides import Guides
from bot.answering.responses import Responses
from tests.conftest import ASKED_FOR_CUSTOMER, MakeTracker, RunAction
from tests.rules import unit_of, verdict_of


def test_question_with_a_date_is_answered_for_that_day(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, guides: Guides
) -> None:
    tracker = make_tracker(
        "Wer hat vor Juli 2025 die freien E-Mails bearbeitet?", "ask_free_emails_site_postbox"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["unit"]) == (
        "routing",
        unit_of("freie_emails_bis_juni_2025"),
    )
    assert result.answer["topic"] == "freie_emails_bis_juni_2025"
    # the day stands in the verdict line itself: an agent on a call reads the first line only
    as_of = responses.text("utter_answer_for_date", "de", date="30.06.2025")
    verdict = guides.by_id["freie_emails_bis_juni_2025"].text.de.verdict
    assert result.lines[0] == f"{as_of} {verdict}" == result.answer["verdict"]
    assert result.slots["as_of"] == "2025-06-30"


def test_a_date_whose_answer_is_todays_gets_no_as_of(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "ab August 2025" is answered as today: no "Stand …", which would suggest a difference."""
    tracker = make_tracker(
        "Wer bearbeitet ab August 2025 die freien E-Mails?", "ask_free_emails_site_postbox"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "freie_emails_ab_juli_2025"
    assert not result.lines[0].startswith("Stand") and result.slots["as_of"] is None


def test_a_date_that_describes_the_case_is_not_the_questions(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Kundin ist am 02.04.2025 umgezogen und hat das online gemeldet – wer bearbeitet das?",
        "ask_master_data_change",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "stammdaten_online")
    assert result.answer["unit"] == unit_of("stammdaten_online")
    assert result.lines[0] == result.answer["verdict"] == verdict_of("stammdaten_online")


def test_same_question_today_gets_the_current_entry(run_action: RunAction, make_tracker: MakeTracker) -> None:
    result = run_action(
        ActionAnswerGuide, make_tracker("Wer bearbeitet freie E-Mails?", "ask_free_emails_site_postbox")
    )
    assert result.answer["topic"] == "freie_emails_ab_juli_2025"
    assert result.slots["as_of"] is None


def test_another_date_for_the_case_under_discussion(run_action: RunAction, make_tracker: MakeTracker) -> None:
    tracker = make_tracker(
        "und was galt am 15.06.2025?",
        "ask_at_date",
        subject="change_notice",
        channel="online",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered"
    assert "15.06.2025" in result.lines[0]
    assert "202404002" in result.text  # names the earlier instructions the source refers to


def test_another_date_without_a_case_asks_for_the_question(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker("what applied on 1 June 2025?", "ask_at_date"))
    assert result.text == responses.text("utter_no_previous_answer", "en")
    assert result.answer["kind"] == "out_of_scope"


def test_why_names_conditions_and_entry(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "why this answer?",
        "ask_why",
        subject="appointment_cancellation",
        channel="contact_form",
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerWhy, tracker)
    assert result.answer["topic"] == "kontaktformular_termine"
    assert "• topic: appointment cancellation" in result.lines
    assert "• channel: via the contact form" in result.lines
    assert '"kontaktformular_termine"' in result.text and "section 2.2" in result.text
    assert result.lines[-1] == guides.by_id["kontaktformular_termine"].text.en.verdict


def test_new_question_clears_the_case(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    tracker = make_tracker(
        "neue Frage",
        "new_question",
        **ASKED_FOR_CUSTOMER,
    )
    result = run_action(ActionAnswerReset, tracker)
    assert result.messages[0]["text"] == responses.text("utter_restart", "de")
    assert [e["event"] for e in result.events] == ["reset_slots", "slot"]
    assert result.events[-1]["name"] == "lang" and result.events[-1]["value"] == "de"


def test_und_keeps_what_the_new_question_does_not_change(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After online master data, 'und Veränderungsmitteilungen?' keeps the channel: online."""
    tracker = make_tracker(
        "und Veränderungsmitteilungen?", "ask_change_notice", subject="master_data_change", channel="online"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "veraenderungsmitteilung_online")
    assert result.slots["subject"] == "change_notice" and result.slots["channel"] == "online"


def test_a_new_question_without_und_starts_a_new_case(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Wer bearbeitet Veränderungsmitteilungen?",
        "ask_change_notice",
        subject="master_data_change",
        channel="online",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "channel"


def test_a_date_question_that_names_its_subject_needs_no_case_before(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "wie war das am 15.06.2025 mit …?" asked first: a date question, the subject in the ranking."""
    tracker = make_tracker(
        "wie war das am 15.06.2025 mit den freien E-Mails der Liegenschaftspostfächer?",
        "ask_at_date",
        intent_ranking=[
            ("ask_at_date", 0.41),
            ("ask_free_emails_site_postbox", 0.33),
            ("ask_email_block", 0.08),
        ],
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "freie_emails_bis_juni_2025"
    assert result.slots["as_of"] == "2025-06-15"


def test_a_date_question_without_a_clear_subject_asks_for_the_question(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    tracker = make_tracker(
        "und am 15.06.2025?",
        "ask_at_date",
        intent_ranking=[
            ("ask_at_date", 0.6),
            ("ask_email_block", 0.1),
            ("ask_free_emails_site_postbox", 0.09),
        ],
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.text == responses.text("utter_no_previous_answer", "de")
