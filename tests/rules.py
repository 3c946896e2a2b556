"""What a test expects of a guide rule, read from the guides instead of written into the test.

"Changing an existing rule's unit means editing about ten Python tests that hard-code it" (issue #13):
a test that checks the answer to "Wohin gehen Terminabsagen?" names the rule (its id, the answer's
`topic`) and takes the unit, verdict and dates from the real guides, so a trainer who changes the
unit edits the YAML and the trainers' conversations only. The tests stay as strict: they still
check that the rule they name answered, with exactly that rule's unit.
"""

from __future__ import annotations

from functools import cache

from bot.answering.guide_model import Entry, Guides
from bot.answering.guides import load_guides
from bot.paths import GUIDES_DIR


@cache
def real_guides() -> Guides:
    """The project's own guides (the ones every test bot answers from, or a copy of them)."""
    return load_guides(GUIDES_DIR)


def rule(topic: str) -> Entry:
    """The guide entry with this id; a test naming an entry that does not exist fails here, by name."""
    found = real_guides().by_id.get(topic)
    assert found is not None, f"no guide entry {topic!r} in {GUIDES_DIR}"
    return found


def unit_of(topic: str) -> str:
    """The unit the entry `topic` names: what the answer's badge and verdict show."""
    unit = rule(topic).answer.unit
    assert unit is not None, f"guide entry {topic!r} names no unit"
    return unit


def verdict_of(topic: str, lang: str = "de") -> str:
    """The entry's verdict line in `lang`, as the guides write it."""
    return rule(topic).text.get(lang).verdict
