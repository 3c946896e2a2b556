"""The words that name something of the guides (bot/answering/domain.py)."""

from __future__ import annotations

import pytest

from bot.answering.domain import names_the_guides
from bot.answering.guides import Guides


@pytest.mark.parametrize(
    "text",
    [
        "Liegenschaftspostfächer zu?",  # a compound of the guides' words
        "tel asu – wer?",  # an abbreviation the entries use
        "who signed 202505010?",  # the instruction by its number
        "is there a Rückrufpostfach?",  # a compound with a part of the guides
        "Wie heißen die VCC-Postfächer?",
    ],
)
def test_words_of_the_guides_are_named(guides: Guides, text: str) -> None:
    assert names_the_guides(guides, text)


@pytest.mark.parametrize(
    "text",
    [
        "What is 15% of 240?",
        "Ich hab Rückenschmerzen, was soll ich nehmen?",
        "Wie wird das Wetter morgen?",
        "what is new for us?",  # everyday words the entries use too name nothing on their own
    ],
)
def test_everyday_words_name_nothing_of_the_guides(guides: Guides, text: str) -> None:
    assert not names_the_guides(guides, text)
