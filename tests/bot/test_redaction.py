"""Personal data is replaced before the message goes anywhere; the question survives."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.paths import PROJECT_ROOT
from bot.redaction import redact

CASES = [
    (
        "Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911 1234567, will seinen Termin absagen",
        ["Mustermann", "123D456789", "0911 1234567"],
        ["[NAME]", "[KUNDENNUMMER]", "[TELEFON]"],
        "Termin absagen",
    ),
    (
        "Kundin hat mir von anna.muster@example.org geschrieben, wohin damit?",
        ["anna.muster@example.org"],
        ["[E-MAIL]"],
        "wohin damit",
    ),
    ("Rückruf an +49 (0)911 98765-43 wegen ASU", ["98765-43"], ["[TELEFON]"], "wegen ASU"),
    (
        "IBAN DE89 3704 0044 0532 0130 00 per Brief geändert",
        ["DE89 3704 0044 0532 0130 00"],
        ["[IBAN]"],
        "per Brief geändert",
    ),
    ("Kunde geb. 01.02.1980 meldet sich arbeitsuchend", ["01.02.1980"], ["[GEBURTSDATUM]"], "meldet sich"),
    ("wohnt Musterstraße 12a, Änderung online", ["Musterstraße 12a"], ["[ADRESSE]"], "Änderung online"),
    ("Frau Dr. Meier-Schulz ruft an", ["Meier-Schulz"], ["[NAME]"], "ruft an"),
    ("Kunde Mustermann, war früher arbeitslos", ["Mustermann"], ["[NAME]"], "war früher arbeitslos"),
    # names after Kunde / Kundin in the middle of the phrase, in any script
    ("Kunde Mustermann will seinen Termin absagen", ["Mustermann"], ["[NAME]"], "will seinen Termin absagen"),
    ("Kundin Anna Schmidt hat angerufen, wer?", ["Anna", "Schmidt"], ["[NAME]"], "hat angerufen"),
    ("Kundin Lange ruft an wegen ASU", ["Lange"], ["[NAME]"], "ruft an wegen ASU"),  # "lange" is a word
    ("Kundin Yılmaz Öztürk möchte sich melden", ["Yılmaz", "Öztürk"], ["[NAME]"], "möchte sich melden"),
    ("Kunde Schmidt Terminabsage per Post", ["Schmidt"], ["[NAME]"], "Terminabsage per Post"),
    ("Kundin Müller-Lüdenscheidt storniert", ["Müller", "Lüdenscheidt"], ["[NAME]"], "storniert"),
    ("Herr Çelik hat geschrieben", ["Çelik"], ["[NAME]"], "hat geschrieben"),
    ("Frau Prof. Dr. Nguyễn ruft an", ["Nguyễn"], ["[NAME]"], "ruft an"),
    ("Herr von Müller fragt nach", ["Müller"], ["[NAME]"], "fragt nach"),
    ("Frau A. Schmidt ruft an", ["Schmidt"], ["[NAME]"], "ruft an"),
    ("Mr. O'Brien wants to cancel", ["Brien"], ["[NAME]"], "wants to cancel"),
    # phone numbers in the usual German forms
    ("Tel +49 911 1234567 bitte", ["1234567"], ["[TELEFON]"], "bitte"),
    ("Rückruf 0049 171 1234567", ["1234567"], ["[TELEFON]"], "Rückruf"),
    ("Handy 0171-1234567, Festnetz 0911/7654321", ["1234567", "7654321"], ["[TELEFON]"], "Festnetz"),
    # addresses: a street word on its own, with a postcode and town, a house number range
    ("wohnt Lange Straße 5, 90402 Nürnberg, wer?", ["Straße", "90402", "Nürnberg"], ["[ADRESSE]"], "wer?"),
    ("Hauptstr. 12-14 im Hinterhaus", ["Hauptstr", "12-14"], ["[ADRESSE]"], "im Hinterhaus"),
    ("Am Birkenweg 5a wohnt er", ["Birkenweg", "5a"], ["[ADRESSE]"], "wohnt er"),
    # no street word, but a postcode and town after the house number; a postcode and town alone
    ("Am Mühlbach 3, 90402 Nürnberg, Termin absagen", ["Mühlbach", "90402"], ["[ADRESSE]"], "Termin absagen"),
    ("An der Alten Mühle 5, 12345 Berlin – wer?", ["Alten Mühle", "12345"], ["[ADRESSE]"], "wer?"),
    ("Kundin wohnt jetzt in 90402 Nürnberg, wer?", ["90402", "Nürnberg"], ["[ADRESSE]"], "wohnt jetzt in"),
    # English: a name after customer / client, phone numbers of other countries
    ("customer Jones phoned about a cancellation", ["Jones"], ["[NAME]"], "phoned about a cancellation"),
    ("Client Kowalski wants to register", ["Kowalski"], ["[NAME]"], "wants to register"),
    ("call back on +44 20 7946 0958 about the ASU", ["7946"], ["[TELEFON]"], "about the ASU"),
    ("Rückruf unter 0043 1 234 5678 bitte", ["234 5678"], ["[TELEFON]"], "bitte"),
    # dates of birth with a month name, obfuscated e-mail, IBAN without spaces, spaced customer number
    ("geb. am 3. März 1975, meldet sich", ["1975"], ["[GEBURTSDATUM]"], "meldet sich"),
    ("Mail an erika.muster(at)example.org", ["erika.muster", "example.org"], ["[E-MAIL]"], "Mail an"),
    ("IBAN DE89370400440532013000 geändert", ["DE89370400440532013000"], ["[IBAN]"], "geändert"),
    ("Kundennummer 123 D 456789 ändern", ["456789"], ["[KUNDENNUMMER]"], "ändern"),
]


@pytest.mark.parametrize(("text", "gone", "placeholders", "kept"), CASES, ids=[c[2][0] for c in CASES])
def test_personal_data_is_replaced(text: str, gone: list[str], placeholders: list[str], kept: str) -> None:
    result = redact(text)
    for value in gone:
        assert value not in result.text
    for placeholder in placeholders:
        assert placeholder in result.text and placeholder in result.kinds
    assert kept in result.text


@pytest.mark.parametrize(
    "text",
    [
        "Was galt am 15.06.2025?",
        "Wer hat vor Juli 2025 die freien E-Mails bearbeitet?",
        "Kundin Terminabsage per Kontaktformular – wer?",
        "Aktentyp 1001 Alg, Dokumentart Online-Dokument",
        "Weisung 202505010 Abschnitt 2.2",
        "Ortschaft@arbeitsagentur.de gesperrt?",
        "on 2025-06-20",
        "Kunde war schon mal arbeitslos",
        "Monitoring 2025 wer?",
        # street words in nouns of the question, not addresses
        "Ist der Kommunikationsweg 2 noch offen?",
        "Arbeitsplatz 2 im SC – wer bearbeitet das?",
        "Rechtsweg 1 oder Postweg 2?",
        # a noun of Lotse's subject after Kunde / Kundin, jargon in capitals
        "Kunde Terminabsage und Terminanfrage – wer?",
        "Kunde ASU telefonisch – wer?",
        "Kundin Veränderungsmitteilung online, wer bearbeitet die?",
        "customer ASU by phone – who?",
        "former Alo customer calls, who handles it?",
        "Weisung 202505010, Abschnitt 2.2 – seit 01.07.2025?",
        "Ab 1. Juli 2025 bearbeitet die EZ 12345 Anfragen?",
    ],
)
def test_questions_without_personal_data_are_untouched(text: str) -> None:
    result = redact(text)
    assert result.text == text and not result.changed


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


QUESTION_FILES = sorted((PROJECT_ROOT / "tests" / "eval").glob("*.yml")) + sorted(
    (PROJECT_ROOT / "tests" / "conversations").glob("*.yml")
)


@pytest.mark.parametrize("path", QUESTION_FILES, ids=[p.name for p in QUESTION_FILES])
def test_the_questions_staff_ask_are_not_redacted(path: Path) -> None:
    """Redaction must not eat a question: no eval or conversation question holds personal data."""
    questions = list(_questions(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert questions
    changed = {q: redact(q).text for q in questions if redact(q).changed}
    assert not changed


HOSTILE = [
    ("accented-hyphen-chain", "Éé-" * 666),  # was exponential: two ways to read each "-Éé"
    ("name-chain-after-kunde", "Kunde " + "Éé-" * 600 + "!"),
    ("address-run-without-at", "1-" * 1000),  # was quadratic: the e-mail pattern tried every start
    ("dotted-run-without-at", "a." * 1000),
    ("apostrophe-chain", "Ab'" * 666),
    ("plus-49-chain", "+49" * 666),
]


@pytest.mark.parametrize("text", [c[1] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_redaction_of_a_hostile_message_is_quick(text: str) -> None:
    """Every message is redacted on the server's event loop: 2,000 hostile characters must not stall it."""
    redact("warm-up")  # the vocabulary is read on first use
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 0.1
