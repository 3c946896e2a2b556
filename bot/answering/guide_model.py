"""The checked guides the engine works on: entries with their conditions, and all of it together.

bot/answering/guides.py builds these from the files once every check passed, so nothing
downstream needs to doubt a unit, a value or a date it finds here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.answering.guide_schema import (
    Document,
    EntryAnswer,
    EntryTexts,
    Instruction,
    RawVocabulary,
    current_instruction,
)
from bot.answering.spelling import Speller


@dataclass(frozen=True)
class Entry:
    """One rule of a guide: the case it settles and the answer."""

    id: str
    kind: str
    document: str
    file: str
    when: Mapping[str, frozenset[str]]
    answer: EntryAnswer
    valid_from: dt.date | None
    valid_to: dt.date | None
    section: str
    text: EntryTexts
    related: tuple[str, ...] = ()
    instruction: str = ""  # the number of the instruction the entry is taken from (its source)
    replaces: tuple[str, ...] = ()  # ids of the entries this one takes the place of

    @property
    def own_case(self) -> dict[str, str]:
        """The conditions the entry fixes to one value: the case it answers, as a follow-up would keep it."""
        return {key: next(iter(values)) for key, values in self.when.items() if len(values) == 1}

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def related_entries(by_id: Mapping[str, Entry], entry: Entry) -> list[Entry]:
    """The entries `entry` names as `related` (checked to exist when the guides are loaded)."""
    return [by_id[other] for other in entry.related if other in by_id]


@dataclass(frozen=True)
class Guides:
    """All guide files, checked; the only thing the actions look things up in."""

    vocabulary: RawVocabulary
    # every instruction of sources.yml by its number, oldest first
    instructions: Mapping[str, Instruction]
    documents: Mapping[str, Document]
    entries: Sequence[Entry]
    version: str
    by_id: Mapping[str, Entry] = field(default_factory=dict)
    cues: Mapping[str, Mapping[str, tuple[re.Pattern[str], ...]]] = field(default_factory=dict)
    # a condition key the words say is not known: left open (ConditionKey.unknown_cues)
    unknown_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    # typed words corrected toward the guides' words where that makes a condition's cue match
    spelling: Speller = field(default_factory=lambda: Speller((), ()))
    # the German nouns of the vocabulary's labels ("Terminanfrage", "Arbeitsvermittlung"): staff use them
    # in English questions too, so they tell no language (bot/answering/language.py)
    jargon: frozenset[str] = frozenset()
    follow_up_cues: tuple[re.Pattern[str], ...] = ()
    negation_cues: tuple[re.Pattern[str], ...] = ()
    private_cues: tuple[re.Pattern[str], ...] = ()
    matter_unnamed_cues: tuple[re.Pattern[str], ...] = ()
    attribute_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    attribute_question_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    attribute_held_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    now_cues: tuple[re.Pattern[str], ...] = ()
    before_cues: tuple[re.Pattern[str], ...] = ()
    source_cues: tuple[re.Pattern[str], ...] = ()
    section_cues: tuple[re.Pattern[str], ...] = ()
    asked_key_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    validity_cues: tuple[re.Pattern[str], ...] = ()
    language_requests: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    intent_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    back_reference_cues: tuple[re.Pattern[str], ...] = ()
    among_cues: tuple[re.Pattern[str], ...] = ()
    return_cues: tuple[re.Pattern[str], ...] = ()
    who_cues: tuple[re.Pattern[str], ...] = ()
    unassigned_matters: tuple[re.Pattern[str], ...] = ()
    unassigned_requests: tuple[re.Pattern[str], ...] = ()

    def current_instruction(self, day: dt.date) -> Instruction:
        """The instruction staff look in on `day` (guide_schema.current_instruction)."""
        return current_instruction(list(self.instructions.values()), day)

    @property
    def instruction(self) -> Instruction:
        """The instruction in force today (`current_instruction`); what the bot's sentences name."""
        return self.current_instruction(dt.date.today())

    def instruction_of(self, entry: Entry) -> Instruction:
        """The instruction an entry cites: its source line, date and sections are that one's."""
        return self.instructions[entry.instruction]

    def replaced_by(self, entry: Entry) -> list[Entry]:
        """The entries that name `entry` under `replaces`: what a newer instruction put in its place."""
        return [other for other in self.entries if entry.id in other.replaces]

    def intent_conditions(self, intent: str) -> Mapping[str, str] | None:
        return self.vocabulary.intents.get(intent)

    @property
    def change_dates(self) -> list[dt.date]:
        """The days an entry starts or ends on: "ab Juli" means the change of July (answering/dates.py)."""
        days = {e.valid_from for e in self.entries if e.valid_from}
        days |= {e.valid_to + dt.timedelta(days=1) for e in self.entries if e.valid_to}
        return sorted(days)

    def unit_label(self, unit: str | None, lang: str) -> str | None:
        """The unit's name in `lang` as vocabulary.yml declares it: no code of Lotse lists the units."""
        declared = self.vocabulary.units.get(unit or "")
        return declared.get(lang) if declared else None
