"""Rasa's tracker read once per message into a Question (bot/answering/question.py).

The only place that knows where Rasa keeps what: the latest message's text, intent, ranking and
entities, the slots that hold the case, and the events before this message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from rasa_sdk import Tracker

from bot.answering.dates import question_date
from bot.answering.did_you_mean import ranked
from bot.answering.engine import OTHER, after_return, requested_language, stated_in_text
from bot.answering.guides import Guides
from bot.answering.language import detect_language
from bot.answering.markdown import only_markup
from bot.answering.question import Earlier, Handler, Question
from bot.answering.slots import SLOT_AS_OF, SLOT_CLARIFY_TRIES, SLOT_LANG, SLOT_LAST_TOPIC, SLOT_PENDING

DEFAULT_LANG = "de"
TOLD_BEFORE = 4  # the earlier messages whose conditions a question that leaves one open may take


def read_language(tracker: Tracker, guides: Guides) -> str:
    """The language asked for ("in English please"), else the message's, the conversation's, German.

    Read before the rest: even a reply to a failure is in the conversation's language."""
    text = _typed(tracker)
    return (
        requested_language(guides, text)
        or detect_language(text, guides.jargon)
        or tracker.get_slot(SLOT_LANG)
        or DEFAULT_LANG
    )


def read_question(tracker: Tracker, guides: Guides, handler: Handler, lang: str, today: dt.date) -> Question:
    """The message in its conversation, as the action `handler` got it, answered in `lang` as of `today`."""
    latest = tracker.latest_message or {}
    typed = _typed(tracker)
    # "back to work: does that also go through the eAkte?": the question after it, about the thread
    # before the aside
    rest = after_return(guides, typed) if typed else None
    text = rest or typed
    markup = only_markup(text)  # pasted script or HTML: nothing to read
    topic = tracker.get_slot(SLOT_LAST_TOPIC)
    as_of = tracker.get_slot(SLOT_AS_OF)
    pending = tracker.get_slot(SLOT_PENDING)
    replied = _last_reply_topic(tracker, skip_asides=rest is not None)
    return Question(
        handler=handler,
        text=text,
        intent=str((latest.get("intent") or {}).get("name") or ""),
        ranking=tuple(ranked(latest.get("intent_ranking"))),
        said=_frozen({} if markup else stated_in_text(guides, text)),
        clicked=_frozen(_entities(latest, guides)),
        day=None if markup else question_date(text, today, guides.change_dates),
        only_markup=markup,
        lang=lang,
        today=today,
        case=_frozen(
            {key: str(tracker.get_slot(key)) for key in guides.vocabulary.conditions if tracker.get_slot(key)}
        ),
        pending=str(pending) if pending else None,
        clarify_tries=int(tracker.get_slot(SLOT_CLARIFY_TRIES) or 0),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        # after a return to the thread, the entry of the answer returned to is the one under discussion
        last=guides.by_id.get(replied if rest is not None and replied else topic or ""),
        last_reply_topic=replied,
        earlier=_earlier(tracker),
        offered=_last_reply_offered(tracker),
        earlier_texts=_earlier_texts(tracker),
    )


def _typed(tracker: Tracker) -> str:
    """What the user typed; '' for a clicked button (a `/intent{...}` payload)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return "" if text.startswith("/") else text


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


def _entities(latest: Mapping[str, Any], guides: Guides) -> dict[str, str]:
    """Condition values the message carries as entities: a button's payload, or a typed one."""
    clicked: dict[str, str] = {}
    for entity in latest.get("entities") or []:
        key, value = entity.get("entity"), entity.get("value")
        condition = guides.vocabulary.conditions.get(str(key))
        # a typed "/inform{...}" can carry any JSON: a dict value is unhashable, a number no value
        if condition is not None and isinstance(value, str) and (value in condition.values or value == OTHER):
            clicked[str(key)] = str(value)
    return clicked


def _last_reply_topic(tracker: Tracker, skip_asides: bool = False) -> str | None:
    """The entry the reply just before this message answered from (its payload's topic), if any, or
    whose detail it said the guides do not settle (its `about`); after a return to the thread, the
    last reply that had one (`skip_asides`: an off-topic aside and its reply lie between)."""
    replies = _answers(tracker) if skip_asides else [_last_reply_answer(tracker)]
    for answer in replies:
        topic = answer.get("topic") or answer.get("about")
        if topic:
            return str(topic)
    return None


def _answers(tracker: Tracker) -> list[dict[str, Any]]:
    """The answer payloads of the bot's replies, latest first."""
    return [answer for event in reversed(tracker.events) if (answer := _answer_of(event)) is not None]


def _last_reply_offered(tracker: Tracker) -> tuple[str, ...]:
    """The entries the reply just before this message offered as "Meinten Sie …?" (its options' topics)."""
    answer = _last_reply_answer(tracker)
    if answer.get("kind") != "clarify" or answer.get("asks") != "topic":
        return ()
    options = answer.get("options") or []
    topics = [option.get("topic") for option in options if isinstance(option, dict)]
    return tuple(str(topic) for topic in topics if topic)


def _last_reply_answer(tracker: Tracker) -> dict[str, Any]:
    """The answer payload of the reply just before this message ({} where there was none, or a turn
    went without a reply of ours)."""
    current_seen = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if current_seen:
                return {}
            current_seen = True
        elif current_seen and (answer := _answer_of(event)) is not None:
            return answer
    return {}


def _answer_of(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answer payload a bot event carries, if it is one of ours."""
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    answer = custom.get("answer") if isinstance(custom, dict) else None
    return answer if isinstance(answer, dict) else None


def _earlier_texts(tracker: Tracker) -> tuple[str, ...]:
    """The user's last `TOLD_BEFORE` typed messages before this one, the latest first, since the
    conversation last started over ("neue Frage")."""
    texts: list[str] = []
    current = True  # the latest user event is this message
    for event in reversed(tracker.events or []):
        if event.get("event") in ("reset_slots", "restart", "session_started"):
            break
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "")
        if not current and text and not text.startswith("/"):
            texts.append(text)
        current = False
        if len(texts) == TOLD_BEFORE:
            break
    return tuple(texts)


def _earlier(tracker: Tracker) -> Earlier | None:
    """The user's message before this one, if there was one."""
    said = [event for event in tracker.events if event.get("event") == "user"]
    if len(said) < 2:
        return None
    intent = ((said[-2].get("parse_data") or {}).get("intent") or {}).get("name")
    return Earlier(str(said[-2].get("text") or ""), intent if isinstance(intent, str) else None)
