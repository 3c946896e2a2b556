"""The whole path: REST webhook → Rasa → action server → guides, as staff use it."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import pytest

from bot.ops.processes import BotConfig
from tests.e2e.conftest import Ask
from tests.http import call
from tests.rules import rule, unit_of


def post(config: BotConfig, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    status, _, raw = call(
        f"{config.rasa_url}/webhooks/rest/webhook", "POST", body, {"Content-Type": content_type}
    )
    return status, json.loads(raw or b"null")


# the question, its language and the rule that must answer it; unit and dates come from the guides
ROUTING = [
    ("who handles a phone ASU of a former Alo customer?", "en", "asu_telefon_reaktivierung"),
    ("Wohin gehen Terminabsagen aus dem Kontaktformular?", "de", "kontaktformular_termine"),
    ("wer bearbeitet online stammdatenaenderungen aus kusos", "de", "stammdaten_online"),
    ("Who handles online change notices from the eService?", "en", "veraenderungsmitteilung_online"),
]


@pytest.mark.parametrize("question,lang,topic", ROUTING, ids=[r[2] + "-" + r[1] for r in ROUTING])
def test_routing_question_gets_unit_source_and_language(
    conversation: Ask, question: str, lang: str, topic: str
) -> None:
    reply = conversation(question)
    answer = reply.answer
    assert answer is not None
    unit = unit_of(topic)
    assert (answer["kind"], answer["unit"], answer["lang"], answer["topic"]) == ("routing", unit, lang, topic)
    assert answer["source"]["document"] == "Weisung 202505010"
    valid_from = rule(topic).valid_from
    assert valid_from is not None and answer["valid_from"] == valid_from.isoformat()
    first_line = reply.text.splitlines()[0]
    assert first_line.startswith(unit) and len(first_line) <= 120
    assert ("Quelle:" if lang == "de" else "Source:") in reply.text


@pytest.mark.parametrize(
    "question,kind",
    [
        (
            "Wer nimmt telefonische Arbeitsuchendmeldungen von Kunden auf, die noch nie einen Status hatten?",
            "not_covered",
        ),
        ("Kunde sagt seinen Termin telefonisch ab – wer bearbeitet das?", "not_covered"),
        ("Wie wird das Wetter morgen?", "out_of_scope"),
        ("asdkjh qwpoeiru", "out_of_scope"),
    ],
)
def test_no_guess_where_the_guides_are_silent(conversation: Ask, question: str, kind: str) -> None:
    reply = conversation(question)
    assert reply.answer is not None and reply.answer["kind"] == kind
    assert reply.answer["unit"] is None


def test_clarify_then_click_the_button(conversation: Ask) -> None:
    first = conversation("telefonische ASU – wer?")
    assert first.answer is not None and first.answer["kind"] == "clarify"
    yes = next(o for o in first.answer["options"] if '"reactivation"' in o["payload"])
    second = conversation(yes["payload"])
    assert second.answer is not None
    assert (second.answer["kind"], second.answer["unit"]) == ("routing", unit_of("asu_telefon_reaktivierung"))


def test_follow_up_where_is_that_written_keeps_the_thread(conversation: Ask) -> None:
    conversation("who handles online changes of personal master data?")
    reply = conversation("where is that written?")
    assert reply.answer is not None
    assert reply.answer["topic"] == "stammdaten_online" and reply.answer["lang"] == "en"
    assert "202505010" in reply.text and "2.2" in reply.text


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "\u0000\u0007",
        "🙂🙂🙂",
        "<script>alert(1)</script>",
        "a" * 10_000,
        "' OR 1=1; --",
        "{{7*7}} ${7*7}",
        "مرحبا كيف حالك",
    ],
    ids=["empty", "whitespace", "control", "emoji", "html", "10k", "sql", "template", "rtl"],
)
def test_bad_input_gets_a_clear_reply(running_bot: BotConfig, message: str) -> None:
    status, messages = post(running_bot, json.dumps({"sender": "bad-input", "message": message}).encode())
    assert status == 200
    assert messages and all(m.get("text") for m in messages if "custom" not in m)
    texts = " ".join(m.get("text") or "" for m in messages)
    assert "Traceback" not in texts and "<script>" not in texts


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"sender": "x"}', "application/json"),
        (b'{"message": "hi"}', "application/json"),
        (b'{"sender": "x", "message": 5}', "application/json"),
    ],
    ids=["not-json", "list", "no-message", "no-sender", "message-not-string"],
)
def test_malformed_request_is_a_400_that_says_why(
    running_bot: BotConfig, body: bytes, content_type: str
) -> None:
    status, reply = post(running_bot, body, content_type)
    assert status == 400
    assert isinstance(reply, dict) and reply["error"]


PERSONAL = {
    "name": "Mustermann",
    "customer number": "123D456789",
    "phone": "0911 1234567",
    "e-mail": "erika.muster@example.org",
    "iban": "DE89 3704 0044 0532 0130 00",
    "birth date": "01.02.1980",
    "address": "Musterstraße 12",
    # the other kinds and forms the issue names: names after Kunde / Kundin / Frau (any script),
    # +49 phone numbers, addresses with postcode, dates of birth with a month name, unspaced IBANs …
    "name after Kundin": "Yılmaz",
    "second name after Kundin": "Öztürk",
    "name after Kunde, mid-phrase": "Brandstätter",
    "name after Frau": "Schmidt-Weber",
    "phone with +49": "171 2345678",
    "street word on its own": "Lange Straße 5",
    "postcode and town": "90402 Nürnberg",
    "birth date with month name": "3. März 1975",
    "obfuscated e-mail": "anna.b(at)example.org",
    "iban without spaces": "DE02120300000000202051",
    "customer number with spaces": "987 D 654321",
    # English phrasing, a foreign phone number, a street without a street word
    "name after customer": "Kowalczyk",
    "foreign phone": "7946 0958",
    "street without a street word": "Am Mühlbach 7",
    "its postcode and town": "91054 Erlangen",  # not the digits alone: event timestamps hold any 5 digits
}


def stored_forms(value: str) -> list[bytes]:
    """The bytes a value would have in a file: UTF-8 (logs) or JSON-escaped (the tracker's events)."""
    return [value.encode(), json.dumps(value)[1:-1].encode()]


def test_personal_data_is_redacted_before_it_is_stored(running_bot: BotConfig, conversation: Ask) -> None:
    first = conversation(
        "Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911 1234567, Mail erika.muster@example.org, "
        "geb. 01.02.1980, Musterstraße 12, will seinen Termin absagen – kam übers Kontaktformular"
    )
    assert first.texts[-1].startswith("Hinweis: Personenbezogene Daten wurden entfernt")
    assert first.answer is not None and first.texts[0].splitlines()[0] == first.answer["verdict"]
    assert first.answer is not None and first.answer["topic"] == "kontaktformular_termine"
    second = conversation("IBAN DE89 3704 0044 0532 0130 00 per Brief geändert, wer bearbeitet das?")
    assert second.answer is not None and second.answer["kind"] == "not_covered"
    third = conversation(
        "Kundin Yılmaz Öztürk will ihren Termin absagen, Tel. +49 171 2345678, wohnt Lange Straße 5, "
        "90402 Nürnberg, geboren am 3. März 1975, Mail anna.b(at)example.org – kam übers Kontaktformular"
    )
    assert third.answer is not None and third.answer["topic"] == "kontaktformular_termine"
    assert third.texts[-1].startswith("Hinweis: Personenbezogene Daten wurden entfernt")
    fourth = conversation(
        "Kunde Brandstätter hat online über den eService eine Veränderungsmitteilung geschickt, "
        "Frau Schmidt-Weber fragt nach, Kundennummer 987 D 654321, IBAN DE02120300000000202051 – wer?"
    )
    assert fourth.answer is not None
    change_notice = unit_of("veraenderungsmitteilung_online")
    assert (fourth.answer["kind"], fourth.answer["unit"]) == ("routing", change_notice)
    assert fourth.texts[-1].startswith("Hinweis: Personenbezogene Daten wurden entfernt")
    fifth = conversation(
        "customer Kowalczyk wants to cancel her appointment, call back on +44 20 7946 0958, "
        "lives Am Mühlbach 7, 91054 Erlangen – came through the contact form, who handles it?"
    )
    assert fifth.answer is not None and fifth.answer["topic"] == "kontaktformular_termine"
    assert fifth.texts[-1].startswith("Note: personal data was removed")
    # the database with its write-ahead log (bot/serving/speedups.py), where the latest turns are
    database = sorted(running_bot.tracker_db.parent.glob(running_bot.tracker_db.name + "*"))
    stored = [*database, *sorted(running_bot.log_dir.glob("*"))]
    assert running_bot.tracker_db in database
    # the search reaches what was stored: the questions' other words are there, in one of the forms
    stored_text = b"".join(path.read_bytes() for path in database)
    for kept in ("übers Kontaktformular", "Veränderungsmitteilung geschickt", "fragt nach"):
        assert any(form in stored_text for form in stored_forms(kept)), kept
    for path in stored:
        content = path.read_bytes()
        for kind, value in PERSONAL.items():
            for form in stored_forms(value):
                assert form not in content, f"{kind} found in {path.name}"


def test_over_long_message_is_refused_politely(conversation: Ask) -> None:
    reply = conversation("Wer bearbeitet Terminabsagen? " + "bitte " * 400)
    assert reply.answer is None
    assert "2000" in reply.text


def test_too_many_messages_from_one_sender_get_429(running_bot: BotConfig) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = json.dumps({"sender": "flood", "message": "hallo"}).encode()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [status for status, _ in pool.map(lambda _: post(running_bot, body), range(40))]
    assert 429 in statuses and 200 in statuses
    assert all(status in (200, 429) for status in statuses)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", ""]
)
def test_a_message_not_declared_json_gets_415_and_is_not_stored(
    running_bot: BotConfig, content_type: str
) -> None:
    """What another intranet page can send without a CORS preflight never reaches the tracker store."""
    sender = f"plain-{uuid.uuid4().hex}"
    body = json.dumps({"sender": sender, "message": "Wer bearbeitet Terminabsagen?"}).encode()
    status, reply = post(running_bot, body, content_type)
    assert status == 415 and "application/json" in reply["error"]
    assert not tracker_has(running_bot, sender)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:8080.evil.example"])
