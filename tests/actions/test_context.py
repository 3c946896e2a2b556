"""A message read against the conversation: answers to Lotse's question, details, changed conditions.

Each test runs the action the NLU's intent would pick (often not the guide action), with real
domain.yml and guides, and asserts what staff would see: the kind, the entry, the text.
"""

from __future__ import annotations

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
from tests.conftest import ASKED_FOR_CUSTOMER, MakeTracker, RunAction, answered
from tests.rules import unit_of


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        (ActionAnswerGuide, "ask_reactivation_definition"),  # read as a new question about the term
        (ActionAnswerOutOfScope, "nlu_fallback"),
        (ActionAnswerSmallTalk, "help"),
    ],
)
def test_a_typed_answer_with_extra_words_settles_the_clarifying_question(
    run_action: RunAction, make_tracker: MakeTracker, action: type, intent: str
) -> None:
    tracker = make_tracker(
        "ja, der war 2022 schon mal arbeitslos gemeldet, also Asu", intent, **ASKED_FOR_CUSTOMER
    )
    result = run_action(action, tracker)
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", unit_of("asu_telefon_reaktivierung"))
    assert result.answer["topic"] == "asu_telefon_reaktivierung"
    assert result.slots["pending_condition"] is None


def test_neue_frage_is_never_an_answer(run_action: RunAction, make_tracker: MakeTracker) -> None:
    tracker = make_tracker("neue Frage – war schon mal arbeitslos", "new_question", **ASKED_FOR_CUSTOMER)
    result = run_action(ActionAnswerReset, tracker)
    assert not result.message["custom"] and {"event": "reset_slots", "timestamp": None} in result.events


@pytest.mark.parametrize(
    ("question", "action", "intent", "expected", "holder"),
    [
        ("bis wann?", ActionAnswerValidity, "ask_validity", "2 Wochen", "eakte_antrag"),
        (
            "mit welchem Formular?",
            ActionAnswerOutOfScope,
            "out_of_scope",
            "SGBIII_Änderungsformular",
            "eakte_antrag",
        ),
        ("und wo finde ich das?", ActionAnswerSource, "ask_source", "Anträge", "eakte_antrag"),
        ("und wer setzt das dann um?", ActionAnswerOutOfScope, "nlu_fallback", "RIM", "eakte_regelwerk"),
        # read as another subject: "wer ändert das?" asks who carries it out, "wann muss … raus?" the deadline
        ("wer ändert das technisch?", ActionAnswerGuide, "ask_master_data_change", "RIM", "eakte_regelwerk"),
        (
            "und wann muss der Antrag raus?",
            ActionAnswerOutOfScope,
            "nlu_fallback",
            "2 Wochen",
            "eakte_antrag",
        ),
    ],
)
def test_a_detail_of_the_last_answer_comes_from_it_or_its_related_entry(
    run_action: RunAction,
    make_tracker: MakeTracker,
    question: str,
    action: type,
    intent: str,
    expected: str,
    holder: str,
) -> None:
    """After the eAkte rule-set change (eakte_regelwerk), the entry itself holds who carries it out, its
    request (related) the deadline, the form and where the form is."""
    tracker = make_tracker(question, intent, subject="eakte_rules", last_topic="eakte_regelwerk")
    result = run_action(action, tracker)
    assert result.answer["kind"] == "fact" and result.answer["topic"] == holder
    assert expected in result.text


@pytest.mark.parametrize(
    ("question", "action", "intent", "expected"),
    [
        ("who gets the notice?", ActionAnswerGuide, "ask_change_notice", "The sender receives"),
        ("since when does that function exist?", ActionAnswerValidity, "ask_validity", "08.01.2025"),
    ],
)
def test_a_detail_of_the_function_is_asked_in_words_of_another_subject(
    run_action: RunAction, make_tracker: MakeTracker, question: str, action: type, intent: str, expected: str
) -> None:
    """After the IM-Webshop function: who gets the notice ("notice" also names change notices) and since
    when the function exists (not the rule's validity) are that answer's details."""
    tracker = make_tracker(
        question, intent, subject="email_function", last_topic="funktion_email_kommunikation", lang="en"
    )
    result = run_action(action, tracker)
    assert result.answer["topic"] == "funktion_email_kommunikation"
    assert result.first_line.startswith(expected) or expected in result.first_line


