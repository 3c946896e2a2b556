"""GuideStore: a trainer's edit is seen without a restart; a broken edit never takes the bot down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.answering.guides import GuideError
from bot.answering.store import GuideStore
from tests.conftest import GuideCopy
from tests.rules import unit_of

FILE = "gespraechsleitfaden_ez.yml"
ENTRY = "kontaktformular_termine"
NEW_VERDICT = "EZ – Kontaktformulare zu Terminen bearbeitet die Eingangszone (geänderter Leitfaden)."


def _touch_later(path: Path) -> None:
    """Move the file's mtime forward, so the edit is seen even on coarse file-system clocks."""
    info = path.stat()
    later = info.st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def _edit(copy: GuideCopy, old: str, new: str) -> None:
    copy.replace_in_entry(FILE, ENTRY, old, new)
    _touch_later(copy.file(FILE))


def _change_verdict(copy: GuideCopy, store: GuideStore, new: str) -> None:
    old = store.get().by_id[ENTRY].text.de.verdict
    _edit(copy, f"verdict: {old}\n", f"verdict: {new}\n")


def test_unchanged_files_are_not_reloaded(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    assert store.get() is store.get()
    assert store.last_error is None


def test_edited_verdict_is_seen_by_the_next_get(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    before = store.get()
    assert before.by_id[ENTRY].text.de.verdict != NEW_VERDICT

    _change_verdict(guide_copy, store, NEW_VERDICT)

    after = store.get()
    assert after.by_id[ENTRY].text.de.verdict == NEW_VERDICT
    assert after.version != before.version
    assert store.last_error is None


def test_broken_edit_keeps_last_good_version_until_fixed(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    good = store.get()

    unit = unit_of(ENTRY)
    _edit(guide_copy, f"unit: {unit}", "unit: XY")  # unknown unit
    still = store.get()
    assert still is good
    assert still.by_id[ENTRY].answer.unit == unit
    assert store.last_error is not None
    assert FILE in store.last_error
    assert ENTRY in store.last_error
    assert "answer.unit" in store.last_error
    # asking again does not clear the error while the file stays broken
    assert store.get() is good
    assert store.last_error is not None

    _edit(guide_copy, "unit: XY", f"unit: {unit}")
    _change_verdict(guide_copy, store, NEW_VERDICT)
    fixed = store.get()
    assert store.last_error is None
    assert fixed.by_id[ENTRY].text.de.verdict == NEW_VERDICT


def test_invalid_yaml_edit_is_rejected_and_named(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    good = store.get()
    _edit(guide_copy, "kind: routing", "kind: routing: [")
    assert store.get() is good
    assert store.last_error is not None
    assert store.last_error.startswith(FILE)
    assert "YAML" in store.last_error


def test_new_unlisted_file_is_rejected_without_losing_the_guides(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    good = store.get()
    guide_copy.write("notizen.yml", "version: '3.1'\n")
    assert store.get() is good
    assert store.last_error is not None and "notizen.yml" in store.last_error

    guide_copy.file("notizen.yml").unlink()
    assert store.get().version == good.version
    assert store.last_error is None


def test_store_refuses_to_start_on_broken_guides(guide_copy: GuideCopy) -> None:
    guide_copy.replace_in_entry(FILE, ENTRY, "channel: contact_form", "channel: fax")
    with pytest.raises(GuideError) as raised:
        GuideStore(guide_copy.path)
    assert (raised.value.file, raised.value.entry, raised.value.key) == (FILE, ENTRY, "when.channel")


def test_file_saved_in_another_encoding_is_rejected_and_named(guide_copy: GuideCopy) -> None:
    store = GuideStore(guide_copy.path)
    good = store.get()
    path = guide_copy.file(FILE)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    _touch_later(path)
    assert store.get() is good
    assert store.last_error is not None and store.last_error.startswith(FILE) and "UTF-8" in store.last_error
