"""What the workbench writes: a test conversation into tests/conversations/, an example into data/nlu/.

Each change is worked out first as the file's new text and a unified diff (the trainer sees it
before saving, and can always download the new file). Writing is allowed only when the server runs
from a checkout (a `.git` beside the code), only into those two folders (never data/nlu/generated/,
which `make examples` owns), only to a plain `.yml` file name, and only when the file is still what
the trainer saw: the preview carries a hash of the file, and a save whose hash no longer matches –
another trainer saved first, someone edited it – is refused. The check and the write happen under
an exclusive lock on the folder, so two servers on one checkout cannot both pass the check.

A new conversation is appended as text to the file's `conversations:` list, so comments and the
trainer's layout stay; a new example is inserted as one line at the end of its intent's `examples`
block. Either result is read back by the same reader `make conversations` uses (or as the example
generator reads data/nlu) before it may be saved.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from bot.answering.guides import Guides
from bot.trainers.files import FORMAT_VERSION, KINDS, ConversationError, load_text, write_atomically
from bot.trainers.generate_examples import examples_in, examples_of, normalise

CONVERSATIONS = ("tests", "conversations")
NLU = ("data", "nlu")
NEW_NLU_FILE = "workbench.yml"  # examples of an intent no hand-written file holds yet
WRITTEN_BY = "aus der Trainer-Werkbank (/trainer)"  # the first comment of a file it creates
FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}\.yml$")
MAX_NAME_CHARS = 120
MIN_EXAMPLE_CHARS, MAX_EXAMPLE_CHARS = 2, 300
NEAR_DUPLICATE = 0.9  # SequenceMatcher ratio of the normalised texts from which two examples are "the same"
ANNOTATION = re.compile(r"\]\s*[({]")  # Rasa reads [text](entity) / [text]{…} as an entity
CHANGED = (
    "Die Datei {file} wurde geändert, seit Sie die Vorschau geladen haben (von jemand anderem oder "
    "im Editor). Nichts wurde gespeichert – bitte laden Sie die Vorschau neu."
)
RETRAIN = (
    "Gespeichert. Das Modell lernt das Beispiel erst nach dem nächsten Training: "
    "`make model` (oder `make run`)."
)


class EditError(ValueError):
    """A change that is refused; the message says why in the trainers' words, `status` is the HTTP one."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def is_checkout(root: Path) -> bool:
    """Whether the server runs from a clone of the repository (then it may write into it)."""
    return (root / ".git").exists()


def stamp_of(data: bytes | None) -> str:
    """What a save compares: the file's SHA-256, or "" for a file that does not exist yet."""
    return "" if data is None else hashlib.sha256(data).hexdigest()


def target(root: Path, folder: Sequence[str], name: str) -> Path:
    """The file `name` inside `folder` of the checkout; anything else is refused."""
    where = "/".join(folder)
    if not FILE_NAME.fullmatch(name):
        raise EditError(
            f"Dateiname „{name[:80]}“: nur Kleinbuchstaben, Ziffern, - und _, höchstens 60 Zeichen, "
            f"Endung .yml – und nur in {where}/"
        )
    base = root.joinpath(*folder).resolve()
    path = base / name
    if path.is_symlink() or path.resolve().parent != base:
        raise EditError(f"Geschrieben wird nur in {where}/.", 403)
    return path


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Change:
    """A file's text before and after a change, and the stamp of the file as it was read."""

    folder: tuple[str, ...]
    name: str
    old: str
    new: str
    stamp: str
    note: str | None = None  # e.g. why the file had to be written anew

    @property
    def path(self) -> str:
        return "/".join((*self.folder, self.name))

    def diff(self) -> str:
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            fromfile=f"a/{self.path}" if self.old else "/dev/null",
            tofile=f"b/{self.path}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def as_json(self, writable: bool) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "stamp": self.stamp,
            "diff": self.diff(),
            "content": self.new,
            "writable": writable,
            "note": self.note,
        }


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder: one check-and-write at a time across processes."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def save(root: Path, change: Change, stamp: str) -> Path:
    """Write the change if the file is still as the preview read it (`stamp`); else EditError 409."""
    if not is_checkout(root):
        raise EditError(
            "Lotse läuft nicht aus einem Checkout des Repositorys: Speichern geht hier nicht – "
            "bitte die Datei herunterladen.",
            409,
        )
    path = target(root, change.folder, change.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.parent):
        current = _read(path)
        if stamp_of(current) != stamp or (current or b"").decode("utf-8", "replace") != change.old:
            raise EditError(CHANGED.format(file=change.path), 409)
        write_atomically(path, change.new)
    return path


