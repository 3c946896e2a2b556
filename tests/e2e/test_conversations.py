"""The shipped trainers' conversations (tests/conversations/*.yml) against the real bot over REST."""

from __future__ import annotations

import pytest

from bot.answering.guides import Guides, load_guides
from bot.ops.processes import BotConfig
from bot.paths import GUIDES_DIR
from bot.trainers.conversation_report import coverage, format_table, summary, write_report
from bot.trainers.conversations import RunResult, run_conversations
from bot.trainers.files import default_files, load_files


@pytest.fixture(scope="module")
def guides() -> Guides:
    return load_guides(GUIDES_DIR)


@pytest.fixture(scope="module")
def run(running_bot: BotConfig, guides: Guides, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """All shipped conversations, run once; the report goes to a temporary folder."""
    result = run_conversations(load_files(default_files()), running_bot.rasa_url)
    report, _ = write_report(result, guides, tmp_path_factory.mktemp("reports"))
    print(f"{summary(result, coverage(guides, result.results))}\nreport: {report}")
    return result


def test_every_turn_of_the_shipped_conversations_passes(run: RunResult) -> None:
    failed = [r for r in run.results if not r.passed]
    assert not failed, format_table(RunResult(failed, run.seconds, run.rasa_url))


def test_the_shipped_conversations_reach_every_guide_entry_in_both_languages(
    run: RunResult, guides: Guides
) -> None:
    rows = coverage(guides, run.results)
    assert [row.entry for row in rows if row.turns == 0] == []
    assert [(row.entry, row.de, row.en) for row in rows if not (row.de and row.en)] == []
    assert len(rows) == len(guides.entries)
