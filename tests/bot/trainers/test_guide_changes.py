"""The staff's change report (bot/trainers/guide_changes.py) over a real git repository in tmp_path.

A copy of the real guides is committed, then one entry's unit is changed, another entry is ended
and a fictitious successor valid from a future day is added, and committed again: the report must
name exactly these changes, in German, in Markdown and in escaped HTML, and the command line must
refuse an unknown revision with a clear message and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import cli
from bot.answering.guide_model import Entry
from bot.answering.guides import load_guides
from bot.paths import GUIDES_DIR
from bot.trainers.guide_changes import (
    GuideChangesError,
    guide_changes,
    to_html,
    to_markdown,
    write_report,
)
from tests.report_html import render

TODAY = dt.date(2026, 12, 1)
FUTURE = dt.date(2027, 1, 1)
NEW_ID = "testeintrag_ab_2027"
NEW_VERDICT = "<b>X</b> – ein erfundener Eintrag für den Test, [klick](https://example.org)"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _block(lines: list[str], entry_id: str) -> tuple[int, int]:
    """The lines of one entry in its guide file: from its `- id:` line to the next entry."""
    start = lines.index(f"  - id: {entry_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: ")), len(lines))
    return start, end


def _replace_in(path: Path, entry_id: str, old: str, new: str) -> None:
    """Replace the first `old` line (stripped) inside one entry's block, keeping its indentation."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start, end = _block(lines, entry_id)
    index = next(i for i in range(start, end) if lines[i].strip() == old)
    lines[index] = lines[index][: len(lines[index]) - len(lines[index].lstrip())] + new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _flow(entry: Entry) -> str:
    return "{" + ", ".join(f"{key}: [{', '.join(sorted(v))}]" for key, v in sorted(entry.when.items())) + "}"


@dataclass(frozen=True)
class Repo:
    path: Path
    first: str
    changed: Entry  # its unit changed
    ended: Entry  # ends the day before FUTURE, NEW_ID follows it
    new_unit: str


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A git repository with the real guides, then one commit with the changes the tests expect."""
    path = tmp_path / "repo"
    shutil.copytree(GUIDES_DIR, path / "guides")
    _git(path, "init", "--quiet")
    _git(path, "add", "guides")
    _git(path, "commit", "--quiet", "-m", "guides as they are")
    first = _git(path, "rev-parse", "HEAD")

    guides = load_guides(path / "guides")
    open_routing = [e for e in guides.entries if e.kind == "routing" and e.valid_to is None and e.answer.unit]
    changed, ended = open_routing[0], next(e for e in open_routing[1:] if e.file == open_routing[0].file)
    new_unit = next(unit for unit in sorted(guides.vocabulary.units) if unit != changed.answer.unit)
    file = path / "guides" / changed.file
    _replace_in(file, changed.id, f"unit: {changed.answer.unit}", f"unit: {new_unit}")
    _replace_in(file, ended.id, "valid_to: null", f"valid_to: {FUTURE - dt.timedelta(days=1)}")
    with file.open("a", encoding="utf-8") as handle:
        handle.write(
            f"""
  - id: {NEW_ID}
    kind: routing
    when: {_flow(ended)}
    answer: {{unit: {new_unit}}}
    valid_from: {FUTURE}
    valid_to: null
    source: {{instruction: "{ended.instruction}", section: "{ended.section}"}}
    text:
      de: {{verdict: "{NEW_VERDICT}", detail: "Nur für den Test."}}
      en: {{verdict: "A made-up entry for the test.", detail: "Only for the test."}}
"""
        )
    load_guides(path / "guides")  # the edited copy is valid guides
    _git(path, "commit", "--quiet", "-am", "one unit changed, one entry replaced from 2027")
    return Repo(path, first, changed, ended, new_unit)


def test_report_names_the_changed_unit_the_new_entry_and_its_start(repo: Repo) -> None:
    report = to_markdown(guide_changes(repo.path, repo.first, "HEAD", today=TODAY))
    lines = report.splitlines()
    assert lines[0] == "# Änderungen der Leitfäden"
    assert "1 neu, 2 geändert, 0 entfernt oder ersetzt." in lines[2]
    changed = lines.index(f"- **{repo.changed.id}**")
    assert lines[changed + 1] == f"  - Einheit: {repo.changed.answer.unit} → {repo.new_unit}"
    assert lines[changed + 2].startswith("- ") or lines[changed + 2] == ""  # the unit was all that changed
    ended = lines.index(f"- **{repo.ended.id}**")
    start = repo.ended.valid_from.strftime("%d.%m.%Y") if repo.ended.valid_from else None
    validity = f"ab {start} → {start} bis 31.12.2026" if start else "unbefristet → bis 31.12.2026"
    assert lines[ended + 1 : ended + 3] == [
        f"  - Gültigkeit: {validity}",
        f"  - abgelöst ab 01.01.2027 durch {NEW_ID}",
    ]
    added = lines.index(f"- **{NEW_ID}**")
    assert lines[added + 1] == f"  - Einheit: {repo.new_unit}"
    assert "  - Gültigkeit: ab 01.01.2027" in lines[added + 1 : added + 7]
    assert "## Wird gültig" in lines
    upcoming = lines[lines.index("## Wird gültig") :]
    assert "- **ab 01.01.2027**" in upcoming
    assert upcoming[upcoming.index("- **ab 01.01.2027**") + 1].startswith(
        f"  - {NEW_ID}: {repo.new_unit} – „"
    )
    assert "Keine Einträge entfernt." in lines


def test_copied_text_is_inert_in_markdown_and_escaped_in_html(repo: Repo) -> None:
    found = guide_changes(repo.path, repo.first, "HEAD", today=TODAY)
    rendered = render(to_markdown(found))
    assert not rendered.tags & {"b", "a", "script", "img"}
    assert "<b>X</b> – ein erfundener Eintrag" in rendered.text
    page = to_html(found)
    assert "<b>X</b>" not in page and html.escape(NEW_VERDICT) in page
    assert page.count("<strong>") == page.count("</strong>") >= 3


def test_removed_entry_is_reported_with_its_successor_and_the_working_tree_is_the_default(
    repo: Repo, tmp_path: Path
) -> None:
    file = repo.path / "guides" / repo.ended.file
    lines = file.read_text(encoding="utf-8").splitlines()
    start, end = _block(lines, repo.ended.id)
    file.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")  # not committed
    found = guide_changes(repo.path, repo.first, today=TODAY)
    assert (
        found.intro.startswith(f"Von {repo.first} ({repo.first[:7]}") and " bis Arbeitsstand," in found.intro
    )
    removed = next(s for s in found.sections if s.heading.startswith("Entfernte"))
    assert [(i.title, i.details[0]) for i in removed.items] == [(repo.ended.id, f"ersetzt durch {NEW_ID}")]
    md, page = write_report(found, tmp_path / "reports")
    assert md.name == "guide-changes.md" and page.name == "guide-changes.html"
    assert md.read_text(encoding="utf-8") == to_markdown(found)


def test_unknown_revision_is_refused_in_one_line() -> None:
    with pytest.raises(GuideChangesError, match="unbekannte Git-Revision: 'keine-solche-revision'"):
        guide_changes(GUIDES_DIR.parent, "keine-solche-revision")


def test_cli_exits_2_with_a_clear_message_for_an_unknown_revision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main(["guide-changes", "keine-solche-revision", "--out-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "guide-changes: unbekannte Git-Revision: 'keine-solche-revision'\n"
    assert "Traceback" not in err and not list(tmp_path.iterdir())
