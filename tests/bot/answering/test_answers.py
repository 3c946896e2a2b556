"""The answer contract: verdict, detail, validity, source; the payload carries the same facts.

The widget renders an answer from its payload alone, so every line a reply's text shows must be in
the payload too (lead, verdict, detail, validity, source text), with the unit's label from the
vocabulary.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.answering.answers import AnswerWriter
from bot.answering.engine import OTHER, Clarify, NotCovered, resolve
from bot.answering.guides import LANGS, Entry, Guides, load_guides
from bot.answering.payload import NEW_FOR_DAYS, Reply, format_date, new_since
from bot.answering.responses import Responses
from bot.paths import GUIDES_DIR
from tests.conftest import BEFORE_JULY_2025, TODAY, GuideCopy
from tests.rules import unit_of

ENTRY_IDS = [entry.id for entry in load_guides(GUIDES_DIR).entries]
SOURCE_WORD = {"de": "Abschnitt", "en": "section"}


# --- every entry, both languages ------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_entry_reply_follows_the_contract(
    writer: AnswerWriter, guides: Guides, entry_id: str, lang: str
) -> None:
    entry = guides.by_id[entry_id]
    text = entry.text.get(lang)
    reply = writer.entry_reply(entry, lang, TODAY, TODAY)
    lines = reply.text.split("\n")

    assert lines[0] == text.verdict
    assert lines[1] == text.detail
    source_line = writer.source_line(entry, lang)
    assert lines[-1] == source_line
    assert f"{SOURCE_WORD[lang]} {entry.section}" in source_line
    assert guides.instruction.sections[entry.section].get(lang) in source_line
    assert guides.documents[entry.document].title.get(lang) in source_line
    if entry.valid_from:
        assert format_date(entry.valid_from, lang) in reply.text
    if entry.valid_to:
        assert format_date(entry.valid_to, lang) in reply.text
    assert reply.buttons == []

    answer = reply.payload["answer"]
    assert answer["kind"] == entry.kind
    assert answer["topic"] == entry.id
    assert answer["unit"] == entry.answer.unit
    assert answer["lang"] == lang
    assert answer["verdict"] == text.verdict
    assert answer["source"]["document"] == "Weisung 202505010"
    assert answer["source"]["section"] == entry.section
    assert answer["source"]["guide"] == guides.documents[entry.document].title.get(lang)
    assert answer["valid_from"] == (entry.valid_from.isoformat() if entry.valid_from else None)
    assert answer["valid_to"] == (entry.valid_to.isoformat() if entry.valid_to else None)
    assert answer["where"] == (entry.answer.where.get(lang) if entry.answer.where else None)
    # what the widget shows, each as the reply's text says it
    assert answer["unit_label"] == (
        guides.vocabulary.units[entry.answer.unit].get(lang) if entry.answer.unit else None
    )
    assert answer["lead"] is None
    assert answer["detail"] == text.detail == lines[1]
    assert answer["validity"] == (writer.validity_line(entry, lang) or None)
    assert answer["source"]["text"] == source_line
    assert shown(reply) == lines
    json.dumps(reply.payload)  # the payload travels as JSON


def test_payload_carries_deadline_and_form_when_the_entry_has_them(
    writer: AnswerWriter, guides: Guides
) -> None:
    answer = writer.entry_reply(guides.by_id["eakte_antrag"], "de", TODAY, TODAY).payload["answer"]
    assert "2 Wochen" in answer["deadline"]
    assert answer["form"] == "SGBIII_Änderungsformular_zum_eAkte_Regelwerk"
    plain = writer.entry_reply(guides.by_id["pressearbeit"], "de", TODAY, TODAY).payload["answer"]
    assert "deadline" not in plain and "form" not in plain


@pytest.mark.parametrize(
    ("lang", "date_text"),
    [("de", "15.06.2025"), ("en", "15 June 2025")],
    ids=["de", "en"],
)
def test_answer_for_another_day_names_the_day_in_the_verdict_line(
    writer: AnswerWriter, guides: Guides, lang: str, date_text: str
) -> None:
    entry = guides.by_id["freie_emails_bis_juni_2025"]
    reply = writer.entry_reply(entry, lang, BEFORE_JULY_2025, TODAY)
    first = reply.text.split("\n")[0]
    assert date_text in first and first.endswith(entry.text.get(lang).verdict)
    assert reply.payload["answer"]["verdict"] == first  # the verdict an agent reads, with its day


def shown(reply: Reply) -> list[str]:
    """The lines the widget shows from the payload alone, in its order of the reply's text."""
    answer = reply.payload["answer"]
    source = (answer["source"] or {}).get("text")
    parts = [answer["lead"], answer["verdict"], answer["detail"], answer["validity"], source]
    return [line for part in parts if part for line in part.split("\n")]


