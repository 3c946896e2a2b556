"""Lotse's custom actions; `build_actions` hands them the guides and texts they answer from."""

from __future__ import annotations

from rasa_sdk import Action

from actions.answer_guide import ActionAnswerGuide
from actions.base import Clock, LotseAction
from actions.follow_up import ActionAnswerSource, ActionAnswerValidity, ActionAnswerWhy
from actions.reset import ActionAnswerReset
from actions.small_talk import ActionAnswerOutOfScope, ActionAnswerSmallTalk
from bot.answering.responses import Responses
from bot.answering.store import GuideStore

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
