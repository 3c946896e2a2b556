"""Load and check the talk guides (`guides/*.yml`).

The guides are data; this module turns them into typed, checked objects. Every
problem is reported with the file, the entry and the key it concerns, because
the people who edit the guides are trainers, not programmers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

from bot.answering.spelling import Speller, guide_words

LANGS: tuple[str, ...] = ("de", "en")
ENTRY_KINDS: tuple[str, ...] = ("routing", "fact", "not_covered")
GUIDE_FORMAT_VERSION = "3.1"
VERDICT_MAX_CHARS = 120
VOCABULARY_FILE = "vocabulary.yml"
SOURCES_FILE = "sources.yml"


class GuideError(ValueError):
    """A guide file is wrong; the message names file (and line, when found), entry and key."""

    def __init__(self, file: str, entry: str, key: str, problem: str, line: int | None = None) -> None:
        self.file, self.entry, self.key, self.problem, self.line = file, entry, key, problem, line
        place = f"{file}:{line}" if line else file
        super().__init__(f"{place}: entry '{entry}', key '{key}': {problem}")


def _find_line(path: Path, entry: str, key: str) -> int | None:
    """The line a trainer should open: the key inside the entry (or the entry, or the key alone)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return None
    start = 0
    if entry != "-":
        name = re.escape(entry)
        entry_line = re.compile(rf"^\s*-?\s*(id:\s*['\"]?{name}['\"]?\s*$|['\"]?{name}['\"]?\s*:)")
        found = next((i for i, text in enumerate(lines) if entry_line.match(text)), None)
        if found is None:
            return None
        start = found
    name = key.split(".")[-1] if key != "-" else ""
    if name and not name.isdigit():
        key_line = re.compile(rf"^\s*-?\s*{re.escape(name)}\s*:")
        for index in range(start, len(lines)):
            if key_line.match(lines[index]):
                return index + 1
    return start + 1 if entry != "-" else None


# --- raw file schemas (pydantic rejects unknown keys and wrong types) ---------


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


class EntrySource(_Strict):
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


class ConditionKey(_Strict):
    label: Bilingual  # what the key is called when Lotse explains an answer
    question: Bilingual | None = None
    affirm: str | None = None  # the value a typed "yes" to the question means
    deny: str | None = None  # the value a typed "no" means
    values: dict[str, ConditionValue]


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
    # a detail the instruction never gives (who signed it, a contact person): always "not settled"
    unsettled: bool = False
    # asked only about an answer on one of these subjects ("wer leitet die weiter?" after contact forms)
    after_subjects: tuple[str, ...] = ()


class RawVocabulary(_Strict):
    version: str
    units: dict[str, Bilingual]
    conditions: dict[str, ConditionKey]
    intents: dict[str, dict[str, str]]
    # a question that matches one of these continues the case under discussion ("Und Terminabsagen?")
    follow_up_cues: tuple[str, ...] = ()
    # a condition's cue right after one of these is negated: "kein Kontaktformular, sondern ein Brief"
    negation_cues: tuple[str, ...] = ()
    follow_up_attributes: dict[str, FollowUpAttribute] = {}
    without_context: WithoutContext = WithoutContext()
    # "und heute?", "and now?": the case under discussion, asked again for today
    now_cues: tuple[str, ...] = ()
    # "und vorher?": the case under discussion, on the day before the last answer's rule began
    before_cues: tuple[str, ...] = ()
    # "auf Deutsch bitte", "in English please": the last reply again, in that language (de / en)
    language_requests: dict[Literal["de", "en"], tuple[str, ...]] = {}
    # an intent (a follow-up one, or one of `intents`) is believed only when the message says what it
    # asks: "who works in them?" read as ask_why gets the unsure handling instead
    intent_cues: dict[str, tuple[str, ...]] = {}
    # intents that name only a way in: a follow-up with one changes the case's way, not its subject
    way_only_intents: tuple[str, ...] = ()
    # a short question the NLU cannot place is about the last answer only when it points back to it
    back_reference_cues: tuple[str, ...] = ()
    # "wer bearbeitet …?", "SC oder EZ?": the question asks who handles the case
    who_cues: tuple[str, ...] = ()
    # who handles one of these front-line matters the instruction assigns to no unit: not covered
    unassigned_matters: tuple[str, ...] = ()