def assert_payload_shows_the_text(reply: Reply, name: str) -> None:
    """Nothing of the reply's text is lost to the widget: each line is in the payload's fields."""
    missing = [line for line in reply.text.split("\n") if line not in shown(reply)]
    assert missing == [], (name, missing)
    assert reply.text.split("\n")[0] in (
        reply.payload["answer"]["lead"] or reply.payload["answer"]["verdict"]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_kind_of_reply_carries_what_the_widget_shows(
    writer: AnswerWriter, guides: Guides, lang: str
) -> None:
    entry = guides.by_id["eakte_antrag"]  # a deadline, a form, a validity, a unit-less fact
    routing = guides.by_id["kontaktformular_termine"]
    attributes = guides.vocabulary.follow_up_attributes
    not_covered = resolve(guides, {"subject": "appointment_cancellation", "channel": "online"}, TODAY)
    assert isinstance(not_covered, NotCovered)
    replies = {
        "entry, another day": writer.entry_reply(routing, lang, BEFORE_JULY_2025, TODAY),
        "detail": writer.detail_reply(entry, attributes["deadline"], lang),
        "detail not given": writer.detail_not_covered_reply(routing, attributes["deadline"], lang),
        "validity": writer.validity_reply(routing, lang),
        "validity with detail": writer.validity_reply(routing, lang, with_detail=True),
        "source": writer.source_reply(routing, lang),
        "why": writer.why_reply(routing, {"channel": "contact_form", "matter": "appointment"}, lang, TODAY),
        "not covered": writer.not_covered_reply(not_covered, lang, TODAY, "appointment_cancellation"),
        "out of scope": writer.simple_reply("utter_out_of_scope", lang, kind="out_of_scope"),
    }
    for name, reply in replies.items():
        assert_payload_shows_the_text(reply, name)
        assert reply.payload["answer"]["verdict"], name
    assert replies["validity"].payload["answer"]["lead"] == replies["validity"].text.split("\n")[0]
    assert replies["validity"].payload["answer"]["detail"] is None  # the detail only when asked on its own
    assert replies["why"].payload["answer"]["verdict"] == routing.text.get(lang).verdict
    assert replies["source"].payload["answer"]["unit_label"] == guides.vocabulary.units["EZ"].get(lang)
    assert replies["detail not given"].payload["answer"]["detail"] == f"• {routing.text.get(lang).verdict}"
    # the entry the unsettled detail was asked of, so the thread goes on; no other reply has one
    assert replies["detail not given"].payload["answer"]["about"] == "kontaktformular_termine"
    assert all(
        reply.payload["answer"]["about"] is None
        for name, reply in replies.items()
        if name != "detail not given"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_unit_in_the_guides_reaches_the_payload_with_its_label(
    guide_copy: GuideCopy, responses: Responses, lang: str
) -> None:
    """A unit is declared once, in vocabulary.yml: the payload names it and its label, no code knows it."""
    labels = {"de": "Testeinheit SGB III", "en": "test unit SGB III"}
    guide_copy.replace(
        "vocabulary.yml", "units:\n", f"units:\n  TE:\n    de: {labels['de']}\n    en: {labels['en']}\n"
    )
    guide_copy.replace_in_entry("gespraechsleitfaden_ez.yml", "stammdaten_online", "unit: EZ", "unit: TE")
    guides = guide_copy.load()
    writer = AnswerWriter(guides, responses)
    entry = guides.by_id["stammdaten_online"]
    for reply in (writer.entry_reply(entry, lang, TODAY, TODAY), writer.source_reply(entry, lang)):
        answer = reply.payload["answer"]
        assert (answer["unit"], answer["unit_label"]) == ("TE", labels[lang])
        json.dumps(reply.payload)


# --- validity lines and dates ---------------------------------------------------------

DATE_CASES = [
    ("de", dt.date(2025, 7, 1), "01.07.2025"),
    ("en", dt.date(2025, 7, 1), "1 July 2025 (01.07.2025)"),
    ("en", dt.date(2025, 12, 31), "31 December 2025 (31.12.2025)"),
    ("en", dt.date(2026, 1, 9), "9 January 2026 (09.01.2026)"),
    ("de", None, ""),
]


@pytest.mark.parametrize(
    ("lang", "day", "expected"), DATE_CASES, ids=["de", "en-july", "en-december", "en-january", "none"]
)
def test_format_date(lang: str, day: dt.date | None, expected: str) -> None:
    assert format_date(day, lang) == expected


VALIDITY_CASES = [
    ("from-de", "asu_telefon_reaktivierung", "de", ["ab", "01.07.2025"]),
    ("from-en", "asu_telefon_reaktivierung", "en", ["from", "1 July 2025"]),
    ("until-de", "freie_emails_bis_juni_2025", "de", ["bis", "30.06.2025"]),
    ("until-en", "freie_emails_bis_juni_2025", "en", ["until", "30 June 2025"]),
]


@pytest.mark.parametrize(
    ("entry_id", "lang", "words"), [c[1:] for c in VALIDITY_CASES], ids=[c[0] for c in VALIDITY_CASES]
)
def test_validity_line(
    writer: AnswerWriter, guides: Guides, entry_id: str, lang: str, words: list[str]
) -> None:
    line = writer.validity_line(guides.by_id[entry_id], lang)
    for word in words:
        assert word in line


# --- clarifying questions ---------------------------------------------------------

CLARIFY_QUERIES = [
    ("customer", {"subject": "job_seeker_registration", "channel": "phone"}),
    ("channel-appointments", {"subject": "appointment_cancellation"}),
    ("channel-master-data", {"subject": "master_data_change"}),
    ("channel-change-notice", {"subject": "change_notice"}),
    ("postbox", {"subject": "email_block"}),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("query", [c[1] for c in CLARIFY_QUERIES], ids=[c[0] for c in CLARIFY_QUERIES])
def test_clarify_reply_offers_inform_buttons(
    writer: AnswerWriter, guides: Guides, query: dict[str, str], lang: str
) -> None:
    found = resolve(guides, query, TODAY)
    assert isinstance(found, Clarify)
    condition = guides.vocabulary.conditions[found.key]
    reply = writer.clarify_reply(found, lang)

    assert condition.question is not None
    assert reply.text == condition.question.get(lang)
    assert len(reply.buttons) == len(found.values) >= 2
    for button, value in zip(reply.buttons, found.values, strict=True):
        assert button["payload"].startswith("/inform{")
        assert json.loads(button["payload"][len("/inform") :]) == {found.key: value}
        assert button["title"] == condition.values[value].get(lang)
    answer = reply.payload["answer"]
    assert (answer["kind"], answer["asks"], answer["lang"]) == ("clarify", found.key, lang)
    assert answer["options"] == reply.buttons
    assert answer["verdict"] == reply.text  # the question, which the widget shows above the buttons
    assert answer["topic"] is None and answer["source"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_clarify_with_one_value_adds_something_else(
    writer: AnswerWriter, responses: Responses, guides: Guides, lang: str
) -> None:
    found = Clarify(key="customer", values=["reactivation", OTHER], candidates=())
    reply = writer.clarify_reply(found, lang)
    assert [b["title"] for b in reply.buttons] == [
        guides.vocabulary.conditions["customer"].values["reactivation"].get(lang),
        responses.text("utter_option_other", lang),
    ]
    assert json.loads(reply.buttons[1]["payload"][len("/inform") :]) == {"customer": OTHER}


# --- not covered ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_not_covered_lists_what_the_guides_do_settle(
    writer: AnswerWriter, responses: Responses, guides: Guides, lang: str
) -> None:
    found = resolve(guides, {"subject": "appointment_cancellation", "channel": "online"}, TODAY)
    assert isinstance(found, NotCovered)
    reply = writer.not_covered_reply(found, lang, TODAY, "appointment_cancellation")
    lines = reply.text.split("\n")

    assert lines[0] == responses.text("utter_not_covered", lang)
    assert lines[1] == responses.text("utter_guides_settle", lang)
    settled = guides.by_id["kontaktformular_termine"]
    assert lines[2] == f"• {settled.text.get(lang).verdict} ({writer.validity_line(settled, lang)})"
    answer = reply.payload["answer"]
    assert (answer["kind"], answer["lang"], answer["topic"]) == ("not_covered", lang, None)
    assert answer["source"] == writer.source_of(guides.by_id["kontaktformular_termine"], lang)


@pytest.mark.parametrize(
    ("lang", "date_text", "topic"),
    [("de", "15.06.2025", "Veränderungsmitteilung"), ("en", "15 June 2025", "change in professional")],
    ids=["de", "en"],
)
def test_not_covered_on_a_day_before_the_rule(
    writer: AnswerWriter, guides: Guides, lang: str, date_text: str, topic: str
) -> None:
    found = resolve(
        guides,
        {"subject": "change_notice", "channel": "online"},
        BEFORE_JULY_2025,
    )
    assert isinstance(found, NotCovered) and found.outside_dates
    reply = writer.not_covered_reply(found, lang, BEFORE_JULY_2025, "change_notice")
    lines = reply.text.split("\n")

    assert date_text in lines[0] and topic in lines[0]
    for earlier in guides.instruction.earlier_instructions:
        assert earlier.number in lines[1]
    rule = guides.by_id["veraenderungsmitteilung_online"]
    # the rule is listed with its start, so nobody reads it as valid on the asked day
    assert f"• {rule.text.get(lang).verdict} ({writer.validity_line(rule, lang)})" in lines
    assert reply.payload["answer"]["kind"] == "not_covered"


def test_not_covered_without_related_entries_has_no_source(
    writer: AnswerWriter, responses: Responses
) -> None:
    reply = writer.not_covered_reply(NotCovered(), "de", TODAY, None)
    assert reply.text == responses.text("utter_not_covered", "de")
    assert reply.payload["answer"]["source"] is None


def test_not_covered_related_not_covered_entries_are_not_listed(
    writer: AnswerWriter, responses: Responses, guides: Guides
) -> None:
    found = resolve(
        guides,
        {"subject": "job_seeker_registration", "channel": "phone", "customer": "new"},
        BEFORE_JULY_2025,
    )
    assert isinstance(found, NotCovered)
    reply = writer.not_covered_reply(found, "de", BEFORE_JULY_2025, "job_seeker_registration")
    assert responses.text("utter_guides_settle", "de") not in reply.text
    assert "•" not in reply.text
    assert reply.payload["answer"]["source"]["section"] == "2.2"


# --- follow-ups -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_source_reply_names_section_and_ends_with_the_verdict(
    writer: AnswerWriter, guides: Guides, lang: str
) -> None:
    entry = guides.by_id["stammdaten_online"]
    reply = writer.source_reply(entry, lang)
    first, second = reply.text.split("\n")
    assert f"{SOURCE_WORD[lang]} 2.2" in first
    assert format_date(guides.instruction.date, lang) in first
    assert second == entry.text.get(lang).verdict
    answer = reply.payload["answer"]
    assert (answer["kind"], answer["topic"], answer["unit"]) == (
        "fact",
        "stammdaten_online",
        unit_of("stammdaten_online"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_validity_reply_without_dates_says_so(
    writer: AnswerWriter, responses: Responses, guide_copy: GuideCopy, lang: str
) -> None:
    guide_copy.replace_in_entry("weisung.yml", "atv_kalender", "valid_from: 2025-05-26", "valid_from: null")
    guides = guide_copy.load()
    entry = guides.by_id["atv_kalender"]
    lines = AnswerWriter(guides, responses).validity_reply(entry, lang).text.split("\n")
    assert lines[0] == responses.text("utter_valid_always", lang)
    assert lines[1] == entry.text.get(lang).verdict


# --- "Neu seit": an entry valid for less than 30 days is marked ------------------------------------


def _recent_entry(guides: Guides) -> Entry:
    """An entry with a start day that is still valid 30 days after it: the days around its start."""
    return next(
        e
        for e in guides.entries
        if e.valid_from and e.valid_on(e.valid_from + dt.timedelta(days=NEW_FOR_DAYS))
    )


def test_new_since_is_the_start_on_the_first_30_days_of_an_entry_only(guides: Guides) -> None:
    entry = _recent_entry(guides)
    assert entry.valid_from is not None
    start = entry.valid_from
    assert new_since(entry, start) == start
    assert new_since(entry, start + dt.timedelta(days=NEW_FOR_DAYS - 1)) == start
    assert new_since(entry, start + dt.timedelta(days=NEW_FOR_DAYS)) is None
    assert new_since(entry, start - dt.timedelta(days=1)) is None  # not valid yet: nothing new
    open_start = next((e for e in guides.entries if e.valid_from is None), None)
    if open_start is not None:
        assert new_since(open_start, TODAY) is None


@pytest.mark.parametrize("lang", LANGS)
def test_entry_reply_payload_carries_new_since_for_the_day_asked_about(
    writer: AnswerWriter, guides: Guides, lang: str
) -> None:
    entry = _recent_entry(guides)
    assert entry.valid_from is not None
    ten_days_in = entry.valid_from + dt.timedelta(days=10)
    fresh = writer.entry_reply(entry, lang, ten_days_in, TODAY).payload["answer"]
    assert fresh["new_since"] == entry.valid_from.isoformat()
    json.dumps(fresh)  # an ISO string, as the widget reads it
    same_day_today = writer.entry_reply(entry, lang, ten_days_in, ten_days_in).payload["answer"]
    assert same_day_today["new_since"] == entry.valid_from.isoformat()
    later = entry.valid_from + dt.timedelta(days=NEW_FOR_DAYS)
    assert writer.entry_reply(entry, lang, later, later).payload["answer"]["new_since"] is None


def test_every_payload_has_the_new_since_key(writer: AnswerWriter, guides: Guides) -> None:
    entry = _recent_entry(guides)
    assert writer.validity_reply(entry, "de").payload["answer"]["new_since"] is None
    not_answered = writer.simple_reply("utter_no_previous_answer", "de", kind="out_of_scope")
    assert not_answered.payload["answer"]["new_since"] is None
