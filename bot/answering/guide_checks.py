"""The checks across guide files: every name an entry uses is declared, and no two entries collide.

pydantic (bot/answering/guide_schema.py) checks each file on its own; what it cannot see is a
unit, condition value, section, entry id or subject that one file names and another must
declare. Each problem is a GuideError naming file, entry and key, so a trainer knows where to look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.answering.guide_model import Entry
from bot.answering.guide_schema import (
    GUIDE_FORMAT_VERSION,
    LANGS,
    SOURCES_FILE,
    UNIT_CODE,
    UNIT_CODE_MAX_CHARS,
    VERDICT_MAX_CHARS,
    VOCABULARY_FILE,
    EntryAnswer,
    GuideError,
    RawEntry,
    RawSources,
    RawVocabulary,
)
from bot.answering.slots import INTENT_GOODBYE, INTENT_GREET, INTENT_HELP, INTENT_NEW_QUESTION

FOLLOW_UP_INTENTS = ("ask_why", "ask_source", "ask_validity")  # about the last answer, not a subject
# intents that may require their own words
CUED_INTENTS = (*FOLLOW_UP_INTENTS, INTENT_NEW_QUESTION, INTENT_HELP, INTENT_GREET, INTENT_GOODBYE)


def check_version(version: str, file: str) -> None:
    if version != GUIDE_FORMAT_VERSION:
        raise GuideError(file, "-", "version", f"must be '{GUIDE_FORMAT_VERSION}', not '{version}'")


def check_units(vocab: RawVocabulary) -> None:
    """A unit's code is a short code: the widget shows it as the badge, feedback stores it with a 👎."""
    for code in vocab.units:
        if not UNIT_CODE.match(code):
            raise GuideError(
                VOCABULARY_FILE,
                "units",
                code,
                f"a unit's code is 2 to {UNIT_CODE_MAX_CHARS} capital letters or digits, like SC or EZ",
            )


def check_vocabulary(vocab: RawVocabulary) -> None:
    """The vocabulary's own references: values, intents and condition keys it names are its own."""
    check_units(vocab)
    for name, condition in vocab.conditions.items():
        for value_name, spec in condition.values.items():
            if spec.unit is not None and spec.unit not in vocab.units:
                raise GuideError(
                    VOCABULARY_FILE, name, f"values.{value_name}.unit", f"unknown unit '{spec.unit}'"
                )
            for other in (*spec.overrides, *([spec.negated] if spec.negated else [])):
                if other not in condition.values or other == value_name:
                    raise GuideError(
                        VOCABULARY_FILE, name, f"values.{value_name}", f"unknown value '{other}'"
                    )
        for answer in ("affirm", "deny"):
            value = getattr(condition, answer)
            if value is not None and value not in condition.values:
                raise GuideError(VOCABULARY_FILE, name, answer, f"unknown value '{value}'")
    for intent in vocab.intent_cues:
        if intent not in vocab.intents and intent not in CUED_INTENTS:
            raise GuideError(VOCABULARY_FILE, "intent_cues", intent, "unknown intent")
    for index, intent in enumerate(vocab.way_only_intents):
        if intent not in vocab.intents:
            raise GuideError(VOCABULARY_FILE, "way_only_intents", f"[{index}]", f"unknown intent '{intent}'")
    for index, intent in enumerate(vocab.matter_unnamed.offer):
        if intent not in vocab.intents:
            raise GuideError(
                VOCABULARY_FILE, "matter_unnamed", f"offer[{index}]", f"unknown intent '{intent}'"
            )
    for intent, conditions in vocab.intents.items():
        for key, value in conditions.items():
            if key not in vocab.conditions:
                raise GuideError(VOCABULARY_FILE, intent, key, "unknown condition key")
            if value not in vocab.conditions[key].values:
                raise GuideError(VOCABULARY_FILE, intent, key, f"unknown value '{value}'")


def entry_conditions(raw: RawEntry, vocab: RawVocabulary, file: str) -> dict[str, frozenset[str]]:
    """The entry's `when:` as key -> the values it matches, each a declared condition value."""
    when: dict[str, frozenset[str]] = {}
    if not raw.when:
        raise GuideError(file, raw.id, "when", "must name at least one condition")
    for key, value in raw.when.items():
        if key not in vocab.conditions:
            raise GuideError(file, raw.id, f"when.{key}", "unknown condition key")
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or item not in vocab.conditions[key].values:
                raise GuideError(file, raw.id, f"when.{key}", f"unknown value '{item}'")
            if vocab.conditions[key].values[item].settles_nothing:
                raise GuideError(file, raw.id, f"when.{key}", f"'{item}' is declared to settle nothing")
        when[key] = frozenset(values)
    return when


def check_entry(raw: RawEntry, vocab: RawVocabulary, sources: RawSources, file: str) -> None:
    """One entry: a declared unit, a known section, sane dates, a verdict short enough to read out."""
    answer = raw.answer or EntryAnswer()
    if answer.unit is not None and answer.unit not in vocab.units:
        raise GuideError(file, raw.id, "answer.unit", f"unknown unit '{answer.unit}'")
    if raw.kind == "routing" and answer.unit is None:
        raise GuideError(file, raw.id, "answer.unit", "a routing entry must name its unit")
    problem = sources.source_problem(raw.source)  # the cited instruction, and a section of it
    if problem is not None:
        raise GuideError(file, raw.id, *problem)
    if raw.valid_from and raw.valid_to and raw.valid_to < raw.valid_from:
        raise GuideError(file, raw.id, "valid_to", "is before valid_from")
    for lang in LANGS:
        text = raw.text.get(lang)
        for part in ("verdict", "detail"):
            if not getattr(text, part).strip():
                raise GuideError(file, raw.id, f"text.{lang}.{part}", "missing")
        if len(text.verdict) > VERDICT_MAX_CHARS:
            raise GuideError(
                file,
                raw.id,
                f"text.{lang}.verdict",
                f"is {len(text.verdict)} characters; at most {VERDICT_MAX_CHARS} can be read out on a call",
            )


