"""Tell German from English in short, hurried staff questions.

Staff messages are a few words full of German jargon ("ASU", "VÄM", "EAKTE") that also
appears in English questions. lingua (made for short and mixed texts; its models ship in the
package) reads character n-grams, restricted here to German and English; counting common
function words of each language settles what it is unsure of. When neither decides, the caller
keeps the conversation's language (German for a new one).
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Any

SURE = 0.9  # lingua's confidence that decides on its own
LIKELY = 0.7  # … and where the function words are even
CLEAR_MARGIN = 2  # function words this many more of one language decide ("who … Veränderungsmitteilungen?")
MIN_WORDS_FOR_NGRAMS = 3  # fewer ordinary words ("ASU Reaktivierung") are jargon, not a language
_WORD = re.compile(r"[a-zäöüß]+", re.IGNORECASE)

_GERMAN = frozenset(
    [
        "quelle",  # "Quelle?" alone: the follow-up words staff type tell the language too
        "abschnitt",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "einen",
        "einem",
        "und",
        "oder",
        "aber",
        "nicht",
        "kein",
        "keine",
        "wer",
        "was",
        "wo",
        "wohin",
        "wann",
        "wie",
        "warum",
        "welche",
        "welcher",
        "welches",
        "bearbeitet",
        "bearbeiten",
        "macht",
        "machen",
        "ist",
        "sind",
        "war",
        "hat",
        "haben",
        "hatte",
        "gibt",
        "geht",
        "gehen",
        "kommt",
        "kommen",
        "bei",
        "mit",
        "von",
        "vom",
        "zum",
        "zur",
        "für",
        "fuer",
        "auf",
        "aus",
        "im",
        "ins",
        "über",
        "ueber",
        "noch",
        "schon",
        "mal",
        "wird",
        "werden",
        "wurde",
        "muss",
        "müssen",
        "muessen",
        "soll",
        "sollen",
        "kann",
        "können",
        "koennen",
        "darf",
        "ich",
        "wir",
        "sie",
        "es",
        "er",
        "man",
        "mir",
        "uns",
        "dann",
        "denn",
        "doch",
        "bitte",
        "danke",
        "hallo",
        "moin",
        "servus",
        "gilt",
        "seit",
        "bis",
        "ab",
        "zuständig",
        "zustaendig",
        "kümmert",
        "kuemmert",
        "telefonisch",
        "kunde",
        "kundin",
        "kunden",
        "frage",
        "neue",
        "ja",
        "nein",
        "nee",
        "genau",
        "steht",
        "stehen",
        "gesperrt",
        "sperre",
        "wenn",
        "ob",
        "dass",
        "auch",
        "nur",
        "alle",
        "jetzt",
        "heute",
        "morgen",
        "tag",
        "guten",
        "dürfen",
        "duerfen",
        "betrifft",
        "wieso",
        "weshalb",
        "bleibt",
        "landet",
        "landen",
        "eingangszone",
        # verbs and words of case stories with no English twin ("Herr X ruft wegen ASU an")
        "wegen",
        "ruft",
        "rufen",
        "meldet",
        "melden",
        "schickt",
        "schicken",
        "kam",
        "weil",
        "sich",
        "zu",
        "um",
        "hier",
        "unser",
        "unsere",
        "seine",
        "seinen",
        "ihre",
        "ihren",
    ]
)

_ENGLISH = frozenset(
    [
        "any",  # "any other Arbeitshilfen?"
        "other",
        "another",
        "sorry",
        "english",
        "postbox",  # staff's English words for the guides' things ("EZ team postbox block – deadline?")
        "postboxes",
        "mailbox",
        "mailboxes",
        "caller",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "not",
        "no",
        "who",
        "what",
        "where",
        "when",
        "how",
        "why",
        "which",
        "whose",
        "handles",
        "handle",
        "handled",
        "does",
        "do",
        "did",
        "is",
        "are",
        "were",
        "has",
        "have",
        "had",
        "there",
        "goes",
        "go",
        "come",
        "comes",
        "with",
        "from",
        "to",
        "for",
        "of",
        "on",
        "at",
        "into",
        "about",
        "still",
        "already",
        "ever",
        "never",
        "too",
        "right",
        "source",
        "section",
        "will",
        "would",
        "should",
        "shall",
        "must",
        "can",
        "could",
        "may",
        "i",
        "we",
        "you",
        "they",
        "it",
        "he",
        "she",
        "me",
        "us",
        "then",
        "please",
        "thanks",
        "thank",
        "hello",
        "hi",
        "hey",
        "applies",
        "apply",
        "since",
        "until",
        "after",
        "before",
        "responsible",
        "customer",
        "customers",
        "question",
        "new",
        "yes",
        "yep",
        "nope",
        "exactly",
        "written",
        "says",
        "blocked",
        "if",
        "whether",
        "also",
        "only",
        "all",
        "now",
        "today",
        "morning",
        "day",
        "good",
        "affect",
        "affects",
        "stays",
        "stay",
        "deal",
        "deals",
        "takes",
        "take",
        "process",
        "processes",
        "processed",
        "office",
        "by",
        "via",
        "sent",
        "send",
        "my",
        "our",
        "your",
        "this",
        "that",
        "these",
        "those",
        "its",
        "it",
        "be",
        "can",
        "should",
        "must",
    ]
)


def function_words(text: str) -> tuple[int, int]:
    """(German, English) function words in the text; umlauts count as German."""
    words = [w.lower() for w in _WORD.findall(text)]
    # "was" before an English word is English ("was the Hauptpersonalrat involved?"), else German
    english_was = sum(w == "was" and nxt in _ENGLISH for w, nxt in itertools.pairwise(words))
    german = sum(w in _GERMAN for w in words) - english_was
    english = sum(w in _ENGLISH for w in words) + english_was
    umlauts = sum(ch in "äöüß" for ch in text.lower())
    # an umlaut is German in a German frame; in an English one it is a German noun ("Veränderung")
    return german + (umlauts if english <= german else 0), english


@cache
def _detector() -> Any:
    """lingua's German/English detector (models in the package, nothing downloaded), built once."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.GERMAN, Language.ENGLISH).build()


