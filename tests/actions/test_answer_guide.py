"""ActionAnswerGuide: route a question, ask back, take the answer, or say it is not covered."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from actions import ActionAnswerGuide
from actions.answer_guide import MAX_CLARIFY_TRIES
from bot.answering.guides import Guides
from bot.answering.responses import Responses
from tests.conftest import ASKED_FOR_CUSTOMER, TODAY, ActionResult, MakeTracker, RunAction
from tests.rules import unit_of

CONDITION_SLOTS = ("subject", "channel", "customer", "postbox", "matter")


def _assert_entry_answer(result: ActionResult, guides: Guides, entry_id: str, lang: str) -> None:
    """The reply is the entry's: verdict first, payload naming topic, unit, source and validity."""
    entry = guides.by_id[entry_id]
    assert result.first_line == entry.text.get(lang).verdict
    answer = result.answer
    assert answer["kind"] == entry.kind
    assert answer["topic"] == entry_id
    assert answer["unit"] == entry.answer.unit
    assert answer["lang"] == lang
    assert answer["source"]["document"] == "Weisung 202505010"
    assert answer["source"]["section"] == entry.section
    assert answer["valid_from"] == (entry.valid_from.isoformat() if entry.valid_from else None)
    assert result.message["buttons"] == []
    slots = result.slots
    assert slots["last_topic"] == entry_id
    assert slots["pending_condition"] is None
    assert slots["clarify_tries"] == 0
    assert slots["lang"] == lang


# --- new questions --------------------------------------------------------------------

