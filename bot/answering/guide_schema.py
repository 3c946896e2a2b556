"""What a guide file may say: the format's constants, its error, and one schema per file kind.

The schemas are pydantic models that reject unknown keys and wrong types, so a trainer's typo
is named instead of silently ignored. Cross-references between the files (a unit an entry
names, a value a condition uses) are checked in bot/answering/guide_checks.py; loading and the
line a problem is on are bot/answering/guides.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Extra, validator

LANGS: tuple[str, ...] = ("de", "en")
ENTRY_KINDS: tuple[str, ...] = ("routing", "fact", "not_covered")
GUIDE_FORMAT_VERSION = "3.1"
VERDICT_MAX_CHARS = 120
VOCABULARY_FILE = "vocabulary.yml"
SOURCES_FILE = "sources.yml"
# A unit's code is what the widget's badge shows and what feedback stores with a 👎 (its column is
# this wide): a short code such as SC or EZ, never a name.
UNIT_CODE_MAX_CHARS = 8
UNIT_CODE = re.compile(rf"^[A-Z][A-Z0-9]{{1,{UNIT_CODE_MAX_CHARS - 1}}}$")


class GuideError(ValueError):
    """A guide file is wrong; the message names file (and line, when found), entry and key."""

    def __init__(self, file: str, entry: str, key: str, problem: str, line: int | None = None) -> None:
        self.file, self.entry, self.key, self.problem, self.line = file, entry, key, problem, line
        place = f"{file}:{line}" if line else file
        super().__init__(f"{place}: entry '{entry}', key '{key}': {problem}")


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        frozen = True


class Bilingual(_Strict):
    de: str
    en: str

    @validator("de", "en")
    def _not_blank(cls, value: str) -> str:  # noqa: N805 - pydantic validator
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


class EntryText(_Strict):
    verdict: str
    detail: str


class EntryTexts(_Strict):
    de: EntryText
    en: EntryText

    def get(self, lang: str) -> EntryText:
        return self.en if lang == "en" else self.de


class EntryAnswer(_Strict):
    unit: str | None = None
    where: Bilingual | None = None
    deadline: Bilingual | str | None = None  # an ISO date ("2025-07-01"), else in words per language
    form: str | None = None
    form_location: Bilingual | None = None  # where staff find the form ("IM-Webshop, Register Anträge")
    done_by: Bilingual | None = None  # who carries it out ("die verantwortlichen Führungskräfte")
    sender_gets: Bilingual | None = None  # what the sender of a refused e-mail receives
    reason: Bilingual | None = None  # why the instruction rules so, in its own words ("warum?")
    obligation: Bilingual | None = None  # mandatory or only recommended ("ist das Pflicht?")
    # what the rule takes in, as the instruction lists it ("welche Kontaktformulare sind gemeint?")
    covers: Bilingual | None = None
    # what the instruction's abbreviations in the entry stand for, as it spells them out ("KUSOS")
    terms: Bilingual | None = None
    # since when a tool the rule uses can be used, where the instruction names the day (an ISO date):
    # "seit wann gibt es die Funktion?" is not the rule's own validity
    available_from: str | None = None


class EntrySource(_Strict):
    # the number of the instruction the entry is taken from (one of sources.yml's `instructions`):
    # explicit on every entry, so an entry added for a new instruction can never be read as one of
    # the old one's, and the reply's source line names the right document
    instruction: str
    section: str


class RawEntry(_Strict):
    id: str
    kind: Literal["routing", "fact", "not_covered"]
    when: dict[str, Any]
    answer: EntryAnswer | None = None
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: EntrySource
    text: EntryTexts
    # entries whose facts answer a follow-up about this one ("bis wann?" after the rule-set change
    # is the request's deadline); ids of any guide file
    related: tuple[str, ...] = ()
    # entries this one takes the place of (a rule a newer instruction changes): their answer for a day
    # in their validity names this one ("Stand …", then what replaced it), ids of any guide file
    replaces: tuple[str, ...] = ()


class RawGuideFile(_Strict):
    version: str
    document: str
    entries: list[RawEntry]


class ConditionValue(Bilingual):
    # regular expressions that state this value in a question, matched against the
    # lower-cased text with umlauts written out (ä -> ae, ß -> ss); see bot.answering.engine
    cues: tuple[str, ...] = ()
    # values of the same key this one is more precise than: both stated, this one counts
    # ("Termin beim Arbeitgeber-Service" states the employer service, not any appointment)
    overrides: tuple[str, ...] = ()
    # the value a negated cue of this one states ("kein Terminthema" = another matter)
    negated: str | None = None
    # no rule of the guides is for this value, whatever the subject: stated, the case is not covered
    # ("an das persönliche Postfach der Beraterin"); no entry may name it
    settles_nothing: bool = False
    # the unit whose part this subject is ("Aufgaben der Service Center": SC): "und im SC?" right after
    # the subject of another unit asks for the subject of that unit
    unit: str | None = None


class ConditionKey(_Strict):
    label: Bilingual  # what the key is called when Lotse explains an answer
    question: Bilingual | None = None
    affirm: str | None = None  # the value a typed "yes" to the question means
    deny: str | None = None  # the value a typed "no" means
    values: dict[str, ConditionValue]
    # a question that asks this key itself ("für welche Postfächer ist die Sperre freigegeben?"): Lotse
    # answers per value instead of asking back which one is meant
    asked_cues: tuple[str, ...] = ()
    # a short follow-up stating this key, after an answer whose rule does not depend on it ("and by
    # post?" after the channel shift), asks about a case the guides do not settle: not covered
    another_case: bool = False
    # the staff member's own situation, not one customer's case (which postboxes they mean): a value an
    # earlier message of the conversation stated settles a later question that leaves it open; a
    # customer's status or way in never carries over to the next caller's question
    kept_in_conversation: bool = False
    # the staff member says they do not know this key ("weiß nicht, ob sie schon mal gemeldet war"):
    # it stays open, whatever value the other words' cues read, so Lotse asks instead of guessing
    unknown_cues: tuple[str, ...] = ()


class MatterUnnamed(_Strict):
    """ "Wer ist zuständig?" with nothing under discussion names no matter: Lotse asks which one."""

    # the whole message asks who handles something and names nothing else
    cues: tuple[str, ...] = ()
    # the intents offered as buttons, in this order
    offer: tuple[str, ...] = ()


class WithoutContext(_Strict):
    """Entries a follow-up answers when there was no answer before it ("wo steht das?" first)."""

    source: str | None = None
    validity: str | None = None


AttributeField = Literal[
    "deadline",
    "form",
    "form_location",
    "where",
    "unit",
    "done_by",
    "sender_gets",
    "reason",
    "obligation",
    "covers",
    "terms",
    "available_from",
    "valid_from",
]


class FollowUpAttribute(_Strict):
    """A detail a short follow-up asks about the last answer: "bis wann?", "welches Formular?"."""

    label: Bilingual
    cues: tuple[str, ...]
    # in a question of its own (not only a follow-up) these ask for the detail of the entry it
    # gets: "gibt es eine Bearbeitungsfrist für …?" — where the guides name none, Lotse says so
    question_cues: tuple[str, ...] = ()
    # the answer field that holds it (of the last entry, else of its related entries) …
    # (valid_from is every entry's: the validity of the entry itself)
    field: AttributeField | None = None
    # … or the subject whose entry answers it for every entry ("gilt das auch für SGB II?")
    subject: str | None = None
    # subjects whose entries are themselves this detail ("warum werden E-Mails gesperrt?" asks for
    # the entry on the reason, not for a reason of that entry)
    answered_by: tuple[str, ...] = ()
    # where no entry holds it, a short follow-up goes on as the question the NLU found instead of
    # "the guides do not say" (a bare "warum?" then explains how the answer was found)
    follow_up_falls_through: bool = False
    # … and so does a question of its own ("which kinds of contact forms does the EZ handle?" about an
    # entry that lists none is answered by that entry, not with "the guides do not say")
    question_falls_through: bool = False
    # the guides give it once, the same for every case (what a sender to a blocked postbox gets): where
    # the entry found and its related ones do not hold it, the one entry that does answers it
    one_for_all: bool = False
    # a detail the instruction never gives (who signed it, a contact person): always "not settled"
    unsettled: bool = False
    # an unsettled detail asked *about* another one ("was passiert, wenn wir die Frist verpassen?" asks
    # for the consequences, not the deadline): answered before any detail the entry holds
    overrules: bool = False
    # asked only about an answer on one of these subjects ("wer leitet die weiter?" after contact forms)
    after_subjects: tuple[str, ...] = ()
    # an unsettled detail an entry holds after all where its own words (both languages, and the labels
    # of the details it names) name a value of that kind: "wie lange dauert …?" is answered by an entry
    # that names a duration, and is not settled by any other. Where the question cue captures what is
    # asked about (a group `asked`: "wie viele *Kontaktformulare* …"), the value must go with one of
    # those words ("fünf Postfächer" holds no number of contact forms)
    held_when: tuple[str, ...] = ()
    # a detail of the instruction as a whole, not of one case ("wofür steht KUSOS?"): the entry whose
    # field names what the cue captures as asked (its group `asked`), whichever answer came last
    anywhere: bool = False


class UnitName(Bilingual):
    """A unit's name per language, and what else staff call it ("reception zone" for the EZ)."""

    also_called: tuple[str, ...] = ()


