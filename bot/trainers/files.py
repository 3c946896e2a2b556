"""The one reader of the trainers' files: test conversations and the dev-set (eval) format.

Why one: the runner, eval and the tests read the same files, so a mistake must be caught the same
way everywhere. A strict schema (pydantic) makes an unknown key, a missing key or a wrong type an
error – never a question that silently passes – and every mistake of every file is reported at
once, with file:line (YAML marks), conversation and key path, as the guide loader reports:

    tests/eval/blind.yml:12: conversation 'single 4', key 'expect.knd': unknown key (known: kind, …)

Formats (README, "Test conversations"): `version: "3.1"` and `conversations:` of `{name, turns:
[{say | click, expect}]}`; dev set: `single:` of `{q, expect}`, `dialogues:` of `{name, turns:
[{q, expect}]}`. A file may hold both; `expect` is the same in both.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Extra, StrictStr, ValidationError, root_validator, validator

from bot.paths import PROJECT_ROOT

CONVERSATIONS_DIR = PROJECT_ROOT / "tests" / "conversations"
FORMAT_VERSION = "3.1"
KINDS = ("routing", "fact", "clarify", "not_covered", "out_of_scope")
LANGS = ("de", "en")
SECTIONS = ("conversations", "dialogues", "single")  # the order conversations are returned in

KeyPath = tuple[str | int, ...]  # a key path inside the file, as pydantic's `loc`


@dataclass(frozen=True)
class Turn:
    """One user turn: a typed message, or a click on a button of the previous reply."""

    message: str  # what is typed, or the title of the button clicked
    expect: dict[str, Any]  # the keys as given; contains / text / options always as lists
    click: bool = False

    def describe(self) -> str:
        return f"[{self.message}]" if self.click else self.message


@dataclass(frozen=True)
class Conversation:
    name: str
    file: str
    turns: tuple[Turn, ...]
    single: bool = False  # a dev-set single question (eval counts these apart from dialogues)


@dataclass(frozen=True)
class Problem:
    """One mistake in a trainer file, where a trainer finds it."""

    file: str
    line: int | None
    conversation: str  # its name, "single N", or "-" for the file's top level
    key: str  # the key path inside the conversation, e.g. turns[2].expect.kind
    text: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: conversation '{self.conversation}', key '{self.key}': {self.text}"


class ConversationError(ValueError):
    """Trainer files are wrong: one line per problem; `file`, `line`, `key` … are the first one's."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        self.file, self.line, self.key = first.file, first.line, first.key
        self.conversation, self.problem = first.conversation, first.text
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- the schema ---------------------------------------------------------------


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


