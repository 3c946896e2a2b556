"""Personal data is taken out of what NLU reads, only allow-listed text is stored; the question survives."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.answering.dates import find_date
from bot.answering.engine import asks_about_before, asks_about_now, requested_language, stated_in_text
from bot.answering.guides import load_guides
from bot.answering.language import detect_language
from bot.answering.markdown import only_markup
from bot.paths import GUIDES_DIR, PROJECT_ROOT
from bot.serving.channels import clean_message
from bot.serving.redaction import for_storage, redact

CORPUS = PROJECT_ROOT / "tests" / "privacy" / "corpus.yml"

# (message, values that must be gone from both texts, a phrase of the question that must stay for NLU)
CASES = [
    (
        "Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911 1234567, will seinen Termin absagen",
        ["Mustermann", "123D456789", "0911 1234567", "1234567"],
        "will seinen Termin absagen",
    ),
    ("Kundin hat mir von anna.muster@example.org geschrieben, wohin damit?", ["anna.muster"], "wohin damit"),
    # a person's address at the agency (a dot before the @) is personal, also in a compound
    ("Mail an max.beispiel@arbeitsagentur.de-Adresse gesperrt?", ["max.beispiel"], "gesperrt"),
    ('Mail an "max.beispiel@arbeitsagentur.de" gesperrt?', ["max.beispiel"], "gesperrt"),
    ("Rückruf an +49 (0)911 98765-43 wegen ASU", ["98765-43", "911"], "wegen ASU"),
    ("IBAN DE89 3704 0044 0532 0130 00 per Brief geändert", ["3704", "DE89"], "per Brief geändert"),
    ("Kunde geb. 01.02.1980 meldet sich arbeitsuchend", ["01.02.1980"], "meldet sich"),
    ("wohnt Musterstraße 12a, Änderung online", ["Musterstraße", "12a"], "Änderung online"),
    ("Frau Dr. Meier-Schulz ruft an", ["Meier", "Schulz"], "ruft an"),
    ("Kundin Anna Schmidt hat angerufen, wer?", ["Anna", "Schmidt"], "hat angerufen"),
    # a capitalised name ends at a lower-case word of the language, not at a surname typed in lower case
    ("mit Herrn Dietmar Quandt telefoniert, war früher Rasu", ["Dietmar", "Quandt"], "telefoniert, war"),
    ("Herr Tomasz kowalski hat per Kontaktformular abgesagt", ["Tomasz", "kowalski"], "per Kontaktformular"),
    ("Frau Anna jaeger hat eine VÄM geschickt", ["Anna", "jaeger"], "hat eine VÄM"),
    ("Kundin Maria busch ruft an wegen ASU", ["Maria", "busch"], "ruft an wegen ASU"),
    ("customer John thiel called about his appointment", ["John", "thiel"], "called about his appointment"),
    ("Frau Anna schmidt ruft an", ["Anna", "schmidt"], "ruft an"),
    ("Kundin Lange ruft an wegen ASU", ["Lange"], "ruft an wegen ASU"),  # "lange" is a word of ours
    ("Kundin Yılmaz Öztürk möchte sich melden", ["Yılmaz", "Öztürk"], "möchte sich melden"),
    ("Kunde Schmidt Terminabsage per Post", ["Schmidt"], "Terminabsage per Post"),
    ("Herr von Müller fragt nach", ["Müller"], "fragt nach"),
    ("Mr. O'Brien wants to cancel", ["Brien"], "wants to cancel"),
    ("herr müller ruft an wegen asu", ["müller"], "ruft an wegen asu"),  # typed in lower case
    ("HERR KOWALSKI ruft an wegen ASU", ["KOWALSKI"], "ruft an wegen ASU"),
    # names with no cue: from the name lists, and the surname after a first name
    ("Anna Lehmann ruft an wegen Terminabsage", ["Anna", "Lehmann"], "ruft an wegen Terminabsage"),
    ("spoke to Tom Fletcher about his appointment", ["Tom", "Fletcher"], "about his appointment"),
    # a name seen once is a name everywhere in the message
    (
        "Arbeitgeber Brückner von der Brückner Haustechnik GmbH schreibt ans Postfach",
        ["Brückner"],
        "Postfach",
    ),
    # numbers: phones in every form, numbers with letters inside, identity numbers
    ("Tel. 0911.123456 oder 123456", ["123456", "0911"], "oder"),
    ("call back on +44 20 7946 0958 about the ASU", ["7946", "0958"], "about the ASU"),
    ("Kundennummer 123 D 456789 ändern", ["456789"], "ändern"),
    ("SV-Nr. 65 170839 J 003 bitte ändern", ["170839"], "bitte ändern"),
    ("NI number QQ 12 34 56 C", ["12 34 56"], "NI number"),
    (
        "Pass C01X00T47, BG-Nr. 12345BG0012345, Steuer-ID 12345678901",
        ["C01X00T47", "12345678901", "0012345"],
        "",
    ),
    ("iban de89370400440532013000 per Post", ["89370400440532013000"], "per Post"),
    # dates of birth: with a cue, or a year no staff case has
    ("geb. am 3. März 1975, meldet sich", ["1975", "3. März"], "meldet sich"),
    ("DOB 1987-04-12, born 04/12/1987", ["1987-04-12", "04/12/1987"], ""),
    # addresses
    ("wohnt Lange Straße 5, 90402 Nürnberg, wer?", ["Straße 5", "90402", "Nürnberg"], "wer?"),
    ("Hauptstr. 12-14 im Hinterhaus", ["Hauptstr", "12-14"], "im Hinterhaus"),
    ("Hauptstr.5 in 90402 Nürnberg – wer?", ["Hauptstr", "90402"], "wer?"),
    ("Am Mühlbach 3, 90402 Nürnberg, Termin absagen", ["Mühlbach", "90402"], "Termin absagen"),
    ("neue anschrift bahnhofstr 12 in fürth über eService", ["bahnhofstr", "fürth"], "über eService"),
    ("last address 27 Chalton Road, Manchester M14 5RX, entered online", ["Chalton", "M14 5RX"], "online"),
    ("geboren in Lüdenscheid, Kundin ruft an", ["Lüdenscheid"], "Kundin ruft an"),
    # a first name that is also a month, where it names a person
    ("Herr August Brenner ruft wegen ASU an", ["August", "Brenner"], "ruft wegen ASU an"),
    ("Mail an erika.muster(at)example.org", ["erika.muster", "example.org"], "Mail"),
]


@pytest.mark.parametrize(("text", "gone", "kept"), CASES, ids=[c[0][:40] for c in CASES])
def test_personal_data_is_neither_read_nor_stored(text: str, gone: list[str], kept: str) -> None:
    result = redact(text)
    for value in gone:
        assert value not in result.text, f"NLU reads {value!r}: {result.text!r}"
        assert value not in result.stored, f"stored {value!r}: {result.stored!r}"
    assert kept in result.text
    assert result.changed


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # a title reads as the role it stands for, unless the message names the role already
        ("Frau Kaya will einen Termin, wohin damit?", "Kundin will einen Termin, wohin damit?"),
        ("Kunde Herr Dr. Weber ruft wegen ASU an", "Kunde ruft wegen ASU an"),
        ("Dr. Hendrik van der Linden on hold, asks why", "customer on hold, asks why"),
        ("Mr O'Brien wants to cancel his appointment", "customer wants to cancel his appointment"),
        # near staff words a title is staff, not a customer: only dropped
        (
            "Mein Kollege Herr Kaya fragt, wer Terminabsagen macht",
            "Mein Kollege fragt, wer Terminabsagen macht",
        ),
        (
            "Mr Smith from head office asks who handles press enquiries",
            "from head office asks who handles press enquiries",
        ),
        ("Did I miss Anna's call?", "Did I miss call?"),
        # two addresses are a change of address, not the channel
        (
            "Customer wants to change his email from jones@a.com to jones@b.com, who does that?",
            "Customer wants to change his email from to, who does that?",
        ),
        # an e-mail address after "an"/"to" is the channel; after "Mail von" it is said already
        (
            "Kunde will, dass wir ihm an m.yilmaz(at)web.de antworten",
            "Kunde will, dass wir ihm per E-Mail antworten",
        ),
        ("reply to priya.raman@yahoo.co.uk about it", "reply by email about it"),
        ("Mail von anna.muster@example.org – wohin?", "Mail – wohin?"),
        # what only announced a value goes with it
        ("geschickt (Pass-Nr. C4JR7X29K, Name Ionuț Popescu), was nun?", "geschickt, was nun?"),
        ("Umzug: vorher Am Anger 3, 90402 Nürnberg, wer?", "Umzug: vorher, wer?"),
        ("Mariahilfer Straße 45/3/12, 1060 Wien – wer bearbeitet?", "– wer bearbeitet?"),
        # the two addresses of a move, each with what names it ("neu", "(vorher …)")
        (
            "Umzug online: neu Lindenhof 3, 33602 Bielefeld (vorher Am Sudbrack 12a) – wer?",
            "Umzug online: – wer?",
        ),
        # a label with its value alone between separators is pasted data; elsewhere it is the subject
        ("VÄM online, Kundennummer 987 D 654321, IBAN DE02120300000000202051 – wer?", "VÄM online – wer?"),
        ("IBAN DE89 3704 0044 0532 0130 00 per Brief geändert, wer?", "IBAN per Brief geändert, wer?"),
    ],
)
def test_nlu_reads_the_question_as_staff_write_it_without_the_data(text: str, read: str) -> None:
    """The same question with and without personal data gets the same answer only if NLU reads it alike."""
    assert redact(text).text == read


@pytest.mark.parametrize(
    "text",
    [
        "Was galt am 15.06.2025?",
        "Wer hat vor Juli 2025 die freien E-Mails bearbeitet?",
        "Kundin Terminabsage per Kontaktformular – wer?",
        "Aktentyp 1001 Alg, Dokumentart Online-Dokument",
        "Weisung 202505010 Abschnitt 2.2",
        "Ortschaft@arbeitsagentur.de gesperrt?",
        "Erlangen@arbeitsagentur.de ist gesperrt – was bekommt der Absender?",  # a functional postbox
        "Wann werden die Ortschaft@arbeitsagentur.de-Postfächer gesperrt?",  # in a compound
        "What does 'Ortschaft@arbeitsagentur.de' refer to in the Weisung?",  # in quotes
        "Gilt das auch für _BA-Zentrale-VCC-SGB3_SC-Nord?",
        "on 2025-06-20",
        "Kunde war schon mal arbeitslos",
        "Ist der Kommunikationsweg 2 noch offen?",
        "Kunde ASU telefonisch – wer?",
        "Kundin Veränderungsmitteilung online, wer bearbeitet die?",
        "customer ASU by phone – who?",
        "former Alo customer calls, who handles it?",
        "Will the SC handle it?",
        "Weisung 202505010, Abschnitt 2.2 – seit 01.07.2025?",
        "Kundin ist am 02.04.2025 umgezogen und hat das online gemeldet – wer bearbeitet das?",
        "Asu-Fall von 2023, wer?",
        # a month in a date is no first name ("August"), a span of a case's years no one's number
        "und die Bezugsweisung von August 2024?",
        "Darf die Agentur ihr Postfach im August wieder öffnen?",
        "Customer was unemployed 2019-2020 (Alo), calls today – who?",
    ],
)
def test_questions_without_personal_data_are_untouched(text: str) -> None:
    result = redact(text)
    assert result.text == text and result.stored == text and not result.changed


def test_unknown_words_are_not_stored_but_read() -> None:
    """The allow-list: a word Lotse does not know is read by NLU, but stored only as a placeholder."""
    result = redact("Kundin Terminabsage Xqzvbrt per Kontaktformular")
    assert "Xqzvbrt" in result.text and not result.changed
    assert result.stored == "Kundin Terminabsage […] per Kontaktformular"
    assert for_storage("Rückruf 0911 4711") == "Rückruf [NUMMER]"


def test_a_common_word_typed_without_its_umlaut_is_known() -> None:
    """ "faengt" is "fängt" as staff type it: read and stored as it is, never taken for a name after
    "Kunde"; an unknown word in the same place still is not stored."""
    text = "vaem online, kunde faengt neuen job an - macht das das sc?"
    result = redact(text)
    assert result.text == text and result.stored == text
    assert "[" in for_storage("vaem online, kunde xqzvbrt neuen job an")


def _questions(node: Any) -> Iterator[str]:
    """Every question (`q:` / `say:`) in an eval or conversation file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("q", "say") and isinstance(value, str):
                yield value
            else:
                yield from _questions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _questions(item)


