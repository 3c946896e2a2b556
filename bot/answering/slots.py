"""Slot, intent and entity names shared by the domain, the actions and the tests."""

from __future__ import annotations

# slots
SLOT_LANG = "lang"
SLOT_SUBJECT = "subject"
SLOT_PENDING = "pending_condition"  # the condition a clarifying question asked for
SLOT_LAST_TOPIC = "last_topic"  # the guide entry of the last answer
SLOT_CLARIFY_TRIES = "clarify_tries"
SLOT_AS_OF = "as_of"  # the day a question asked about (ISO), when not today

# Condition slots are not listed here: every condition key of the guides' vocabulary is a slot
# (and, but for the subject, an entity) of domain.yml, so a new condition is YAML only.

# intents the actions treat specially
INTENT_INFORM = "inform"
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_NLU_FALLBACK = "nlu_fallback"
INTENT_ASK_SOURCE = "ask_source"
INTENT_ASK_VALIDITY = "ask_validity"
INTENT_ASK_AT_DATE = "ask_at_date"
INTENT_ASK_WHY = "ask_why"
INTENT_NEW_QUESTION = "new_question"
INTENT_GREET = "greet"
INTENT_GOODBYE = "goodbye"
INTENT_THANK = "thank"
INTENT_HELP = "help"
