"""Loading and checking the talk guides: the real ones load, every broken edit is named precisely."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.answering.guides import GUIDE_FORMAT_VERSION, LANGS, VERDICT_MAX_CHARS, GuideError, Guides
from tests.conftest import GuideCopy

SC_FILE = "gespraechsleitfaden_sc.yml"
EZ_FILE = "gespraechsleitfaden_ez.yml"
EMAIL_FILE = "arbeitshilfe_email.yml"
WEISUNG_FILE = "weisung.yml"
VOCABULARY = "vocabulary.yml"
SOURCES = "sources.yml"


# --- the real guides ------------------------------------------------------------


def test_real_guides_have_entries_with_unique_ids(guides: Guides) -> None:
    ids = [entry.id for entry in guides.entries]
    assert len(ids) > 30
    assert len(set(ids)) == len(ids)
    assert set(guides.by_id) == set(ids)


def test_real_guides_cover_every_listed_document(guides: Guides) -> None:
    assert {entry.document for entry in guides.entries} == set(guides.documents)
    for entry in guides.entries:
        assert guides.documents[entry.document].file == entry.file


@pytest.mark.parametrize("lang", LANGS)
def test_real_guides_have_every_text_in_both_languages(guides: Guides, lang: str) -> None:
    for entry in guides.entries:
        text = entry.text.get(lang)
        assert text.verdict.strip() and text.detail.strip(), entry.id
        assert len(text.verdict) <= VERDICT_MAX_CHARS, entry.id
    # the two languages really differ (not one text copied into both)
    assert sum(e.text.de.verdict != e.text.en.verdict for e in guides.entries) == len(guides.entries)


def test_real_guides_know_the_instruction_and_compile_cues(guides: Guides) -> None:
    assert guides.instruction.number == "202505010"
    assert set(guides.cues) == {"subject", "channel", "customer", "postbox", "matter"}
    assert len(guides.version) == 12


def test_every_routing_entry_names_a_declared_unit(guides: Guides) -> None:
    routing = [e for e in guides.entries if e.kind == "routing"]
    assert routing
    for entry in routing:
        assert entry.answer.unit in guides.vocabulary.units, entry.id


@pytest.mark.parametrize("lang", LANGS)
def test_the_units_are_named_in_both_languages_from_the_vocabulary(guides: Guides, lang: str) -> None:
    assert set(guides.vocabulary.units) == {"SC", "EZ"}
    for code, label in guides.vocabulary.units.items():
        assert guides.unit_label(code, lang) == label.get(lang) != code
    assert guides.unit_label(None, lang) is None and guides.unit_label("XY", lang) is None


def test_a_unit_declared_in_the_vocabulary_can_be_named_by_an_entry(guide_copy: GuideCopy) -> None:
    """A new unit is one block in vocabulary.yml: entries may name it, Lotse names it in both languages."""
    guide_copy.replace(VOCABULARY, "units:\n", "units:\n  TE:\n    de: Testeinheit\n    en: test unit\n")
    guide_copy.replace_in_entry(EZ_FILE, "stammdaten_online", "unit: EZ", "unit: TE")
    loaded = guide_copy.load()
    assert loaded.by_id["stammdaten_online"].answer.unit == "TE"
    assert (loaded.unit_label("TE", "de"), loaded.unit_label("TE", "en")) == ("Testeinheit", "test unit")


# --- one broken edit each: file, entry, key and a word of the message ----------------


@dataclass(frozen=True)
class Breakage:
    edit: Callable[[GuideCopy], None]
    file: str
    entry: str
    key: str
    word: str


def _unknown_entry_key(copy: GuideCopy) -> None:
    copy.replace_in_entry(
        SC_FILE, "asu_telefon_reaktivierung", "    kind: routing\n", "    kind: routing\n    colour: red\n"
    )


def _unknown_fallback_entry(copy: GuideCopy) -> None:
    copy.replace("vocabulary.yml", "  validity: neue_aufgabenverteilung_ab_juli", "  validity: gibt_es_nicht")


def _unknown_unit(copy: GuideCopy) -> None:
    copy.replace_in_entry(SC_FILE, "asu_telefon_reaktivierung", "unit: SC", "unit: XY")


def _routing_without_unit(copy: GuideCopy) -> None:
    copy.replace_in_entry(EZ_FILE, "stammdaten_online", "unit: EZ", "unit: null")


def _unknown_channel_value(copy: GuideCopy) -> None:
    copy.replace_in_entry(EZ_FILE, "stammdaten_online", "channel: online", "channel: fax")


def _unknown_condition_key(copy: GuideCopy) -> None:
    copy.replace_in_entry(
        EMAIL_FILE, "pressearbeit", "when: {subject: press}", "when: {subject: press, region: north}"
    )


def _missing_source(copy: GuideCopy) -> None:
    source = '    source: {instruction: "202505010", section: "4"}\n'
    copy.replace_in_entry(EMAIL_FILE, "pressearbeit", source, "")


def _bad_section(copy: GuideCopy) -> None:
    copy.replace_in_entry(EMAIL_FILE, "pressearbeit", 'section: "4"', 'section: "9.9"')


def _overlapping_copy(copy: GuideCopy) -> None:
    block = copy.entry_block(EZ_FILE, "kontaktformular_termine")
    copy.append(EZ_FILE, block.replace("id: kontaktformular_termine", "id: kontaktformular_termine_kopie"))


def _duplicate_id(copy: GuideCopy) -> None:
    copy.replace_in_entry(EMAIL_FILE, "pressearbeit", "id: pressearbeit", "id: atv_kalender")


def _missing_english_text(copy: GuideCopy) -> None:
    block = copy.entry_block(WEISUNG_FILE, "haushalt_beteiligung")
    english = block[block.index("      en:\n") :]
    copy.replace_in_entry(WEISUNG_FILE, "haushalt_beteiligung", english, "")


def _set_verdict(copy: GuideCopy, entry_id: str, lang: str, verdict: str) -> None:
    """Replace one verdict, found from the loaded copy (the guides' text is not repeated here)."""
    entry = copy.load().by_id[entry_id]
    old = entry.text.get(lang).verdict
    copy.replace_in_entry(entry.file, entry_id, f"verdict: {old}\n", f"verdict: {verdict}\n")


def _empty_english_verdict(copy: GuideCopy) -> None:
    _set_verdict(copy, "haushalt_beteiligung", "en", '"  "')


def _long_verdict(copy: GuideCopy) -> None:
    _set_verdict(copy, "haushalt_beteiligung", "de", "x" * (VERDICT_MAX_CHARS + 1))


def _end_before_start(copy: GuideCopy) -> None:
    copy.replace_in_entry(EMAIL_FILE, "pressearbeit", "valid_to: null", "valid_to: 2025-01-01")


def _invalid_yaml(copy: GuideCopy) -> None:
    copy.replace_in_entry(SC_FILE, "weitergabe_kontaktformulare", "kind: fact", "kind: fact: broken")


def _invalid_cue(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "cues: ['telefonisch',", "cues: ['telefon(isch',")


def _unlisted_file(copy: GuideCopy) -> None:
    copy.write("entwurf.yml", copy.read(WEISUNG_FILE))


def _wrong_version(copy: GuideCopy) -> None:
    copy.replace(SC_FILE, 'version: "3.1"', 'version: "3.0"')


def _wrong_vocabulary_version(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, 'version: "3.1"', 'version: "2"')


def _intent_with_unknown_value(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "ask_press: {subject: press}", "ask_press: {subject: pressure}")


def _intent_cues_for_unknown_intent(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "  ask_contact_form: ['kontakt", "  ask_contact_formular: ['kontakt")


def _after_unknown_subject(copy: GuideCopy) -> None:
    copy.replace(
        VOCABULARY, "after_subjects: [appointment_request_av,", "after_subjects: [appointment_request_avv,"
    )


def _unknown_related_entry(copy: GuideCopy) -> None:
    copy.replace(EZ_FILE, "related: [eakte_antrag]", "related: [eakte_antrag_neu]")


def _attribute_without_field_or_subject(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "    field: form_location\n", "")


def _held_detail_with_a_field(copy: GuideCopy) -> None:
    field = "    field: form_location\n"
    copy.replace(VOCABULARY, field, field + "    held_when: ['formular']\n")


def _anywhere_without_a_field(copy: GuideCopy) -> None:
    copy.replace(
        VOCABULARY, "    subject: instruction_scope\n", "    subject: instruction_scope\n    anywhere: true\n"
    )


def _unknown_override(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "overrides: [appointment]", "overrides: [appointmnet]")


def _unit_named_not_coded(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "  EZ:\n    de: Eingangszone", "  Eingangszone:\n    de: Eingangszone")


def _unit_without_english_label(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "units:\n", "units:\n  TE:\n    de: Testeinheit\n")


def _entry_for_a_value_that_settles_nothing(copy: GuideCopy) -> None:
    copy.replace_in_entry(EMAIL_FILE, "sperre_ez_postfaecher", "postbox: ez}", "postbox: [ez, personal]}")


def _unknown_attribute_field(copy: GuideCopy) -> None:
    copy.replace(VOCABULARY, "    field: form_location\n", "    field: colour\n")


BREAKAGES = {
    "unknown-related-entry": Breakage(
        _unknown_related_entry, EZ_FILE, "eakte_regelwerk", "related[0]", "eakte_antrag_neu"
    ),
    "attribute-without-field-or-subject": Breakage(
        _attribute_without_field_or_subject, "vocabulary.yml", "form_location", "field", "unsettled: true"
    ),
    "held-detail-with-a-field": Breakage(
        _held_detail_with_a_field, "vocabulary.yml", "form_location", "held_when", "held after all"
    ),
    "anywhere-without-a-field": Breakage(
        _anywhere_without_a_field, "vocabulary.yml", "scope", "anywhere", "in a field"
    ),
    "unknown-override": Breakage(
        _unknown_override, "vocabulary.yml", "matter", "values.employer_service", "appointmnet"
    ),
    "unknown-attribute-field": Breakage(
        _unknown_attribute_field,
        "vocabulary.yml",
        "-",
        "follow_up_attributes.form_location.field",
        "permitted",
    ),
    "unknown-fallback-entry": Breakage(
        _unknown_fallback_entry, "vocabulary.yml", "without_context", "validity", "gibt_es_nicht"
    ),
    "unknown-key-in-entry": Breakage(
        _unknown_entry_key, SC_FILE, "asu_telefon_reaktivierung", "colour", "unknown key"
    ),
    "unknown-unit": Breakage(_unknown_unit, SC_FILE, "asu_telefon_reaktivierung", "answer.unit", "XY"),
    "unit-named-not-coded": Breakage(
        _unit_named_not_coded, VOCABULARY, "units", "Eingangszone", "capital letters"
    ),
    "unit-without-english-label": Breakage(
        _unit_without_english_label, VOCABULARY, "-", "units.TE.en", "missing"
    ),
    "routing-without-unit": Breakage(
        _routing_without_unit, EZ_FILE, "stammdaten_online", "answer.unit", "routing"
    ),
    "unknown-channel-value": Breakage(
        _unknown_channel_value, EZ_FILE, "stammdaten_online", "when.channel", "fax"
    ),
    "entry-for-a-value-that-settles-nothing": Breakage(
        _entry_for_a_value_that_settles_nothing,
        EMAIL_FILE,
        "sperre_ez_postfaecher",
        "when.postbox",
        "settle nothing",
    ),
    "unknown-condition-key": Breakage(
        _unknown_condition_key, EMAIL_FILE, "pressearbeit", "when.region", "unknown"
    ),
    "missing-source": Breakage(_missing_source, EMAIL_FILE, "pressearbeit", "source", "missing"),
    "bad-section": Breakage(_bad_section, EMAIL_FILE, "pressearbeit", "source.section", "9.9"),
    "overlapping-copy": Breakage(
        _overlapping_copy, EZ_FILE, "kontaktformular_termine_kopie", "when", "kontaktformular_termine"
    ),
    "duplicate-id": Breakage(_duplicate_id, WEISUNG_FILE, "atv_kalender", "id", EMAIL_FILE),
    "missing-english-text": Breakage(
        _missing_english_text, WEISUNG_FILE, "haushalt_beteiligung", "text.en", "missing"
    ),
    "blank-english-verdict": Breakage(
        _empty_english_verdict, WEISUNG_FILE, "haushalt_beteiligung", "text.en.verdict", "missing"
    ),
    "verdict-too-long": Breakage(
        _long_verdict, WEISUNG_FILE, "haushalt_beteiligung", "text.de.verdict", str(VERDICT_MAX_CHARS + 1)
    ),
    "valid-to-before-valid-from": Breakage(
        _end_before_start, EMAIL_FILE, "pressearbeit", "valid_to", "before"
    ),
    "invalid-yaml": Breakage(_invalid_yaml, SC_FILE, "-", "-", "YAML"),
    "invalid-cue-regex": Breakage(
        _invalid_cue, VOCABULARY, "channel", "values.phone.cues[0]", "regular expression"
    ),
    "file-not-in-sources": Breakage(_unlisted_file, "entwurf.yml", "-", "-", SOURCES),
    "wrong-version": Breakage(_wrong_version, SC_FILE, "-", "version", GUIDE_FORMAT_VERSION),
    "wrong-vocabulary-version": Breakage(_wrong_vocabulary_version, VOCABULARY, "-", "version", "'2'"),
    "intent-with-unknown-value": Breakage(
        _intent_with_unknown_value, VOCABULARY, "ask_press", "subject", "pressure"
    ),
    "detail-after-unknown-subject": Breakage(
        _after_unknown_subject, VOCABULARY, "forwarding", "after_subjects[0]", "appointment_request_avv"
    ),
    "intent-cues-for-unknown-intent": Breakage(
        _intent_cues_for_unknown_intent, VOCABULARY, "intent_cues", "ask_contact_formular", "unknown intent"
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_broken_guide_is_reported_with_file_entry_and_key(guide_copy: GuideCopy, breakage: Breakage) -> None:
    guide_copy.load()  # the untouched copy loads: the error below comes from the edit
    breakage.edit(guide_copy)
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    error = raised.value
    assert (error.file, error.entry, error.key) == (breakage.file, breakage.entry, breakage.key)
    assert breakage.word in error.problem
    # the message a trainer reads names all three, and the line to open (not for a stray file)
    if breakage.entry == breakage.key == "-" and "YAML" not in breakage.word:
        assert str(error).startswith(f"{breakage.file}: entry '-', key '-'")
        return
    assert error.line is not None
    assert str(error).startswith(
        f"{breakage.file}:{error.line}: entry '{breakage.entry}', key '{breakage.key}'"
    )
    text_at_line = guide_copy.read(breakage.file).splitlines()[error.line - 1]
    if breakage.key == "-" and breakage.entry == "-":  # broken YAML: the line the parser stopped at
        return
    # the line of the key, or of the deepest part of its path that is there ("text" when "en" is missing)
    path = [re.sub(r"\[\d+\]$", "", part) for part in breakage.key.split(".")]  # related[0] -> related
    assert any(name and name in text_at_line for name in (breakage.entry, *path)), text_at_line


def test_invalid_yaml_names_the_line(guide_copy: GuideCopy) -> None:
    _invalid_yaml(guide_copy)
    line = guide_copy.line_of(SC_FILE, "kind: fact: broken")
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    assert raised.value.line == line
    assert str(raised.value).startswith(f"{SC_FILE}:{line}:")


def test_an_error_deep_in_an_entry_names_the_line_of_its_key_path(guide_copy: GuideCopy) -> None:
    """'text.en.verdict' is the English verdict's line, not the entry's first verdict (the German)."""
    _empty_english_verdict(guide_copy)
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    block = guide_copy.entry_block(WEISUNG_FILE, "haushalt_beteiligung")
    english_verdict = block[block.index("      en:\n") :].split("\n")[1]
    assert english_verdict.strip() == 'verdict: "  "'
    line = raised.value.line
    assert line is not None and guide_copy.read(WEISUNG_FILE).splitlines()[line - 1] == english_verdict


def test_missing_guide_file_is_named(guide_copy: GuideCopy) -> None:
    guide_copy.file(SC_FILE).unlink()
    with pytest.raises(GuideError) as raised:
        guide_copy.load()
    assert raised.value.file == SC_FILE
    assert "missing" in raised.value.problem


@pytest.mark.parametrize("length", [VERDICT_MAX_CHARS - 1, VERDICT_MAX_CHARS], ids=["119-chars", "120-chars"])
def test_verdict_up_to_the_limit_is_accepted(guide_copy: GuideCopy, length: int) -> None:
    verdict = "y" * length
    _set_verdict(guide_copy, "haushalt_beteiligung", "de", verdict)
    assert guide_copy.load().by_id["haushalt_beteiligung"].text.de.verdict == verdict


def test_copied_entry_on_separate_dates_is_accepted(guide_copy: GuideCopy, guides: Guides) -> None:
    """The overlap check is about dates too: the same case for an earlier period is fine."""
    block = guide_copy.entry_block(EZ_FILE, "kontaktformular_termine")
    earlier = (
        block.replace("id: kontaktformular_termine", "id: kontaktformular_termine_2024")
        .replace("valid_from: 2025-07-01", "valid_from: 2024-01-01")
        .replace("valid_to: null", "valid_to: 2025-06-30")
    )
    guide_copy.append(EZ_FILE, earlier)
    loaded = guide_copy.load()
    assert len(loaded.entries) == len(guides.entries) + 1
    assert loaded.by_id["kontaktformular_termine_2024"].valid_to == dt.date(2025, 6, 30)


def test_version_hash_changes_with_the_content(guide_copy: GuideCopy, guides: Guides) -> None:
    assert guide_copy.load().version == guides.version
    _set_verdict(guide_copy, "haushalt_beteiligung", "de", "Haushalt – entfällt.")
    assert guide_copy.load().version != guides.version