class EarlierInstruction(_Strict):
    number: str
    date: dt.date
    title: str


class Instruction(_Strict):
    id: str
    number: str
    title: str
    date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    reference_sign: str
    label: Bilingual
    earlier_instructions: list[EarlierInstruction]
    sections: dict[str, Bilingual]


class Document(_Strict):
    file: str
    title: Bilingual


class RawSources(_Strict):
    version: str
    instruction: Instruction
    documents: dict[str, Document]


# --- the checked model the engine works on ------------------------------------


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

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Guides:
    """All guide files, checked; the only thing the actions look things up in."""

    vocabulary: RawVocabulary
    instruction: Instruction
    documents: Mapping[str, Document]
    entries: Sequence[Entry]
    version: str
    by_id: Mapping[str, Entry] = field(default_factory=dict)
    cues: Mapping[str, Mapping[str, tuple[re.Pattern[str], ...]]] = field(default_factory=dict)
    # typed words corrected toward the guides' words where that makes a condition's cue match
    spelling: Speller = field(default_factory=lambda: Speller((), ()))
    follow_up_cues: tuple[re.Pattern[str], ...] = ()
    negation_cues: tuple[re.Pattern[str], ...] = ()
    attribute_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    attribute_question_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    now_cues: tuple[re.Pattern[str], ...] = ()
    before_cues: tuple[re.Pattern[str], ...] = ()
    language_requests: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    intent_cues: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    back_reference_cues: tuple[re.Pattern[str], ...] = ()
    who_cues: tuple[re.Pattern[str], ...] = ()
    unassigned_matters: tuple[re.Pattern[str], ...] = ()

    def intent_conditions(self, intent: str) -> Mapping[str, str] | None:
        return self.vocabulary.intents.get(intent)

    @property
    def change_dates(self) -> list[dt.date]:
        """The days an entry starts or ends on: "ab Juli" means the change of July (answering/dates.py)."""
        days = {e.valid_from for e in self.entries if e.valid_from}
        days |= {e.valid_to + dt.timedelta(days=1) for e in self.entries if e.valid_to}
        return sorted(days)


