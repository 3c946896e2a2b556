"""A worked example of the next instruction: several instructions in sources.yml, and time.

A fictitious instruction 202612001 (valid from 01.01.2027) hands online master-data changes to
the SC, replacing the EZ rule of 202505010, and adds a rule for contact forms that did not exist
before. The answers before and after that day, and the loader's errors for broken variants, are
what a trainer adding the next real instruction relies on.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering.answers import AnswerWriter
from bot.answering.engine import Answer, NotCovered, resolve_as_of
from bot.answering.guides import GuideError, Guides, load_sources
from bot.answering.responses import Responses
from bot.paths import GUIDES_DIR
from bot.serving.channels import unavailable_reply
from bot.serving.web import instruction_values
from tests.conftest import GuideCopy

EZ_FILE = "gespraechsleitfaden_ez.yml"
SOURCES = "sources.yml"
NEW = "202612001"
CHANGE = dt.date(2027, 1, 1)
BEFORE = dt.date(2026, 11, 27)  # the tests' today: the change is still to come
AFTER = dt.date(2027, 2, 1)  # a today after the change
ONLINE = {"subject": "master_data_change", "channel": "online"}
CONTACT_FORM = {"subject": "master_data_change", "channel": "contact_form"}

NEW_INSTRUCTION = f"""\
- id: weisung_{NEW}
  number: "{NEW}"
  title: Fiktive Folgeweisung (nur für Tests)
  date: 2026-11-15
  valid_from: 2027-01-01
  valid_to: null
  reference_sign: TEST – 0000
  label: {{de: Weisung {NEW}, en: Instruction {NEW}}}
  replaces: ["202505010"]
  sections:
    "1": {{de: Neuordnung, en: Reorganisation}}

"""

NEW_ENTRIES = f"""\
  - id: stammdaten_online_2027
    kind: routing
    when: {{subject: master_data_change, channel: online}}
    answer: {{unit: SC}}
    valid_from: 2027-01-01
    valid_to: null
    source: {{instruction: "{NEW}", section: "1"}}
    replaces: [stammdaten_online]
    text:
      de:
        verdict: SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center.
        detail: Testregel.
      en:
        {{verdict: SC – from 2027 the Service Center handles online master-data changes., detail: Test rule.}}

  - id: stammdaten_kontaktformular_2027
    kind: routing
    when: {{subject: master_data_change, channel: contact_form}}
    answer: {{unit: EZ}}
    valid_from: 2027-01-01
    valid_to: null
    source: {{instruction: "{NEW}", section: "1"}}
    text:
      de:
        {{verdict: EZ – Stammdaten aus dem Kontaktformular bearbeitet die Eingangszone., detail: Testregel.}}
      en:
        {{verdict: EZ – the Eingangszone handles master data from the contact form., detail: Test rule.}}
"""


def add_new_instruction(copy: GuideCopy) -> None:
    """The edit README's "When a new instruction comes" describes, on a copy of the guides."""
    copy.replace(
        SOURCES, "\n# One guide file per document;", "\n" + NEW_INSTRUCTION + "# One guide file per document;"
    )
    copy.replace_in_entry(EZ_FILE, "stammdaten_online", "    valid_to: null\n", "    valid_to: 2026-12-31\n")
    copy.append(EZ_FILE, NEW_ENTRIES)


@pytest.fixture
def next_guides(guide_copy: GuideCopy) -> Guides:
    add_new_instruction(guide_copy)
    return guide_copy.load()


def reply_for(
    guides: Guides,
    responses: Responses,
    query: dict[str, str],
    day: dt.date | None,
    today: dt.date,
    lang: str,
) -> tuple[str, dict[str, object]]:
    found, named = resolve_as_of(guides, query, day, today)
    reply = AnswerWriter(guides, responses).resolution_reply(
        found, lang, named or today, today, query["subject"]
    )
    return reply.text, reply.payload["answer"]


def test_both_instructions_load_and_each_entry_cites_its_own(next_guides: Guides) -> None:
    assert list(next_guides.instructions) == ["202505010", NEW]
    assert next_guides.instructions[NEW].replaces == ("202505010",)
    assert next_guides.instruction_of(next_guides.by_id["stammdaten_online_2027"]).number == NEW
    assert next_guides.instruction_of(next_guides.by_id["stammdaten_online"]).number == "202505010"
    # the instruction staff are pointed to is the one in force
    assert next_guides.current_instruction(BEFORE).number == "202505010"
    assert next_guides.current_instruction(AFTER).number == NEW
    assert next_guides.replaced_by(next_guides.by_id["stammdaten_online"]) == [
        next_guides.by_id["stammdaten_online_2027"]
    ]


