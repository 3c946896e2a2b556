"""Greetings, thanks, help and questions from elsewhere: texts from domain.yml, in the user's language."""

from __future__ import annotations

import pytest

from actions import ActionAnswerOutOfScope, ActionAnswerSmallTalk
from bot.answering.responses import Responses
from tests.conftest import ASKED_FOR_CUSTOMER, MakeTracker, RunAction
from tests.rules import real_guides, unit_of

SMALL_TALK = [
    ("greet-de", "Hallo", "greet", None, "de", "utter_greet"),
    ("greet-en", "hello", "greet", None, "en", "utter_greet"),
    ("goodbye-de", "Danke, bis dann", "goodbye", None, "de", "utter_goodbye"),
    ("goodbye-en", "bye, thanks", "goodbye", None, "en", "utter_goodbye"),
    ("thank-de", "danke", "thank", None, "de", "utter_thank"),
    ("thank-en", "thank you", "thank", None, "en", "utter_thank"),
    ("help-de", "Was kann ich dich fragen?", "help", None, "de", "utter_help"),
    ("help-en", "What can you do?", "help", None, "en", "utter_help"),
    # the words do not decide: the conversation's language is kept, German for a new one
    ("undecided-keeps-en", "Lotse 👋", "greet", "en", "en", "utter_greet"),
    ("undecided-new-conversation", "Lotse?", "help", None, "de", "utter_help"),
    # an intent without its own response gets the help text
    ("other-intent-gets-help", "Wer bist du?", "ask_weather", None, "de", "utter_help"),
]


@pytest.mark.parametrize(
    ("text", "intent", "slot_lang", "lang", "response"),
    [c[1:] for c in SMALL_TALK],
    ids=[c[0] for c in SMALL_TALK],
)
def test_small_talk_answers_from_domain(
    run_action: RunAction,
    make_tracker: MakeTracker,
    responses: Responses,
    text: str,
    intent: str,
    slot_lang: str | None,
    lang: str,
    response: str,
) -> None:
    result = run_action(ActionAnswerSmallTalk, make_tracker(text, intent, lang=slot_lang))
    assert result.text == responses.text(response, lang)
    assert result.message["buttons"] == []
    assert result.message["custom"] == {}  # small talk carries no answer payload
    assert result.slots == {"lang": lang}


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Wie wird das Wetter morgen?", "de"), ("Can you book me a flight to Rome?", "en"), ("asdf qwer", "de")],
    ids=["de", "en", "gibberish-new-conversation"],
)
def test_out_of_scope(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, lang: str
) -> None:
    tracker = make_tracker(text, "out_of_scope", **ASKED_FOR_CUSTOMER)
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.text == responses.text("utter_out_of_scope", lang)
    answer = result.answer
    assert answer["kind"] == "out_of_scope"
    assert answer["lang"] == lang
    assert answer["topic"] is None and answer["unit"] is None and answer["source"] is None
    # the pending clarifying question is dropped
    assert result.slots == {"lang": lang, "pending_condition": None, "clarify_tries": 0}


def test_small_talk_texts_differ_by_language(responses: Responses) -> None:
    """Both variations exist in domain.yml and are not copies of each other."""
    for name in ("utter_greet", "utter_goodbye", "utter_thank", "utter_help", "utter_out_of_scope"):
        assert responses.text(name, "de") != responses.text(name, "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("wer bearbeitet Insolvenzgeldanträge?", "de"), ("who handles short-time work allowance claims?", "en")],
    ids=["de", "en"],
)
def test_who_handles_a_matter_no_unit_is_assigned_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, lang: str
) -> None:
    """A front-line matter the instruction assigns to no unit: the guides do not say, and the reply
    lists what they do assign — never "kein Thema der Gesprächsleitfäden"."""
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "out_of_scope"))
    assert result.answer["kind"] == "not_covered"
    assert result.text.startswith(responses.text("utter_not_covered", lang))
    assert responses.text("utter_guides_settle", lang) in result.text
    assert all(unit_of(e.id) in result.text for e in real_guides().entries if e.kind == "routing")


@pytest.mark.parametrize(
    "text",
    [
        "Wie hoch ist das Kurzarbeitergeld, wenn der Beschäftigte Kinder hat?",
        "How does an employer apply for Kurzarbeitergeld?",
    ],
    ids=["amount", "how-to-apply"],
)
def test_what_a_benefit_is_or_pays_stays_out_of_scope(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "out_of_scope"))
    assert result.answer["kind"] == "out_of_scope"
