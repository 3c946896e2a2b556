"""Lotse's custom actions; `build_actions` hands them the guides and texts they answer from.

Each is one of the actions domain.yml names; what it does is actions/base.py's one pass.
"""

from __future__ import annotations

from rasa_sdk import Action

from actions.base import Clock, LotseAction
from bot.answering.question import Handler
from bot.answering.responses import Responses
from bot.answering.store import GuideStore


class ActionAnswerGuide(LotseAction):
    """A question about the guides: routed, asked back, or not covered."""

    handler = Handler.GUIDE


class ActionAnswerSource(LotseAction):
    """'Wo steht das?' – the section and guide of the last answer."""

    handler = Handler.SOURCE


class ActionAnswerValidity(LotseAction):
    """'Seit wann gilt das?' – the validity of the last answer."""

    handler = Handler.VALIDITY


class ActionAnswerWhy(LotseAction):
    """'Warum?' – which conditions of the question matched which guide entry."""

    handler = Handler.WHY


class ActionAnswerReset(LotseAction):
    """'Neue Frage' / 'reset': forgets the case under discussion and starts over."""

    handler = Handler.RESET


class ActionAnswerSmallTalk(LotseAction):
    """Greetings, thanks, goodbyes and 'what can you do?'."""

    handler = Handler.SMALL_TALK


class ActionAnswerOutOfScope(LotseAction):
    """Questions the instruction is not about, text the bot cannot read, and unsure readings: where
    guide subjects rank close behind (bot/answering/did_you_mean.py), "Meinten Sie …?"."""

    handler = Handler.OUT_OF_SCOPE


ACTION_CLASSES: tuple[type[LotseAction], ...] = (
    ActionAnswerGuide,
    ActionAnswerSource,
    ActionAnswerValidity,
    ActionAnswerWhy,
    ActionAnswerReset,
    ActionAnswerSmallTalk,
    ActionAnswerOutOfScope,
)


def build_actions(store: GuideStore, responses: Responses, today: Clock) -> list[Action]:
    """One instance of every action, sharing the one guide store."""
    return [cls(store, responses, today) for cls in ACTION_CLASSES]
