"""What changed in the guides between two git revisions, in German, for staff (`make guide-changes`).

A team lead who mails the staff about a new rule should not have to read a YAML diff: the report
names each entry that was added, changed (old → new: unit, verdict, conditions, validity, source),
removed or replaced, and the days on which entries become valid. Both versions are read by the same
loader as the bot (`load_guides`), so the report shows what Lotse answers, never what a YAML
parser of our own would think the files mean; a revision whose guides do not load is refused.

The report is written twice from one structure – Markdown (every copied value made inert by
bot/answering/markdown.py) and HTML (every value through `html.escape`), so a verdict such as
`<b>EZ</b>` is shown as written in a mail client as well as in a Markdown viewer.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.answering import markdown
from bot.answering.guide_model import Entry, Guides
from bot.answering.guides import GuideError, load_guides
from bot.paths import PROJECT_ROOT

REPORT_DIR = PROJECT_ROOT / "var" / "reports"
GUIDES_FOLDER = "guides"  # the guides folder inside the repository
WORKING_TREE = "Arbeitsstand"  # the label of TO when no revision is given


class GuideChangesError(Exception):
    """A revision git does not know, or guides that do not load at it: said in one line, no traceback."""


@dataclass(frozen=True)
class Item:
    """One line of the report: a bold title (usually an entry id) and what is said about it."""

    title: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...]
    empty: str  # said when there is nothing to list, so a reader knows the section was checked


@dataclass(frozen=True)
class Report:
    title: str
    intro: str
    sections: tuple[Section, ...]


# --- reading the guides at a revision -------------------------------------------------------------


def _git(repo: Path, *args: str) -> bytes:
    """Run a read-only git command in `repo`; its output, or GuideChangesError with git's own words."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except OSError as error:  # no git on the machine
        raise GuideChangesError(f"git kann nicht ausgeführt werden: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GuideChangesError(message[-1] if message else f"git {args[0]} ist fehlgeschlagen")
    return done.stdout


def resolve(repo: Path, revision: str) -> str:
    """The short commit id of `revision`; an unknown revision is refused in German, naming it."""
    if revision.startswith("-"):  # never an option to git
        raise GuideChangesError(f"unbekannte Git-Revision: {revision!r}")
    try:
        found = _git(repo, "rev-parse", "--verify", "--quiet", "--short", f"{revision}^{{commit}}")
    except GuideChangesError as error:
        raise GuideChangesError(f"unbekannte Git-Revision: {revision!r}") from error
    return found.decode().strip()


def extract_guides(repo: Path, revision: str, target: Path, folder: str = GUIDES_FOLDER) -> Path:
    """Write the guides folder as it was at `revision` into `target`; the folder written.

    `git archive` reads the commit, never the index or the working tree, so the trainer's
    uncommitted work is left alone. Only regular files right inside the folder are written.
    """
    data = _git(repo, "archive", "--format=tar", revision, "--", folder)
    written = target / folder
    written.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            path = PurePosixPath(member.name)
            if not member.isfile() or path.parent != PurePosixPath(folder):
                continue
            content = archive.extractfile(member)
            if content is not None:
                (written / path.name).write_bytes(content.read())
    return written


def guides_at(repo: Path, revision: str | None, workdir: Path, folder: str = GUIDES_FOLDER) -> Guides:
    """The guides at `revision` (None: the working tree), loaded and checked like the bot does."""
    source = repo / folder if revision is None else extract_guides(repo, revision, workdir, folder)
    try:
        return load_guides(source)
    except GuideError as error:
        where = WORKING_TREE if revision is None else revision
        raise GuideChangesError(f"die Leitfäden bei {where} sind ungültig: {error}") from error


# --- comparing -------------------------------------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "–"


def _validity(entry: Entry) -> str:
    if entry.valid_from and entry.valid_to:
        return f"{_date(entry.valid_from)} bis {_date(entry.valid_to)}"
    if entry.valid_from:
        return f"ab {_date(entry.valid_from)}"
    if entry.valid_to:
        return f"bis {_date(entry.valid_to)}"
    return "unbefristet"


def _conditions(when: Mapping[str, frozenset[str]]) -> str:
    return "; ".join(f"{key}: {', '.join(sorted(values))}" for key, values in sorted(when.items())) or "–"


def _source(entry: Entry, guides: Guides) -> str:
    document = guides.documents.get(entry.document)
    title = document.title.de if document else entry.document
    return f"Weisung {entry.instruction}, Abschnitt {entry.section} ({title})"


def _unit(entry: Entry) -> str:
    return entry.answer.unit or "keine"


def _quoted(text: str) -> str:
    return f"„{text}“"


def _fields(entry: Entry, guides: Guides) -> list[tuple[str, str]]:
    """What staff see of an entry, in the order the report names it."""
    return [
        ("Einheit", _unit(entry)),
        ("Antwort (de)", _quoted(entry.text.de.verdict)),
        ("Antwort (en)", _quoted(entry.text.en.verdict)),
        ("Bedingungen", _conditions(entry.when)),
        ("Gültigkeit", _validity(entry)),
        ("Quelle", _source(entry, guides)),
    ]


def _differences(old: Entry, new: Entry, old_guides: Guides, new_guides: Guides) -> tuple[str, ...]:
    said = [
        f"{label}: {before} → {after}"
        for (label, before), (_, after) in zip(
            _fields(old, old_guides), _fields(new, new_guides), strict=True
        )
        if before != after
    ]
    if (old.text.de.detail, old.text.en.detail) != (new.text.de.detail, new.text.en.detail):
        said.append("Erläuterung geändert")
    if old.answer.dict(exclude={"unit"}) != new.answer.dict(exclude={"unit"}):
        said.append("weitere Angaben der Antwort geändert (Ort, Frist, Formular, Begründung …)")
    if old.kind != new.kind:
        said.append(f"Art: {old.kind} → {new.kind}")
    return tuple(said)


def _successor(entry: Entry, candidates: Iterable[Entry]) -> Entry | None:
    """The entry that takes `entry`'s place: one that names it under `replaces`, else one that settles
    the same case (same conditions) and starts after it ended."""
    candidates = list(candidates)
    named = [other for other in candidates if entry.id in other.replaces]
    if named:
        return named[0]
    for other in candidates:
        if other.id != entry.id and other.when == entry.when:
            if entry.valid_to is None or other.valid_from is None:
                return other
            if other.valid_from > entry.valid_to:
                return other
    return None


def compare(
    old: Guides, new: Guides, today: dt.date, old_label: str, new_label: str, *, title: str = ""
) -> Report:
    """The report on `old` → `new`: added, changed, removed/replaced, and what becomes valid after today."""
    old_ids = {e.id: e for e in old.entries}
    new_ids = {e.id: e for e in new.entries}
    added = [e for e in new.entries if e.id not in old_ids]
    removed = [e for e in old.entries if e.id not in new_ids]

    added_items = tuple(
        Item(e.id, tuple(f"{label}: {value}" for label, value in _fields(e, new))) for e in added
    )
    changed_items = []
    for entry in new.entries:
        before = old_ids.get(entry.id)
        if before is None:
            continue
        said = _differences(before, entry, old, new)
        if said:
            follows = _successor(entry, new.entries) if entry.valid_to != before.valid_to else None
            if follows is not None and entry.valid_to is not None:
                said += (f"abgelöst ab {_date(entry.valid_to + dt.timedelta(days=1))} durch {follows.id}",)
            changed_items.append(Item(entry.id, said))
    removed_items = []
    for entry in removed:
        follows = _successor(entry, added) or _successor(entry, new.entries)
        what = f"ersetzt durch {follows.id}" if follows else "entfernt – kein Eintrag regelt diesen Fall mehr"
        removed_items.append(
            Item(entry.id, (what, f"war: {_unit(entry)} – {_quoted(entry.text.de.verdict)}"))
        )
    upcoming = sorted((e for e in new.entries if e.valid_from and e.valid_from > today), key=_start)
    upcoming_items = tuple(
        Item(f"ab {_date(e.valid_from)}", (f"{e.id}: {_unit(e)} – {_quoted(e.text.de.verdict)}",))
        for e in upcoming
    )
    return Report(
        title=title or "Änderungen der Leitfäden",
        intro=(
            f"Von {old_label} bis {new_label}, erstellt am {_date(today)}: "
            f"{len(added)} neu, {len(changed_items)} geändert, {len(removed)} entfernt oder ersetzt."
        ),
        sections=(
            Section("Neue Einträge", added_items, "Keine neuen Einträge."),
            Section("Geänderte Einträge (alt → neu)", tuple(changed_items), "Keine Einträge geändert."),
            Section("Entfernte oder ersetzte Einträge", tuple(removed_items), "Keine Einträge entfernt."),
            Section("Wird gültig", upcoming_items, f"Nach dem {_date(today)} wird kein Eintrag neu gültig."),
        ),
    )


def _start(entry: Entry) -> tuple[dt.date, str]:
    return (entry.valid_from or dt.date.min, entry.id)


# --- writing ---------------------------------------------------------------------------------------


def to_markdown(report: Report) -> str:
    """The report as Markdown; every copied value inert (no HTML, no link, no table break)."""
    lines = [f"# {markdown.text(report.title)}", "", markdown.text(report.intro), ""]
    for section in report.sections:
        lines += [f"## {markdown.text(section.heading)}", ""]
        if not section.items:
            lines += [markdown.text(section.empty), ""]
            continue
        for item in section.items:
            lines.append(f"- **{markdown.text(item.title)}**")
            lines += [f"  - {markdown.text(detail)}" for detail in item.details]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_html(report: Report) -> str:
    """The report as one HTML page to mail; every value escaped, no script, no outside resource."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de">',
        '<head><meta charset="utf-8">',
        f"<title>{e(report.title)}</title></head>",
        "<body>",
        f"<h1>{e(report.title)}</h1>",
        f"<p>{e(report.intro)}</p>",
    ]
    for section in report.sections:
        parts.append(f"<h2>{e(section.heading)}</h2>")
        if not section.items:
            parts.append(f"<p>{e(section.empty)}</p>")
            continue
        parts.append("<ul>")
        for item in section.items:
            details = "".join(f"<li>{e(detail)}</li>" for detail in item.details)
            parts.append(f"<li><strong>{e(item.title)}</strong><ul>{details}</ul></li>")
        parts.append("</ul>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def guide_changes(
    repo: Path,
    from_revision: str,
    to_revision: str | None = None,
    today: dt.date | None = None,
    folder: str = GUIDES_FOLDER,
) -> Report:
    """The report on the guides of `repo` from `from_revision` to `to_revision` (None: working tree)."""
    old_label = f"{from_revision} ({resolve(repo, from_revision)})"
    new_label = WORKING_TREE if to_revision is None else f"{to_revision} ({resolve(repo, to_revision)})"
    with tempfile.TemporaryDirectory(prefix="lotse-guides-") as temp:
        old = guides_at(repo, from_revision, Path(temp) / "from", folder)
        new = guides_at(repo, to_revision, Path(temp) / "to", folder)
    return compare(old, new, today or dt.date.today(), old_label, new_label)


def write_report(report: Report, out_dir: Path = REPORT_DIR) -> Sequence[Path]:
    """Write guide-changes.md and guide-changes.html into `out_dir`; both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "guide-changes.md"
    page = out_dir / "guide-changes.html"
    md.write_text(to_markdown(report), encoding="utf-8")
    page.write_text(to_html(report), encoding="utf-8")
    return (md, page)