# --- loading ------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise GuideError(path.name, "-", "-", "file is missing") from exc
    except UnicodeError as exc:
        raise GuideError(path.name, "-", "-", f"not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise GuideError(path.name, "-", "-", f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise GuideError(path.name, "-", "-", f"not valid YAML: {exc}", line) from exc


def _parse(model: type[_Strict], data: Any, file: str) -> Any:
    """Validate `data`, turning pydantic's error into one naming entry and key."""
    try:
        return model.parse_obj(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        entry = "-"
        if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
            entries = data.get("entries") if isinstance(data, dict) else None
            index = loc[1]
            raw = entries[index] if isinstance(entries, list) and index < len(entries) else None
            entry = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
            loc = loc[2:]
        key = ".".join(str(part) for part in loc) or "-"
        message = error["msg"]
        if error["type"] == "value_error.extra":
            message = "unknown key"
        elif error["type"] == "value_error.missing":
            message = "missing"
        raise GuideError(file, entry, key, message) from exc


def _check_version(version: str, file: str) -> None:
    if version != GUIDE_FORMAT_VERSION:
        raise GuideError(file, "-", "version", f"must be '{GUIDE_FORMAT_VERSION}', not '{version}'")


def _compile(pattern: str, entry: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise GuideError(VOCABULARY_FILE, entry, key, f"not a valid regular expression: {error}") from error


def _compile_cues(vocab: RawVocabulary) -> dict[str, dict[str, tuple[re.Pattern[str], ...]]]:
    cues: dict[str, dict[str, tuple[re.Pattern[str], ...]]] = {}
    for name, condition in vocab.conditions.items():
        for value, spec in condition.values.items():
            patterns = [
                _compile(cue, name, f"values.{value}.cues[{index}]") for index, cue in enumerate(spec.cues)
            ]
            if patterns:
                cues.setdefault(name, {})[value] = tuple(patterns)
    return cues


FOLLOW_UP_INTENTS = ("ask_why", "ask_source", "ask_validity")  # about the last answer, not a subject


def _check_vocabulary(vocab: RawVocabulary) -> None:
    for name, condition in vocab.conditions.items():
        for value_name, spec in condition.values.items():
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
        if intent not in vocab.intents and intent not in FOLLOW_UP_INTENTS:
            raise GuideError(VOCABULARY_FILE, "intent_cues", intent, "unknown intent")
    for index, intent in enumerate(vocab.way_only_intents):
        if intent not in vocab.intents:
            raise GuideError(VOCABULARY_FILE, "way_only_intents", f"[{index}]", f"unknown intent '{intent}'")
    for intent, conditions in vocab.intents.items():
        for key, value in conditions.items():
            if key not in vocab.conditions:
                raise GuideError(VOCABULARY_FILE, intent, key, "unknown condition key")
            if value not in vocab.conditions[key].values:
                raise GuideError(VOCABULARY_FILE, intent, key, f"unknown value '{value}'")


def _entry_conditions(raw: RawEntry, vocab: RawVocabulary, file: str) -> dict[str, frozenset[str]]:
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
        when[key] = frozenset(values)
    return when


def _check_entry(raw: RawEntry, vocab: RawVocabulary, sources: RawSources, file: str) -> None:
    answer = raw.answer or EntryAnswer()
    if answer.unit is not None and answer.unit not in vocab.units:
        raise GuideError(file, raw.id, "answer.unit", f"unknown unit '{answer.unit}'")
    if raw.kind == "routing" and answer.unit is None:
        raise GuideError(file, raw.id, "answer.unit", "a routing entry must name its unit")
    if raw.source.section not in sources.instruction.sections:
        raise GuideError(file, raw.id, "source.section", f"unknown section '{raw.source.section}'")
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


def load_guides(folder: Path) -> Guides:
    """Read every guide file in `folder`, check it, and return the model.

    A GuideError leaves with the line of the offending entry/key when it can be found,
    so the log and the health endpoint point the trainer at the place to fix.
    """
    try:
        return _load_guides(folder)
    except GuideError as error:
        if error.line is not None or error.file == "-":
            raise
        line = _find_line(folder / error.file, error.entry, error.key)
        if line is None:
            raise
        raise GuideError(error.file, error.entry, error.key, error.problem, line) from error


def _load_guides(folder: Path) -> Guides:
    vocab = _parse(RawVocabulary, _read_yaml(folder / VOCABULARY_FILE), VOCABULARY_FILE)
    _check_version(vocab.version, VOCABULARY_FILE)
    _check_vocabulary(vocab)
    sources = _parse(RawSources, _read_yaml(folder / SOURCES_FILE), SOURCES_FILE)
    _check_version(sources.version, SOURCES_FILE)

    listed = {doc.file: name for name, doc in sources.documents.items()}
    present = {p.name for p in folder.glob("*.yml")} - {VOCABULARY_FILE, SOURCES_FILE}
    for stray in sorted(present - listed.keys()):
        raise GuideError(stray, "-", "-", f"not listed under documents in {SOURCES_FILE}")

    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for file, doc_name in sorted(listed.items()):
        raw_file = _parse(RawGuideFile, _read_yaml(folder / file), file)
        _check_version(raw_file.version, file)
        if raw_file.document != doc_name:
            raise GuideError(file, "-", "document", f"must be '{doc_name}' as listed in {SOURCES_FILE}")
        for raw in raw_file.entries:
            if raw.id in seen:
                raise GuideError(file, raw.id, "id", f"already used in {seen[raw.id]}")
            seen[raw.id] = file
            _check_entry(raw, vocab, sources, file)
            entries.append(
                Entry(
                    id=raw.id,
                    kind=raw.kind,
                    document=doc_name,
                    file=file,
                    when=_entry_conditions(raw, vocab, file),
                    answer=raw.answer or EntryAnswer(),
                    valid_from=raw.valid_from,
                    valid_to=raw.valid_to,
                    section=raw.source.section,
                    text=raw.text,
                    related=raw.related,
                )
            )

    for i, first in enumerate(entries):
        for second in entries[i + 1 :]:
            if _overlaps(first, second):
                raise GuideError(
                    second.file,
                    second.id,
                    "when",
                    f"settles the same case as '{first.id}' ({first.file}) for overlapping dates",
                )

    known = {entry.id for entry in entries}
    for entry in entries:
        for index, other in enumerate(entry.related):
            if other not in known or other == entry.id:
                raise GuideError(entry.file, entry.id, f"related[{index}]", f"unknown entry id '{other}'")
    for name, attribute in vocab.follow_up_attributes.items():
        if (attribute.field is not None) + (attribute.subject is not None) + attribute.unsettled != 1:
            raise GuideError(VOCABULARY_FILE, name, "field", "name a field, a subject, or unsettled: true")
        if attribute.subject and attribute.subject not in vocab.conditions["subject"].values:
            raise GuideError(VOCABULARY_FILE, name, "subject", f"unknown subject '{attribute.subject}'")
        for index, subject in enumerate(attribute.after_subjects):
            if subject not in vocab.conditions["subject"].values:
                raise GuideError(
                    VOCABULARY_FILE, name, f"after_subjects[{index}]", f"unknown subject '{subject}'"
                )
        for index, subject in enumerate(attribute.answered_by):
            if subject not in vocab.conditions["subject"].values:
                raise GuideError(
                    VOCABULARY_FILE, name, f"answered_by[{index}]", f"unknown subject '{subject}'"
                )
    for key, entry_id in vocab.without_context.dict().items():
        if entry_id is not None and entry_id not in known:
            raise GuideError(VOCABULARY_FILE, "without_context", key, f"unknown entry id '{entry_id}'")

    cues = _compile_cues(vocab)
    texts = [path.read_text(encoding="utf-8") for path in guide_files(folder)]
    return Guides(
        vocabulary=vocab,
        instruction=sources.instruction,
        documents=sources.documents,
        entries=tuple(entries),
        version=guides_version(folder),
        by_id={entry.id: entry for entry in entries},
        cues=cues,
        spelling=Speller(
            guide_words(texts),
            [pattern for values in cues.values() for ps in values.values() for pattern in ps],
        ),
        attribute_question_cues={
            name: tuple(
                _compile(cue, name, f"question_cues[{index}]")
                for index, cue in enumerate(attribute.question_cues)
            )
            for name, attribute in vocab.follow_up_attributes.items()
        },
        attribute_cues={
            name: tuple(_compile(cue, name, f"cues[{index}]") for index, cue in enumerate(attribute.cues))
            for name, attribute in vocab.follow_up_attributes.items()
        },
        negation_cues=tuple(
            _compile(cue, "negation_cues", f"[{index}]") for index, cue in enumerate(vocab.negation_cues)
        ),
        follow_up_cues=tuple(
            _compile(cue, "follow_up_cues", f"[{index}]") for index, cue in enumerate(vocab.follow_up_cues)
        ),
        now_cues=tuple(_compile(cue, "now_cues", f"[{index}]") for index, cue in enumerate(vocab.now_cues)),
        before_cues=tuple(
            _compile(cue, "before_cues", f"[{index}]") for index, cue in enumerate(vocab.before_cues)
        ),
        language_requests={
            lang: tuple(
                _compile(cue, "language_requests", f"{lang}[{index}]") for index, cue in enumerate(cues)
            )
            for lang, cues in vocab.language_requests.items()
        },
        back_reference_cues=tuple(
            _compile(cue, "back_reference_cues", f"[{index}]")
            for index, cue in enumerate(vocab.back_reference_cues)
        ),
        who_cues=tuple(_compile(cue, "who_cues", f"[{index}]") for index, cue in enumerate(vocab.who_cues)),
        unassigned_matters=tuple(
            _compile(cue, "unassigned_matters", f"[{index}]")
            for index, cue in enumerate(vocab.unassigned_matters)
        ),
        intent_cues={
            intent: tuple(
                _compile(cue, "intent_cues", f"{intent}[{index}]") for index, cue in enumerate(cues)
            )
            for intent, cues in vocab.intent_cues.items()
        },
    )


def guide_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yml"))


def guides_version(folder: Path) -> str:
    """A short hash of the guide files: which guides gave an answer."""
    digest = hashlib.sha256()
    for path in guide_files(folder):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError as exc:  # removed or unreadable since it was parsed
            raise GuideError(path.name, "-", "-", f"cannot be read: {exc}") from exc
    return digest.hexdigest()[:12]
