"""Reading the files `make check-guides` checks: each key's line, and a mistake where a trainer finds it.

Kept apart from the checks (bot/trainers/check.py) so that module holds only what is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.trainers.files import parse_with_lines

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One mistake, where a trainer finds it: the file, its line, what it is in, the key path."""

    file: str
    line: int | None
    key: str  # e.g. intents[27], rules[0].steps[0].or[3].intent, turns[2].click
    text: str
    within: str = ""  # e.g. "entry 'x'", "conversation 'y'"; empty at a file's top level

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        within = f"{self.within}, " if self.within else ""
        return f"{place}: {within}key '{self.key}': {self.text}"


@dataclass(frozen=True)
class YamlFile:
    """A file's data and the line (1-based) of every key and list item in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int]

    def line(self, path: KeyPath) -> int | None:
        """The line of `path`, else of the nearest enclosing key."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, path: KeyPath, text: str, within: str = "") -> Problem:
        return Problem(self.file, self.line(path), key_path(path), text, within)


def key_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


def read_yaml(path: Path, file: str, problems: list[Problem]) -> YamlFile | None:
    """The file with its lines; None (and a problem) when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(file, None, "-", "file is missing"))
        return None
    except (OSError, UnicodeError) as error:
        problems.append(Problem(file, None, "-", f"cannot be read: {error}"))
        return None
    try:
        data, lines = parse_with_lines(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(file, mark.line + 1 if mark else None, "-", f"not valid YAML: {error}"))
        return None
    return YamlFile(file, data, lines)


def mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def names(doc: YamlFile | None, section: str) -> dict[str, KeyPath]:
    """A domain list (`intents: [a, b]`, `actions:`) or mapping (`slots:`): each name and its key path."""
    raw = doc.data.get(section) if doc and isinstance(doc.data, dict) else None
    if isinstance(raw, dict):
        return {str(name): (section, name) for name in raw}
    found: dict[str, KeyPath] = {}
    for index, item in enumerate(items(raw)):
        # an intent may be `{name: {use_entities: …}}`
        name = next(iter(item), None) if isinstance(item, dict) else item
        if isinstance(name, str):
            found.setdefault(name, (section, index))
    return found


def entry_index(data: Any, entry: str) -> int | None:
    """Where entry `entry` (its id, or "#3" for the third, which has none) is in a guide file's data."""
    entries = items(mapping(data).get("entries"))
    if entry.startswith("#") and entry[1:].isdigit():
        index = int(entry[1:]) - 1
        return index if 0 <= index < len(entries) else None
    return next((index for index, item in enumerate(entries) if mapping(item).get("id") == entry), None)
