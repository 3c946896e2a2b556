"""Personal data is replaced before the message goes anywhere; the question survives."""

from __future__ import annotations

import pytest

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
    ],
)
def test_questions_without_personal_data_are_untouched(text: str) -> None:
    result = redact(text)
    assert result.text == text and not result.changed
