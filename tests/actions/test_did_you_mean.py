"""'Meinten Sie …?': an unsure or out-of-scope reading with guide subjects close behind offers them.

Real domain.yml and guides; each tracker carries an intent ranking as Rasa's NLU gives it (the
FallbackClassifier's `nlu_fallback` on top at its threshold, 0.3), made after what the trained
model gave for these questions (asked through /model/parse), so the tests hold whatever the model.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from actions import ActionAnswerGuide, ActionAnswerOutOfScope
from bot.answering.did_you_mean import OFF_TOPIC_CONFIDENCE
from bot.answering.guides import Guides
from bot.answering.responses import Responses
from tests.conftest import ASKED_FOR_CUSTOMER, ActionResult, MakeTracker, RunAction
from tests.rules import unit_of

Ranking = list[tuple[str, float]]

# the NLU was unsure between two guide subjects (0.302 and 0.267: closer than the ambiguity threshold)
VCC_POSTBOXES: Ranking = [
    ("nlu_fallback", 0.3),
    ("ask_appointment_cancellation", 0.302),
    ("ask_duties_rl_sc", 0.267),
    ("inform", 0.255),
    ("ask_eakte_request", 0.039),
]
# asking nothing both readings hold alike ("wie viele …?" would be answered: both lead to the five
# VCC postboxes, tests/actions/test_understanding.py)
VCC_QUESTION = "VCC-Postfaecher – wer kümmert sich?"
# out_of_scope on top, the rule-set request close behind
WEBSHOP_REQUEST: Ranking = [
    ("out_of_scope", 0.253),
    ("ask_eakte_request", 0.22),
    ("affirm", 0.066),
    ("ask_email_function", 0.04),
]
# master data against "ask_at_date" (the date in it): ambiguous, so nlu_fallback
BANK_DETAILS_ONLINE: Ranking = [
    ("nlu_fallback", 0.3),
    ("ask_master_data_change", 0.432),
    ("ask_at_date", 0.396),
    ("ask_instruction", 0.104),
    ("out_of_scope", 0.031),
]
PHONE_REGISTRATION: Ranking = [
    ("nlu_fallback", 0.3),
    ("new_question", 0.238),
    ("ask_job_seeker_registration", 0.207),
    ("out_of_scope", 0.179),
    ("deny", 0.06),
]

OFF_TOPIC = [
    # id, text, intent, ranking
    (
        "weather",
        "Wie wird das Wetter morgen in Nürnberg?",
        "out_of_scope",
        [("out_of_scope", 0.658), ("ask_why", 0.047), ("ask_change_notice", 0.03)],
    ),
    (
        "guide-intent-below-half-of-top",
        "what's 17 times 23",
        "out_of_scope",
        [("out_of_scope", 0.574), ("ask_instruction", 0.25), ("ask_at_date", 0.171)],
    ),
    (
        "unsure-but-guide-intents-too-weak",
        "Outlook startet nicht mehr, was kann ich tun?",
        "nlu_fallback",
        [("nlu_fallback", 0.3), ("ask_email_block", 0.145), ("ask_channel_shift", 0.139), ("help", 0.131)],
    ),
    (
        "unsure-between-small-talk",
        "hmmmm",
        "nlu_fallback",
        [("nlu_fallback", 0.3), ("affirm", 0.208), ("greet", 0.153), ("ask_press", 0.02)],
    ),
    ("gibberish-no-ranking", "asdf qwer", "out_of_scope", []),
]


def ask(
    run_action: RunAction, make_tracker: MakeTracker, text: str, ranking: Ranking, **slots: Any
) -> ActionResult:
    intent = ranking[0][0] if ranking else "out_of_scope"
    return run_action(ActionAnswerOutOfScope, make_tracker(text, intent, intent_ranking=ranking, **slots))


def click(run_action: RunAction, make_tracker: MakeTracker, payload: str, **slots: Any) -> ActionResult:
    """Send a button's payload as Rasa reads it: `/intent{entities}`."""
    match = re.fullmatch(r"/(\w+)(\{.*\})?", payload)
    assert match, payload
    entities = [{"entity": k, "value": v} for k, v in json.loads(match[2] or "{}").items()]
    return run_action(ActionAnswerGuide, make_tracker(payload, match[1], entities, **slots))