def test_a_condition_told_just_before_is_not_asked_again(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "so if she only ever had Rasu …?" then "who takes her ASU by phone then?": her status is known;
    a new question that points back at no one is asked back as ever."""
    before = ["so if she only ever had Rasu, does she count?"]
    her = make_tracker("who takes her ASU by phone then?", "ask_job_seeker_registration", said_before=before)
    assert run_action(ActionAnswerGuide, her).answer["topic"] == "asu_telefon_reaktivierung"
    new = make_tracker("phone ASU – who?", "ask_job_seeker_registration", said_before=before)
    assert run_action(ActionAnswerGuide, new).answer["kind"] == "clarify"


def test_a_subject_wide_detail_comes_from_that_subjects_entry(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "gilt das auch für die Familienkasse?",
        "out_of_scope",
        subject="email_block",
        last_topic="sperre_ez_postfaecher",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["topic"] == "weisung_geltungsbereich"
    assert result.first_line == guides.by_id["weisung_geltungsbereich"].text.de.verdict


def test_a_follow_up_whose_detail_no_entry_holds_is_the_question_it_is(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """No deadline in the appointment forms' entries: "bis wann?" stays the validity question."""
    tracker = make_tracker(
        "bis wann?", "ask_validity", subject="appointment_cancellation", last_topic="kontaktformular_termine"
    )
    result = run_action(ActionAnswerValidity, tracker)
    assert result.answer["topic"] == "kontaktformular_termine" and "2025" in result.first_line


def test_a_question_of_its_own_is_not_taken_for_a_detail(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "Terminabsage – wer macht das?" after the EZ postbox block is a new question, not who blocks."""
    tracker = make_tracker(
        "Terminabsage per Kontaktformular – wer macht das?",
        "ask_appointment_cancellation",
        subject="email_block",
        postbox="ez",
        last_topic="sperre_ez_postfaecher",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["topic"], result.answer["unit"]) == (
        "kontaktformular_termine",
        unit_of("kontaktformular_termine"),
    )


@pytest.mark.parametrize(
    ("question", "kind", "topic"),
    [
        ("und per Post?", "not_covered", "asu_nicht_telefonisch"),
        ("und wenn er früher schon mal Asu war?", "routing", "asu_telefon_reaktivierung"),
    ],
)
def test_a_short_und_changes_one_condition_and_keeps_the_case(
    run_action: RunAction, make_tracker: MakeTracker, question: str, kind: str, topic: str | None
) -> None:
    tracker = make_tracker(
        question,
        "out_of_scope",
        subject="job_seeker_registration",
        channel="phone",
        customer="new",
        last_topic=None,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert (result.answer["kind"], result.answer.get("topic")) == (kind, topic)


def test_a_question_for_a_detail_the_guides_do_not_name_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """Asked for a deadline, the routing answer alone would be a confident answer to another question."""
    tracker = make_tracker(
        "Gibt es eine Bearbeitungsfrist für Terminabsagen aus dem Kontaktformular?",
        "ask_appointment_cancellation",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.first_line.startswith("Dazu (Frist) sagen die Leitfäden nichts")
    assert "Eingangszone" in result.text  # what they do settle


def test_a_question_for_a_detail_the_guides_name_gets_it(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Bis wann muss die Funktion E-Mail-Kommunikation in der EZ aktiviert sein?", "ask_email_function"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "fact" and result.answer["topic"] == "sperre_ez_postfaecher"
    assert result.first_line == "Frist: 01.07.2025"


REACTIVATION_CASE = {
    "subject": "job_seeker_registration",
    "channel": "phone",
    "customer": "reactivation",
    "last_topic": "asu_telefon_reaktivierung",
}


@pytest.mark.parametrize(
    ("question", "intent", "lang", "verdict_lang"),
    [
        ("and in English please", "out_of_scope", "en", "en"),
        ("auf deutsch bitte", "goodbye", "de", "de"),
        ("kannst du das auf englisch sagen?", "nlu_fallback", "en", "en"),
    ],
)
def test_asked_for_another_language_the_last_answer_comes_again_in_it(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    question: str,
    intent: str,
    lang: str,
    verdict_lang: str,
) -> None:
    tracker = make_tracker(question, intent, lang="en" if lang == "de" else "de", **REACTIVATION_CASE)
    result = run_action(ActionAnswerOutOfScope, tracker)
    entry = guides.by_id["asu_telefon_reaktivierung"]
    assert result.first_line == entry.text.get(verdict_lang).verdict
    assert (result.answer["kind"], result.answer["unit"], result.slots["lang"]) == (
        "routing",
        unit_of(entry.id),
        lang,
    )


@pytest.mark.parametrize(
    "question", ["und heute?", "and now?", "und wie ist es aktuell?", "und danach?", "and after that?"]
)
def test_und_heute_answers_the_case_for_today_after_an_answer_for_another_day(
    run_action: RunAction, make_tracker: MakeTracker, question: str
) -> None:
    tracker = make_tracker(
        question, "out_of_scope", as_of="2025-06-15", **{**REACTIVATION_CASE, "last_topic": None}
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert (result.answer["topic"], result.answer["unit"]) == (
        "asu_telefon_reaktivierung",
        unit_of("asu_telefon_reaktivierung"),
    )
    assert result.slots["as_of"] is None


@pytest.mark.parametrize("question", ["und vorher?", "wer hat das davor gemacht?", "who did it before?"])
def test_und_vorher_answers_the_case_before_the_last_answers_rule_began(
    run_action: RunAction, make_tracker: MakeTracker, question: str
) -> None:
    """The rule of the last answer began on 01.07.2025; before it the task was split (section 2.2)."""
    result = run_action(ActionAnswerOutOfScope, make_tracker(question, "out_of_scope", **REACTIVATION_CASE))
    assert result.answer["topic"] == "asu_telefon_reaktivierung_bis_juni_2025"
    assert result.slots["as_of"] == "2025-06-30"


def test_warum_gives_the_reason_the_instruction_states(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    result = run_action(ActionAnswerWhy, make_tracker("warum?", "ask_why", **REACTIVATION_CASE))
    reason = guides.by_id["asu_telefon_reaktivierung"].answer.reason
    assert reason is not None and result.first_line == f"Grund: {reason.de}"
    assert "Trennung" in result.first_line


def test_warum_without_a_stated_reason_explains_the_answer_instead(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The RD's duties come with no reason: a bare "warum?" shows which conditions led to the entry."""
    tracker = make_tracker(
        "warum?", "ask_why", subject="duties_rd", last_topic="aufgaben_regionaldirektionen"
    )
    result = run_action(ActionAnswerWhy, tracker)
    assert result.first_line.startswith("Warum diese Antwort")


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("wer hat die unterschrieben?", "Unterzeichnung"),
        ("gibt es dafür eine Ansprechpartnerin?", "Ansprechperson"),
    ],
)
def test_a_detail_the_instruction_never_gives_is_said_to_be_unsettled(
    run_action: RunAction, make_tracker: MakeTracker, question: str, label: str
) -> None:
    tracker = make_tracker(question, "out_of_scope", subject="instruction", last_topic="weisung_ueberblick")
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.first_line.startswith(f"Dazu ({label}) sagen die Leitfäden nichts")