def _overlaps(a: Entry, b: Entry) -> bool:
    """True when one question could match both entries on one day."""
    for key in a.when.keys() & b.when.keys():
        if not a.when[key] & b.when[key]:
            return False
    start = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    end = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return start <= end


def check_no_overlaps(entries: Sequence[Entry]) -> None:
    """No question may match two entries on one day: the answer would depend on the files' order."""
    for i, first in enumerate(entries):
        for second in entries[i + 1 :]:
            if _overlaps(first, second):
                raise GuideError(
                    second.file,
                    second.id,
                    "when",
                    f"settles the same case as '{first.id}' ({first.file}) for overlapping dates",
                )


def check_references(entries: Sequence[Entry], vocab: RawVocabulary) -> None:
    """Entry ids and subjects named across files (related entries, follow-up details) exist."""
    known = {entry.id for entry in entries}
    for entry in entries:
        for index, other in enumerate(entry.related):
            if other not in known or other == entry.id:
                raise GuideError(entry.file, entry.id, f"related[{index}]", f"unknown entry id '{other}'")
    subject = vocab.conditions.get("subject")
    subjects = subject.values if subject else {}
    for name, attribute in vocab.follow_up_attributes.items():
        if (attribute.field is not None) + (attribute.subject is not None) + attribute.unsettled != 1:
            raise GuideError(VOCABULARY_FILE, name, "field", "name a field, a subject, or unsettled: true")
        if attribute.overrules and not attribute.unsettled:
            raise GuideError(VOCABULARY_FILE, name, "overrules", "only an unsettled detail overrules others")
        if attribute.held_when and not attribute.unsettled:
            raise GuideError(
                VOCABULARY_FILE, name, "held_when", "only an unsettled detail can be held after all"
            )
        if attribute.anywhere and attribute.field is None:
            raise GuideError(
                VOCABULARY_FILE, name, "anywhere", "only a detail in a field is looked for anywhere"
            )
        if attribute.one_for_all and attribute.field is None:
            raise GuideError(VOCABULARY_FILE, name, "one_for_all", "only a detail in a field is one for all")
        if attribute.subject and attribute.subject not in subjects:
            raise GuideError(VOCABULARY_FILE, name, "subject", f"unknown subject '{attribute.subject}'")
        for key in ("after_subjects", "answered_by"):
            for index, subject in enumerate(getattr(attribute, key)):
                if subject not in subjects:
                    raise GuideError(VOCABULARY_FILE, name, f"{key}[{index}]", f"unknown subject '{subject}'")
    for key, entry_id in vocab.without_context.dict().items():
        if entry_id is not None and entry_id not in known:
            raise GuideError(VOCABULARY_FILE, "without_context", key, f"unknown entry id '{entry_id}'")


def check_instructions(sources: RawSources) -> None:
    """At least one instruction; numbers and ids unique; `replaces` names an earlier listed one."""
    if not sources.instructions:
        raise GuideError(SOURCES_FILE, "-", "instructions", "lists no instruction")
    numbers: dict[str, str] = {}
    ids: set[str] = set()
    for instruction in sources.instructions:
        if instruction.number in numbers:
            raise GuideError(
                SOURCES_FILE, instruction.id, "number", f"already used by '{numbers[instruction.number]}'"
            )
        if instruction.id in ids:
            raise GuideError(SOURCES_FILE, instruction.id, "id", "already used")
        if instruction.valid_to and instruction.valid_to < instruction.valid_from:
            raise GuideError(SOURCES_FILE, instruction.id, "valid_to", "is before valid_from")
        numbers[instruction.number] = instruction.id
        ids.add(instruction.id)
    for instruction in sources.instructions:
        for index, number in enumerate(instruction.replaces):
            key = f"replaces[{index}]"
            if number not in numbers:
                raise GuideError(
                    SOURCES_FILE, instruction.id, key, f"no listed instruction has number '{number}'"
                )
            if number == instruction.number:
                raise GuideError(SOURCES_FILE, instruction.id, key, "an instruction cannot replace itself")


def check_replaces(entries: list[Entry]) -> None:
    """An entry's `replaces` names other existing entries that end before it begins."""
    by_id = {entry.id: entry for entry in entries}
    for entry in entries:
        for index, old_id in enumerate(entry.replaces):
            key = f"replaces[{index}]"
            old = by_id.get(old_id)
            if old is None:
                raise GuideError(entry.file, entry.id, key, f"no entry has id '{old_id}'")
            if old is entry:
                raise GuideError(entry.file, entry.id, key, "an entry cannot replace itself")
            if entry.valid_from is None or old.valid_to is None or old.valid_to >= entry.valid_from:
                raise GuideError(
                    entry.file,
                    entry.id,
                    key,
                    f"'{old_id}' must end (valid_to) before this entry begins (valid_from)",
                )