class RawVocabulary(_Strict):
    version: str
    # unit code (the badge) -> its name per language, shown in the widget and in "wer ist zuständig?"
    units: dict[str, UnitName]
    conditions: dict[str, ConditionKey]
    intents: dict[str, dict[str, str]]
    # a question that matches one of these continues the case under discussion ("Und Terminabsagen?")
    follow_up_cues: tuple[str, ...] = ()
    # a condition's cue right after one of these is negated: "kein Kontaktformular, sondern ein Brief"
    negation_cues: tuple[str, ...] = ()
    # a staff member's private life, whatever guide words it uses ("mein privates Gmail-Postfach ist
    # voll", "Termin beim Zahnarzt für mich"): out of scope, never a rule of the guides
    private_cues: tuple[str, ...] = ()
    follow_up_attributes: dict[str, FollowUpAttribute] = {}
    without_context: WithoutContext = WithoutContext()
    # "Wer ist zuständig?" first: which matter, with the routing subjects as buttons
    matter_unnamed: MatterUnnamed = MatterUnnamed()
    # "und heute?", "and now?": the case under discussion, asked again for today
    now_cues: tuple[str, ...] = ()
    # "und vorher?": the case under discussion, on the day before the last answer's rule began
    before_cues: tuple[str, ...] = ()
    # "in welchem Abschnitt steht das mit den Kontaktformularen?": the source of the entry the words name
    source_cues: tuple[str, ...] = ()
    # "was steht in Abschnitt 4?": a section named by number (regex group `section`)
    section_cues: tuple[str, ...] = ()
    # "ab wann gilt die Weisung?" with nothing before it: the instruction's dates, only with these words
    validity_cues: tuple[str, ...] = ()
    # "auf Deutsch bitte", "in English please": the last reply again, in that language (de / en)
    language_requests: dict[Literal["de", "en"], tuple[str, ...]] = {}
    # an intent (a follow-up one, or one of `intents`) is believed only when the message says what it
    # asks: "who works in them?" read as ask_why gets the unsure handling instead
    intent_cues: dict[str, tuple[str, ...]] = {}
    # intents that name only a way in: a follow-up with one changes the case's way, not its subject
    way_only_intents: tuple[str, ...] = ()
    # a short question the NLU cannot place is about the last answer only when it points back to it
    back_reference_cues: tuple[str, ...] = ()
    # "welche davon …?", "which of them …?": a choice among what the last answer listed, whatever subject
    # the rest of the words name
    among_cues: tuple[str, ...] = ()
    # "back to work: …", "ok, zurück zum Formular: …": the thread before an off-topic aside goes on
    return_cues: tuple[str, ...] = ()
    # "wer bearbeitet …?", "SC oder EZ?": the question asks who handles the case
    who_cues: tuple[str, ...] = ()
    # who handles one of these front-line matters the instruction assigns to no unit: not covered
    unassigned_matters: tuple[str, ...] = ()
    # … and requests for one of them that no way in makes a case of the guides ("Wer bearbeitet einen
    # Alg-Antrag, der online eingeht?" is no online change notice): not covered whatever the way
    unassigned_requests: tuple[str, ...] = ()