def _listed(value: Any) -> list[Any]:
    """A key that takes one value or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


class Expect(_Strict):
    """What the answer to a turn must be; every key given must hold."""

    kind: Any = None  # one of KINDS, or a list: any of them
    unit: StrictStr | None = None
    topic: Any = None  # an entry id, a list of ids, or null (no entry)
    lang: Any = None
    contains: list[str] | None = None
    text: list[str] | None = None
    options: list[str] | None = None

    @validator("kind", pre=True)
    def _kind(cls, value: Any) -> Any:  # noqa: N805 - pydantic validator
        for kind in _listed(value):
            if kind not in KINDS:
                raise ValueError(f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
        return value

    @validator("topic", pre=True)
    def _topic(cls, value: Any) -> Any:  # noqa: N805
        if not all(topic is None or isinstance(topic, str) for topic in _listed(value)):
            raise ValueError("must be an entry id, a list of ids or null")
        return value

    @validator("lang", pre=True)
    def _lang(cls, value: Any) -> Any:  # noqa: N805
        if value not in LANGS:
            raise ValueError(f"must be {' or '.join(LANGS)}")
        return value

    @validator("contains", "text", "options", pre=True)
    def _words(cls, value: Any) -> list[str]:  # noqa: N805
        if not all(isinstance(item, str) and item for item in _listed(value)):
            raise ValueError("must be a list of non-empty strings")
        return _listed(value)

    @validator("text", each_item=True)
    def _regex(cls, pattern: str) -> str:  # noqa: N805
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from error
        return pattern


def _not_empty(value: Any) -> Any:
    """A message or a list of turns with nothing in it says nothing a run could check."""
    if not (value.strip() if isinstance(value, str) else value):
        raise ValueError("must not be empty")
    return value


class ConversationTurn(_Strict):
    say: StrictStr | None = None
    click: StrictStr | None = None
    expect: Expect | None = None

    _given = validator("say", "click", allow_reuse=True)(_not_empty)

    @root_validator(skip_on_failure=True)
    def _say_or_click(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if (values.get("say") is None) == (values.get("click") is None):
            raise ValueError("needs exactly one of say / click")
        return values


class DevTurn(_Strict):
    """A dev-set question: a single one, or a turn of a dialogue."""

    q: StrictStr
    expect: Expect | None = None

    _given = validator("q", allow_reuse=True)(_not_empty)


class ConversationItem(_Strict):
    name: StrictStr | None = None
    turns: list[ConversationTurn]

    _given = validator("turns", allow_reuse=True)(_not_empty)


class DialogueItem(_Strict):
    name: StrictStr | None = None
    turns: list[DevTurn]

    _given = validator("turns", allow_reuse=True)(_not_empty)


class TrainerFile(_Strict):
    version: Any = None
    conversations: list[ConversationItem] | None = None
    dialogues: list[DialogueItem] | None = None
    single: list[DevTurn] | None = None

    @validator("version", pre=True)
    def _version(cls, value: Any) -> Any:  # noqa: N805
        if str(value) != FORMAT_VERSION:
            raise ValueError(f"must be '{FORMAT_VERSION}', not '{value}'")
        return value


# pydantic's words for its own checks, in the trainers' words
_MESSAGES = {
    "value_error.missing": "missing",
    "type_error.str": "must be text",
    "type_error.dict": "must be a mapping",
    "type_error.list": "must be a list",
    "type_error.none.not_allowed": "must not be empty",
}


# --- reading ------------------------------------------------------------------


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _read(path: Path, file: str) -> tuple[Any, dict[KeyPath, int]]:
    """The file's data, and the line (1-based) of every key and list item in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConversationError([Problem(file, None, "-", "-", "file is missing")]) from error
    except (OSError, UnicodeError) as error:
        raise ConversationError([Problem(file, None, "-", "-", f"cannot be read: {error}")]) from error
    try:
        return parse_with_lines(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = Problem(file, line, "-", "-", f"not valid YAML (line {line}): {error}")
        raise ConversationError([problem]) from error


def parse_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """YAML data and each key's line (yaml.YAMLError if unparsable; bot/trainers/check.py uses it too)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is not None:
        mark_lines(node, (), lines)
    return data, lines


def mark_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    """Each key path's line in the file, for errors a trainer can find (also bot/trainers/check.py)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                mark_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            mark_lines(item, (*path, index), lines)


def _line(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, else of the nearest enclosing key (where a missing key belongs)."""
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


def _name(data: Any, section: str, index: int) -> str:
    """How a conversation is named in a problem: its name, else its place ("single 3", "dialogue 2")."""
    if section == "single":
        return f"single {index + 1}"
    raw = data.get(section) if isinstance(data, dict) else None
    item = raw[index] if isinstance(raw, list) and index < len(raw) else None
    fallback = f"{'dialogue' if section == 'dialogues' else 'conversation'} {index + 1}"
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) and name else fallback


def _key_path(parts: Sequence[str | int]) -> str:
    """turns count from 1 as trainers count them; other lists (text) from 0."""
    text, previous = "", None
    for part in parts:
        if isinstance(part, int):
            text += f"[{part + 1 if previous == 'turns' else part}]"
        else:
            text += f".{part}" if text else part
        previous = part
    return text or "-"


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    """The keys the schema allows where `loc` (an unknown key) stands."""
    model: type[BaseModel] = TrainerFile
    for part in loc[:-1]:
        field = model.__fields__.get(str(part)) if isinstance(part, str) else None
        if field is not None and isinstance(field.type_, type) and issubclass(field.type_, BaseModel):
            model = field.type_
    return list(model.__fields__)


def _problem(file: str, data: Any, lines: dict[KeyPath, int], error: dict[str, Any]) -> Problem:
    loc = tuple(part for part in error["loc"] if part != "__root__")
    conversation, inside = "-", loc
    if len(loc) >= 2 and loc[0] in SECTIONS and isinstance(loc[1], int):
        conversation, inside = _name(data, str(loc[0]), loc[1]), loc[2:]
    text = _MESSAGES.get(error["type"], error["msg"])
    if error["type"] == "value_error.extra":
        text = f"unknown key (known: {', '.join(_known_keys(loc))})"
    return Problem(file, _line(lines, loc), conversation, _key_path(inside), text)


def _rule_problems(file: str, data: dict[str, Any], lines: dict[KeyPath, int]) -> list[Problem]:
    """What the schema cannot see: a click with nothing before it, a name used twice, an empty file."""
    items = [
        (section, index, item)
        for section in SECTIONS
        if isinstance(data.get(section), list)
        for index, item in enumerate(data[section])
    ]
    if not items:
        where = _line(lines, ("conversations",))
        return [Problem(file, where, "-", "conversations", "no conversations in this file")]
    problems = []
    for section, index, item in items:
        turns = item.get("turns") if isinstance(item, dict) else None
        first = turns[0] if isinstance(turns, list) and turns else None
        if section == "conversations" and isinstance(first, dict) and "click" in first:
            where = _line(lines, (section, index, "turns", 0, "click"))
            text = "the first turn has no reply to click on"
            problems.append(Problem(file, where, _name(data, section, index), "turns[1].click", text))
    names = [(_name(data, section, index), (section, index, "name")) for section, index, _ in items]
    counts = Counter(name for name, _ in names)
    seen: set[str] = set()
    for name, path in names:
        if name in seen:
            text = f"used {counts[name]} times in this file"
            problems.append(Problem(file, _line(lines, path), name, "name", text))
        seen.add(name)
    return problems


def _conversations(file: str, parsed: TrainerFile) -> list[Conversation]:
    def expect(raw: Expect | None) -> dict[str, Any]:
        return raw.dict(exclude_unset=True) if raw else {}

    found = []
    for index, item in enumerate(parsed.conversations or []):
        turns = tuple(Turn(t.say or t.click or "", expect(t.expect), click=t.say is None) for t in item.turns)
        found.append(Conversation(item.name or f"conversation {index + 1}", file, turns))
    for index, dialogue in enumerate(parsed.dialogues or []):
        turns = tuple(Turn(t.q, expect(t.expect)) for t in dialogue.turns)
        found.append(Conversation(dialogue.name or f"dialogue {index + 1}", file, turns))
    for index, single in enumerate(parsed.single or []):
        found.append(
            Conversation(f"single {index + 1}", file, (Turn(single.q, expect(single.expect)),), True)
        )
    return found


def _load(path: Path) -> tuple[list[Conversation], list[Problem]]:
    file = _display_name(path)
    data, lines = _read(path, file)
    return _checked(file, data, lines)


def load_text(text: str, file: str) -> list[Conversation]:
    """The conversations of a file's text before it is written (the trainers' workbench checks what it
    would save with the same schema); ConversationError names every problem."""
    try:
        data, lines = parse_with_lines(text)
    except yaml.YAMLError as error:
        raise ConversationError([Problem(file, None, "-", "-", f"not valid YAML: {error}")]) from error
    found, problems = _checked(file, data, lines)
    if problems:
        raise ConversationError(problems)
    return found


def _checked(file: str, data: Any, lines: dict[KeyPath, int]) -> tuple[list[Conversation], list[Problem]]:
    """The conversations of a file's data, or its problems (schema and rules), in file order."""
    if not isinstance(data, dict):
        text = "must be a mapping with conversations (or single / dialogues)"
        return [], [Problem(file, _line(lines, ()), "-", "-", text)]
    problems = _rule_problems(file, data, lines)
    parsed = None
    try:
        parsed = TrainerFile.parse_obj(data)
    except ValidationError as error:
        problems += [_problem(file, data, lines, dict(item)) for item in error.errors()]
    problems.sort(key=lambda p: (p.line or math.inf, p.text == "missing"))
    if problems or parsed is None:
        return [], problems
    return _conversations(file, parsed), []


def load_file(path: Path) -> list[Conversation]:
    """The conversations of one file (conversation format, dev-set format, or both)."""
    return load_files([path])


def load_files(paths: Iterable[Path]) -> list[Conversation]:
    """The conversations of every file; ConversationError names every problem of every file."""
    conversations: list[Conversation] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            found, wrong = _load(path)
        except ConversationError as error:
            found, wrong = [], list(error.problems)
        conversations += found
        problems += wrong
    if problems:
        raise ConversationError(problems)
    return conversations


def write_atomically(path: Path, text: str, mode: int = 0o644) -> None:
    """Write `text` to `path` through a temporary file beside it: a reader sees the old file or the new
    one, never half of it (the workbench's saves, the trainer accounts)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def default_files() -> list[Path]:
    """The shipped test conversations."""
    return sorted(CONVERSATIONS_DIR.glob("*.yml"))