def options_of(result: ActionResult) -> list[dict[str, Any]]:
    answer = result.answer
    assert (answer["kind"], answer["asks"]) == ("clarify", "topic")
    options: list[dict[str, Any]] = answer["options"]
    return options


def test_unsure_between_two_guide_subjects_offers_both(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, guides: Guides
) -> None:
    result = ask(
        run_action,
        make_tracker,
        VCC_QUESTION,
        VCC_POSTBOXES,
    )
    assert result.text == responses.text("utter_did_you_mean", "de")
    assert result.text.startswith("Meinten Sie")
    labels = guides.vocabulary.conditions["subject"].values
    assert options_of(result) == [
        {
            "title": labels["appointment_cancellation"].get("de"),
            "payload": "/ask_appointment_cancellation",
            "subject": "appointment_cancellation",
            "topic": "kontaktformular_termine",
            "topics": ["kontaktformular_termine"],
        },
        {
            "title": labels["duties_rl_sc"].get("de"),
            "payload": "/ask_duties_rl_sc",
            "subject": "duties_rl_sc",
            "topic": "weitergabe_kontaktformulare",
            "topics": ["weitergabe_kontaktformulare"],
        },
    ]
    # the buttons are the options' titles and payloads (what the widget shows and sends)
    assert result.message["buttons"] == [
        {"title": o["title"], "payload": o["payload"]} for o in options_of(result)
    ]
    answer = result.answer
    assert answer["topic"] is None and answer["unit"] is None and answer["lang"] == "de"
    assert answer["guides_version"] == guides.version