# blind5.yml to blind11.yml tell their cases with customers' names, as staff type them ("Herr Klein, war
# 2020 …"): those reach NLU without the name, which their figures include; the other sets hold no
# personal data
WITH_NAMES = {f"blind{n}.yml" for n in range(5, 12)}
QUESTION_FILES = [
    path
    for path in sorted((PROJECT_ROOT / "tests" / "eval").glob("*.yml"))
    + sorted((PROJECT_ROOT / "tests" / "conversations").glob("*.yml"))
    if path.name not in WITH_NAMES
]


@pytest.mark.parametrize("path", QUESTION_FILES, ids=[p.name for p in QUESTION_FILES])
def test_the_questions_staff_ask_reach_nlu_unchanged(path: Path) -> None:
    """Redaction must not eat a question: no eval or conversation question holds personal data."""
    questions = list(_questions(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert questions
    changed = {q: redact(q).text for q in questions if redact(q).text != q.strip()}
    assert not changed


def _corpus() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    return messages


@pytest.mark.parametrize("message", _corpus(), ids=lambda m: str(m["id"]))
def test_corpus_values_are_neither_read_nor_stored(message: dict[str, Any]) -> None:
    """tests/privacy/corpus.yml, written blind from the instruction: every personal value, in both texts."""
    result = redact(message["text"])
    for value in message["values"]:
        assert value not in result.stored, f"stored: {result.stored!r}"
        assert value not in result.text, f"NLU reads: {result.text!r}"
    if not message["values"]:  # the look-alikes the instruction itself uses stay
        assert result.text == message["text"].strip() and not result.changed


# --- linear time: every per-message text step, n against 4n characters -------------------------------

HOSTILE = {
    "accented-hyphen-chain": "Éé-",
    "apostrophe-chain": "Ab'",
    "address-run-without-at": "1-",
    "dotted-run-without-at": "a.",
    "plus-49-chain": "+49",
    "name-chain-after-kunde": "Kunde Éé ",
    "digits-and-letters": "12D34 ",
    "street-chain": "Am Hauptstr. 1 ",
    "at-chain": "x(at)",
    "words": "Herr Kundin Tel ",
    "open-tags": "<a",
    "markdown-links": "[x](",
    "calls": "alert(",
    "who-did-it-before": "wer hat vorher ",
    "why": "warum die ",
    "typos": "kontakformlar onlien ",  # each corrected toward the guides' words (bot/answering/spelling.py)
    "one-long-word": "kontakformlar",  # no spaces: one word of 8,000 letters
}


def _min_seconds(step: Callable[[str], object], text: str, repeat: int = 7) -> float:
    """The step's least CPU time of this thread: other work on the machine does not count in it."""
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        step(text)
        best = min(best, time.thread_time() - started)
    return best


def _steps() -> dict[str, Callable[[str], object]]:
    guides = load_guides(GUIDES_DIR)
    today = dt.date(2026, 11, 27)
    return {
        "redact": redact,
        "clean_message": clean_message,
        "detect_language": detect_language,
        "find_date": lambda text: find_date(text, today),
        "stated_in_text": lambda text: stated_in_text(guides, text),
        "only_markup": only_markup,
        "follow-up cues": lambda text: (
            requested_language(guides, text),
            asks_about_now(guides, text),
            asks_about_before(guides, text),
            [cue.search(text) for cues in guides.attribute_cues.values() for cue in cues],
            [cue.search(text) for cues in guides.attribute_question_cues.values() for cue in cues],
        ),
    }


@pytest.mark.parametrize("pattern", list(HOSTILE.values()), ids=list(HOSTILE))
def test_every_text_step_is_linear_in_the_message_length(pattern: str) -> None:
    """4n characters must cost about 4 times n, not 16 (quadratic) — a ratio, no wall-clock limit.

    n is 2,000 characters (the longest message Lotse processes); a ratio under 8 leaves room for
    noise on a loaded machine while any quadratic step (16) or worse fails.
    """
    redact("warm-up")  # the lexicon is read on first use
    short = (pattern * (2000 // len(pattern) + 1))[:2000]
    long = (pattern * (8000 // len(pattern) + 1))[:8000]
    ratios = {}
    for name, step in _steps().items():
        step(short)
        base = max(_min_seconds(step, short), 1e-5)  # below 10 µs the clock, not the step, is measured
        ratios[name] = _min_seconds(step, long) / base
    print(pattern, {name: round(ratio, 1) for name, ratio in ratios.items()})
    assert all(ratio < 8 for ratio in ratios.values()), ratios


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        # a counted noun or a language is no name, even one the name lists hold ("Tore", "French") …
        ("Wie viele Tore hat der Club am Wochenende geschossen?", "Tore", None),
        ("can you translate Schadenfreude into French", "French", None),
        # … but a name after a count stays a name where no common word looks like it
        ("zwei Anrufe von Anna Schmidt heute, wer bearbeitet die ASU?", "Anrufe", "Schmidt"),
    ],
)
def test_a_counted_noun_is_no_name(text: str, kept: str, gone: str | None) -> None:
    result = redact(text)
    assert kept in result.text
    if gone is not None:
        assert gone not in result.text and gone not in result.stored
