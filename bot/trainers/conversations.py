"""Trainers' test conversations: what the user says or clicks, and what the answer must be.

A file (`tests/conversations/*.yml`) holds conversations; each runs against the
running bot through the REST webhook on a fresh sender, turn by turn:

    version: "3.1"
    conversations:
      - name: phone registration clarified by a click
        turns:
          - say: "telefonische ASU – wer?"
            expect: {kind: clarify}
          - click: "Ja, schon einmal einen Status"   # a button title of the previous reply
            expect: {kind: routing, unit: SC, topic: asu_telefon_reaktivierung,
                     contains: ["Service Center"], lang: de}

`expect` keys (all optional; every given key must hold): kind (a string or a list:
any of them), unit, topic (a string, a list, or null), lang, contains (plain words
the text must contain, case-insensitive), text (regular expressions, as in the dev set),
options (entry ids a "Meinten Sie …?" reply must offer: each among an option's `topics`).
Files in the dev-set format (`single:` / `dialogues:` with `q:`) are read as well.

The run gives one result per turn; from them come the table, the Markdown report
(failures and the coverage of the guide entries) and the topic confusion plot.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.error
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.answering import markdown
from bot.answering.guides import Guides
from bot.paths import PROJECT_ROOT
from bot.trainers.evaluate import BotReply, ask, check

CONVERSATIONS_DIR = PROJECT_ROOT / "tests" / "conversations"
REPORT_DIR = PROJECT_ROOT / "var" / "reports"
REPORT_FILE = "conversations.md"
CONFUSION_FILE = "topic_confusion.png"
FORMAT_VERSION = "3.1"

FILE_KEYS = ("version", "conversations", "single", "dialogues")
CONVERSATION_KEYS = ("name", "turns")
TURN_KEYS = ("say", "click", "expect")
DEV_TURN_KEYS = ("q", "expect")
EXPECT_KEYS = ("kind", "unit", "topic", "lang", "contains", "text", "options")
KINDS = ("routing", "fact", "clarify", "not_covered", "out_of_scope")
NO_TOPIC = "(none)"


class ConversationError(ValueError):
    """A conversation file is wrong; the message names file, conversation and key."""

    def __init__(self, file: str, conversation: str, key: str, problem: str) -> None:
        self.file, self.conversation, self.key, self.problem = file, conversation, key, problem
        super().__init__(f"{file}: conversation '{conversation}', key '{key}': {problem}")


# --- the model ----------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One user turn: a typed message, or a click on a button of the previous reply."""

    message: str  # what is typed, or the title of the button clicked
    expect: dict[str, Any]
    click: bool = False

    def describe(self) -> str:
        return f"[{self.message}]" if self.click else self.message


@dataclass(frozen=True)
class Conversation:
    name: str
    file: str
    turns: tuple[Turn, ...]


@dataclass
class TurnResult:
    """What happened in one turn: what was sent, what came back, what did not hold."""

    conversation: Conversation
    number: int  # 1-based
    turn: Turn
    sent: str | None  # the message or the clicked button's payload; None when nothing was sent
    reply: BotReply | None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def answer(self) -> dict[str, Any]:
        return (self.reply.answer if self.reply else None) or {}


@dataclass
class RunResult:
    results: list[TurnResult]
    seconds: float
    rasa_url: str = ""
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if not r.passed]

    @property
    def conversations(self) -> list[Conversation]:
        seen: dict[int, Conversation] = {}
        for result in self.results:
            seen.setdefault(id(result.conversation), result.conversation)
        return list(seen.values())


# --- loading ------------------------------------------------------------------


def _unknown_keys(data: dict[str, Any], allowed: Sequence[str]) -> list[str]:
    return [str(key) for key in data if key not in allowed]