def test_a_message_from_an_origin_not_allowed_gets_403_and_is_not_stored(
    running_bot: BotConfig, origin: str
) -> None:
    sender = f"origin-{uuid.uuid4().hex}"
    body = json.dumps({"sender": sender, "message": "Wer bearbeitet Terminabsagen?"}).encode()
    status, headers, raw = call(
        f"{running_bot.rasa_url}/webhooks/rest/webhook",
        "POST",
        body,
        {"Content-Type": "application/json", "Origin": origin},
    )
    assert status == 403 and json.loads(raw)["error"]
    assert headers.get("access-control-allow-origin") in (None, "")
    assert not tracker_has(running_bot, sender)


def test_the_widgets_origin_may_ask(running_bot: BotConfig) -> None:
    body = json.dumps({"sender": f"widget-{uuid.uuid4().hex}", "message": "Wer bearbeitet Terminabsagen?"})
    status, headers, raw = call(
        f"{running_bot.rasa_url}/webhooks/rest/webhook",
        "POST",
        body.encode(),
        {"Content-Type": "application/json; charset=utf-8", "Origin": "http://localhost:8080"},
    )
    assert status == 200 and json.loads(raw)
    assert headers["access-control-allow-origin"] == "http://localhost:8080"


def tracker_has(config: BotConfig, sender: str) -> bool:
    """Whether the tracker database holds anything of this sender."""
    with sqlite3.connect(config.tracker_db) as connection:
        return bool(connection.execute("SELECT 1 FROM events WHERE sender_id = ?", (sender,)).fetchone())


def test_oversized_body_gets_413(running_bot: BotConfig) -> None:
    status, reply = post(running_bot, json.dumps({"sender": "big", "message": "x" * 70_000}).encode())
    assert status == 413 and reply["error"]
