"""The next instruction through the actions (no Rasa): a question before and after its first day.

The guides are the worked example of tests/bot/answering/test_instructions.py (a fictitious
instruction 202612001 from 01.01.2027 that hands online master-data changes to the SC); the
question is read, resolved and written as the action server does, with "today" pinned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions import ActionAnswerGuide
from bot.answering.responses import Responses
from bot.answering.store import GuideStore
from tests.bot.answering.test_instructions import AFTER, BEFORE, NEW, add_new_instruction
from tests.conftest import GuideCopy, MakeTracker

QUESTION = "Wer bearbeitet online geänderte Stammdaten?"


def ask(
    guide_copy: GuideCopy,
    responses: Responses,
    make_tracker: MakeTracker,
    today: dt.date,
    question: str = QUESTION,
    **slots: Any,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The reply's text, its answer payload and the slots it sets, for `question` on `today`."""
    action = ActionAnswerGuide(GuideStore(guide_copy.path), responses, lambda: today)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(question, "ask_master_data_change", **slots)
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    set_slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return message["text"], message["custom"]["answer"], set_slots


def test_before_the_change_the_action_answers_todays_rule_and_announces_the_next(
    guide_copy: GuideCopy, responses: Responses, make_tracker: MakeTracker
) -> None:
    add_new_instruction(guide_copy)
    text, answer, slots = ask(guide_copy, responses, make_tracker, BEFORE)
    assert text.startswith("EZ – online geänderte persönliche (Stamm-)Daten")
    assert (
        "\nAb 01.01.2027: SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center.\n" in text
    )
    assert text.endswith(f"Quelle: Weisung {NEW}, Abschnitt 1 (Neuordnung) – Gesprächsleitfaden EZ SGB III")
    assert answer["topic"] == "stammdaten_online" and answer["upcoming"]["topic"] == "stammdaten_online_2027"
    assert slots["last_topic"] == "stammdaten_online"


def test_after_the_change_the_action_answers_the_new_rule(
    guide_copy: GuideCopy, responses: Responses, make_tracker: MakeTracker
) -> None:
    add_new_instruction(guide_copy)
    text, answer, slots = ask(guide_copy, responses, make_tracker, AFTER)
    assert text.startswith("SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center.")
    assert f"Quelle: Weisung {NEW}, Abschnitt 1" in text
    assert (answer["unit"], answer["source"]["document"], answer["upcoming"]) == (
        "SC",
        f"Weisung {NEW}",
        None,
    )
    assert slots["last_topic"] == "stammdaten_online_2027"


def test_the_unchanged_guides_answer_as_before(
    guide_copy: GuideCopy, responses: Responses, make_tracker: MakeTracker
) -> None:
    text, answer, _ = ask(guide_copy, responses, make_tracker, BEFORE)
    assert "Ab 01.01.2027" not in text and answer["upcoming"] is None
    assert answer["source"]["document"] == "Weisung 202505010"


def test_asked_for_a_day_after_the_change_the_action_answers_the_new_rule_as_of_then(
    guide_copy: GuideCopy, responses: Responses, make_tracker: MakeTracker
) -> None:
    add_new_instruction(guide_copy)
    question = "Wer bearbeitet am 15.01.2027 online geänderte Stammdaten?"
    text, answer, slots = ask(guide_copy, responses, make_tracker, BEFORE, question)
    assert text.startswith("Stand 15.01.2027: SC – online geänderte Stammdaten bearbeitet ab 2027")
    assert answer["topic"] == "stammdaten_online_2027" and slots["as_of"] == "2027-01-15"