QUESTIONS = [
    # id, text, intent, entities, entry, lang, expected condition slots
    (
        "cancellation-contact-form",
        "Wer bearbeitet Terminabsagen aus dem Kontaktformular?",
        "ask_appointment_cancellation",
        [],
        "kontaktformular_termine",
        "de",
        {
            "subject": "appointment_cancellation",
            "channel": "contact_form",
            "customer": None,
            "postbox": None,
            "matter": "appointment",
        },
    ),
    (
        "former-alo-customer",
        "Ehemaliger Alo-Kunde meldet sich telefonisch arbeitsuchend – wer ist zuständig?",
        "ask_job_seeker_registration",
        [],
        "asu_telefon_reaktivierung",
        "de",
        {
            "subject": "job_seeker_registration",
            "channel": "phone",
            "customer": "reactivation",
            "postbox": None,
            "matter": None,
        },
    ),
    (
        "stated-phone-overrides-intent",
        "Kunde sagt den Termin telefonisch ab, wer macht das?",
        "ask_appointment_cancellation",
        [],
        "terminabsage_telefon",
        "de",
        {
            "subject": "appointment_cancellation",
            "channel": "phone",
            "customer": None,
            "postbox": None,
            "matter": "appointment",
        },
    ),
    (
        "master-data-by-letter",
        "Wer bearbeitet Stammdaten, die per Post kommen?",
        "ask_master_data_change",
        [],
        "veraenderung_nicht_online",
        "de",
        {
            "subject": "master_data_change",
            "channel": "offline",
            "customer": None,
            "postbox": None,
            "matter": None,
        },
    ),
    (
        "english-cancellation",
        "Who handles appointment cancellations sent via the contact form?",
        "ask_appointment_cancellation",
        [],
        "kontaktformular_termine",
        "en",
        {
            "subject": "appointment_cancellation",
            "channel": "contact_form",
            "customer": None,
            "postbox": None,
            "matter": "appointment",
        },
    ),
    (
        "english-ez-postbox",
        "Does the block affect the postboxes of the EZ?",
        "ask_email_block",
        [],
        "sperre_ez_postfaecher",
        "en",
        {"subject": "email_block", "channel": None, "customer": None, "postbox": "ez", "matter": None},
    ),
    (
        "entity-states-customer",
        "Wer macht die telefonische ASU?",
        "ask_job_seeker_registration",
        [{"entity": "customer", "value": "new"}],
        "asu_telefon_ohne_status",
        "de",
        {
            "subject": "job_seeker_registration",
            "channel": "phone",
            "customer": "new",
            "postbox": None,
            "matter": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("text", "intent", "entities", "entry_id", "lang", "condition_slots"),
    [c[1:] for c in QUESTIONS],
    ids=[c[0] for c in QUESTIONS],
)
def test_question_is_answered_from_its_entry(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    text: str,
    intent: str,
    entities: list[dict[str, str]],
    entry_id: str,
    lang: str,
    condition_slots: dict[str, str | None],
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent, entities))
    _assert_entry_answer(result, guides, entry_id, lang)
    assert {slot: result.slots[slot] for slot in CONDITION_SLOTS} == condition_slots


def test_routing_question_gives_ez_with_source_and_date(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = run_action(
        ActionAnswerGuide,
        make_tracker("Wohin gehen Terminabsagen aus dem Kontaktformular?", "ask_appointment_cancellation"),
    )
    answer = result.answer
    assert (answer["kind"], answer["unit"], answer["topic"]) == (
        "routing",
        unit_of("kontaktformular_termine"),
        "kontaktformular_termine",
    )
    assert answer["valid_from"] == "2025-07-01"
    assert answer["source"]["section"] == "2.2"
    assert "VCC" in answer["where"]
    assert result.lines[-1].startswith("Quelle: Weisung 202505010, Abschnitt 2.2")
    assert result.slots["last_topic"] == "kontaktformular_termine"
    assert result.events[-1] == {"event": "slot", "timestamp": None, "name": "lang", "value": "de"}


def test_registration_without_a_way_asks_for_the_way(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """Section 2.2 settles the phone registration only: a returning customer's ASU whose way nobody
    said is asked for it, never answered as a phone call."""
    tracker = make_tracker(
        "Ex-Alo will sich wieder arbeitsuchend melden, wer macht das?", "ask_job_seeker_registration"
    )
    result = run_action(ActionAnswerGuide, tracker)
    condition = guides.vocabulary.conditions["channel"]
    assert condition.question is not None
    assert result.first_line == condition.question.de
    assert result.answer["kind"] == "clarify"
    assert result.answer["asks"] == "channel"
    assert {"channel": "phone"} in [
        json.loads(b["payload"][len("/inform") :]) for b in result.message["buttons"]
    ]
    slots = result.slots
    assert slots["pending_condition"] == "channel"
    assert slots["customer"] == "reactivation"
    assert slots["channel"] is None


def test_question_without_cue_asks_for_the_customer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker("Wer bearbeitet die telefonische ASU?", "ask_job_seeker_registration")
    result = run_action(ActionAnswerGuide, tracker)
    condition = guides.vocabulary.conditions["customer"]
    assert condition.question is not None
    assert result.first_line == condition.question.de
    buttons = result.message["buttons"]
    assert len(buttons) == 2
    assert [json.loads(b["payload"][len("/inform") :]) for b in buttons] == [
        {"customer": "reactivation"},
        {"customer": "new"},
    ]
    assert result.answer["kind"] == "clarify"
    assert result.answer["asks"] == "customer"
    slots = result.slots
    assert slots["pending_condition"] == "customer"
    assert slots["subject"] == "job_seeker_registration"
    assert slots["customer"] is None
    assert slots["clarify_tries"] == 0
    assert slots["last_topic"] is None  # "Warum?" now has no entry to explain


# --- answers to the clarifying question ------------------------------------------------

FOLLOW_UPS = [
    ("typed-yes", "ja", "affirm", [], "asu_telefon_reaktivierung", "reactivation"),
    ("typed-no", "nein", "deny", [], "asu_telefon_ohne_status", "new"),
    (
        "clicked-new",
        '/inform{"customer": "new"}',
        "inform",
        [{"entity": "customer", "value": "new"}],
        "asu_telefon_ohne_status",
        "new",
    ),
    (
        "clicked-reactivation",
        '/inform{"customer": "reactivation"}',
        "inform",
        [{"entity": "customer", "value": "reactivation"}],
        "asu_telefon_reaktivierung",
        "reactivation",
    ),
    (
        "typed-cue",
        "der war früher schon arbeitslos",
        "inform",
        [],
        "asu_telefon_reaktivierung",
        "reactivation",
    ),
    ("typed-value-beats-yes", "ja, Neukunde", "affirm", [], "asu_telefon_ohne_status", "new"),
]


@pytest.mark.parametrize(
    ("text", "intent", "entities", "entry_id", "customer"),
    [c[1:] for c in FOLLOW_UPS],
    ids=[c[0] for c in FOLLOW_UPS],
)
def test_answer_to_clarifying_question_settles_the_case(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    text: str,
    intent: str,
    entities: list[dict[str, str]],
    entry_id: str,
    customer: str,
) -> None:
    tracker = make_tracker(
        text,
        intent,
        entities,
        lang="de",
        clarify_tries=0.0,
        **ASKED_FOR_CUSTOMER,
    )
    result = run_action(ActionAnswerGuide, tracker)
    _assert_entry_answer(result, guides, entry_id, "de")
    assert result.slots["customer"] == customer
    assert result.slots["subject"] == "job_seeker_registration"


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("nein", "deny", []),
        ('/inform{"customer": "new"}', "inform", [{"entity": "customer", "value": "new"}]),
    ],
    ids=["deny", "inform-entity-new"],
)
def test_new_customer_gets_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, entities: list[dict[str, str]]
) -> None:
    tracker = make_tracker(text, intent, entities, **ASKED_FOR_CUSTOMER)
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.answer["topic"] == "asu_telefon_ohne_status"
    assert result.answer["unit"] is None
    assert result.first_line.startswith("Nicht geregelt")
    assert result.slots["customer"] == "new"
    assert result.slots["pending_condition"] is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kontaktformular zur Auszahlung des Arbeitslosengeldes – wer bearbeitet das?", "de"),
        ("contact form about a benefit payment – who handles it?", "en"),
    ],
)
def test_contact_form_about_another_matter_is_not_covered_but_names_the_appointment_rule(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str, lang: str
) -> None:
    """Filed under an appointment intent, a form that names only money gets no routing answer."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_av", [], lang=lang))
    assert (result.answer["kind"], result.answer["unit"]) == ("not_covered", None)
    assert result.slots["matter"] == "other_matter"
    rule = guides.by_id["kontaktformular_termine"].text.get(lang).verdict
    assert f"• {rule}" in result.text  # what the guides do settle on the subject


def test_button_click_keeps_the_conversation_language(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        '/inform{"customer": "new"}',
        "inform",
        [{"entity": "customer", "value": "new"}],
        lang="en",
        **ASKED_FOR_CUSTOMER,
    )
    result = run_action(ActionAnswerGuide, tracker)
    _assert_entry_answer(result, guides, "asu_telefon_ohne_status", "en")


def test_channel_click_answers_a_channel_question(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        '/inform{"channel": "online"}',
        "inform",
        [{"entity": "channel", "value": "online"}],
        lang="de",
        subject="change_notice",
        pending_condition="channel",
    )
    result = run_action(ActionAnswerGuide, tracker)
    _assert_entry_answer(result, guides, "veraenderungsmitteilung_online", "de")
    assert result.slots["channel"] == "online"


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, ["reactivation"], 5, True, None],
    ids=["object", "list", "number", "bool", "null"],
)
def test_typed_payload_with_a_junk_value_asks_again(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, value: object
) -> None:
    """A typed `/inform{"customer": {...}}` (any JSON) is no answer: the question is asked again."""
    text = "/inform" + json.dumps({"customer": value})
    tracker = make_tracker(
        text,
        "inform",
        [{"entity": "customer", "value": value}],
        lang="de",
        clarify_tries=0.0,
        **ASKED_FOR_CUSTOMER,
    )
    result = run_action(ActionAnswerGuide, tracker)
    condition = guides.vocabulary.conditions["customer"]
    assert condition.question is not None
    assert result.first_line == condition.question.de
    assert result.answer["kind"] == "clarify"
    assert result.slots["clarify_tries"] == 1


def test_two_failed_tries_give_up(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, guides: Guides
) -> None:
    assert MAX_CLARIFY_TRIES == 2
    pending = {"lang": "de", **ASKED_FOR_CUSTOMER}

    first = run_action(
        ActionAnswerGuide, make_tracker("weiß ich nicht", "inform", clarify_tries=0.0, **pending)
    )
    condition = guides.vocabulary.conditions["customer"]
    assert condition.question is not None
    assert first.first_line == condition.question.de
    assert len(first.message["buttons"]) == 2
    assert first.slots["pending_condition"] == "customer"
    assert first.slots["clarify_tries"] == 1

    second = run_action(
        ActionAnswerGuide,
        make_tracker("keine Ahnung", "inform", clarify_tries=first.slots["clarify_tries"], **pending),
    )
    assert second.text == responses.text("utter_clarify_give_up", "de")
    assert second.message["buttons"] == []
    assert second.answer["kind"] == "not_covered"
    assert second.answer["lang"] == "de"
    assert second.slots == {"lang": "de", "pending_condition": None, "clarify_tries": 0}


def test_yes_to_a_question_without_yes_value_counts_as_a_failed_try(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The channel question has no 'yes' value: a typed yes does not settle it."""
    tracker = make_tracker(
        "ja", "affirm", lang="de", subject="master_data_change", pending_condition="channel"
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "clarify"
    assert result.answer["asks"] == "channel"
    assert result.slots["clarify_tries"] == 1


@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("ja", "affirm", "de"),
        ("nein", "deny", "de"),
        ("yes", "affirm", "en"),
        ('/inform{"customer": "new"}', "inform", "de"),
    ],
    ids=["affirm-de", "deny-de", "affirm-en", "click"],
)
def test_answer_with_nothing_pending(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, intent: str, lang: str
) -> None:
    entities = [{"entity": "customer", "value": "new"}] if text.startswith("/") else []
    result = run_action(ActionAnswerGuide, make_tracker(text, intent, entities))
    assert result.text == responses.text("utter_nothing_pending", lang)
    assert result.message["custom"] == {}
    assert result.slots == {"lang": lang}