def test_bis_wann_without_a_deadline_says_how_long_the_rule_applies(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "bis wann?", "ask_validity", subject="instruction", last_topic="weisung_ueberblick"
    )
    result = run_action(ActionAnswerValidity, tracker)
    assert result.first_line == "Gilt ab 26.05.2025 – gültig bis: unbegrenzt (kein Enddatum)."


def test_welche_frist_where_none_is_named_is_unsettled_not_the_validity(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "welche frist gilt da?",
        "ask_validity",
        subject="appointment_cancellation",
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerValidity, tracker)
    assert result.answer["kind"] == "not_covered" and result.first_line.startswith("Dazu (Frist)")


def test_a_follow_up_on_a_related_entrys_subject_stays_in_the_thread(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After "the site postboxes take no e-mail", "who set up the block?" is read as the e-mail-block
    question by the NLU; the block is the answer's related entry, so its detail answers."""
    tracker = make_tracker(
        "who set up the block?",
        "ask_email_block",
        subject="free_emails_site_postbox",
        last_topic="freie_emails_ab_juli_2025",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "sperre_liegenschaftspostfaecher"
    assert result.first_line.startswith("Carried out by: centrally")


def test_a_detail_every_candidate_shares_is_answered_without_asking_back(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """The kind of postbox is open, but from each the sender gets the same undeliverable notice."""
    tracker = make_tracker(
        "what happens when a customer e-mails a postbox that has been blocked?", "ask_email_block"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "funktion_email_kommunikation"
    sender_gets = guides.by_id["funktion_email_kommunikation"].answer.sender_gets
    assert sender_gets is not None and result.first_line == f"The sender receives: {sender_gets.en}"


def test_a_detail_the_candidates_differ_on_still_asks_back(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """Whether the block is mandatory differs by postbox (kept, mandatory, released): Lotse asks which."""
    result = run_action(ActionAnswerGuide, make_tracker("ist die Sperre Pflicht?", "ask_email_block"))
    assert result.answer["kind"] == "clarify"


def test_an_unsure_question_for_a_detail_never_in_the_guides_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "how many e-mails did the site postboxes receive per month?",
        "nlu_fallback",
        intent_ranking=[
            ("ask_free_emails_site_postbox", 0.28),
            ("ask_email_block", 0.2),
            ("out_of_scope", 0.1),
        ],
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.first_line.startswith("The guides say nothing about that (Volumes and figures)")


def test_a_language_named_in_a_question_is_no_request_to_switch(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "Terminabsage kam in Englisch" describes the case; it is not "in English please"."""
    tracker = make_tracker(
        "Terminabsage kam in Englisch – wer?", "ask_appointment_cancellation", **REACTIVATION_CASE
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["topic"], result.slots["lang"]) == ("kontaktformular_termine", "de")


def test_vorher_inside_a_question_of_its_own_is_no_step_back(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Kundin hat angerufen und vorher ein Kontaktformular geschickt – wer bearbeitet die Terminabsage?",
        "ask_appointment_cancellation",
        **REACTIVATION_CASE,
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "kontaktformular_termine" and result.slots["as_of"] is None


def test_a_shared_detail_leaves_no_question_pending(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """Nothing was asked back, so a following "ja" must not answer a question about postboxes."""
    tracker = make_tracker(
        "Was passiert, wenn ein Kunde an ein gesperrtes Postfach schreibt?", "ask_email_block"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "funktion_email_kommunikation"
    assert (result.slots["pending_condition"], result.slots["last_topic"]) == (
        None,
        "funktion_email_kommunikation",
    )


@pytest.mark.parametrize(
    ("question", "intent", "label"),
    [
        (
            "Which of the VCC postboxes is the one for Bavaria?",
            "ask_appointment_request_av",
            "Assignment to regions",
        ),
        ("what's the phone number of the RIM?", "ask_eakte_request", "Phone number"),
    ],
)
def test_a_question_of_its_own_for_a_detail_never_in_the_guides_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, question: str, intent: str, label: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(question, intent))
    assert result.answer["kind"] == "not_covered"
    assert result.first_line.startswith(f"The guides say nothing about that ({label}")


def test_a_customers_phone_number_is_no_question_for_one(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Kunde hat seine Telefonnummer online geändert – wer bearbeitet das?", "ask_master_data_change"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "stammdaten_online")


def test_a_number_that_is_no_phone_number_is_asked_as_it_is(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker("number of VCC mailboxes for contact forms", "ask_appointment_request_av")
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "kontaktformular_termine")


# --- the thread: a short question right after an answer ----------------------------------


def _answered(topic: str) -> dict[str, object]:
    """The bot event of a routing reply that answered from `topic`."""
    return answered(topic, kind="routing")


@pytest.mark.parametrize(
    ("question", "action", "intent", "ranking"),
    [
        ("und wie läuft das?", ActionAnswerOutOfScope, "out_of_scope", [("out_of_scope", 0.47)]),
        (
            "with which tool?",
            ActionAnswerOutOfScope,
            "nlu_fallback",
            [("ask_why", 0.35), ("out_of_scope", 0.14)],
        ),
        # a follow-up intent without the words that ask it: no "why?", no source
        ("who works in them?", ActionAnswerWhy, "ask_why", [("ask_why", 0.38), ("out_of_scope", 0.16)]),
        ("und welche sind das?", ActionAnswerSource, "ask_source", [("ask_source", 0.4)]),
    ],
)
def test_a_short_question_the_nlu_cannot_place_is_about_the_last_answer(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    question: str,
    action: type,
    intent: str,
    ranking: list[tuple[str, float]],
) -> None:
    """The last answer's entry again, verdict first: what staff ask right after it is in it."""
    tracker = make_tracker(
        question,
        intent,
        intent_ranking=ranking,
        said_before=["Terminanfrage AV per Kontaktformular – wer?"],
        events_before=[_answered("kontaktformular_termine")],
        subject="contact_form",
        last_topic="kontaktformular_termine",
    )
    result = run_action(action, tracker)
    entry = guides.by_id["kontaktformular_termine"]
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", entry.id)
    assert result.first_line == entry.text.get(result.answer["lang"]).verdict


@pytest.mark.parametrize(
    ("question", "ranking", "replied"),
    [
        # off-topic, and sure of it
        ("btw what's the weather in Berlin today?", [("out_of_scope", 0.96)], "kontaktformular_termine"),
        # unsure, but nothing in it points back to the answer
        ("Wo ist die Kantine?", [("out_of_scope", 0.5)], "kontaktformular_termine"),
        ("Wann ist Mittagspause?", [("out_of_scope", 0.45)], "kontaktformular_termine"),
        ("ok", [("nlu_fallback", 0.3), ("affirm", 0.25)], "kontaktformular_termine"),
        # it points back, but the reply just before was no answer ("Danke" – "Gern geschehen")
        ("wer macht das?", [("out_of_scope", 0.45)], None),
        # unsure, but no short question
        (
            "mein Kollege meinte heute früh beim Kaffee, dass morgen wieder alles anders wird",
            [("out_of_scope", 0.5)],
            "kontaktformular_termine",
        ),
    ],
)
def test_off_topic_or_not_right_after_an_answer_stays_out_of_scope(
    run_action: RunAction,
    make_tracker: MakeTracker,
    question: str,
    ranking: list[tuple[str, float]],
    replied: str | None,
) -> None:
    before = [_answered(replied)] if replied else [{"event": "bot", "text": "Gern geschehen."}]
    tracker = make_tracker(
        question,
        "out_of_scope",
        intent_ranking=ranking,
        said_before=["Danke"],
        events_before=before,
        last_topic="kontaktformular_termine",
    )
    assert run_action(ActionAnswerOutOfScope, tracker).answer["kind"] == "out_of_scope"


@pytest.mark.parametrize(
    ("question", "action", "intent"),
    [
        ("Reasons?", ActionAnswerWhy, "ask_why"),
        ("Gründe?", ActionAnswerWhy, "ask_why"),
        ("Sources?", ActionAnswerSource, "ask_source"),
        ("Quellenangabe?", ActionAnswerSource, "ask_source"),
        ("Wann?", ActionAnswerValidity, "ask_validity"),
        ("When does this take effect?", ActionAnswerValidity, "ask_validity"),
    ],
)
def test_a_follow_up_that_asks_in_its_own_words_is_believed(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, question: str, action: type, intent: str
) -> None:
    """Not the last answer again: the reason, the source, the validity."""
    tracker = make_tracker(
        question,
        intent,
        intent_ranking=[(intent, 0.8)],
        events_before=[_answered("asu_telefon_reaktivierung")],
        last_topic="asu_telefon_reaktivierung",
    )
    result = run_action(action, tracker)
    entry = guides.by_id["asu_telefon_reaktivierung"]
    assert result.first_line != entry.text.get(result.answer["lang"]).verdict


def test_a_why_that_says_why_is_still_a_why(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "warum die EZ?", "ask_why", intent_ranking=[("ask_why", 0.9)], last_topic="kontaktformular_termine"
    )
    result = run_action(ActionAnswerWhy, tracker)
    assert result.first_line != guides.by_id["kontaktformular_termine"].text.de.verdict
    assert result.first_line.startswith(("Warum diese Antwort", "Grund:"))


def test_an_inform_with_nothing_asked_is_the_question_the_ranking_holds(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "und per Mail ans Liegenschaftspostfach?" read as inform, nothing pending: not "Alles klar"."""
    tracker = make_tracker(
        "und per mail ans liegenschaftspostfach?",
        "inform",
        intent_ranking=[("inform", 0.64), ("ask_free_emails_site_postbox", 0.27)],
        subject="appointment_request_bb",
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "freie_emails_ab_juli_2025"


def test_a_yes_with_nothing_asked_is_no_question(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "ja, Terminanfrage" (affirm) after an answer: no contact-form answer nobody asked for."""
    tracker = make_tracker(
        "ja, Terminanfrage",
        "affirm",
        intent_ranking=[("affirm", 0.56), ("ask_appointment_request_av", 0.25)],
        last_topic="asu_telefon_reaktivierung",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.text.startswith("Alles klar") and not result.message["custom"]


def test_a_language_switch_after_a_detail_gives_that_detail_again(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "in welchem System?" answered, then "and in English please": the detail, not the whole case."""
    german = run_action(
        ActionAnswerOutOfScope,
        make_tracker(
            "mit welchem Formular?", "out_of_scope", subject="eakte_rules", last_topic="eakte_regelwerk"
        ),
    )
    english = run_action(
        ActionAnswerSmallTalk,
        make_tracker(
            "and in English please",
            "help",
            said_before=["mit welchem Formular?"],
            subject="eakte_rules",
            last_topic="eakte_regelwerk",
        ),
    )
    assert german.answer["topic"] == english.answer["topic"] == "eakte_antrag"
    assert english.answer["lang"] == "en" and english.first_line != german.first_line
    assert "SGBIII_Änderungsformular" in english.first_line


def test_a_deadline_in_words_is_given_in_the_language_asked(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "bis wann?" after the team postboxes' block: the EZ's deadline, and that the others have none."""
    for question, lang, words in [
        ("bis wann?", "de", ["01.07.2025", "keine Frist"]),
        ("by when?", "en", ["1 July 2025", "no deadline"]),
    ]:
        tracker = make_tracker(
            question, "out_of_scope", subject="email_block", last_topic="sperre_team_organisationspostfaecher"
        )
        result = run_action(ActionAnswerOutOfScope, tracker)
        assert result.answer["lang"] == lang and all(word in result.first_line for word in words)


def test_whether_the_block_must_stay_is_its_obligation(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "muss die Sperre danach aktiv bleiben?" after the site postboxes' block: it is to be kept."""
    tracker = make_tracker(
        "muss die Sperre danach aktiv bleiben?",
        "ask_email_block",
        subject="email_block",
        postbox="site",
        last_topic="sperre_liegenschaftspostfaecher",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.first_line.startswith("Pflicht oder Empfehlung") and "beizubehalten" in result.first_line