def _current(path: Path) -> tuple[str, str]:
    data = _read(path)
    try:
        return ("" if data is None else data.decode("utf-8")), stamp_of(data)
    except UnicodeError:
        raise EditError(f"{path.name} ist kein UTF-8-Text; bitte im Editor prüfen.") from None


# --- test conversations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnSpec:
    """One turn of a conversation to save: what was said or clicked, and what the answer must be."""

    message: str  # the typed text, or the title of the clicked button
    click: bool
    expect: dict[str, Any]  # kind; unit and topic when given (None: none)


def check_expect(expect: dict[str, Any], guides: Guides) -> str | None:
    """Why an expectation is refused (a name the guides do not have), or None."""
    if expect.get("kind") not in KINDS:
        return f"Art „{expect.get('kind')}“ gibt es nicht (möglich: {', '.join(KINDS)})"
    unit = expect.get("unit", "")
    if unit not in ("", None) and unit not in guides.vocabulary.units:
        return f"Einheit „{unit}“ ist in guides/vocabulary.yml nicht erklärt"
    topic = expect.get("topic", "")
    if topic not in ("", None) and topic not in guides.by_id:
        return f"Leitfadeneintrag „{topic}“ gibt es nicht"
    return None


def conversation_item(name: str, turns: Sequence[TurnSpec]) -> dict[str, Any]:
    """A conversation as the trainers' files write it (README, "Test conversations")."""
    items = []
    for turn in turns:
        expect = {key: turn.expect[key] for key in ("kind", "unit", "topic") if key in turn.expect}
        items.append({"click" if turn.click else "say": turn.message, "expect": expect})
    return {"name": name, "turns": items}


class _Indented(yaml.SafeDumper):
    """Lists indented under their key ("turns:\n  - say: …"), as the trainers' files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _yaml(data: Any) -> str:
    """YAML in the files' style: innermost mappings on one line, lists indented, no line wrapping."""
    return yaml.dump(
        data, Dumper=_Indented, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000
    )


def _dumped(item: Any, indent: int) -> str:
    """`item` as one YAML list entry whose dash stands in column `indent`."""
    return "".join(" " * indent + line for line in _yaml([item]).splitlines(keepends=True))


def _appendable(text: str, key: str) -> int | None:
    """The column of the items of the top-level list `key` when it is the file's last key and a block
    list (so new items can be appended as text); None otherwise."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return None
    last_key, last_value = root.value[-1]
    if not isinstance(last_key, yaml.ScalarNode) or last_key.value != key:
        return None
    if not isinstance(last_value, yaml.SequenceNode) or last_value.flow_style or not last_value.value:
        return None
    first = last_value.value[0].start_mark
    dash = text.splitlines()[first.line].rfind("-", 0, first.column)  # the first item's "- "
    return dash if dash >= 0 else None


def add_conversation(
    root: Path, file_name: str, name: str, turns: Sequence[TurnSpec], guides: Guides
) -> Change:
    """The conversations file `file_name` with one more conversation `name` at its end."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise EditError(f"Der Name des Gesprächs muss 1–{MAX_NAME_CHARS} Zeichen haben.")
    if not turns:
        raise EditError("Ein Testgespräch braucht mindestens einen Zug.")
    if turns[0].click:
        raise EditError("Der erste Zug kann kein Klick sein: davor gab es keine Antwort mit Knöpfen.")
    for number, turn in enumerate(turns, start=1):
        problem = check_expect(turn.expect, guides)
        if problem:
            raise EditError(f"Zug {number}: {problem}.")
    path = target(root, CONVERSATIONS, file_name)
    old, stamp = _current(path)
    shown = "/".join((*CONVERSATIONS, file_name))
    item = conversation_item(name, turns)
    note = None
    if not old.strip():
        new = f'version: "{FORMAT_VERSION}"\n# {WRITTEN_BY}\nconversations:\n' + _dumped(item, 2)
    else:
        try:
            data = yaml.safe_load(old)
        except yaml.YAMLError:
            raise EditError(f"{shown} ist kein gültiges YAML; bitte zuerst im Editor reparieren.") from None
        existing = data.get("conversations") if isinstance(data, dict) else None
        if not isinstance(existing, list):
            raise EditError(f"{shown} hat keine Liste conversations: – bitte eine andere Datei wählen.")
        if any(isinstance(c, dict) and c.get("name") == name for c in existing):
            raise EditError(f"Ein Gespräch „{name}“ gibt es in {shown} schon – bitte einen anderen Namen.")
        column = _appendable(old, "conversations")
        if column is not None:
            new = old + ("" if old.endswith("\n") else "\n") + "\n" + _dumped(item, column)
        else:  # not appendable as text: the file is written anew (its comments are lost: say so)
            data["conversations"].append(item)
            new = _yaml(data)
            note = "Die Datei wird neu geschrieben (ihre Kommentare gehen dabei verloren) – siehe Diff."
    try:
        found = load_text(new, shown)
    except ConversationError as error:
        raise EditError(f"So wäre die Datei nicht gültig:\n{error}") from None
    if not found or found[-1].name != name:
        raise EditError(f"Das Gespräch konnte nicht sicher an {shown} angehängt werden.")
    return Change(CONVERSATIONS, file_name, old, new, stamp, note)


