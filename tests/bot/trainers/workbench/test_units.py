"""The workbench's parts without a server: accounts and `trainer-add`, the lock-out and sessions over
time (a given `now`, never the clock), writing files, the review's turns and the dashboard's SVG."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from bot.answering.guides import Guides
from bot.paths import PROJECT_ROOT
from bot.serving.feedback import StoredRating
from bot.trainers.workbench import dashboard, editing
from bot.trainers.workbench.accounts import AccountsError, Credentials, read_accounts, write_account
from bot.trainers.workbench.review import Conversation, attach_ratings, turns_of
from bot.trainers.workbench.sessions import IDLE, LOCK, WorkbenchStore
from tests.workbench import PASSWORD, copy_checkout

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)


# --- accounts --------------------------------------------------------------------------------------


def test_an_account_is_stored_as_an_argon2_hash_only_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "trainers"
    assert write_account(path, "anna", PASSWORD) is True
    assert write_account(path, "anna", PASSWORD + "-neu") is False  # changed, not added
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "anna:$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = Credentials(read_accounts(path), token=None)
    assert found.verify("anna", PASSWORD + "-neu") and not found.verify("anna", PASSWORD)
    assert not found.verify("bernd", PASSWORD) and not found.verify("../x", PASSWORD)
    with_token = Credentials(read_accounts(path), token="ein-langes-trainer-token")
    assert with_token.verify("bernd", "ein-langes-trainer-token") and not with_token.verify("bernd", "falsch")


def test_a_broken_accounts_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "trainers"
    path.write_text("# Konten\nanna:klartext\n", encoding="utf-8")
    with pytest.raises(AccountsError, match=r"trainers:2: expected NAME:\$argon2id\$"):
        read_accounts(path)


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LOTSE_TRAINER_ACCOUNTS_FILE": str(tmp_path / "trainers"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "trainer-add", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_trainer_add_writes_the_hash_and_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "anna", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "added trainer 'anna'" in done.stdout
    assert list(read_accounts(tmp_path / "trainers")) == ["anna"]
    short = run_cli(tmp_path, "ben", "--password-stdin", stdin="kurz\n")
    assert (
        short.returncode == 2 and "mindestens 12 Zeichen" in short.stderr and "Traceback" not in short.stderr
    )
    bad = run_cli(tmp_path, "Anna Maria", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    inside = subprocess.run(
        [sys.executable, "-m", "bot.cli", "trainer-add", "anna", "--password-stdin"],
        input=PASSWORD + "\n",
        env={**os.environ, "LOTSE_TRAINER_ACCOUNTS_FILE": str(PROJECT_ROOT / "trainers")},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert inside.returncode == 2 and "inside the repository" in inside.stderr
    assert not (PROJECT_ROOT / "trainers").exists()


# --- lock-out and sessions over time -------------------------------------------------------------------


def test_the_lock_out_holds_for_its_time_and_then_lets_in_again(tmp_path: Path) -> None:
    store = WorkbenchStore(f"sqlite:///{tmp_path / 'wb.db'}")
    for minute in range(4):
        store.note_failure("name:anna", 5, NOW + dt.timedelta(minutes=minute))
    assert store.locked_until(["name:anna"], NOW + dt.timedelta(minutes=4)) is None
    store.note_failure("name:anna", 5, NOW + dt.timedelta(minutes=4))
    until = store.locked_until(["name:anna", "address:x"], NOW + dt.timedelta(minutes=5))
    assert until == NOW + dt.timedelta(minutes=4) + LOCK
    assert store.locked_until(["name:anna"], until + dt.timedelta(seconds=1)) is None
    # failures spread wider than the window never lock
    for hour in range(10):
        store.note_failure("name:ben", 5, NOW + dt.timedelta(hours=hour))
    assert store.locked_until(["name:ben"], NOW + dt.timedelta(hours=9, minutes=1)) is None
    store.close()


def test_a_session_ends_when_idle_or_signed_out(tmp_path: Path) -> None:
    store = WorkbenchStore(f"sqlite:///{tmp_path / 'wb.db'}")
    token, session = store.create_session("anna", NOW)
    assert store.session(token, NOW + dt.timedelta(hours=1)) == session
    assert store.session(token, NOW + dt.timedelta(hours=1) + IDLE + dt.timedelta(seconds=1)) is None
    token, _ = store.create_session("anna", NOW)
    store.end_session(token)
    assert store.session(token, NOW) is None and store.session("", NOW) is None
    store.close()


def test_one_test_run_at_a_time(tmp_path: Path) -> None:
    store = WorkbenchStore(f"sqlite:///{tmp_path / 'wb.db'}")
    first = store.start_run("anna", ["a.yml"], 3, NOW)
    assert isinstance(first, str)
    second = store.start_run("ben", ["b.yml"], 1, NOW + dt.timedelta(minutes=1))
    assert not isinstance(second, str) and second.id == first and second.trainer == "anna"
    store.finish(first, {"passed": 3}, b"png")
    assert isinstance(store.start_run("ben", ["b.yml"], 1, NOW + dt.timedelta(minutes=2)), str)
    store.close()


# --- writing files ---------------------------------------------------------------------------------


def test_a_save_writes_exactly_the_preview_and_refuses_a_changed_file(tmp_path: Path, guides: Guides) -> None:
    root = copy_checkout(tmp_path / "checkout")
    turns = [
        editing.TurnSpec(
            "Wer bearbeitet Terminabsagen?", False, {"kind": "routing", "topic": "kontaktformular_termine"}
        )
    ]
    change = editing.add_conversation(root, "email.yml", "aus der Werkbank", turns, guides)
    path = root / "tests" / "conversations" / "email.yml"
    assert change.new.startswith(path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8") + "# von Hand\n", encoding="utf-8")
    with pytest.raises(editing.EditError) as refused:
        editing.save(root, change, change.stamp)
    assert refused.value.status == 409 and "wurde geändert" in str(refused.value)
    fresh = editing.add_conversation(root, "email.yml", "aus der Werkbank", turns, guides)
    editing.save(root, fresh, fresh.stamp)
    assert path.read_text(encoding="utf-8") == fresh.new


def test_without_a_checkout_nothing_is_saved(tmp_path: Path, guides: Guides) -> None:
    root = copy_checkout(tmp_path / "checkout")
    (root / ".git").rmdir()
    turns = [editing.TurnSpec("Wer bearbeitet Terminabsagen?", False, {"kind": "routing"})]
    change = editing.add_conversation(root, "neu.yml", "x", turns, guides)
    with pytest.raises(editing.EditError, match="herunterladen"):
        editing.save(root, change, change.stamp)
    assert not (root / "tests" / "conversations" / "neu.yml").exists()


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path / "checkout")
    outside = tmp_path / "outside.yml"
    outside.write_text("nlu: []\n", encoding="utf-8")
    (root / "data" / "nlu" / "link.yml").symlink_to(outside)
    with pytest.raises(editing.EditError) as refused:
        editing.target(root, editing.NLU, "link.yml")
    assert refused.value.status == 403


def test_an_intent_without_a_hand_written_file_gets_the_workbench_file(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path / "checkout")
    change = editing.add_example(
        root,
        "ask_budget_participation",
        "Beteiligung am Budget – wie läuft das genau?",
        ["ask_budget_participation"],
    )
    hand_written = {
        e.file
        for e in editing.all_examples(root)
        if e.intent == "ask_budget_participation" and "generated" not in e.file
    }
    assert change.path == (sorted(hand_written)[0] if hand_written else "data/nlu/workbench.yml")
    assert "Beteiligung am Budget – wie läuft das genau?" in change.new


# --- review and dashboard ------------------------------------------------------------------------------


def answer(kind: str, **fields: object) -> dict[str, object]:
    return {"kind": kind, "topic": None, "unit": None, "lang": "de", **fields}


def test_a_click_is_read_as_its_buttons_title_and_a_rating_lands_on_its_turn() -> None:
    options = [{"title": "Ja", "payload": "/inform"}]
    at = NOW.timestamp()
    events: list[tuple[str, float, dict[str, Any]]] = [
        ("user", at, {"text": "telefonische ASU – wer?"}),
        (
            "bot",
            at + 1,
            {
                "text": "Hatte …?\nmehr",
                "data": {"custom": {"answer": answer("clarify", asks="customer", options=options)}},
            },
        ),
        ("user", at + 2, {"text": "/inform"}),
        (
            "bot",
            at + 3,
            {"text": "SC – …", "data": {"custom": {"answer": answer("routing", topic="t", unit="SC")}}},
        ),
    ]
    turns = turns_of(events)
    assert [(t.text, t.click, t.reply) for t in turns] == [
        ("telefonische ASU – wer?", None, "Hatte …?"),
        ("/inform", "Ja", "SC – …"),
    ]
    conversation = Conversation("c", turns)
    rating = StoredRating(
        1,
        NOW + dt.timedelta(seconds=10),
        -1,
        "telefonische ASU – wer? → Ja",
        "zu knapp",
        "t",
        "routing",
        "SC",
        "de",
        None,
    )
    attach_ratings([conversation], [rating])
    assert turns[1].ratings[0]["comment"] == "zu knapp" and not turns[0].ratings
    figures = dashboard.figures([conversation], [rating], [], NOW.astimezone().date(), 7)
    assert (figures.typed, figures.right_at_once, figures.right_after_click) == (1, 0, 0)  # rated 👎
    for name in dashboard.CHARTS:
        svg = dashboard.chart(name, figures)
        root = ElementTree.fromstring(svg)  # well-formed
        assert root.tag.endswith("svg") and "<script" not in svg
