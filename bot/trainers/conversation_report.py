"""What a run of the trainers' conversations shows: the table, the summary, the Markdown report with
the coverage of the guide entries, and the topic confusion plot.

Kept apart from the runner (bot/trainers/conversations.py) because only `make conversations`
and its tests need it; eval prints its own figures (bot/trainers/evaluate.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bot.answering import markdown
from bot.answering.guides import Guides
from bot.trainers.conversations import RunResult, TurnResult

REPORT_FILE = "conversations.md"
CONFUSION_FILE = "topic_confusion.png"
NO_TOPIC = "(none)"


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


def write_confusion_png(results: Sequence[TurnResult], path: Path | BinaryIO) -> None:
    """Expected topic (rows) vs. answered topic (columns), counts in the cells; into a file, or a
    buffer (the workbench keeps the picture in its database)."""
    import matplotlib  # type: ignore[import-untyped]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-untyped]
    from matplotlib.patches import Rectangle  # type: ignore[import-untyped]

    pairs = topic_pairs(results)
    expected = sorted({e for e, _ in pairs})
    answered = expected + sorted({a for _, a in pairs} - set(expected))
    if isinstance(path, Path):
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