def test_today_the_old_rule_is_answered_and_the_coming_one_announced(
    next_guides: Guides, responses: Responses
) -> None:
    text, answer = reply_for(next_guides, responses, ONLINE, None, BEFORE, "de")
    lines = text.split("\n")
    assert lines[0].startswith("EZ – online geänderte persönliche (Stamm-)Daten")
    assert "Quelle: Weisung 202505010, Abschnitt 2.2" in text
    assert (
        lines[-2] == "Ab 01.01.2027: SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center."
    )
    assert lines[-1].startswith(f"Quelle: Weisung {NEW}, Abschnitt 1 (Neuordnung)")
    assert (answer["topic"], answer["unit"], answer["valid_to"]) == ("stammdaten_online", "EZ", "2026-12-31")
    upcoming = answer["upcoming"]
    assert isinstance(upcoming, dict)
    assert (upcoming["valid_from"], upcoming["topic"], upcoming["unit"]) == (
        "2027-01-01",
        "stammdaten_online_2027",
        "SC",
    )
    assert upcoming["source"]["document"] == f"Weisung {NEW}"
    assert answer["replaced_by"] == []


def test_in_english_the_announcement_reads_from(next_guides: Guides, responses: Responses) -> None:
    text, _ = reply_for(next_guides, responses, ONLINE, None, BEFORE, "en")
    assert "From 1 January 2027 (01.01.2027): SC – from 2027 the Service Center handles" in text
    assert f"Source: Instruction {NEW}, section 1" in text


def test_asked_for_a_day_after_the_change_the_new_rule_answers(
    next_guides: Guides, responses: Responses
) -> None:
    text, answer = reply_for(next_guides, responses, ONLINE, dt.date(2027, 1, 15), BEFORE, "de")
    assert text.split("\n")[0] == (
        "Stand 15.01.2027: SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center."
    )
    assert f"Quelle: Weisung {NEW}, Abschnitt 1" in text
    assert (answer["topic"], answer["unit"], answer["upcoming"]) == ("stammdaten_online_2027", "SC", None)


def test_once_replaced_the_old_rule_is_answered_for_its_days_naming_what_replaced_it(
    next_guides: Guides, responses: Responses
) -> None:
    text, answer = reply_for(next_guides, responses, ONLINE, dt.date(2026, 12, 1), AFTER, "de")
    lines = text.split("\n")
    assert lines[0].startswith("Stand 01.12.2026: EZ – online geänderte persönliche (Stamm-)Daten")
    assert lines[-2] == (
        f"Ersetzt ab 01.01.2027 durch Weisung {NEW}: "
        "SC – online geänderte Stammdaten bearbeitet ab 2027 das Service Center."
    )
    replaced_by = answer["replaced_by"]
    assert isinstance(replaced_by, list)
    assert [r["topic"] for r in replaced_by] == ["stammdaten_online_2027"]
    # today, after the change, the new rule is the answer, with nothing to announce
    text, answer = reply_for(next_guides, responses, ONLINE, None, AFTER, "de")
    assert text.startswith("SC – online geänderte Stammdaten") and answer["upcoming"] is None


def test_a_rule_that_begins_later_is_not_yet_valid_not_not_covered(
    next_guides: Guides, responses: Responses
) -> None:
    found, _ = resolve_as_of(next_guides, CONTACT_FORM, None, BEFORE)
    assert isinstance(found, NotCovered) and found.not_yet is not None and found.no_longer is None
    text, answer = reply_for(next_guides, responses, CONTACT_FORM, None, BEFORE, "de")
    assert text.startswith("Noch nicht gültig – für den 27.11.2026 gilt dazu noch keine Regel")
    assert "Ab 01.01.2027: EZ – Stammdaten aus dem Kontaktformular" in text
    assert not text.startswith("Nicht geregelt")
    assert answer["kind"] == "not_covered" and answer["topic"] == "stammdaten_kontaktformular_2027"
    assert isinstance(answer["upcoming"], dict) and answer["upcoming"]["valid_from"] == "2027-01-01"
    # from its first day on it is simply the answer
    found, _ = resolve_as_of(next_guides, CONTACT_FORM, None, AFTER)
    assert isinstance(found, Answer) and found.entry.id == "stammdaten_kontaktformular_2027"


def test_a_rule_that_ended_with_nothing_after_it_is_no_longer_valid(
    guide_copy: GuideCopy, responses: Responses
) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace_in_entry(
        EZ_FILE, "stammdaten_kontaktformular_2027", "    valid_to: null\n", "    valid_to: 2027-01-31\n"
    )
    guides = guide_copy.load()
    text, answer = reply_for(guides, responses, CONTACT_FORM, None, dt.date(2027, 3, 1), "en")
    assert text.startswith("No longer valid – the rule (")
    assert "applied only until 31 January 2027 (31.01.2027): EZ – the Eingangszone handles" in text
    assert answer["valid_to"] == "2027-01-31"


