"""The decision alone: a Question built by hand, no tracker, no dispatcher — the reply and its slots."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import actions
from actions.outcome import DROPPED, Canned, Detail, Found, Outcome, TopicChoice
from actions.resolving import resolve_question
from bot.answering import question as question_module
from bot.answering.engine import Answer, Clarify, stated_in_text
from bot.answering.guides import Guides
from bot.answering.question import Handler, Question
from tests.conftest import TODAY


def ask(guides: Guides, text: str, intent: str, handler: Handler = Handler.GUIDE, **fields: Any) -> Question:
    """A fresh conversation's message as the reader would give it; `fields` set the rest."""
    base = Question(
        handler=handler,
        text=text,
        intent=intent,
        ranking=((intent, 0.9),),
        said=MappingProxyType(stated_in_text(guides, text)),
        clicked=MappingProxyType({}),
        day=None,
        only_markup=False,
        lang="de",
        today=TODAY,
        case=MappingProxyType({}),
        pending=None,
        clarify_tries=0,
        as_of=None,
        last=None,
        last_reply_topic=None,
        earlier=None,
    )
    return dataclasses.replace(base, **fields)


def test_a_question_is_answered_from_its_entry_and_keeps_the_case(guides: Guides) -> None:
    outcome = resolve_question(
        ask(
            guides,
            "Ehemaliger Alo-Kunde meldet sich telefonisch arbeitsuchend – wer?",
            "ask_job_seeker_registration",
        ),
        guides,
    )
    assert isinstance(outcome.say, Found) and isinstance(outcome.say.found, Answer)
    assert outcome.say.found.entry.id == "asu_telefon_reaktivierung"
    slots = dict(outcome.slots)
    assert (slots["subject"], slots["customer"], slots["last_topic"]) == (
        "job_seeker_registration",
        "reactivation",
        "asu_telefon_reaktivierung",
    )


def test_the_thread_comes_before_the_action_rasa_picked(guides: Guides) -> None:
    """A typed answer to the pending question answers it, even read as small talk."""
    question = ask(
        guides,
        "ja, der war 2022 schon mal arbeitslos gemeldet",
        "help",
        Handler.SMALL_TALK,
        case=MappingProxyType({"subject": "job_seeker_registration", "channel": "phone"}),
        pending="customer",
    )
    outcome = resolve_question(question, guides)
    assert isinstance(outcome.say, Found) and isinstance(outcome.say.found, Answer)
    assert dict(outcome.slots)["pending_condition"] is None


def test_a_question_left_open_is_asked_back(guides: Guides) -> None:
    outcome = resolve_question(ask(guides, "telefonische ASU – wer?", "ask_job_seeker_registration"), guides)
    assert isinstance(outcome.say, Found) and isinstance(outcome.say.found, Clarify)
    assert dict(outcome.slots)["pending_condition"] == "customer"


def test_a_detail_every_candidate_shares_is_answered_instead_of_asking(guides: Guides) -> None:
    text = "Was passiert, wenn ein Kunde an ein gesperrtes Postfach schreibt?"
    outcome = resolve_question(ask(guides, text, "ask_email_block"), guides)
    assert isinstance(outcome.say, Detail)
    slots = dict(outcome.slots)
    assert (slots["pending_condition"], slots["last_topic"]) == (None, outcome.say.entry.id)


@pytest.mark.parametrize("handler", list(Handler))
def test_pasted_markup_is_out_of_scope_whatever_the_action(guides: Guides, handler: Handler) -> None:
    question = ask(guides, "<img src=x onerror=alert(1)>", "affirm", handler, only_markup=True)
    assert resolve_question(question, guides) == Outcome(
        Canned("utter_out_of_scope", "out_of_scope"), DROPPED
    )


def test_a_new_question_forgets_and_is_never_an_answer(guides: Guides) -> None:
    question = ask(
        guides,
        "neue Frage – war schon mal arbeitslos",
        "new_question",
        Handler.RESET,
        case=MappingProxyType({"subject": "job_seeker_registration"}),
        pending="customer",
    )
    assert resolve_question(question, guides) == Outcome(Canned("utter_restart"), forget=True)


def test_an_unsure_reading_offers_the_likely_subjects(guides: Guides) -> None:
    question = ask(
        guides,
        "antrag im webshop",
        "nlu_fallback",
        Handler.OUT_OF_SCOPE,
        ranking=(("out_of_scope", 0.253), ("ask_eakte_request", 0.22), ("affirm", 0.066)),
    )
    outcome = resolve_question(question, guides)
    assert isinstance(outcome.say, TopicChoice) and outcome.slots == DROPPED
    assert [suggestion.topic for suggestion in outcome.say.suggestions] == ["eakte_antrag"]


# --- the layout: Rasa is read and written at the edges only ------------------------------------

RASA_FACING = {"__init__.py", "base.py", "reading.py", "writing.py"}


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize(
    "path",
    [
        *(p for p in sorted(Path(actions.__file__).parent.glob("*.py")) if p.name not in RASA_FACING),
        Path(str(question_module.__file__)),
    ],
    ids=lambda p: p.name,
)
def test_the_decisions_never_import_rasa(path: Path) -> None:
    """Only the reader, the writer and the wiring know Rasa's SDK; what decides a reply reads a Question."""
    assert not any(module.split(".")[0] in {"rasa_sdk", "rasa"} for module in _imports(path))
