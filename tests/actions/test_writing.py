"""An Outcome written for Rasa: the reply as AnswerWriter writes it, the slots as events, lang last."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.outcome import DROPPED, Canned, Outcome, Validity, WholeEntry, resolve_case
from actions.writing import render, write, write_failure
from bot.answering.answers import AnswerWriter
from bot.answering.guides import Guides
from bot.answering.responses import Responses
from tests.conftest import TODAY


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def test_one_message_and_the_slots_in_order_language_last(writer: AnswerWriter, guides: Guides) -> None:
    query = {"subject": "job_seeker_registration", "channel": "phone"}
    _, outcome = resolve_case(guides, query, 1, None, TODAY)  # asks for the customer's history
    reply = render(outcome.say, "de", writer)
    dispatcher = CollectingDispatcher()
    events = write(dispatcher, reply, outcome, "de")
    [message] = dispatcher.messages
    assert message["text"] == reply.text and message["custom"] == reply.payload
    assert message["buttons"] == reply.buttons and reply.payload["answer"]["asks"] == "customer"
    assert events == [
        *(_slot(key, query.get(key)) for key in guides.vocabulary.conditions),
        _slot("pending_condition", "customer"),
        _slot("clarify_tries", 1),
        _slot("as_of", None),
        _slot("last_topic", None),
        _slot("lang", "de"),
    ]


def test_each_reply_is_the_answer_writers(writer: AnswerWriter, guides: Guides) -> None:
    entry = guides.by_id["kontaktformular_termine"]
    assert render(WholeEntry(entry, TODAY, TODAY), "en", writer) == writer.entry_reply(
        entry, "en", TODAY, TODAY
    )
    assert render(Validity(entry, True), "de", writer) == writer.validity_reply(entry, "de", with_detail=True)
    canned = Canned("utter_out_of_scope", kind="out_of_scope")
    assert render(canned, "de", writer) == writer.simple_reply(
        "utter_out_of_scope", "de", kind="out_of_scope"
    )


def test_a_reply_without_payload_sends_none(writer: AnswerWriter) -> None:
    dispatcher = CollectingDispatcher()
    outcome = Outcome(Canned("utter_help"), DROPPED)
    events = write(dispatcher, render(outcome.say, "en", writer), outcome, "en")
    [message] = dispatcher.messages
    assert message["custom"] == {} and message["buttons"] == []
    assert events == [_slot("pending_condition", None), _slot("clarify_tries", 0), _slot("lang", "en")]


def test_forgetting_resets_every_slot_then_keeps_the_language(writer: AnswerWriter) -> None:
    outcome = Outcome(Canned("utter_restart"), forget=True)
    events = write(CollectingDispatcher(), render(outcome.say, "de", writer), outcome, "de")
    assert events == [{"event": "reset_slots", "timestamp": None}, _slot("lang", "de")]


def test_a_failure_says_so_in_the_conversations_language(responses: Responses) -> None:
    dispatcher = CollectingDispatcher()
    assert write_failure(dispatcher, responses, "en") == [_slot("lang", "en")]
    assert dispatcher.messages[0]["text"] == responses.text("utter_internal_error", "en")
