"""The workbench's "Tests ausführen": the runner of `make conversations`, started from the browser.

The same reader (bot/trainers/files.py), the same runner (bot/trainers/conversations.py) and the same
report parts (bot/trainers/conversation_report.py: the table's columns, coverage, the topic confusion
plot) – only the output differs: JSON and a PNG in the database, so the page can show progress and
results whichever web server it asks (the cluster has two). One run at a time: they share the bot.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.answering.guides import Guides
from bot.trainers.conversation_report import (
    coverage,
    describe_answer,
    describe_expect,
    summary,
    write_confusion_png,
)
from bot.trainers.conversations import RunResult, run_conversations
from bot.trainers.files import load_files
from bot.trainers.workbench.sessions import Run, WorkbenchStore

logger = logging.getLogger(__name__)

PURPOSE = "workbench"  # the runner's senders are "workbench-…": the review leaves them out


def results_json(run: RunResult, guides: Guides) -> dict[str, Any]:
    """Pass / fail per turn with what was expected and what came, and the coverage per guide entry."""
    rows = coverage(guides, run.results)
    turns = []
    for result in run.results:
        first = result.reply.text.splitlines()[0] if result.reply and result.reply.text else ""
        turns.append(
            {
                "conversation": result.conversation.name,
                "file": result.conversation.file,
                "number": result.number,
                "said": result.turn.describe(),
                "passed": result.passed,
                "expected": describe_expect(result.turn.expect),
                "got": describe_answer(result),
                "reply": first[:200],
                "problems": result.problems,
            }
        )
    return {
        "summary": summary(run, rows),
        "turns": turns,
        "passed": len(run.results) - len(run.failures),
        "failed": len(run.failures),
        "coverage": [
            {"entry": row.entry, "file": row.file, "de": row.de, "en": row.en, "turns": row.turns}
            for row in rows
        ],
        "reached": sum(row.turns > 0 for row in rows),
        "entries": len(rows),
    }


def confusion_png(run: RunResult) -> bytes:
    buffer = io.BytesIO()
    write_confusion_png(run.results, buffer)
    return buffer.getvalue()


def start_run(
    store: WorkbenchStore,
    trainer: str,
    files: list[Path],
    rasa_url: str,
    guides: Callable[[], Guides],
) -> str | Run:
    """Start a run of `files` in the background; its id, or the run already going.

    The files are read first (ConversationError names every mistake before anything is asked).
    """
    conversations = load_files(files)
    started = store.start_run(trainer, [path.name for path in files], len(conversations))
    if isinstance(started, Run):
        return started
    run_id = started

    def work() -> None:
        try:
            result = run_conversations(
                conversations, rasa_url, PURPOSE, progress=lambda done, _: store.progress(run_id, done)
            )
            store.finish(run_id, results_json(result, guides()), confusion_png(result))
        except Exception as error:  # the page must learn that the run ended, whatever ended it
            logger.exception("test run %s failed", run_id)
            store.fail(run_id, f"{type(error).__name__}: {error}")

    threading.Thread(target=work, name=f"workbench-run-{run_id}", daemon=True).start()
    return run_id
