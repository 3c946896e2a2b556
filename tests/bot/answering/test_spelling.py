"""Typos in the words the cues look for are read as meant; nothing else is changed."""

from __future__ import annotations

import re

import pytest

from bot.answering.engine import stated_in_text
from bot.answering.guides import Guides
from bot.answering.spelling import Speller


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kontakformular mit Terminabsage – wer?", {"channel": "contact_form", "matter": "appointment"}),
        ("kontaktformlar terminanfrage AV", {"channel": "contact_form", "matter": "appointment"}),
        ("ASU telefonish, wer macht das?", {"channel": "phone"}),
        ("VÄM onlien eingereicht", {"channel": "online"}),
        ("ASU eines Reaktivirungskunden", {"customer": "reactivation"}),
        ("Sperre der Liegenschaftspostfächr?", {"postbox": "site"}),
    ],
)
def test_a_typo_in_a_cue_word_states_what_the_word_would(
    guides: Guides, text: str, expected: dict[str, str]
) -> None:
    assert stated_in_text(guides, text) == expected


def test_common_words_are_no_typos(guides: Guides) -> None:
    """ "Kontakte" is one letter from "kontakt", "Telefonat" near "telefon": words of the language stay."""
    plain = "kontakte und ein telefonat"
    assert guides.spelling.correct(plain) == plain


def test_only_words_that_make_a_cue_match_are_corrected(guides: Guides) -> None:
    """ "Formulare" is a guide word and "Formulre" one letter from it, but no cue reads it: unchanged."""
    plain = "das formulre und das kontakformular"
    corrected = guides.spelling.correct(plain)
    assert corrected == "das formulre und das kontaktformular"


@pytest.mark.parametrize(
    "text",
    [
        "Deaktivierung der ASU – wer macht das?",
        "der Telefonist",
        "per Webservice",
        "ein hotlink",
        "abgesandt",
    ],
)
def test_rare_words_are_no_typos(guides: Guides, text: str) -> None:
    """Words of the language, however rare, and words whose first letters differ state nothing."""
    assert stated_in_text(guides, text) == {}


def test_a_word_with_its_umlauts_written_out_is_no_typo() -> None:
    """ "antraege" is "Anträge" as the cues see it: one letter from "antrage" is still no typo of it."""
    speller = Speller(["antrage"], [re.compile(r"\bantrage\b")])
    assert speller.correct("die antraege") == "die antraege"
    assert speller.correct("die antrahe") == "die antrage"  # a real typo still is one