def conversation_files(root: Path) -> list[dict[str, str]]:
    """The conversation files a trainer can add to, with the stamp a save compares."""
    folder = root.joinpath(*CONVERSATIONS)
    return [
        {"name": path.name, "stamp": stamp_of(path.read_bytes())}
        for path in sorted(folder.glob("*.yml"))
        if FILE_NAME.fullmatch(path.name) and not path.is_symlink()
    ]


# --- NLU examples ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    file: str  # data/nlu/…


def _plain(example: str) -> str:
    """An example without Rasa's entity annotations: "[Kontaktformular](channel)" reads "Kontaktformular"."""
    return re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", example)


def all_examples(root: Path) -> list[Example]:
    """Every example of data/nlu/ (hand-written and generated), read as the example generator reads them."""
    folder = root.joinpath(*NLU)
    found = []
    for path in sorted(folder.rglob("*.yml")):
        shown = str(path.relative_to(root))
        try:
            per_intent = examples_of(path, {})
        except (OSError, UnicodeError, yaml.YAMLError, AttributeError, TypeError):
            continue  # `make check-guides` reports a broken file; it holds no examples to compare with
        found += [Example(intent, text, shown) for intent, texts in per_intent.items() for text in texts]
    return found


def check_example(text: str) -> str:
    """The example as it will be written (one line, spaces tidied), or EditError saying why not."""
    text = " ".join(text.split())
    if not MIN_EXAMPLE_CHARS <= len(text) <= MAX_EXAMPLE_CHARS:
        raise EditError(f"Ein Beispiel hat {MIN_EXAMPLE_CHARS}–{MAX_EXAMPLE_CHARS} Zeichen.")
    if text.startswith("/"):
        raise EditError(
            "Das ist der Wert eines Knopfes, keine Frage – als Beispiel taugt nur eine getippte Frage."
        )
    if ANNOTATION.search(text) or not normalise(text):
        raise EditError("Das Beispiel darf keine Rasa-Auszeichnung ([…](…)) enthalten und braucht Wörter.")
    if any(not char.isprintable() for char in text):
        raise EditError("Das Beispiel enthält Steuerzeichen.")
    return text


