"""The names the guides declare agree with the domain, the rules and the code's slot list."""

from __future__ import annotations

from typing import Any

import yaml

from bot.answering.guides import Guides
from bot.answering.slots import (
    INTENT_ASK_AT_DATE,
    INTENT_ASK_SOURCE,
    INTENT_ASK_VALIDITY,
    INTENT_ASK_WHY,
)
from bot.paths import DATA_DIR, DOMAIN_FILE

FOLLOW_UPS = {INTENT_ASK_SOURCE, INTENT_ASK_VALIDITY, INTENT_ASK_AT_DATE, INTENT_ASK_WHY}


def _domain() -> dict[str, Any]:
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def test_guide_intents_are_the_domains_question_intents(guides: Guides) -> None:
    domain_questions = {i for i in _domain()["intents"] if i.startswith("ask_")} - FOLLOW_UPS
    assert set(guides.vocabulary.intents) == domain_questions


def test_every_guide_intent_is_answered_by_the_guide_rule(guides: Guides) -> None:
    rules = yaml.safe_load((DATA_DIR / "rules" / "guides.yml").read_text(encoding="utf-8"))["rules"]
    answered = {
        option["intent"]
        for rule in rules
        if rule["steps"][-1] == {"action": "action_answer_guide"}
        for option in rule["steps"][0].get("or", [rule["steps"][0]])
    }
    assert set(guides.vocabulary.intents) <= answered


def test_every_condition_key_is_a_slot_and_a_button_entity(guides: Guides) -> None:
    """The actions keep each condition in its slot; a button sends it as an entity (/inform{...})."""
    domain = _domain()
    for key in guides.vocabulary.conditions:
        assert key in domain["slots"], key
        assert domain["slots"][key]["mappings"] == [{"type": "custom"}], key
        assert key == "subject" or key in domain["entities"], key


def test_every_guide_intent_names_its_subject(guides: Guides) -> None:
    for intent, conditions in guides.vocabulary.intents.items():
        assert "subject" in conditions, intent
