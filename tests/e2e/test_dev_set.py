"""The dev set through the REST webhook: 0.95 on single questions, every dialogue."""

from __future__ import annotations

import pytest

from bot.evaluate import run_eval
from bot.paths import DEV_QUESTIONS, PROJECT_ROOT
from bot.processes import BotConfig

MIN_SINGLE_ACCURACY = 0.95


@pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="no dev set beside the project")
def test_dev_set_single_questions(running_bot: BotConfig) -> None:
    report = run_eval(DEV_QUESTIONS, running_bot.rasa_url)
    print(report.format())
    assert report.single_accuracy() >= MIN_SINGLE_ACCURACY, report.format()
    assert report.dialogue_accuracy() == 1.0, report.format()


@pytest.mark.parametrize("name", ["paraphrases.yml", "blind.yml"])
def test_own_question_sets(running_bot: BotConfig, name: str) -> None:
    """Two wider sets written from the instruction (blind.yml by someone who never saw the training
    data); they guard against regressions."""
    report = run_eval(PROJECT_ROOT / "tests" / "eval" / name, running_bot.rasa_url)
    print(report.format())
    assert report.single_accuracy() >= 0.93, report.format()
    assert report.dialogue_accuracy() == 1.0, report.format()