def conflict(text: str, intent: str, examples: Sequence[Example]) -> str | None:
    """Why `text` may not become an example of `intent`: it is one already (any intent), or nearly one
    of another intent's – two intents with (nearly) the same example teach the model nothing but doubt."""
    key = normalise(text)
    for example in examples:
        if normalise(_plain(example.text)) == key:
            where = "diesem" if example.intent == intent else "einem anderen"
            return (
                f"Abgelehnt: „{example.text}“ ist schon ein Beispiel unter {where} Intent "
                f"„{example.intent}“ ({example.file})."
            )
    best: tuple[float, Example] | None = None
    for example in examples:
        if example.intent == intent:
            continue
        matcher = SequenceMatcher(None, key, normalise(_plain(example.text)), autojunk=False)
        if matcher.real_quick_ratio() < NEAR_DUPLICATE or matcher.quick_ratio() < NEAR_DUPLICATE:
            continue
        ratio = matcher.ratio()
        if ratio >= NEAR_DUPLICATE and (best is None or ratio > best[0]):
            best = (ratio, example)
    if best is not None:
        ratio, example = best
        return (
            f"Abgelehnt: fast gleich ({ratio:.0%}) wie „{example.text}“ unter dem Intent „{example.intent}“ "
            f"({example.file}). Zwei Intents mit fast gleichen Beispielen verwirren das Modell – "
            "gehört die Frage nicht eher dorthin?"
        )
    return None


def _with_example(text: str, intent: str, example: str) -> str | None:
    """The NLU file's text with `example` as the last line of `intent`'s examples block; None when the
    file holds no such block (or not one this can extend as text)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    nlu = dict((k.value, v) for k, v in root.value) if isinstance(root, yaml.MappingNode) else {}
    items = nlu.get("nlu")
    if not isinstance(items, yaml.SequenceNode):
        return None
    lines = text.splitlines(keepends=True)
    for item in items.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        keys = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        if getattr(keys.get("intent", (None, None))[1], "value", None) != intent or "examples" not in keys:
            continue
        key, value = keys["examples"]
        if not isinstance(value, yaml.ScalarNode) or value.style != "|":
            return None
        last, indent = None, None
        for number in range(key.start_mark.line + 1, len(lines)):
            line = lines[number]
            if not line.strip():
                continue
            column = len(line) - len(line.lstrip(" "))
            if column <= key.start_mark.column:
                break
            last, indent = number, indent if indent is not None else column
        if last is None or indent is None:
            return None
        if not lines[last].endswith("\n"):
            lines[last] += "\n"
        lines.insert(last + 1, " " * indent + "- " + example + "\n")
        return "".join(lines)
    return None


def _with_intent(text: str, intent: str, example: str) -> str | None:
    """The NLU file's text with a new item for `intent` at the end of its `nlu:` list (or a new file)."""
    if not text.strip():
        return f'version: "{FORMAT_VERSION}"\n# {WRITTEN_BY}\nnlu:\n{_item(intent, example, 2)}'
    column = _appendable(text, "nlu")
    if column is None:
        return None
    return text + ("" if text.endswith("\n") else "\n") + _item(intent, example, column)


def _item(intent: str, example: str, column: int) -> str:
    pad = " " * column
    return f"{pad}- intent: {intent}\n{pad}  examples: |\n{pad}    - {example}\n"


def add_example(root: Path, intent: str, text: str, intents: Sequence[str]) -> Change:
    """The hand-written NLU file that holds `intent` (else data/nlu/workbench.yml) with `text` added."""
    if intent not in intents:
        raise EditError(f"Intent „{intent[:80]}“ gibt es nicht in domain.yml.")
    text = check_example(text)
    examples = all_examples(root)
    problem = conflict(text, intent, examples)
    if problem:
        raise EditError(problem, 409)
    hand_written = [e.file for e in examples if e.intent == intent and Path(e.file).parent == Path(*NLU)]
    name = Path(hand_written[0]).name if hand_written else NEW_NLU_FILE
    path = target(root, NLU, name)
    old, stamp = _current(path)
    new = _with_example(old, intent, text) if hand_written else _with_intent(old, intent, text)
    if new is None:
        raise EditError(f"Das Beispiel lässt sich nicht sicher in data/nlu/{name} einfügen; bitte im Editor.")
    before, after = _examples_in(old), _examples_in(new)
    if after != {**before, intent: [*before.get(intent, []), text]}:
        raise EditError(f"Das Beispiel lässt sich nicht sicher in data/nlu/{name} einfügen; bitte im Editor.")
    return Change(NLU, name, old, new, stamp)


def _examples_in(text: str) -> dict[str, list[str]]:
    """intent → examples of an NLU file's text, as the example generator reads a file."""
    try:
        return examples_in(text, {})
    except (yaml.YAMLError, AttributeError, TypeError):
        return {}