def test_out_of_scope_with_a_guide_subject_close_behind_offers_it(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = ask(run_action, make_tracker, "antrag im webshop", WEBSHOP_REQUEST)
    # ask_email_function (0.04) is below a quarter of the best guide intent: not offered
    assert [(o["payload"], o["topic"]) for o in options_of(result)] == [
        ("/ask_eakte_request", "eakte_antrag")
    ]


def test_conditions_the_question_stated_travel_with_the_click(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    text = (
        "Ein Kunde hat am 10.03.2025 online seine neue Bankverbindung eingetragen – wer bearbeitet das heute?"
    )
    # two readings that both decide by the way stated: offered, each click carrying the way
    ranking = [*BANK_DETAILS_ONLINE[:2], ("ask_change_notice", 0.4), *BANK_DETAILS_ONLINE[2:]]
    option, other = options_of(result := ask(run_action, make_tracker, text, ranking))
    assert result.answer["asks"] == "topic"  # ask_instruction (0.104) is below a quarter of 0.432
    assert option["payload"] == '/ask_master_data_change{"channel": "online"}'
    assert other["payload"] == '/ask_change_notice{"channel": "online"}'
    assert option["topic"] == "stammdaten_online"
    answer = click(run_action, make_tracker, option["payload"])
    assert answer.answer["topic"] == "stammdaten_online"
    assert answer.first_line == guides.by_id["stammdaten_online"].text.get("de").verdict


def test_a_subject_with_an_open_condition_names_every_entry_and_the_click_asks_back(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, guides: Guides
) -> None:
    result = ask(run_action, make_tracker, "phone registration please", PHONE_REGISTRATION)
    assert result.text == responses.text("utter_did_you_mean", "en")
    (option,) = options_of(result)
    assert option["title"] == guides.vocabulary.conditions["subject"].values["job_seeker_registration"].get(
        "en"
    )
    assert option["topic"] is None
    assert option["topics"] == ["asu_telefon_reaktivierung", "asu_telefon_ohne_status"]
    asked = click(run_action, make_tracker, option["payload"], lang="en")
    assert (asked.answer["kind"], asked.answer["asks"]) == ("clarify", "customer")
    assert asked.slots["pending_condition"] == "customer"


def test_every_option_click_answers_the_entry_it_names(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    result = ask(
        run_action,
        make_tracker,
        VCC_QUESTION,
        VCC_POSTBOXES,
    )
    for option in options_of(result):
        answer = click(run_action, make_tracker, option["payload"])
        entry = guides.by_id[option["topic"]]
        assert answer.answer["topic"] == entry.id
        assert answer.first_line == entry.text.get("de").verdict
        assert answer.slots["last_topic"] == entry.id


def test_where_every_likely_subject_leads_to_not_covered_the_answer_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """A contact form about money: no offer leads anywhere but "not covered" — so that is the answer."""
    text = "Über das Kontaktformular fragt jemand, wann sein Arbeitslosengeld überwiesen wird. Wer?"
    ranking: Ranking = [
        ("nlu_fallback", 0.3),
        ("ask_appointment_request_av", 0.292),
        ("ask_job_seeker_registration", 0.188),
        ("ask_change_notice", 0.109),
        ("ask_appointment_cancellation", 0.089),
    ]
    result = ask(run_action, make_tracker, text, ranking)
    assert result.answer["kind"] == "not_covered" and not result.answer.get("options")
    assert result.answer["unit"] is None


def test_markup_is_never_offered_a_topic(run_action: RunAction, make_tracker: MakeTracker) -> None:
    ranking: Ranking = [("out_of_scope", 0.36), ("ask_master_data_change", 0.27), ("ask_eakte_rules", 0.09)]
    result = ask(run_action, make_tracker, "<details open ontoggle=alert(1)>", ranking)
    assert result.answer["kind"] == "out_of_scope"


def test_offering_drops_a_pending_clarifying_question(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = ask(run_action, make_tracker, "antrag im webshop", WEBSHOP_REQUEST, **ASKED_FOR_CUSTOMER)
    assert result.answer["asks"] == "topic"
    assert result.slots == {"lang": "de", "pending_condition": None, "clarify_tries": 0}


@pytest.mark.parametrize(
    ("text", "intent", "ranking"), [c[1:] for c in OFF_TOPIC], ids=[c[0] for c in OFF_TOPIC]
)
def test_clearly_off_topic_stays_out_of_scope(
    run_action: RunAction,
    make_tracker: MakeTracker,
    responses: Responses,
    text: str,
    intent: str,
    ranking: Ranking,
) -> None:
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, intent, intent_ranking=ranking))
    assert result.answer["kind"] == "out_of_scope"
    assert result.message["buttons"] == []
    # off-topic for sure: "kein Thema der Leitfäden"; merely not placed: "nicht sicher verstanden",
    # which the widget shows as a neutral card (payload `understood: false`)
    sure = not ranking or dict(ranking).get("out_of_scope", 0.0) >= OFF_TOPIC_CONFIDENCE
    response = "utter_out_of_scope" if sure else "utter_not_understood"
    assert result.text == responses.text(response, result.answer["lang"])
    assert result.answer.get("understood", True) is sure


# a request or a cancellation of an appointment, by contact form: either way the same entry
SAME_ENTRY_EITHER_WAY: Ranking = [
    ("nlu_fallback", 0.3),
    ("ask_appointment_request_av", 0.506),
    ("ask_appointment_cancellation", 0.477),
    ("ask_appointment_request_bb", 0.016),
]


def test_options_that_all_lead_to_one_entry_are_that_answer(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """A choice between two subjects whose clicks give the same entry would change nothing."""
    tracker = make_tracker(
        "Kundin hat über Kontaktformular einen Termin bei der AV angefragt. welches VCC Postfach?",
        "nlu_fallback",
        intent_ranking=SAME_ENTRY_EITHER_WAY,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "kontaktformular_termine")
    assert result.answer["unit"] == unit_of("kontaktformular_termine")
    assert result.answer["topic"] == "kontaktformular_termine" and not result.message["buttons"]
    assert result.slots["last_topic"] == "kontaktformular_termine"


def test_one_reading_that_the_stated_way_bears_out_is_answered(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The one guide reading (master data, beside a date question), whose rules decide by the way the
    words state (online): answered, not offered as a single button."""
    text = (
        "Ein Kunde hat am 10.03.2025 online seine neue Bankverbindung eingetragen – wer bearbeitet das heute?"
    )
    result = ask(run_action, make_tracker, text, BANK_DETAILS_ONLINE)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "stammdaten_online")
