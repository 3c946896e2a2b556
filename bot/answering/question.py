"""One message as the conversation frames it: everything one reply is decided from, read once.

The action server reads it from Rasa's tracker (actions/reading.py) before anything is decided, so
what the answer depends on is visible in one place and the decisions (actions/resolving.py) read
no tracker, here or anywhere: a reply is a function of its Question and the guides.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.answering.guides import Entry


class Handler(enum.Enum):
    """The action Rasa's rules ran for the message (its name in domain.yml): what the dialogue policy
    took it for. The same words are read differently as a guide question and as "wo steht das?"."""

    GUIDE = "action_answer_guide"
    SOURCE = "action_answer_source"
    VALIDITY = "action_answer_validity"
    WHY = "action_answer_why"
    RESET = "action_answer_reset"
    SMALL_TALK = "action_answer_small_talk"
    OUT_OF_SCOPE = "action_answer_out_of_scope"


@dataclass(frozen=True)
class Earlier:
    """The user's message before this one: a language switch repeats the detail it asked for."""

    text: str
    intent: str | None


@dataclass(frozen=True)
class Question:
    """What this message asks, in the case under discussion.

    The message: `text` ('' for a clicked button, whose intent and entities say everything), the
    NLU's `intent` and `ranking`, the conditions its words state (`said`, by the vocabulary's cues)
    and those it carries as entities (`clicked`), and `day`, the day its words ask about (None:
    today, or a date that only describes the case). The conversation: the `case` under discussion
    (one condition per slot), the `pending` condition Lotse asked for and how often (`clarify_tries`),
    the day the case was answered for (`as_of`, None for today), the `last` answer's entry, the
    entry the reply just before answered from (`last_reply_topic`), the entries it offered as
    "Meinten Sie" (`offered`), the message before (`earlier`) and the earlier ones (`earlier_texts`).
    `lang` is the reply's language, `today` the day it answers as of.
    """

    handler: Handler
    text: str
    intent: str
    ranking: tuple[tuple[str, float], ...]
    said: Mapping[str, str]
    clicked: Mapping[str, str]
    day: dt.date | None
    only_markup: bool
    lang: str
    today: dt.date
    case: Mapping[str, str]
    pending: str | None
    clarify_tries: int
    as_of: dt.date | None
    last: Entry | None
    last_reply_topic: str | None
    earlier: Earlier | None
    offered: tuple[str, ...] = ()
    # the user's earlier messages since the last "neue Frage", the latest first: what they stated may
    # settle a condition a question leaves open ("muss die Sperre aktiv bleiben?" three answers after
    # "unsere Adresse fulda@arbeitsagentur.de")
    earlier_texts: tuple[str, ...] = ()

    @property
    def stated(self) -> dict[str, str]:
        """Every condition the message states: its words', overruled by its entities (a button)."""
        return {**self.said, **self.clicked}

    @property
    def nlu_ranking(self) -> list[dict[str, Any]]:
        """The ranking in the NLU's own shape, as bot/answering/did_you_mean.py reads it."""
        return [{"name": name, "confidence": confidence} for name, confidence in self.ranking]
