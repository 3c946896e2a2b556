"""Telling German from English in short staff questions full of German jargon."""

from __future__ import annotations

import pytest

from bot.answering.guides import Guides
from bot.answering.language import detect_language

CASES = [
    # German
    ("de-who-handles", "Wer bearbeitet Terminabsagen aus dem Kontaktformular?", "de"),
    ("de-where-written", "Wo steht das?", "de"),
    ("de-since-when", "Seit wann gilt das?", "de"),
    ("de-jargon-in-sentence", "Wer macht die telefonische ASU bei Reaktivierung?", "de"),
    ("de-yes", "ja", "de"),
    ("de-lower-case-no-punctuation", "wohin gehen online stammdaten", "de"),
    # English
    ("en-who-handles", "Who handles appointment cancellations?", "en"),
    ("en-where-written", "Where is that written?", "en"),
    ("en-jargon-in-sentence", "Who does the ASU of a former Alo customer?", "en"),
    ("en-yes", "yes", "en"),
    ("en-upper-case", "WHO HANDLES THE VÄM IF IT IS SENT ONLINE", "en"),
    # jargon only, or nothing: the words do not decide
    # n-grams read what function words miss: "an" is an English word, the sentence German
    ("german-sentence-with-english-word", "Herr ruft wegen ASU an", "de"),
    ("german-call-fragment", "Kunde am Tel, ex-Alo, will sich asu melden – wir oder EZ?", "de"),
    ("english-without-function-words", "customer phoned, registration wanted, former Alo", "en"),
    ("jargon-only", "ASU EAKTE", None),
    ("jargon-and-number", "eAkte Regelwerk 1001 Alg", None),
    ("jargon-reactivation", "ASU Reaktivierung", None),
    ("empty", "", None),
    ("punctuation-only", "?!", None),
    ("tie", "Wer who", None),
    # an umlaut counts as German
    ("umlaut-only", "VÄM?", "de"),
    ("eszett-only", "Grüße", "de"),
    # in an English frame an umlaut is a German noun ("who … Veränderungsmitteilungen?")
    ("umlaut-in-english-frame", "who Änderung", "en"),
    ("umlaut-tips-balance", "who wer Änderung", "de"),
    # "was" before an English word is English, else German
    ("english-was", "was the Hauptpersonalrat involved?", "en"),
    ("german-was", "was ist mit dem Hauptpersonalrat?", "de"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the guides' German terms tell no language: the frame around them does
        ("contact form 'Terminanfrage Arbeitsvermittlung' – who?", "en"),
        ("Terminanfrage Arbeitsvermittlung – wer?", "de"),
        ("what's its Geschäftszeichen?", "en"),
        ("Herr X ruft wegen ASU an", "de"),
    ],
)
def test_the_guides_terms_tell_no_language(guides: Guides, text: str, expected: str) -> None:
    assert detect_language(text, guides.jargon) == expected


def test_without_the_guides_terms_their_ngrams_read_german(guides: Guides) -> None:
    """The same question read with the terms' n-grams: German — what the jargon list changes."""
    text = "contact form 'Terminanfrage Arbeitsvermittlung' – who?"
    assert detect_language(text) == "de" and detect_language(text, guides.jargon) == "en"
    assert {"terminanfrage", "arbeitsvermittlung", "kontaktformular"} <= guides.jargon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("file reference (Geschäftszeichen)?", None),  # the conversation's language decides
        ("who handles the change notices (Veränderungsmitteilungen) these days?", "en"),
        ("(Geschäftszeichen)?", "de"),  # nothing outside the brackets: the gloss is the text
    ],
)
def test_a_gloss_in_brackets_is_the_other_languages_word(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_too_and_right_are_english() -> None:
    assert detect_language("AV too?") == "en" and detect_language("so the EZ does it, right?") == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Quelle?", "de"), ("source?", "en"), ("Abschnitt?", "de"), ("which section?", "en")],
)
def test_a_one_word_follow_up_tells_its_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("any other Arbeitshilfen?", "en"),
        ("EZ team postbox block – deadline?", "en"),
        ("sorry, in English: the caller was arbeitsuchend in VerBIS back in 2021", "en"),
        ("gibt es andere Arbeitshilfen?", "de"),
    ],
)
def test_staffs_english_words_for_the_guides_things_tell_english(text: str, expected: str) -> None:
    """ "any other", "deadline", "postbox": English words beside the German terms decide."""
    assert detect_language(text) == expected