def warm_up() -> None:
    """Build the detector and load its models at a server's start, not during the first message."""
    detect_language("Wer bearbeitet Terminabsagen? Who handles it?")


# a term glossed in brackets, as staff write the other language's word for it
_GLOSS = re.compile(r"\([^()]*\)")


def detect_language(text: str, jargon: frozenset[str] = frozenset()) -> str | None:
    """'de' or 'en' when the text decides, None when it does not (the caller keeps the conversation's).

    Function words clearly of one language decide: "who handles … (eService
    Veränderungsmitteilungen)?" is English, whatever its German nouns look like to n-grams.
    Otherwise lingua's character n-grams, when sure: "Herr ruft wegen ASU an" is German although
    "an" is an English word. Below that the function words, and lingua only where they are even.
    The guides' terms (`jargon`: "Terminanfrage", "Arbeitsvermittlung") are left out of what lingua
    reads: "contact form 'Terminanfrage Arbeitsvermittlung' – who?" is English. A gloss in brackets
    is not read where words stand outside it.
    """
    outside = _GLOSS.sub(" ", text)
    if _WORD.search(outside):  # "file reference (Geschäftszeichen)?": the gloss is the other language's
        text = outside
    german, english = function_words(text)
    if abs(german - english) >= CLEAR_MARGIN:  # the sentence's frame: German nouns in an English question
        return "de" if german > english else "en"
    # jargon ("ASU", "VÄM", "eAkte", "1001") is German in any language: n-grams read the rest
    words = [w for w in _WORD.findall(text) if w.lower() not in jargon]
    ordinary = [w for w in words if not w.isupper() and not any(c.isupper() for c in w[1:])]
    if len(ordinary) >= MIN_WORDS_FOR_NGRAMS:
        read = " ".join(words) if jargon else text
        confidences = {c.language.name: c.value for c in _detector().compute_language_confidence_values(read)}
        lingua = "de" if confidences.get("GERMAN", 0.0) >= confidences.get("ENGLISH", 0.0) else "en"
        certainty = max(confidences.values(), default=0.0)
        if certainty >= SURE or (german == english and certainty >= LIKELY):
            return lingua
    if german != english:
        return "de" if german > english else "en"
    return None
