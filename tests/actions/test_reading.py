"""The tracker read once into a Question: what each part of Rasa's tracker becomes."""

from __future__ import annotations

import datetime as dt

from actions.reading import read_language, read_question
from bot.answering.guides import Guides
from bot.answering.question import Earlier, Handler
from tests.conftest import TODAY, MakeTracker


def test_a_typed_question_in_its_conversation(guides: Guides, make_tracker: MakeTracker) -> None:
    tracker = make_tracker(
        "und wenn er früher schon mal Alo war?",
        "ask_job_seeker_registration",
        intent_ranking=[("nlu_fallback", 0.7), ("ask_job_seeker_registration", 0.6), ("out_of_scope", 0.1)],
        said_before=["telefonische ASU – wer?"],
        events_before=[
            {"event": "bot", "data": {"custom": {"answer": {"topic": "asu_telefon_ohne_status"}}}}
        ],
        subject="job_seeker_registration",
        channel="phone",
        customer="new",
        pending_condition=None,
        last_topic="asu_telefon_ohne_status",
        as_of="2025-06-30",
        clarify_tries=1,
    )
    question = read_question(tracker, guides, Handler.GUIDE, "de", TODAY)
    assert (question.handler, question.intent, question.lang, question.today) == (
        Handler.GUIDE,
        "ask_job_seeker_registration",
        "de",
        TODAY,
    )
    assert question.text == "und wenn er früher schon mal Alo war?"
    # the FallbackClassifier's own entry is no reading of the message
    assert question.ranking == (("ask_job_seeker_registration", 0.6), ("out_of_scope", 0.1))
    assert question.said == {"customer": "reactivation"} == question.stated
    assert question.case == {"subject": "job_seeker_registration", "channel": "phone", "customer": "new"}
    assert (question.pending, question.clarify_tries, question.as_of) == (None, 1, dt.date(2025, 6, 30))
    assert question.last is guides.by_id["asu_telefon_ohne_status"]
    assert question.last_reply_topic == "asu_telefon_ohne_status"
    assert question.earlier == Earlier("telefonische ASU – wer?", None)
    assert question.day is None and not question.only_markup


def test_a_click_is_its_intent_and_entities_only(guides: Guides, make_tracker: MakeTracker) -> None:
    """A button sends `/inform{...}`: no words to read; only condition values of the vocabulary count."""
    tracker = make_tracker(
        '/inform{"customer": "reactivation"}',
        "inform",
        entities=[
            {"entity": "customer", "value": "reactivation"},
            {"entity": "channel", "value": {"not": "a value"}},  # typed JSON can carry anything
            {"entity": "weather", "value": "sunny"},
        ],
    )
    question = read_question(tracker, guides, Handler.GUIDE, "de", TODAY)
    assert question.text == "" and question.said == {}
    assert question.clicked == {"customer": "reactivation"} == question.stated
    assert question.earlier is None and question.last is None and question.last_reply_topic is None


def test_an_entity_overrules_what_the_words_state(guides: Guides, make_tracker: MakeTracker) -> None:
    tracker = make_tracker(
        "kam per Post",
        "inform",
        entities=[{"entity": "channel", "value": "online"}],
        pending_condition="channel",
    )
    question = read_question(tracker, guides, Handler.GUIDE, "de", TODAY)
    assert question.said == {"channel": "offline"}
    assert question.stated == {"channel": "online"} and question.pending == "channel"


def test_a_date_the_question_asks_about(guides: Guides, make_tracker: MakeTracker) -> None:
    question = read_question(
        make_tracker("Was galt am 15.06.2025?", "ask_at_date"), guides, Handler.GUIDE, "de", TODAY
    )
    assert question.day == dt.date(2025, 6, 15)


def test_pasted_markup_is_not_read(guides: Guides, make_tracker: MakeTracker) -> None:
    tracker = make_tracker("<script>alert('telefonische ASU per Post')</script>", "affirm")
    question = read_question(tracker, guides, Handler.GUIDE, "de", TODAY)
    assert question.only_markup and question.said == {} and question.day is None


def test_the_language_asked_for_then_the_messages_then_the_conversations(
    guides: Guides, make_tracker: MakeTracker
) -> None:
    assert read_language(make_tracker("in English please", "help", lang="de"), guides) == "en"
    assert read_language(make_tracker("who handles a phone ASU?", "x", lang="de"), guides) == "en"
    assert read_language(make_tracker("/affirm", "affirm", lang="en"), guides) == "en"
    assert read_language(make_tracker("/affirm", "affirm"), guides) == "de"