def test_the_current_data_announces_nothing(guides: Guides, responses: Responses) -> None:
    """With one instruction and no future date, replies read as they always did."""
    text, answer = reply_for(guides, responses, ONLINE, None, BEFORE, "de")
    assert "Ab " not in text and answer["upcoming"] is None and answer["replaced_by"] == []


def test_the_bots_own_sentences_name_the_instruction_in_force(
    next_guides: Guides, responses: Responses
) -> None:
    """`{instruction}` in domain.yml is filled from the guides the writer answers from."""
    assert "Weisung 202505010" in responses.text("utter_help", "de")
    writer = AnswerWriter(next_guides, responses)
    expected = next_guides.instruction.number  # the instruction in force on the real today
    assert f"Weisung {expected}" in writer.responses.text("utter_help", "de")
    assert f"instruction {expected}" in writer.responses.text("utter_greet", "en")


def test_sources_alone_name_the_current_instruction(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    sources = load_sources(guide_copy.path)
    assert sources.current(BEFORE).number == "202505010"
    assert sources.current(AFTER).number == NEW


# --- broken variants: the loader names file, entry, key and line -------------------------------


def test_an_entry_citing_an_unknown_instruction_is_named(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace_in_entry(
        EZ_FILE, "stammdaten_online_2027", f'instruction: "{NEW}"', 'instruction: "209912999"'
    )
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    error = raised.value
    assert (error.file, error.entry, error.key) == (EZ_FILE, "stammdaten_online_2027", "source.instruction")
    assert "unknown instruction '209912999'" in error.problem
    assert error.line == guide_copy.line_of(EZ_FILE, 'instruction: "209912999"')


def test_an_entry_citing_a_section_of_another_instruction_is_named(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace_in_entry(EZ_FILE, "stammdaten_online_2027", 'section: "1"', 'section: "2.2"')
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    assert (raised.value.key, raised.value.entry) == ("source.section", "stammdaten_online_2027")
    assert f"of instruction {NEW}" in raised.value.problem


def test_an_instruction_replacing_one_not_listed_is_named(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace(SOURCES, 'replaces: ["202505010"]', 'replaces: ["202404002"]')
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    error = raised.value
    assert (error.file, error.entry, error.key) == (SOURCES, f"weisung_{NEW}", "replaces[0]")
    assert "'202404002'" in error.problem
    assert error.line == guide_copy.line_of(SOURCES, 'replaces: ["202404002"]')


def test_an_entry_replacing_one_that_does_not_exist_is_named(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace_in_entry(
        EZ_FILE, "stammdaten_online_2027", "replaces: [stammdaten_online]", "replaces: [stammdaten_offline]"
    )
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    error = raised.value
    assert (error.file, error.entry, error.key) == (EZ_FILE, "stammdaten_online_2027", "replaces[0]")
    assert "no entry has id 'stammdaten_offline'" in error.problem
    assert error.line == guide_copy.line_of(EZ_FILE, "replaces: [stammdaten_offline]")


def test_an_entry_replacing_one_still_valid_is_named(guide_copy: GuideCopy) -> None:
    add_new_instruction(guide_copy)
    guide_copy.replace_in_entry(
        EZ_FILE, "stammdaten_online", "    valid_to: 2026-12-31\n", "    valid_to: null\n"
    )
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    # two rules for one case on the same days: the overlap check speaks first
    assert raised.value.entry in {"stammdaten_online", "stammdaten_online_2027"}


def test_an_entry_without_its_instruction_is_named(guide_copy: GuideCopy) -> None:
    guide_copy.replace_in_entry(
        EZ_FILE,
        "stammdaten_online",
        'source: {instruction: "202505010", section: "2.2"}',
        'source: {section: "2.2"}',
    )
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    assert (raised.value.entry, raised.value.key, raised.value.problem) == (
        "stammdaten_online",
        "source.instruction",
        "missing",
    )


def test_the_fallback_reply_and_the_page_read_the_instruction_from_the_sources(guide_copy: GuideCopy) -> None:
    """No number in code: the channel's reply and the page's values come from sources.yml."""
    assert "Weisung 202505010 nachsehen" in unavailable_reply(guide_copy.path)["de"]
    assert unavailable_reply(GUIDES_DIR) == unavailable_reply()
    assert instruction_values({}, guide_copy.path) == {
        "instruction": "202505010",
        "instruction_date": "26.05.2025",
    }
    guide_copy.write(SOURCES, "version: [")  # broken: the page keeps what it had, the reply says "Weisung"
    assert instruction_values({"instruction": "x"}, guide_copy.path) == {"instruction": "x"}
    assert "in der Weisung nachsehen" in unavailable_reply(guide_copy.path)["de"]
