"""The trainers' test conversations: the shipped files, checking a turn, the report and the plot.

Reading the files (both formats, the strict schema) is tested in test_files.py.

Results are built from the real data classes and the real guides; the bot itself
is only needed in tests/e2e/test_conversations.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.answering.guides import Entry, Guides
from bot.trainers.conversation_report import (
    CONFUSION_FILE,
    REPORT_FILE,
    coverage,
    format_report,
    format_table,
    topic_pairs,
    write_report,
)
from bot.trainers.conversations import BotReply, RunResult, TurnResult, button_payload, check_turn
from bot.trainers.files import (
    Conversation,
    ConversationError,
    Turn,
    default_files,
    load_file,
    load_files,
)
from tests.bot.trainers.test_files import GOOD_FILE, write
from tests.report_html import render

# --- the shipped conversations (without the bot) -----------------------------------


def test_shipped_conversations_load_and_expect_only_real_topics(guides: Guides) -> None:
    files = default_files()
    assert {p.name for p in files} >= {"job_seeker_registration.yml", "email.yml", "follow_ups.yml"}
    conversations = load_files(files)
    for conversation in conversations:
        for turn in conversation.turns:
            topics = turn.expect.get("topic")
            for topic in topics if isinstance(topics, list) else [topics]:
                assert topic is None or topic in guides.by_id, (conversation.name, topic)
            for topic in turn.expect.get("options") or []:
                assert topic in guides.by_id, (conversation.name, topic)


def test_shipped_conversations_expect_every_entry_in_both_languages(guides: Guides) -> None:
    expected = {
        (turn.expect["topic"], turn.expect.get("lang"))
        for conversation in load_files(default_files())
        for turn in conversation.turns
        if "topic" in turn.expect
    }
    missing = [
        (entry.id, lang)
        for entry in guides.entries
        for lang in ("de", "en")
        if (entry.id, lang) not in expected
    ]
    assert missing == []


def test_every_shipped_file_documents_the_format() -> None:
    for path in default_files():
        head = path.read_text(encoding="utf-8").split('\nversion: "3.1"')[0]
        for word in ("say:", "click:", "kind:", "unit:", "topic:", "lang:", "contains:", "text:"):
            assert word in head, (path.name, word)


# --- checking a turn ----------------------------------------------------------------


def reply_from(entry: Entry, lang: str, kind: str | None = None, **extra: Any) -> BotReply:
    """A reply as the bot gives it for this entry (text and answer payload from the guides)."""
    text = entry.text.get(lang)
    answer = {"kind": kind or entry.kind, "topic": entry.id, "unit": entry.answer.unit, "lang": lang}
    answer.update(extra)
    return BotReply(texts=[f"{text.verdict}\n{text.detail}"], answer=answer, seconds=0.05)


def test_check_turn_adds_topic_and_words_to_the_eval_checks(guides: Guides) -> None:
    entry = guides.by_id["asu_telefon_reaktivierung"]
    reply = reply_from(entry, "de")
    # the unit and words are the entry's own (guides/), so changing its unit needs no edit here
    unit = entry.answer.unit
    other = next(code for code in sorted(guides.vocabulary.units) if code != unit)
    good = {"kind": "routing", "unit": unit, "topic": "asu_telefon_reaktivierung", "lang": "de"}
    words = entry.text.de.verdict.split()
    contains = [words[2].upper(), words[-1].swapcase()]  # found whatever their case
    assert check_turn({**good, "contains": contains, "text": [r"0?1\.0?7\.2025"]}, reply) == []
    assert check_turn({"topic": ["stammdaten_online", "asu_telefon_reaktivierung"]}, reply) == []
    problems = check_turn(
        {"kind": "fact", "unit": other, "topic": "stammdaten_online", "lang": "en", "contains": ["EAKTE"]},
        reply,
    )
    assert problems == [
        "kind 'routing', expected ['fact']",
        f"unit '{unit}', expected '{other}'",
        "lang 'de', expected 'en'",
        "topic 'asu_telefon_reaktivierung', expected 'stammdaten_online'",
        "text does not contain 'EAKTE'",
    ]


def test_check_turn_without_an_answer_payload() -> None:
    reply = BotReply(texts=["Hallo, ich bin Lotse."], answer=None, seconds=0.01)
    assert check_turn({}, reply) == []
    assert check_turn({"contains": ["lotse"], "topic": None}, reply) == []
    assert check_turn({"topic": "weisung_ueberblick"}, reply) == ["topic None, expected 'weisung_ueberblick'"]


CLARIFY = BotReply(
    texts=["Hatte die Kundin oder der Kunde schon einmal einen Status (Rasu, Asu, Alo) in VerBIS?"],
    answer={
        "kind": "clarify",
        "asks": "customer",
        "options": [
            {"title": "Ja, schon einmal einen Status", "payload": '/inform{"customer": "reactivation"}'},
            {"title": "Nein, noch nie einen Status", "payload": '/inform{"customer": "new"}'},
        ],
    },
    seconds=0.05,
)


def test_a_click_sends_the_payload_of_the_button_with_that_title() -> None:
    assert button_payload(CLARIFY, "Ja, schon einmal einen Status") == (
        '/inform{"customer": "reactivation"}',
        None,
    )
    assert button_payload(CLARIFY, " nein, noch nie einen status ") == ('/inform{"customer": "new"}', None)


def test_a_click_on_a_missing_button_names_the_buttons_there_are() -> None:
    payload, problem = button_payload(CLARIFY, "Vielleicht")
    assert payload is None
    assert problem == (
        "no button 'Vielleicht' in the previous reply "
        "(buttons: 'Ja, schon einmal einen Status', 'Nein, noch nie einen Status')"
    )
    assert button_payload(None, "Ja")[1] == "no button 'Ja' in the previous reply (buttons: none)"


DID_YOU_MEAN = BotReply(
    texts=["Meinten Sie eines dieser Themen der Gesprächsleitfäden?"],
    answer={
        "kind": "clarify",
        "asks": "topic",
        "options": [
            {"title": "Terminabsage", "payload": "/ask_appointment_cancellation",
             "subject": "appointment_cancellation", "topic": "kontaktformular_termine",
             "topics": ["kontaktformular_termine"]},
            {"title": "telefonische Arbeitsuchendmeldung (ASU)", "payload": "/ask_job_seeker_registration",
             "subject": "job_seeker_registration", "topic": None,
             "topics": ["asu_telefon_reaktivierung", "asu_telefon_ohne_status"]},
        ],
    },
    seconds=0.05,
)  # fmt: skip


def test_options_expects_entries_among_a_did_you_mean_replys_options(tmp_path: Path) -> None:
    text = GOOD_FILE.replace(
        "expect: {kind: clarify}", "expect: {kind: clarify, options: [kontaktformular_termine]}"
    )
    assert load_file(write(tmp_path, text))[0].turns[0].expect["options"] == ["kontaktformular_termine"]
    expect = {"kind": "clarify", "options": ["kontaktformular_termine", "asu_telefon_ohne_status"]}
    assert check_turn(expect, DID_YOU_MEAN) == []  # an entry a click can lead to counts as offered
    assert check_turn({"options": ["eakte_antrag"]}, DID_YOU_MEAN) == [
        "option 'eakte_antrag' not offered (options: 'Terminabsage' (kontaktformular_termine), "
        "'telefonische Arbeitsuchendmeldung (ASU)' (asu_telefon_reaktivierung/asu_telefon_ohne_status))"
    ]
    assert check_turn({"options": ["eakte_antrag"]}, CLARIFY) == [
        "option 'eakte_antrag' not offered (options: 'Ja, schon einmal einen Status' (), "
        "'Nein, noch nie einen Status' ())"
    ]
    with pytest.raises(ConversationError, match="must be a list of non-empty strings"):
        load_file(write(tmp_path, GOOD_FILE.replace("expect: {kind: clarify}", "expect: {options: [3]}")))


# --- table, report and plot -----------------------------------------------------------


def result(
    conversation: Conversation, number: int, reply: BotReply | None, sent: str | None = "q"
) -> TurnResult:
    turn = conversation.turns[number - 1]
    problems = check_turn(turn.expect, reply) if reply else ["no button 'Ja' in the previous reply"]
    return TurnResult(conversation, number, turn, sent if reply else None, reply, problems)


@pytest.fixture
def run(guides: Guides) -> RunResult:
    """Four conversations over real entries: two pass, one is answered from the wrong entry,
    one clicks a button that is not there."""
    by_id = guides.by_id
    phone = Conversation(
        "phone registration clarified by a click",
        "tests/conversations/job_seeker_registration.yml",
        (
            Turn("telefonische ASU – wer?", {"kind": "clarify"}),
            Turn(
                "Ja, schon einmal einen Status",
                {"topic": "asu_telefon_reaktivierung", "lang": "de"},
                click=True,
            ),
            Turn("where is that written?", {"topic": "asu_telefon_reaktivierung", "lang": "en"}),
        ),
    )
    overview = Conversation(
        "what the instruction settles",
        "tests/conversations/instruction.yml",
        (Turn("Was regelt die Weisung 202505010?", {"kind": "fact", "topic": "weisung_ueberblick"}),),
    )
    email = Conversation(
        "site postboxes | blocked",
        "tests/conversations/email.yml",
        (Turn("When are the site postboxes blocked?", {"topic": "sperre_liegenschaftspostfaecher"}),),
    )
    missed = Conversation(
        "click on a missing button",
        "tests/conversations/job_seeker_registration.yml",
        (Turn("Wer bearbeitet Terminabsagen?", {"kind": "routing"}), Turn("Ja", {}, click=True)),
    )
    results = [
        result(phone, 1, CLARIFY),
        result(phone, 2, reply_from(by_id["asu_telefon_reaktivierung"], "de")),
        result(phone, 3, reply_from(by_id["asu_telefon_reaktivierung"], "en", kind="fact")),
        result(overview, 1, reply_from(by_id["weisung_bezug"], "de")),
        result(email, 1, reply_from(by_id["sperre_liegenschaftspostfaecher"], "en")),
        result(missed, 1, reply_from(by_id["kontaktformular_termine"], "de")),
        result(missed, 2, None),
    ]
    return RunResult(results, seconds=1.25, rasa_url="http://127.0.0.1:15005")


def test_the_results_are_as_built(run: RunResult) -> None:
    assert [r.passed for r in run.results] == [True, True, True, False, True, True, False]
    assert len(run.conversations) == 4


def test_coverage_counts_passed_turns_per_entry_and_language_unreached_first(
    guides: Guides, run: RunResult
) -> None:
    rows = coverage(guides, run.results)
    assert len(rows) == len(guides.entries)
    counts = {row.entry: (row.de, row.en) for row in rows}
    assert counts["asu_telefon_reaktivierung"] == (1, 1)
    assert counts["sperre_liegenschaftspostfaecher"] == (0, 1)
    assert counts["kontaktformular_termine"] == (1, 0)
    assert counts["weisung_bezug"] == (0, 0)  # reached only by a failed turn: proves nothing
    reached = [row.entry for row in rows if row.turns]
    assert reached == [
        "sperre_liegenschaftspostfaecher",
        "kontaktformular_termine",
        "asu_telefon_reaktivierung",
    ]
    assert [row.turns for row in rows[-3:]] == [1, 1, 2]
    unreached = rows[:-3]
    assert all(row.turns == 0 for row in unreached)
    assert unreached[0].entry == guides.entries[0].id  # in the guides' order
    assert {row.file for row in rows} == {entry.file for entry in guides.entries}


def test_the_table_shows_every_turn_and_why_one_failed(run: RunResult) -> None:
    table = format_table(run)
    lines = table.splitlines()
    assert lines[0].split() == ["conversation", "turn", "result", "expected", "got"]
    assert sum(" pass " in line for line in lines) == 5
    assert sum(" FAIL " in line for line in lines) == 2
    assert "topic 'weisung_bezug', expected 'weisung_ueberblick'" in table
    assert "said: [Ja]" in table and "(nothing sent)" in table
    assert "topic=asu_telefon_reaktivierung lang=de" in table


def test_topic_pairs_are_the_turns_that_expect_one_topic(run: RunResult) -> None:
    assert topic_pairs(run.results) == [
        ("asu_telefon_reaktivierung", "asu_telefon_reaktivierung"),
        ("asu_telefon_reaktivierung", "asu_telefon_reaktivierung"),
        ("weisung_ueberblick", "weisung_bezug"),
        ("sperre_liegenschaftspostfaecher", "sperre_liegenschaftspostfaecher"),
    ]


def test_the_report_has_summary_failures_and_coverage(guides: Guides, run: RunResult, tmp_path: Path) -> None:
    report, png = write_report(run, guides, tmp_path / "reports")
    assert (report.name, png.name) == (REPORT_FILE, CONFUSION_FILE)
    text = report.read_text(encoding="utf-8")
    assert "4 conversations, 7 turns: 5 passed, 2 failed" in text
    total = len(guides.entries)
    assert f"**3 / {total}** guide entries reached" in text
    assert "## Failures (2)" in text
    failures = text.split("## Failures (2)")[1].split("## Coverage")[0]
    assert "| what the instruction settles | tests/conversations/instruction.yml | 1 |" in failures
    assert "topic 'weisung_bezug', expected 'weisung_ueberblick'" in failures
    assert (
        "| click on a missing button | tests/conversations/job_seeker_registration.yml | 2 | [Ja] |"
        in failures
    )
    coverage_rows = [line for line in text.split("## Coverage")[1].splitlines() if line.startswith("| ")][1:]
    assert len(coverage_rows) == total
    assert all("(not reached)" in line for line in coverage_rows[: total - 3])
    assert coverage_rows[-1] == "| asu_telefon_reaktivierung | gespraechsleitfaden_sc.yml | 2 | 1 | 1 |"
    assert f"![topic confusion]({CONFUSION_FILE})" in text


def test_a_pipe_in_a_name_or_regex_does_not_break_the_markdown_table(guides: Guides) -> None:
    piped = Conversation("EZ | SC", "x.yml", (Turn("Wer?", {"text": ["Eingangszone|VCC"]}),))
    reply = reply_from(guides.by_id["asu_telefon_reaktivierung"], "en")
    run = RunResult([result(piped, 1, reply)], 0.1)
    text = format_report(run, coverage(guides, run.results), None)
    rows = [line for line in text.split("## Coverage")[0].splitlines() if line.startswith("| EZ")]
    assert len(rows) == 1
    assert "EZ \\| SC" in rows[0] and "/Eingangszone\\|VCC/" in rows[0]
    assert rows[0].replace("\\|", "").count("|") == 9  # 8 columns


def test_markup_a_trainer_typed_is_shown_as_text(guides: Guides) -> None:
    """The report copies what the conversation said; a Markdown viewer must show it, not run it."""
    said = "<script>alert(1)</script> <img src=x onerror=alert(1)> [Hilfe](https://evil.example/)"
    hostile = Conversation("<b>name</b>", "x.yml", (Turn(said, {"kind": "not_covered"}),))
    reply = reply_from(guides.by_id["asu_telefon_reaktivierung"], "de")
    run = RunResult([result(hostile, 1, reply)], 0.1)
    text = format_report(run, coverage(guides, run.results), None)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    rendered = render(text)
    assert not rendered.tags & {"script", "img", "a", "b"}
    assert said in rendered.text and "<b>name</b>" in rendered.text


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_confusion_plot_is_a_png(guides: Guides, run: RunResult, tmp_path: Path) -> None:
    _, png = write_report(run, guides, tmp_path)
    assert png.stat().st_size > 5000
    width, height = png_size(png)
    assert width >= 600 and height >= 500


def test_a_run_without_topic_expectations_still_writes_a_plot(guides: Guides, tmp_path: Path) -> None:
    hello = Conversation("greeting", "x.yml", (Turn("Hallo", {}),))
    reply = BotReply(texts=["Hallo, ich bin Lotse."], answer=None, seconds=0.01)
    runs: Sequence[TurnResult] = [TurnResult(hello, 1, hello.turns[0], "Hallo", reply, [])]
    report, png = write_report(RunResult(list(runs), 0.1), guides, tmp_path)
    assert png.stat().st_size > 0 and png_size(png)[0] > 0
    text = report.read_text(encoding="utf-8")
    assert "None – every turn passed." in text and f"**0 / {len(guides.entries)}**" in text