def _check_expect(raw: Any, file: str, name: str, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConversationError(file, name, where, "must be a mapping of kind / unit / topic / …")
    for key in _unknown_keys(raw, EXPECT_KEYS):
        raise ConversationError(
            file, name, f"{where}.{key}", f"unknown key (known: {', '.join(EXPECT_KEYS)})"
        )
    expect = dict(raw)
    if "kind" in expect:
        kinds = expect["kind"] if isinstance(expect["kind"], list) else [expect["kind"]]
        for kind in kinds:
            if kind not in KINDS:
                raise ConversationError(
                    file, name, f"{where}.kind", f"unknown kind '{kind}' (known: {', '.join(KINDS)})"
                )
    for key in ("unit", "lang"):
        if key in expect and expect[key] is not None and not isinstance(expect[key], str):
            raise ConversationError(file, name, f"{where}.{key}", "must be a single value")
    if "lang" in expect and expect["lang"] not in ("de", "en"):
        raise ConversationError(file, name, f"{where}.lang", "must be de or en")
    if "topic" in expect:
        topics = expect["topic"] if isinstance(expect["topic"], list) else [expect["topic"]]
        if not all(topic is None or isinstance(topic, str) for topic in topics):
            raise ConversationError(
                file, name, f"{where}.topic", "must be an entry id, a list of ids or null"
            )
    for key in ("contains", "text", "options"):
        if key not in expect:
            continue
        values = expect[key] if isinstance(expect[key], list) else [expect[key]]
        if not all(isinstance(value, str) and value for value in values):
            raise ConversationError(file, name, f"{where}.{key}", "must be a list of non-empty strings")
        expect[key] = values
    for index, pattern in enumerate(expect.get("text") or []):
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConversationError(
                file, name, f"{where}.text[{index}]", f"not a valid regular expression: {error}"
            ) from error
    return expect


def _turn(raw: Any, file: str, name: str, index: int, dev: bool) -> Turn:
    where = f"turns[{index + 1}]"
    if not isinstance(raw, dict):
        raise ConversationError(file, name, where, "must be a mapping with say / click and expect")
    for key in _unknown_keys(raw, DEV_TURN_KEYS if dev else TURN_KEYS):
        raise ConversationError(file, name, f"{where}.{key}", "unknown key")
    expect = _check_expect(raw.get("expect"), file, name, f"{where}.expect")
    if dev:
        text = raw.get("q")
        if not isinstance(text, str) or not text.strip():
            raise ConversationError(file, name, f"{where}.q", "missing or empty")
        return Turn(text, expect)
    if ("say" in raw) == ("click" in raw):
        raise ConversationError(file, name, where, "needs exactly one of say / click")
    key = "say" if "say" in raw else "click"
    text = raw[key]
    if not isinstance(text, str) or not text.strip():
        raise ConversationError(file, name, f"{where}.{key}", "missing or empty")
    if key == "click" and index == 0:
        raise ConversationError(file, name, f"{where}.click", "the first turn has no reply to click on")
    return Turn(text, expect, click=key == "click")


def _conversation(raw: Any, file: str, index: int, dev: bool) -> Conversation:
    fallback = f"{'dialogue' if dev else 'conversation'} {index + 1}"
    if not isinstance(raw, dict):
        raise ConversationError(file, fallback, "-", "must be a mapping with name and turns")
    name = str(raw.get("name") or fallback)
    for key in _unknown_keys(raw, CONVERSATION_KEYS):
        raise ConversationError(file, name, key, "unknown key")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ConversationError(file, name, "turns", "must be a non-empty list")
    return Conversation(name, file, tuple(_turn(t, file, name, i, dev) for i, t in enumerate(turns)))


def _single(raw: Any, file: str, index: int) -> Conversation:
    """A dev-set single question: a conversation of one turn."""
    name = f"single {index + 1}"
    if not isinstance(raw, dict):
        raise ConversationError(file, name, "-", "must be a mapping with q and expect")
    for key in _unknown_keys(raw, DEV_TURN_KEYS):
        raise ConversationError(file, name, key, "unknown key")
    return Conversation(name, file, (_turn(raw, file, name, 0, dev=True),))


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_file(path: Path) -> list[Conversation]:
    """The conversations of one file (conversation format, dev-set format, or both)."""
    file = _display_name(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConversationError(file, "-", "-", "file is missing") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        raise ConversationError(file, "-", "-", f"not valid YAML ({where}): {error}") from error
    if not isinstance(data, dict):
        raise ConversationError(
            file, "-", "-", "must be a mapping with conversations (or single / dialogues)"
        )
    for key in _unknown_keys(data, FILE_KEYS):
        raise ConversationError(file, "-", key, f"unknown key (known: {', '.join(FILE_KEYS)})")
    if "version" in data and str(data["version"]) != FORMAT_VERSION:
        raise ConversationError(file, "-", "version", f"must be '{FORMAT_VERSION}', not '{data['version']}'")
    conversations: list[Conversation] = []
    for key, dev in (("conversations", False), ("dialogues", True), ("single", True)):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ConversationError(file, "-", key, "must be a list")
        for index, raw in enumerate(items):
            if key == "single":
                conversations.append(_single(raw, file, index))
            else:
                conversations.append(_conversation(raw, file, index, dev))
    if not conversations:
        raise ConversationError(file, "-", "conversations", "no conversations in this file")
    names = Counter(c.name for c in conversations)
    for name, count in names.items():
        if count > 1:
            raise ConversationError(file, name, "name", f"used {count} times in this file")
    return conversations


def default_files() -> list[Path]:
    return sorted(CONVERSATIONS_DIR.glob("*.yml"))


def load_files(paths: Iterable[Path]) -> list[Conversation]:
    return [conversation for path in paths for conversation in load_file(path)]


# --- running ------------------------------------------------------------------


def check_turn(expect: dict[str, Any], reply: BotReply) -> list[str]:
    """bot.trainers.evaluate.check (kind, unit, lang, text) plus topic, contains and options."""
    problems = check(expect, reply)
    answer = reply.answer or {}
    if "topic" in expect:
        topics = expect["topic"] if isinstance(expect["topic"], list) else [expect["topic"]]
        if answer.get("topic") not in topics:
            wanted = topics[0] if len(topics) == 1 else topics
            problems.append(f"topic {answer.get('topic')!r}, expected {wanted!r}")
    text = reply.text.casefold()
    for word in expect.get("contains") or []:
        if word.casefold() not in text:
            problems.append(f"text does not contain {word!r}")
    offered = [o for o in answer.get("options") or [] if isinstance(o, dict)]
    for topic in expect.get("options") or []:
        if not any(topic in (o.get("topics") or [o.get("topic")]) for o in offered):
            titles = ", ".join(f"{o.get('title')!r} ({'/'.join(o.get('topics') or [])})" for o in offered)
            problems.append(f"option {topic!r} not offered (options: {titles or 'none'})")
    return problems


def buttons_of(reply: BotReply | None) -> list[dict[str, str]]:
    """The buttons of a reply, as the answer payload lists them (`options`)."""
    options = ((reply.answer if reply else None) or {}).get("options") or []
    return [o for o in options if isinstance(o, dict) and "title" in o and "payload" in o]


def button_payload(previous: BotReply | None, title: str) -> tuple[str | None, str | None]:
    """(payload, None) for the button with this title, or (None, the problem)."""
    buttons = buttons_of(previous)
    wanted = title.strip().casefold()
    for button in buttons:
        if button["title"].strip().casefold() == wanted:
            return button["payload"], None
    offered = ", ".join(repr(b["title"]) for b in buttons) or "none"
    return None, f"no button {title!r} in the previous reply (buttons: {offered})"


def run_conversation(conversation: Conversation, rasa_url: str, sender: str) -> list[TurnResult]:
    results: list[TurnResult] = []
    previous: BotReply | None = None
    for number, turn in enumerate(conversation.turns, start=1):
        message: str | None = turn.message
        if turn.click:
            message, problem = button_payload(previous, turn.message)
            if message is None:
                results.append(TurnResult(conversation, number, turn, None, None, [problem or "no button"]))
                previous = None
                continue
        assert message is not None
        try:
            reply = ask(rasa_url, sender, message)
        except (urllib.error.URLError, OSError, ValueError) as error:
            results.append(TurnResult(conversation, number, turn, message, None, [f"no reply: {error}"]))
            previous = None
            continue
        results.append(TurnResult(conversation, number, turn, message, reply, check_turn(turn.expect, reply)))
        previous = reply
    return results


def run_conversations(conversations: Sequence[Conversation], rasa_url: str) -> RunResult:
    """Every conversation on a fresh sender, in order."""
    run_id = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    results: list[TurnResult] = []
    for index, conversation in enumerate(conversations):
        results += run_conversation(conversation, rasa_url, f"conversations-{run_id}-{index}")
    return RunResult(results, time.perf_counter() - started, rasa_url)


# --- coverage -----------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    entry: str
    file: str
    de: int
    en: int

    @property
    def turns(self) -> int:
        return self.de + self.en


def coverage(guides: Guides, results: Sequence[TurnResult]) -> list[CoverageRow]:
    """Per guide entry, the passed turns whose answer came from it, by language; unreached first.

    A failed turn reaches nothing: an answer from the wrong entry proves no entry right.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for result in results:
        topic, lang = result.answer.get("topic"), result.answer.get("lang")
        if topic and result.passed:
            counts[(topic, "en" if lang == "en" else "de")] += 1
    order = {entry.id: index for index, entry in enumerate(guides.entries)}
    rows = [
        CoverageRow(entry.id, entry.file, counts[(entry.id, "de")], counts[(entry.id, "en")])
        for entry in guides.entries
    ]
    return sorted(rows, key=lambda row: (row.turns > 0, row.turns, order[row.entry]))


# --- formatting ---------------------------------------------------------------


def describe_expect(expect: dict[str, Any]) -> str:
    parts = []
    for key in ("kind", "unit", "topic", "lang"):
        if key in expect:
            value = expect[key]
            values = value if isinstance(value, list) else [value]
            shown = "/".join("null" if v is None else str(v) for v in values)
            parts.append(f"{key}={shown}")
    parts += [f"+{word!r}" for word in expect.get("contains") or []]
    parts += [f"/{pattern}/" for pattern in expect.get("text") or []]
    if expect.get("options"):
        parts.append(f"options={'/'.join(expect['options'])}")
    return " ".join(parts) or "(anything)"


def describe_answer(result: TurnResult) -> str:
    if result.reply is None:
        return "(nothing sent)" if result.sent is None else "(no reply)"
    answer = result.answer
    if not answer:
        return "(no answer payload)"
    parts = [str(answer.get("kind"))]
    parts += [f"{k}={answer.get(k)}" for k in ("unit", "topic", "lang") if answer.get(k) is not None]
    if answer.get("asks") == "topic":
        topics = [
            t for o in answer.get("options") or [] if isinstance(o, dict) for t in o.get("topics") or []
        ]
        parts.append(f"options={'/'.join(topics)}")
    return " ".join(parts)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(run: RunResult, width: int = 44) -> str:
    """Plain text columns: conversation, turn, pass/fail, expected, got (problems under a failure)."""
    header = ("conversation", "turn", "result", "expected", "got")
    rows = []
    for result in run.results:
        rows.append(
            (
                _cut(result.conversation.name, width),
                str(result.number),
                "pass" if result.passed else "FAIL",
                _cut(describe_expect(result.turn.expect), 70),
                describe_answer(result),
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells[:4], widths, strict=True)) + "  " + cells[4]

    lines = [line(header), line(["-" * w for w in widths] + ["-" * len(header[4])])]
    for result, row in zip(run.results, rows, strict=True):
        lines.append(line(row))
        if not result.passed:
            indent = " " * (widths[0] + 2)
            lines.append(f"{indent}said: {_cut(result.turn.describe(), 100)}")
            lines.append(f"{indent}{'; '.join(result.problems)}")
    return "\n".join(lines)


def summary(run: RunResult, rows: Sequence[CoverageRow] | None = None) -> str:
    failed_conversations = {id(r.conversation) for r in run.failures}
    conversations = run.conversations
    text = (
        f"{len(conversations)} conversations, {len(run.results)} turns: "
        f"{len(run.results) - len(run.failures)} passed, {len(run.failures)} failed "
        f"({len(conversations) - len(failed_conversations)}/{len(conversations)} conversations passed) "
        f"in {run.seconds:.1f} s"
    )
    if rows is not None:
        reached = sum(row.turns > 0 for row in rows)
        both = sum(row.de > 0 and row.en > 0 for row in rows)
        text += f"\ncoverage: {reached} / {len(rows)} guide entries reached ({both} in both languages)"
    return text


def _md(text: object) -> str:
    """A cell: what trainers and the bot wrote, as inert Markdown (no HTML, no link, no extra column)."""
    return markdown.text(text)


def format_report(run: RunResult, rows: Sequence[CoverageRow], confusion_png: str | None) -> str:
    reached = sum(row.turns > 0 for row in rows)
    both = sum(row.de > 0 and row.en > 0 for row in rows)
    files = sorted({c.file for c in run.conversations})
    lines = [
        "# Test conversations",
        "",
        f"Run {run.started.isoformat(sep=' ')} against {run.rasa_url or 'the bot'}; "
        f"files: {', '.join(f'`{f}`' for f in files) or '-'}.",
        "",
        "## Summary",
        "",
        *[f"- {line}" for line in summary(run).splitlines()],
        f"- coverage: **{reached} / {len(rows)}** guide entries reached by at least one turn "
        f"({both} in both languages)",
        "",
        f"## Failures ({len(run.failures)})",
        "",
    ]
    if run.failures:
        lines += [
            "| conversation | file | turn | said / clicked | expected | got | first line of the reply "
            "| problems |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for result in run.failures:
            first = result.reply.text.splitlines()[0] if result.reply and result.reply.text else ""
            cells = [
                result.conversation.name,
                result.conversation.file,
                str(result.number),
                result.turn.describe(),
                describe_expect(result.turn.expect),
                describe_answer(result),
                first[:120],
                "; ".join(result.problems),
            ]
            lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    else:
        lines.append("None – every turn passed.")
    lines += [
        "",
        f"## Coverage of the guides ({reached} / {len(rows)} entries)",
        "",
        "Passed turns whose answer came from the entry (its `topic`), by the language of the answer. "
        "Entries no passed turn reaches come first.",
        "",
        "| entry | guide file | turns | de | en |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        entry = f"**{_md(row.entry)}** (not reached)" if row.turns == 0 else _md(row.entry)
        lines.append(f"| {entry} | {_md(row.file)} | {row.turns} | {row.de} | {row.en} |")
    if confusion_png:
        lines += [
            "",
            "## Expected vs. answered topic",
            "",
            f"![topic confusion]({confusion_png})",
            "",
            "Over the turns that expect a topic; off the diagonal are turns answered from another entry.",
        ]
    return "\n".join(lines) + "\n"


def topic_pairs(results: Sequence[TurnResult]) -> list[tuple[str, str]]:
    """(expected, answered) topic for every turn that expects exactly one topic."""
    pairs = []
    for result in results:
        if "topic" not in result.turn.expect:
            continue
        expected = result.turn.expect["topic"]
        if isinstance(expected, list):
            if len(expected) != 1:
                continue
            expected = expected[0]
        answered = result.answer.get("topic")
        pairs.append((expected or NO_TOPIC, answered or NO_TOPIC))
    return pairs


def write_confusion_png(results: Sequence[TurnResult], path: Path) -> None:
    """Expected topic (rows) vs. answered topic (columns), counts in the cells."""
    import matplotlib  # type: ignore[import-untyped]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-untyped]
    from matplotlib.patches import Rectangle  # type: ignore[import-untyped]

    pairs = topic_pairs(results)
    expected = sorted({e for e, _ in pairs})
    answered = expected + sorted({a for _, a in pairs} - set(expected))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pairs:
        figure, axes = plt.subplots(figsize=(6, 2))
        axes.axis("off")
        axes.text(0.5, 0.5, "no turn expects a topic", ha="center", va="center")
        figure.savefig(path, dpi=100)
        plt.close(figure)
        return
    counts = [[0] * len(answered) for _ in expected]
    for exp, got in pairs:
        counts[expected.index(exp)][answered.index(got)] += 1
    size = max(6.0, 0.32 * len(answered) + 3.5)
    figure, axes = plt.subplots(figsize=(size, max(5.0, 0.32 * len(expected) + 3.5)))
    axes.imshow(counts, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(answered)))
    axes.set_xticklabels(answered, rotation=90, fontsize=7)
    axes.set_yticks(range(len(expected)))
    axes.set_yticklabels(expected, fontsize=7)
    axes.set_xlabel("answered topic")
    axes.set_ylabel("expected topic")
    wrong = sum(e != a for e, a in pairs)
    axes.set_title(f"Expected vs. answered topic ({len(pairs)} turns, {wrong} off the diagonal)")
    peak = max(max(row) for row in counts)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if not value:
                continue
            if i != j:  # an answer from another entry: mark the cell
                axes.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, color="tab:red", alpha=0.6))
            colour = "white" if value > peak / 2 or i != j else "black"
            axes.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(run: RunResult, guides: Guides, folder: Path) -> tuple[Path, Path]:
    """`conversations.md` and `topic_confusion.png` in `folder`; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / CONFUSION_FILE
    write_confusion_png(run.results, png)
    report = folder / REPORT_FILE
    report.write_text(format_report(run, coverage(guides, run.results), png.name), encoding="utf-8")
    return report, png