@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("Wie wird das Wetter morgen?", "ask_weather", "de"),
        ("What is the capital of France?", "nlu_fallback", "en"),
        ("", "", "de"),
    ],
    ids=["unknown-intent-de", "fallback-en", "no-intent"],
)
def test_unknown_intent_is_out_of_scope(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, intent: str, lang: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent or None))
    assert result.text == responses.text("utter_out_of_scope", lang)
    assert result.answer["kind"] == "out_of_scope"
    assert result.answer["lang"] == lang
    assert result.answer["topic"] is None
    assert result.slots == {"lang": lang}


def test_english_question_sets_lang_en(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    result = run_action(
        ActionAnswerGuide,
        make_tracker(
            "Who handles the phone registration of a former Alo customer?",
            "ask_job_seeker_registration",
            lang="de",
        ),
    )
    assert result.slots["lang"] == "en"
    entry = guides.by_id["asu_telefon_reaktivierung"]
    assert result.first_line == entry.text.en.verdict
    assert "Source: Instruction 202505010, section 2.2" in result.text
    assert "Applies from 1 July 2025" in result.text


def test_language_falls_back_to_the_conversation(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """Jargon alone does not decide: the conversation's language is kept."""
    result = run_action(
        ActionAnswerGuide, make_tracker("eAkte Regelwerk 1001 Alg", "ask_eakte_rules", lang="en")
    )
    assert result.slots["lang"] == "en"
    assert result.first_line == guides.by_id["eakte_regelwerk"].text.en.verdict


def test_a_new_question_replaces_old_condition_slots(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Wer bearbeitet Terminabsagen aus dem Kontaktformular?",
        "ask_appointment_cancellation",
        lang="de",
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
        pending_condition="customer",
        last_topic="asu_telefon_reaktivierung",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "kontaktformular_termine"
    assert result.slots["customer"] is None
    assert result.slots["pending_condition"] is None
    assert result.slots["last_topic"] == "kontaktformular_termine"


def test_today_decides_which_entry_answers(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "Wer bearbeitet freie E-Mails an Liegenschaftspostfächer?", "ask_free_emails_site_postbox"
    )
    now = run_action(ActionAnswerGuide, tracker, today=TODAY)
    then = run_action(ActionAnswerGuide, tracker, today=dt.date(2025, 6, 15))
    assert now.answer["topic"] == "freie_emails_ab_juli_2025"
    assert then.answer["topic"] == "freie_emails_bis_juni_2025"
    assert then.answer["unit"] == unit_of("freie_emails_bis_juni_2025")
    assert then.first_line == guides.by_id["freie_emails_bis_juni_2025"].text.de.verdict


def test_rule_not_yet_valid_is_not_covered_with_the_date(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "Kunde hat eine Veränderungsmitteilung online geschickt – wer bearbeitet sie?", "ask_change_notice"
    )
    result = run_action(ActionAnswerGuide, tracker, today=dt.date(2025, 6, 15))
    assert result.answer["kind"] == "not_covered"
    assert "15.06.2025" in result.first_line
    assert result.slots["last_topic"] is None


def test_before_july_a_job_seeker_registration_was_split_between_sc_and_ez(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """The instruction names the former split ("bisherige Trennung"), without saying who did which part."""
    tracker = make_tracker("Ehemaliger Alo-Kunde ruft an – wer macht die ASU?", "ask_job_seeker_registration")
    result = run_action(ActionAnswerGuide, tracker, today=dt.date(2025, 6, 15))
    assert result.answer["topic"] == "asu_telefon_reaktivierung_bis_juni_2025"
    assert result.answer.get("unit") is None  # no unit: the instruction does not say who took which part
    assert "zwischen SC und EZ aufgeteilt" in result.first_line


def test_a_contact_form_question_without_the_words_is_not_believed(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    """ "mit welchem Formular?" read as ask_contact_form is no contact form question (`intent_cues`):
    it gets what an unsure reading gets, never "Geht es in dem Anliegen um einen Termin?"."""
    result = run_action(ActionAnswerGuide, make_tracker("mit welchem Formular?", "ask_contact_form"))
    assert result.answer["kind"] == "out_of_scope"
    assert result.text == responses.text("utter_out_of_scope", "de")


def test_a_contact_form_with_its_matter_open_asks_about_the_matter(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = run_action(
        ActionAnswerGuide, make_tracker("Kontaktformular eingegangen – wer?", "ask_contact_form")
    )
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "matter"
    assert result.slots["pending_condition"] == "matter"


@pytest.mark.parametrize(
    ("text", "kind", "first_line"),
    [
        ("in welchem System werden online-VÄM bearbeitet?", "fact", "Wo: in der EAKTE"),
        # asked with who handles it: the routing answer, which names both
        ("online-VÄM: SC oder EZ, und in welchem System?", "routing", "EZ – "),
    ],
    ids=["where", "who-and-where"],
)
def test_a_question_of_its_own_about_where(
    run_action: RunAction, make_tracker: MakeTracker, text: str, kind: str, first_line: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_change_notice"))
    assert result.answer["kind"] == kind
    assert result.answer["topic"] == "veraenderungsmitteilung_online"
    assert result.text.splitlines()[0].startswith(first_line)


def test_a_setup_step_by_step_is_never_in_the_guides(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    result = run_action(
        ActionAnswerGuide, make_tracker("wie richte ich die ATV-Kalender konkret ein?", "ask_atv_calendar")
    )
    assert result.answer["kind"] == "not_covered"
    assert result.text.startswith(
        responses.text("utter_detail_not_covered", "de", label="Einrichtung im Einzelnen")
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Sperrzeit – SC oder EZ?", "ask_change_notice"),
        ("wer bearbeitet widerspruch telefonisch", "ask_job_seeker_registration"),
        ("wer bearbeitet Anträge auf Arbeitslosengeld, SC oder EZ?", "ask_job_seeker_registration"),
    ],
    ids=["read-as-change-notice", "read-as-phone-registration", "a-benefit-read-as-phone-registration"],
)
def test_an_unassigned_matter_is_not_asked_back_into_another_rule(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, intent: str
) -> None:
    """Asking the channel or the status back would lead into a rule for something else."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "not_covered"
    assert result.text.startswith(responses.text("utter_not_covered", "de"))
    assert result.slots["pending_condition"] is None


def test_a_job_seeker_registration_naming_a_benefit_is_still_asked_back(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The message names the subject itself ("arbeitsuchend"): the benefit is part of the story."""
    text = "Kunde ruft an, will sich arbeitsuchend melden, bekommt noch Alg – wer?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "customer"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("und wenn er nie einen Status hatte?", "out_of_scope"), ("ok danke", None)],
    ids=["a-question", "a-bare-answer"],
)
def test_an_answer_with_nothing_asked(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, kind: str | None
) -> None:
    """A question read as "deny" with nothing pending is no dead end "Alles klar. Was möchten Sie wissen?"."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "deny"))
    if kind is None:
        assert result.text == responses.text("utter_nothing_pending", "de")
    else:
        assert result.text != responses.text("utter_nothing_pending", "de")
        assert result.answer["kind"] == kind
