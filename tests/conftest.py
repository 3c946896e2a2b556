"""Shared fixtures for the unit tests: the real guides, the real domain, real trackers.

Nothing of Lotse's own code is mocked. Guide errors are produced by copying the
real `guides/` folder to a temporary folder and changing one thing in the copy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answering.answers import AnswerWriter
from bot.answering.guides import Guides, load_guides
from bot.answering.responses import Responses
from bot.answering.store import GuideStore
from bot.paths import DOMAIN_FILE, GUIDES_DIR
from tests.bots import TODAY as E2E_TODAY

TODAY = dt.date.fromisoformat(E2E_TODAY)  # the same day the running test bots answer as of
BEFORE_JULY_2025 = dt.date(2025, 6, 15)
# the slots once Lotse has asked, about a phone registration, whether the caller ever had a status
ASKED_FOR_CUSTOMER: dict[str, Any] = {
    "subject": "job_seeker_registration",
    "channel": "phone",
    "pending_condition": "customer",
}


def answered(topic: str, text: str = "…", kind: str | None = None) -> dict[str, Any]:
    """The bot event of a reply that answered from `topic` (its payload, as actions.writing.send makes it)."""
    answer: dict[str, Any] = {"topic": topic} if kind is None else {"kind": kind, "topic": topic}
    return {"event": "bot", "text": text, "data": {"custom": {"answer": answer}}}


def domain_slot_names() -> list[str]:
    """Every slot declared in the real domain.yml."""
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["slots"])


# --- the real guides and texts ------------------------------------------------


@pytest.fixture(scope="session")
def guides() -> Guides:
    return load_guides(GUIDES_DIR)


@pytest.fixture(scope="session")
def responses() -> Responses:
    return Responses.from_domain_file(DOMAIN_FILE)


@pytest.fixture(scope="session")
def store() -> GuideStore:
    """A store on the project's own guides folder (never written to by the tests)."""
    return GuideStore(GUIDES_DIR)


@pytest.fixture
def writer(guides: Guides, responses: Responses) -> AnswerWriter:
    return AnswerWriter(guides, responses)


# --- a copy of the guides to break --------------------------------------------


@dataclass
class GuideCopy:
    """A copy of guides/ in a temporary folder, with helpers for small text edits."""

    path: Path

    def file(self, name: str) -> Path:
        return self.path / name

    def read(self, name: str) -> str:
        return self.file(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        self.file(name).write_text(text, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace `old` (which must occur exactly once) in the file."""
        text = self.read(name)
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {name}"
        self.write(name, text.replace(old, new))

    def entry_span(self, name: str, entry_id: str) -> tuple[int, int]:
        """Start and end offset of one entry's block (`  - id: ...` up to the next entry)."""
        text = self.read(name)
        start = text.index(f"  - id: {entry_id}\n")
        following = re.compile(r"\n  - id: ").search(text, start + 1)
        end = following.start() + 1 if following else len(text)
        return start, end

    def entry_block(self, name: str, entry_id: str) -> str:
        start, end = self.entry_span(name, entry_id)
        return self.read(name)[start:end]

    def replace_in_entry(self, name: str, entry_id: str, old: str, new: str) -> None:
        """Replace `old` (exactly once) inside one entry's block only."""
        text = self.read(name)
        start, end = self.entry_span(name, entry_id)
        block = text[start:end]
        assert block.count(old) == 1, f"{old!r} must occur exactly once in entry {entry_id}"
        self.write(name, text[:start] + block.replace(old, new) + text[end:])

    def append(self, name: str, text: str) -> None:
        current = self.read(name)
        self.write(name, current.rstrip("\n") + "\n\n" + text)

    def line_of(self, name: str, fragment: str) -> int:
        """1-based line number of the line that contains `fragment`."""
        for number, line in enumerate(self.read(name).splitlines(), start=1):
            if fragment in line:
                return number
        raise AssertionError(f"{fragment!r} not in {name}")

    def load(self) -> Guides:
        return load_guides(self.path)


@pytest.fixture
def guide_copy(tmp_path: Path) -> GuideCopy:
    target = tmp_path / "guides"
    shutil.copytree(GUIDES_DIR, target)
    return GuideCopy(target)


# --- trackers and running actions ---------------------------------------------

MakeTracker = Callable[..., Tracker]


@pytest.fixture
def make_tracker() -> MakeTracker:
    """Build a real rasa_sdk Tracker for one user turn.

    Every slot of domain.yml is present (None unless given); `intent` and
    `entities` make up latest_message as Rasa's NLU would deliver it, with
    `intent_ranking` ((intent, confidence) pairs, best first) when given; the events are the user
    messages `said_before`, then `events_before` (a bot reply, a parse), then this message.
    """
    slot_names = domain_slot_names()

    def build(
        text: str = "",
        intent: str | None = None,
        entities: Iterable[Mapping[str, Any]] = (),
        sender_id: str = "unit-test",
        intent_ranking: Iterable[tuple[str, float]] = (),
        said_before: Iterable[str] = (),
        events_before: Iterable[Mapping[str, Any]] = (),
        **slots: Any,
    ) -> Tracker:
        unknown = set(slots) - set(slot_names)
        assert not unknown, f"not slots of domain.yml: {unknown}"
        all_slots = {name: slots.get(name) for name in slot_names}
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99} if intent else {},
            "entities": [dict(entity) for entity in entities],
        }
        if intent_ranking:
            latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in intent_ranking]
        return Tracker(
            sender_id=sender_id,
            slots=all_slots,
            latest_message=latest_message,
            events=[
                *({"event": "user", "text": said} for said in said_before),
                *(dict(event) for event in events_before),
                {"event": "user", "text": text},
            ],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return build


@dataclass
class ActionResult:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def slots(self) -> dict[str, Any]:
        """The SlotSet events as name -> value (each slot set at most once)."""
        assert all(event["event"] == "slot" for event in self.events), self.events
        names = [event["name"] for event in self.events]
        assert len(names) == len(set(names)), f"a slot is set twice: {names}"
        return {event["name"]: event["value"] for event in self.events}

    @property
    def message(self) -> dict[str, Any]:
        assert len(self.messages) == 1, self.messages
        return self.messages[0]

    @property
    def text(self) -> str:
        return str(self.message["text"])

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.message["custom"]["answer"]
        return answer


RunAction = Callable[..., ActionResult]


@pytest.fixture
def run_action(store: GuideStore, responses: Responses) -> RunAction:
    """Run an action class for one tracker, with "today" pinned to TODAY."""

    def run(action_class: type, tracker: Tracker, today: dt.date = TODAY) -> ActionResult:
        action = action_class(store, responses, lambda: today)
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        return ActionResult(list(events), dispatcher.messages)

    return run
