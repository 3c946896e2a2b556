"""An Outcome turned into what Rasa gets: one message (text, buttons, answer payload) and events.

The text and payload come from bot/answering/answers.py; here they become a dispatcher message,
and the slots the outcome sets become SlotSet events, the reply's language always last.
"""

from __future__ import annotations

from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.outcome import (
    Canned,
    Detail,
    DetailUnsettled,
    Found,
    Outcome,
    PerValue,
    Say,
    SectionContents,
    Source,
    TopicChoice,
    Validity,
    WholeEntry,
    Why,
)
from bot.answering.answers import AnswerWriter
from bot.answering.payload import Reply
from bot.answering.responses import Responses
from bot.answering.slots import SLOT_LANG


def render(say: Say, lang: str, answers: AnswerWriter) -> Reply:
    """The reply's text, buttons and payload in `lang`."""
    match say:
        case Canned(response, kind, understood):
            reply = answers.simple_reply(response, lang, kind=kind)
            answer = reply.payload.get("answer")
            if not understood and isinstance(answer, dict):  # a neutral card in the widget, not "off-topic"
                answer["understood"] = False
            return reply
        case Found(found, day, today, subject):
            return answers.resolution_reply(found, lang, day, today, subject)
        case WholeEntry(entry, day, today):
            return answers.entry_reply(entry, lang, day, today)
        case TopicChoice(suggestions, asks_matter):
            return answers.topic_choice_reply(suggestions, lang, asks_matter=asks_matter)
        case PerValue(key, entries):
            return answers.per_value_reply(key, entries, lang)
        case Source(entry):
            return answers.source_reply(entry, lang)
        case SectionContents(section, day):
            return answers.section_reply(section, lang, day)
        case Validity(entry, with_detail, of_statement):
            return answers.validity_reply(entry, lang, with_detail=with_detail, of_statement=of_statement)
        case Why(entry, stated, day):
            return answers.why_reply(entry, dict(stated), lang, day)
        case Detail(entry, attribute):
            return answers.detail_reply(entry, attribute, lang)
        case DetailUnsettled(entry, attribute):
            return answers.detail_not_covered_reply(entry, attribute, lang)
    raise TypeError(f"no reply is written for {say!r}")


def write(dispatcher: CollectingDispatcher, reply: Reply, outcome: Outcome, lang: str) -> list[EventType]:
    """Send the reply; the events that keep what the outcome sets, and the conversation's language."""
    send(dispatcher, reply)
    changes: list[EventType] = (
        [AllSlotsReset()] if outcome.forget else [SlotSet(name, value) for name, value in outcome.slots]
    )
    return [*changes, SlotSet(SLOT_LANG, lang)]


def write_failure(dispatcher: CollectingDispatcher, responses: Responses, lang: str) -> list[EventType]:
    """A bug must not leave an agent on a call without an answer: say so, and where to look instead."""
    dispatcher.utter_message(text=responses.text("utter_internal_error", lang))
    return [SlotSet(SLOT_LANG, lang)]


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One message: text (with buttons) and answer payload; Rasa's REST channel sends them as two."""
    dispatcher.utter_message(
        text=reply.text, buttons=reply.buttons or None, json_message=reply.payload or None
    )
