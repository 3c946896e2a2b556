"""Load and check the talk guides (`guides/*.yml`).

The guides are data; this module turns them into typed, checked objects. Every
problem is reported with the file, the entry and the key it concerns, because
the people who edit the guides are trainers, not programmers.

What a file may say is bot/answering/guide_schema.py, the checks across files
bot/answering/guide_checks.py, the checked model bot/answering/guide_model.py; their
public names stay importable from here, where the rest of Lotse imports them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.answering.guide_checks import (
    check_entry,
    check_instructions,
    check_no_overlaps,
    check_references,
    check_replaces,
    check_version,
    check_vocabulary,
    entry_conditions,
)
from bot.answering.guide_model import Entry, Guides, related_entries
from bot.answering.guide_schema import (
    ENTRY_KINDS,
    GUIDE_FORMAT_VERSION,
    LANGS,
    SOURCES_FILE,
    UNIT_CODE_MAX_CHARS,
    VERDICT_MAX_CHARS,
    VOCABULARY_FILE,
    AttributeField,
    Bilingual,
    ConditionKey,
    ConditionValue,
    Document,
    EarlierInstruction,
    EntryAnswer,
    EntrySource,
    EntryText,
    EntryTexts,
    FollowUpAttribute,
    GuideError,
    Instruction,
    RawEntry,
    RawGuideFile,
    RawSources,
    RawVocabulary,
    WithoutContext,
)
from bot.answering.spelling import Speller, guide_words, plain_text

__all__ = [
    "ENTRY_KINDS",
    "GUIDE_FORMAT_VERSION",
    "LANGS",
    "SOURCES_FILE",
    "UNIT_CODE_MAX_CHARS",
    "VERDICT_MAX_CHARS",
    "VOCABULARY_FILE",
    "AttributeField",
    "Bilingual",
    "ConditionKey",
    "ConditionValue",
    "Document",
    "EarlierInstruction",
    "Entry",
    "EntryAnswer",
    "EntrySource",
    "EntryText",
    "EntryTexts",
    "FollowUpAttribute",
    "GuideError",
    "Guides",
    "Instruction",
    "RawEntry",
    "RawGuideFile",
    "RawSources",
    "RawVocabulary",
    "WithoutContext",
    "guide_files",
    "guides_version",
    "load_guides",
    "load_sources",
    "load_vocabulary",
    "related_entries",
]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _find_line(path: Path, entry: str, key: str) -> int | None:
    """The line a trainer should open: the key inside the entry (or the entry, or the key alone).

    The key path is followed one segment after the other, each inside the block of the one before
    ("text.en.verdict" is the English verdict, not the entry's first verdict); where a segment is
    missing, the deepest one found is the line. List indexes ("cues[0]") are not lines of their own.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return None
    found: int | None = None
    position, parent = 0, -1
    if entry != "-":
        name = re.escape(entry)
        entry_line = re.compile(rf"^\s*-?\s*(id:\s*['\"]?{name}['\"]?\s*$|['\"]?{name}['\"]?\s*:)")
        start = next((i for i, text in enumerate(lines) if entry_line.match(text)), None)
        if start is None:
            return None
        found, position, parent = start + 1, start + 1, _indent(lines[start])
    for segment in key.split(".") if key != "-" else []:
        name = re.sub(r"\[\d+\]$", "", segment)
        if not name or name.isdigit():
            continue
        key_line = re.compile(rf"^\s*-?\s*['\"]?{re.escape(name)}['\"]?\s*:")
        index = None
        for i in range(position, len(lines)):
            text = lines[i]
            if text.strip() and not text.lstrip().startswith("#") and _indent(text) <= parent:
                break  # the block of the key before ended
            if key_line.match(text):
                index = i
                break
        if index is None:
            break
        found, position, parent = index + 1, index + 1, _indent(lines[index])
    return found


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


def _parse(model: type[BaseModel], data: Any, file: str) -> Any:
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


def _compile(pattern: str, entry: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise GuideError(VOCABULARY_FILE, entry, key, f"not a valid regular expression: {error}") from error


def _jargon(vocab: RawVocabulary) -> frozenset[str]:
    """The long German nouns of the condition values' labels, lower case and with umlauts written out
    too: the terms of the guides, which English questions use as they are."""
    labels = [value.de for condition in vocab.conditions.values() for value in condition.values.values()]
    nouns = {word.lower() for label in labels for word in re.findall(r"[A-ZÄÖÜ][a-zäöüß]{5,}", label)}
    return frozenset(nouns | {plain_text(word) for word in nouns})


def _compile_list(cues: tuple[str, ...], entry: str, prefix: str = "") -> tuple[re.Pattern[str], ...]:
    """A list of the vocabulary's cues, each error naming `entry` and `prefix[index]`."""
    return tuple(_compile(cue, entry, f"{prefix}[{index}]") for index, cue in enumerate(cues))


def _compile_cues(vocab: RawVocabulary) -> dict[str, dict[str, tuple[re.Pattern[str], ...]]]:
    cues: dict[str, dict[str, tuple[re.Pattern[str], ...]]] = {}
    for name, condition in vocab.conditions.items():
        for value, spec in condition.values.items():
            patterns = _compile_list(spec.cues, name, f"values.{value}.cues")
            if patterns:
                cues.setdefault(name, {})[value] = patterns
    return cues


def _with_line(folder: Path, error: GuideError) -> GuideError:
    """The error with the line of the offending entry/key, when it can be found."""
    if error.line is not None or error.file == "-":
        return error
    line = _find_line(folder / error.file, error.entry, error.key)
    if line is None:
        return error
    return GuideError(error.file, error.entry, error.key, error.problem, line)


def load_guides(folder: Path) -> Guides:
    """Read every guide file in `folder`, check it, and return the model.

    A GuideError leaves with the line of the offending entry/key when it can be found,
    so the log and the health endpoint point the trainer at the place to fix.
    """
    try:
        return _load_guides(folder)
    except GuideError as error:
        located = _with_line(folder, error)
        if located is error:
            raise
        raise located from error


def load_vocabulary(folder: Path) -> RawVocabulary:
    """Only `vocabulary.yml`, checked on its own: for a server that needs the declared names only.

    The web server reads the units from it, so feedback accepts every unit a trainer declared
    without a code change, even while a guide file is being edited.
    """
    try:
        return _load_vocabulary(folder)
    except GuideError as error:
        located = _with_line(folder, error)
        if located is error:
            raise
        raise located from error


def _load_vocabulary(folder: Path) -> RawVocabulary:
    vocab: RawVocabulary = _parse(RawVocabulary, _read_yaml(folder / VOCABULARY_FILE), VOCABULARY_FILE)
    check_version(vocab.version, VOCABULARY_FILE)
    check_vocabulary(vocab)
    return vocab


def _load_guides(folder: Path) -> Guides:
    vocab = _load_vocabulary(folder)
    sources = _load_sources(folder)

    listed = {doc.file: name for name, doc in sources.documents.items()}
    present = {p.name for p in folder.glob("*.yml")} - {VOCABULARY_FILE, SOURCES_FILE}
    for stray in sorted(present - listed.keys()):
        raise GuideError(stray, "-", "-", f"not listed under documents in {SOURCES_FILE}")

    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for file, doc_name in sorted(listed.items()):
        raw_file: RawGuideFile = _parse(RawGuideFile, _read_yaml(folder / file), file)
        check_version(raw_file.version, file)
        if raw_file.document != doc_name:
            raise GuideError(file, "-", "document", f"must be '{doc_name}' as listed in {SOURCES_FILE}")
        for raw in raw_file.entries:
            if raw.id in seen:
                raise GuideError(file, raw.id, "id", f"already used in {seen[raw.id]}")
            seen[raw.id] = file
            check_entry(raw, vocab, sources, file)
            entries.append(
                Entry(
                    id=raw.id,
                    kind=raw.kind,
                    document=doc_name,
                    file=file,
                    when=entry_conditions(raw, vocab, file),
                    answer=raw.answer or EntryAnswer(),
                    valid_from=raw.valid_from,
                    valid_to=raw.valid_to,
                    section=raw.source.section,
                    text=raw.text,
                    related=raw.related,
                    instruction=raw.source.instruction,
                    replaces=raw.replaces,
                )
            )
    check_no_overlaps(entries)
    check_references(entries, vocab)
    check_replaces(entries)

    cues = _compile_cues(vocab)
    texts = [path.read_text(encoding="utf-8") for path in guide_files(folder)]
    attributes = vocab.follow_up_attributes
    return Guides(
        vocabulary=vocab,
        instructions=sources.by_number,
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
            name: _compile_list(attribute.question_cues, name, "question_cues")
            for name, attribute in attributes.items()
        },
        attribute_cues={
            name: _compile_list(attribute.cues, name, "cues") for name, attribute in attributes.items()
        },
        attribute_held_cues={
            name: _compile_list(attribute.held_when, name, "held_when")
            for name, attribute in attributes.items()
            if attribute.held_when
        },
        jargon=_jargon(vocab),
        negation_cues=_compile_list(vocab.negation_cues, "negation_cues"),
        private_cues=_compile_list(vocab.private_cues, "private_cues"),
        matter_unnamed_cues=_compile_list(vocab.matter_unnamed.cues, "matter_unnamed", "cues"),
        follow_up_cues=_compile_list(vocab.follow_up_cues, "follow_up_cues"),
        now_cues=_compile_list(vocab.now_cues, "now_cues"),
        before_cues=_compile_list(vocab.before_cues, "before_cues"),
        source_cues=_compile_list(vocab.source_cues, "source_cues"),
        section_cues=_compile_list(vocab.section_cues, "section_cues"),
        unknown_cues={
            key: _compile_list(condition.unknown_cues, key, "unknown_cues")
            for key, condition in vocab.conditions.items()
            if condition.unknown_cues
        },
        asked_key_cues={
            key: _compile_list(condition.asked_cues, key, "asked_cues")
            for key, condition in vocab.conditions.items()
            if condition.asked_cues
        },
        validity_cues=_compile_list(vocab.validity_cues, "validity_cues"),
        language_requests={
            lang: _compile_list(cues, "language_requests", lang)
            for lang, cues in vocab.language_requests.items()
        },
        back_reference_cues=_compile_list(vocab.back_reference_cues, "back_reference_cues"),
        among_cues=_compile_list(vocab.among_cues, "among_cues"),
        return_cues=_compile_list(vocab.return_cues, "return_cues"),
        who_cues=_compile_list(vocab.who_cues, "who_cues"),
        unassigned_matters=_compile_list(vocab.unassigned_matters, "unassigned_matters"),
        unassigned_requests=_compile_list(vocab.unassigned_requests, "unassigned_requests"),
        intent_cues={
            intent: _compile_list(cues, "intent_cues", intent) for intent, cues in vocab.intent_cues.items()
        },
    )


def load_sources(folder: Path) -> RawSources:
    """Only `sources.yml`, checked: for what names the instruction but needs no entries.

    The web page, the widget's subtitle, the channel's fallback reply and the bot's own sentences
    name the current instruction from it (RawSources.current), so no instruction number is in code.
    """
    try:
        return _load_sources(folder)
    except GuideError as error:
        located = _with_line(folder, error)
        if located is error:
            raise
        raise located from error


def _load_sources(folder: Path) -> RawSources:
    sources: RawSources = _parse(RawSources, _read_yaml(folder / SOURCES_FILE), SOURCES_FILE)
    check_version(sources.version, SOURCES_FILE)
    check_instructions(sources)
    return sources


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