class EarlierInstruction(_Strict):
    number: str
    date: dt.date
    title: str


class SectionTitle(Bilingual):
    """A section's title, and other words staff name it by ("initial situation" for "Starting point"):
    "in which section is the initial situation?" names section 1."""

    also: tuple[str, ...] = ()


class Instruction(_Strict):
    id: str
    number: str
    title: str
    date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    reference_sign: str
    label: Bilingual
    # instructions it refers to that are not in the guides (named, never answered from)
    earlier_instructions: list[EarlierInstruction] = []
    # numbers of instructions listed in `instructions` that this one replaces (wholly or in part)
    replaces: tuple[str, ...] = ()
    sections: dict[str, SectionTitle]

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Document(_Strict):
    file: str
    title: Bilingual


class RawSources(_Strict):
    version: str
    # every instruction the guides are taken from, oldest first; an entry cites one by its number
    instructions: list[Instruction]
    documents: dict[str, Document]

    @property
    def by_number(self) -> dict[str, Instruction]:
        return {instruction.number: instruction for instruction in self.instructions}

    def source_problem(self, source: EntrySource) -> tuple[str, str] | None:
        """(key, problem) when an entry's source cites no listed instruction or a section it lacks."""
        instruction = self.by_number.get(source.instruction)
        if instruction is None:
            listed = ", ".join(self.by_number)
            return "source.instruction", f"unknown instruction '{source.instruction}' (listed: {listed})"
        if source.section not in instruction.sections:
            return "source.section", f"unknown section '{source.section}' of instruction {instruction.number}"
        return None

    def current(self, day: dt.date) -> Instruction:
        return current_instruction(self.instructions, day)


def current_instruction(instructions: Sequence[Instruction], day: dt.date) -> Instruction:
    """The instruction staff are told to look in on `day`: the newest in force, else the first listed.

    With one instruction it is that one; a new one takes over on its first day, so the bot's own
    sentences, the web page and the fallback reply name it from then on without a code change.
    """
    in_force = [i for i in instructions if i.in_force_on(day)]
    return max(in_force, key=lambda i: (i.valid_from, i.date)) if in_force else instructions[0]
