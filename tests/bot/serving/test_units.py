"""Feedback accepts the units the guides declare: a unit added to vocabulary.yml needs no code change.

The web server reads the units from the guides (LOTSE_GUIDES_DIR names a copy here) when it starts
and again when a guide file changes, so a 👎 on an answer about a new unit is stored, not refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.serving.feedback import FeedbackError, FeedbackStore, Rating
from tests.bots import port_of
from tests.conftest import GuideCopy
from tests.http import call
from tests.rules import unit_of
from tests.web_server import web_server

DEAD_RASA = f"http://127.0.0.1:{port_of(999)}"  # feedback needs no Rasa
NEW_UNIT = "units:\n  TE:\n    de: Testeinheit SGB III\n    en: test unit SGB III\n"


def rating(unit: str | None) -> dict[str, Any]:
    """A 👎 as the widget posts it, on an answer naming `unit`."""
    return {
        "rating": -1,
        "question": "Wer bearbeitet online Stammdatenänderungen?",
        "comment": "falsche Einheit?",
        "kind": "routing",
        "topic": "stammdaten_online",
        "unit": unit,
        "lang": "de",
        "guides_version": "30145a60298d",
    }


def post_rating(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    status, _, reply = call(
        f"{url}/api/feedback", "POST", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    return status, json.loads(reply)


def test_a_unit_added_to_the_guides_is_accepted_by_the_running_web_server(
    guide_copy: GuideCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTSE_GUIDES_DIR", str(guide_copy.path))
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    with web_server(port_of(975), DEAD_RASA, db_url, tmp_path / "web.log") as server:
        status, body = post_rating(server.url, rating("TE"))
        assert status == 400 and body["error"] == '"unit" must be one of EZ, SC or null'
        assert post_rating(server.url, rating("EZ"))[0] == 201

        guide_copy.replace("vocabulary.yml", "units:\n", NEW_UNIT)  # a trainer declares a unit
        entry, unit = "stammdaten_online", unit_of("stammdaten_online")
        guide_copy.replace_in_entry("gespraechsleitfaden_ez.yml", entry, f"unit: {unit}", "unit: TE")
        status, body = post_rating(server.url, rating("TE"))
        assert status == 201, body
        status, body = post_rating(server.url, rating("XY"))
        assert status == 400 and body["error"] == '"unit" must be one of EZ, SC, TE or null'

    store = FeedbackStore(db_url)
    assert [r.unit for r in store.ratings(rating=-1)] == ["TE", "EZ"]  # newest first
    store.close()


def test_a_web_server_started_on_guides_with_a_new_unit_accepts_it(
    guide_copy: GuideCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guide_copy.replace("vocabulary.yml", "units:\n", NEW_UNIT)
    monkeypatch.setenv("LOTSE_GUIDES_DIR", str(guide_copy.path))
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    with web_server(port_of(975), DEAD_RASA, db_url, tmp_path / "web.log") as server:
        assert post_rating(server.url, rating("TE"))[0] == 201


def test_a_web_server_on_broken_guides_does_not_start(
    guide_copy: GuideCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It could not tell which units feedback may name: it says why, as the action server does."""
    guide_copy.replace("vocabulary.yml", "units:\n", "units:\n  Testeinheit:\n    de: T\n    en: T\n")
    monkeypatch.setenv("LOTSE_GUIDES_DIR", str(guide_copy.path))
    log = tmp_path / "web.log"
    with (
        pytest.raises(RuntimeError),
        web_server(port_of(975), DEAD_RASA, f"sqlite:///{tmp_path / 'f.db'}", log),
    ):
        pass
    text = log.read_text(encoding="utf-8")
    assert "the guides are invalid" in text and "vocabulary.yml" in text and "Testeinheit" in text


def test_the_store_on_its_own_accepts_the_units_of_the_guides(
    guide_copy: GuideCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without units given (the trainers' tools), the store reads them from the guides folder."""
    guide_copy.replace("vocabulary.yml", "units:\n", NEW_UNIT)
    monkeypatch.setenv("LOTSE_GUIDES_DIR", str(guide_copy.path))
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    fields = {k: v for k, v in rating("TE").items() if k != "comment"}
    store.add_rating(Rating(**fields))
    with pytest.raises(FeedbackError, match='"unit" must be one of EZ, SC, TE or null'):
        store.add_rating(Rating(**{**fields, "unit": "XY"}))
    assert [r.unit for r in store.ratings()] == ["TE"]
    store.close()
