"""The names the guides declare agree with the domain, the rules, the examples and the conversations.

The checks themselves are bot/trainers/check.py (`make check-guides`), so a trainer gets the same
answer before a commit as the tests give; tests/bot/trainers/test_check.py proves each kind of
problem on a broken copy.
"""

from __future__ import annotations

from bot.answering.guides import Guides
from bot.trainers.check import check


def test_the_project_passes_every_check_across_files(guides: Guides) -> None:
    report = check()
    assert report.ok, "\n".join(str(problem) for problem in report.problems)
    assert report.entries == len(guides.entries) and report.version == guides.version
    assert report.conversations > 0
