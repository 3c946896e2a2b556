"""The speed-ups change how fast Rasa works, never what it accepts, answers or stores; and they are
fenced: applied by the Rasa launcher only, only on the versions they were written for, only while
LOTSE_SPEEDUPS is on, and said so in Rasa's log."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from bot.paths import DOMAIN_FILE, PROJECT_ROOT
from bot.serving import speedups

VALID = {
    "events": [{"event": "slot", "name": "subject", "value": "email_block"}],
    "responses": [{"text": "EZ"}],
}
RESPONSES = [
    ("answer with slots", VALID, True),
    ("nothing to do", {}, True),
    ("every kind of event", {"events": [{"event": kind} for kind in ("action", "bot", "reset_slots")]}, True),
    (
        "user message",
        {"events": [{"event": "user", "text": "Hallo", "parse_data": {"intent": {"name": "x"}}}]},
        True,
    ),
    ("events not a list", {"events": {"event": "slot"}}, False),
    ("events null", {"events": None}, False),
    ("unknown event", {"events": [{"event": "teleport"}]}, False),
    ("event type not a string", {"events": [{"event": 7}]}, False),
    ("event not an object", {"events": ["slot"]}, False),
    ("slot without name", {"events": [{"event": "slot", "value": 1}]}, False),
    ("slot name a number", {"events": [{"event": "slot", "name": 1, "value": 1}]}, False),
    ("bad timestamp", {"events": [{"event": "action", "timestamp": "now"}]}, False),
    ("user with bad intent", {"events": [{"event": "user", "parse_data": {"intent": {"name": 3}}}]}, False),
    ("one bad event among good ones", {"events": [*VALID["events"], {"event": "slot"}]}, False),
    ("event without type", {"events": [{"name": "subject"}]}, False),
    ("response not an object", {"responses": ["EZ"]}, False),
    ("not an object", ["EZ"], False),
]


@pytest.fixture(scope="module")
def schema_checks() -> tuple[speedups.ActionResponseCheck, Any]:
    """The quick check and, as the reference, a plain validator of Rasa's whole schema."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return speedups.ActionResponseCheck(schema), jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize(("result", "valid"), [r[1:] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
def test_action_responses_are_judged_as_rasa_judges_them(result: Any, valid: bool) -> None:
    from rasa.core.actions.action import RemoteAction

    speedups.cache_action_response_validator()
    action = RemoteAction("action_answer_guide", None)
    schema = RemoteAction.action_response_format_spec()
    if valid:
        jsonschema.validate(result, schema)  # the reference: Rasa's own, uncached check
        assert action._validate_action_result(result) is True
        return
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(result, schema)
    with pytest.raises(
        jsonschema.ValidationError, match="Failed to validate Action server response"
    ) as error:
        action._validate_action_result(result)
    assert error.value.message.startswith(reference.value.message)


def test_every_event_type_is_checked_against_its_own_part_of_the_schema(
    schema_checks: tuple[speedups.ActionResponseCheck, Any],
) -> None:
    quick, _ = schema_checks
    assert quick._outer is not None and len(quick._by_type) == 23  # not the slow fallback


EVENT_TYPES = ["user", "action", "slot", "bot", "entities", "reset_slots", "session_started", "teleport"]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))


def _mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a value of the right type, else any value: both verdicts get tested."""
    return st.integers(0, 9).flatmap(lambda pick: good if pick else VALUES)


EVENTS = _mostly(
    st.fixed_dictionaries(
        {"event": _mostly(st.sampled_from(EVENT_TYPES))},
        optional={
            "name": _mostly(st.text(max_size=5)),
            "value": VALUES,
            "timestamp": _mostly(st.one_of(st.none(), st.floats(allow_nan=False))),
            "metadata": _mostly(st.one_of(st.none(), st.just({"a": 1}))),
            "entities": _mostly(st.lists(st.just({"entity": "customer", "value": "x"}), max_size=2)),
            "parse_data": _mostly(st.just({"intent": {"name": "x", "confidence": 0.5}})),
        },
    )
)
RESULTS = _mostly(
    st.fixed_dictionaries(
        {}, optional={"events": _mostly(st.lists(EVENTS, max_size=4)), "responses": st.just([{"text": "EZ"}])}
    )
)


@settings(max_examples=400, deadline=None)
@given(result=RESULTS)
def test_the_quick_check_agrees_with_the_whole_schema(
    schema_checks: tuple[speedups.ActionResponseCheck, Any], result: Any
) -> None:
    quick, whole = schema_checks
    assert quick.is_valid(result) == whole.is_valid(result)


def _train_classifier(tmp_path: Path) -> tuple[Any, list[Any], Any]:
    """A LogisticRegressionClassifier trained on random sparse features and persisted; and test messages."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    rng = np.random.default_rng(7)

    def message(index: int, intent: str | None) -> Message:
        data = {"text": f"message {index}", **({"intent": intent} if intent else {})}
        found = Message(data=data)
        row = csr_matrix((rng.random(400) < 0.05) * rng.random(400))
        found.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, "test"))
        return found

    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    trained = LogisticRegressionClassifier.create({}, storage, resource, context)
    trained.train(TrainingData([message(i, ("ask_a", "ask_b", "ask_c")[i % 3]) for i in range(90)]))
    loaded = LogisticRegressionClassifier.load({}, storage, resource, context)
    return trained, [message(1000 + i, None) for i in range(20)], loaded


def test_intent_weights_load_fortran_ordered_and_give_the_same_intents_and_confidences(
    tmp_path: Path,
) -> None:
    speedups.fortran_ordered_intent_weights()
    trained, messages, loaded = _train_classifier(tmp_path)
    assert loaded.clf.coef_.flags["F_CONTIGUOUS"]  # skops alone loads it C-ordered
    assert np.array_equal(trained.clf.coef_, loaded.clf.coef_)
    for message in messages:
        expected = trained.process([message])[0].get("intent_ranking")
        assert loaded.process([message])[0].get("intent_ranking") == expected


@pytest.fixture
def write_ahead_log() -> Iterator[None]:
    """The SQLite speed-up for one test only: other tests' databases keep SQLite's defaults."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    speedups.sqlite_write_ahead_log()
    yield
    event.remove(Engine, "connect", speedups.sqlite_pragmas)


async def _save_turn(store: Any, sender: str) -> None:
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, store.domain.slots)
    if not tracker.events:
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
    tracker.update(UserUttered("Wer bearbeitet Terminabsagen?", {"name": "ask_appointment_cancellation"}))
    tracker.update(SlotSet("subject", "appointment_cancellation"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def test_tracker_store_writes_through_the_write_ahead_log_and_keeps_every_event(
    tmp_path: Path, write_ahead_log: None
) -> None:
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db = tmp_path / "trackers.db"
    store = SQLTrackerStore(Domain.load(str(DOMAIN_FILE)), dialect="sqlite", db=str(db))
    for _ in range(3):
        asyncio.run(_save_turn(store, "agent-1"))
    with sqlite3.connect(db) as other:  # another connection, as `make purge` opens one
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        stored = other.execute(
            "SELECT type_name FROM events WHERE sender_id = 'agent-1' ORDER BY id"
        ).fetchall()
    assert [row[0] for row in stored] == ["action", "session_started"] + ["user", "slot", "action"] * 3
    tracker = asyncio.run(store.retrieve("agent-1"))
    assert tracker is not None and tracker.get_slot("subject") == "appointment_cancellation"


def _two_sessions(store: Any, sender: str) -> None:
    """A conversation saved turn by turn as Rasa's processor does it: two sessions of two turns."""
    import asyncio

    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    clock = iter(range(1_000, 2_000))
    for session in ("first", "second"):
        for turn in range(2):
            tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, store.domain.slots)
            if turn == 0:
                tracker.update(ActionExecuted("action_session_start", timestamp=next(clock)))
                tracker.update(SessionStarted(timestamp=next(clock)))
            said = UserUttered(f"{session} {turn}", {"name": "ask_email_block"}, timestamp=next(clock))
            tracker.update(said)
            tracker.update(SlotSet("subject", f"{session}-{turn}", timestamp=next(clock)))
            tracker.update(ActionExecuted("action_listen", timestamp=next(clock)))
            asyncio.run(store.save(tracker))


@pytest.mark.parametrize("all_sessions", [False, True], ids=["this session", "all sessions"])
def test_prebuilt_queries_read_what_rasas_own_query_reads(tmp_path: Path, all_sessions: bool) -> None:
    import asyncio
    import json

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    speedups.prebuilt_tracker_queries()
    store = SQLTrackerStore(Domain.load(str(DOMAIN_FILE)), dialect="sqlite", db=str(tmp_path / "t.db"))
    _two_sessions(store, "agent-1")
    _two_sessions(store, "agent-2")
    with store.session_scope() as session:  # the reference: Rasa's ORM query, which is not patched
        expected = [json.loads(e.data) for e in store._event_query(session, "agent-1", all_sessions).all()]
    read = store.retrieve_full_tracker if all_sessions else store.retrieve
    tracker = asyncio.run(read("agent-1"))
    assert tracker is not None
    assert [event.as_dict() for event in tracker.events] == expected
    assert len(expected) == (16 if all_sessions else 7)  # from the second SessionStarted on
    assert tracker.get_slot("subject") == "second-1"
    assert asyncio.run(read("nobody")) is None


def test_saving_again_adds_only_the_new_events(tmp_path: Path) -> None:
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    speedups.prebuilt_tracker_queries()
    store = SQLTrackerStore(Domain.load(str(DOMAIN_FILE)), dialect="sqlite", db=str(tmp_path / "t.db"))
    _two_sessions(store, "agent-1")
    tracker = asyncio.run(store.retrieve("agent-1"))
    assert tracker is not None
    asyncio.run(store.save(tracker))  # nothing new: nothing added
    tracker.update(UserUttered("third", {"name": "ask_email_block"}, timestamp=5_000))
    with store.session_scope() as session:
        assert [event.text for event in store._additional_events(session, tracker)] == ["third"]
    asyncio.run(store.save(tracker))
    full = asyncio.run(store.retrieve_full_tracker("agent-1"))
    assert full is not None and len(full.events) == 17 and full.events[-1].text == "third"


def test_after_the_start_what_is_loaded_is_out_of_the_collectors_sight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio
    import gc

    monkeypatch.setattr(speedups, "_applied", True)  # as after apply() in the Rasa process
    loaded = [[index] for index in range(10_000)]  # stands for the model: many tracked objects
    try:
        asyncio.run(speedups.freeze_after_start(None, None))  # as Sanic calls it: (app, loop)
        assert gc.get_freeze_count() >= len(loaded)
    finally:
        gc.unfreeze()


def test_without_the_speed_ups_the_collector_sees_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channel's listener is there in every Rasa process; it freezes only where apply() ran."""
    import asyncio
    import gc

    monkeypatch.setattr(speedups, "_applied", False)
    asyncio.run(speedups.freeze_after_start(None, None))
    assert gc.get_freeze_count() == 0


TRUSTED_NAMES = (
    "import json, sys\n"
    "from bot.serving import speedups\n"
    "if sys.argv[1] == 'first':\n"
    "    speedups.preload()\n"
    "import rasa.core.agent, rasa.core.run, tensorflow\n"
    "import skops.io._trusted_types as t\n"
    "print(json.dumps({k: sorted(getattr(t, k)) for k in dir(t) if k.endswith('TYPE_NAMES')}))\n"
)


def test_skops_imported_before_rasa_trusts_the_same_types() -> None:
    """skops looks its trusted names up among the loaded modules: preloading must not change them."""
    found = []
    for order in ("first", "after"):
        done = subprocess.run(
            [sys.executable, "-c", TRUSTED_NAMES, order], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        found.append(done.stdout.strip().splitlines()[-1])
    assert found[0] == found[1]
    assert '"sklearn.linear_model._logistic.LogisticRegression"' in found[0]


def test_install_twice_patches_once() -> None:
    """In a fresh interpreter, as the Rasa server gets it: a second install changes nothing."""
    code = (
        "from bot.serving import speedups\n"
        "from rasa.core.actions.action import RemoteAction as A\n"
        "from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier as L\n"
        "from sqlalchemy import event\nfrom sqlalchemy.engine import Engine\n"
        "from rasa.core import tracker_store as T\n"
        "def patched():\n"
        "    return (A._validate_action_result, L.load.__func__, T.create_engine_kwargs,\n"
        "            T.SQLTrackerStore._retrieve, T.SQLTrackerStore._additional_events)\n"
        "original = patched()\nspeedups.install()\nfirst = patched()\nspeedups.install()\n"
        "assert patched() == first and all(a is not b for a, b in zip(original, first))\n"
        "assert event.contains(Engine, 'connect', speedups.sqlite_pragmas)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


# --- the fence: versions, the off switch, who applies them --------------------------------------

GATE = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(levelname)s %(message)s')\n"
    "from bot.serving import speedups\n"
    "from rasa.core.actions.action import RemoteAction as A\n"
    "from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier as L\n"
    "from sqlalchemy import event\nfrom sqlalchemy.engine import Engine\n"
    "from rasa.core import tracker_store as T\n"
    "mode = sys.argv[1]\n"
    "if mode == 'launcher':\n"  # as bot/serving/rasa_server.py main() builds Rasa's app
    "    from rasa.core import run\n"
    "    from bot.serving.rasa_server import hook_rasa_app\n"
    "    from bot.settings import settings\n"
    "    hook_rasa_app(False, settings().speedups)\n"
    "    run.configure_app(enable_api=False)\n"
    "elif mode == 'channel':\n"  # what Rasa does with credentials.yml: build our REST channel
    "    from bot.serving.channels import LotseRestInput\n"
    "    LotseRestInput()\n"
    "else:\n"
    "    speedups.apply(True, installed=dict(speedups.WRITTEN_FOR, rasa='3.6.20'))\n"
    "functions = (A._validate_action_result, L.load.__func__, T.create_engine_kwargs,\n"
    "             T.SQLTrackerStore._retrieve, T.SQLTrackerStore._additional_events)\n"
    "marks = [getattr(f, '_lotse_speedup', False) for f in functions]\n"
    "marks.append(event.contains(Engine, 'connect', speedups.sqlite_pragmas))\n"
    "print('PATCHED', sum(marks), speedups._applied)\n"
)


def _gate(mode: str, **environ: str) -> list[str]:
    """The log lines and the patch count of a fresh interpreter, as a Rasa server process starts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")} | environ
    done = subprocess.run(
        [sys.executable, "-c", GATE, mode], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if line.startswith(("INFO", "WARNING", "PATCHED"))]


def _speedup_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if "speed-ups" in line or line.startswith("PATCHED")]


def test_the_launcher_applies_them_and_says_which() -> None:
    lines = _speedup_lines(_gate("launcher"))
    assert lines[-1] == "PATCHED 6 True"  # five patched functions and the SQLite listener
    applied = [line for line in lines if line.startswith("INFO speed-ups applied")]
    assert len(applied) == 1
    assert applied[0].endswith(": " + ", ".join(speedups.PATCHES))


@pytest.mark.parametrize("value", ["0", "false", "no"])
def test_lotse_speedups_off_leaves_rasas_code_alone(value: str) -> None:
    lines = _speedup_lines(_gate("launcher", LOTSE_SPEEDUPS=value))
    assert lines[-1] == "PATCHED 0 False"
    assert lines[:-1] == [
        "INFO Rasa's own code runs: the speed-ups (bot/serving/speedups.py) are off (LOTSE_SPEEDUPS=0)"
    ]


def test_another_rasa_version_is_not_patched_and_the_log_says_why() -> None:
    lines = _speedup_lines(_gate("other-version"))
    assert lines[-1] == "PATCHED 0 False"
    assert len(lines) == 2 and lines[0].startswith("WARNING speed-ups not applied, Rasa's own code runs")
    assert lines[0].endswith("here are rasa 3.6.20 (written for 3.6.21)")


def test_the_rest_channel_no_longer_installs_them() -> None:
    """Rasa builds our channel in every server, the bench's stock peer too: it must not patch anything."""
    assert _speedup_lines(_gate("channel")) == ["PATCHED 0 False"]


@pytest.mark.parametrize(
    ("installed", "different"),
    [
        (
            {},
            [
                "rasa not installed (written for 3.6.21)",
                "sanic not installed (written for 21.12.2)",
                "SQLAlchemy not installed (written for 1.4.54)",
            ],
        ),
        ({"rasa": "3.6.21", "sanic": "21.12.2", "SQLAlchemy": "1.4.54"}, []),
        (
            {"rasa": "3.6.21", "sanic": "22.12.0", "SQLAlchemy": "1.4.54"},
            ["sanic 22.12.0 (written for 21.12.2)"],
        ),
        (
            {"rasa": "3.6.21", "sanic": "21.12.2", "SQLAlchemy": "2.0.0"},
            ["SQLAlchemy 2.0.0 (written for 1.4.54)"],
        ),
    ],
    ids=["none", "exact", "other sanic", "other SQLAlchemy"],
)
def test_only_the_exact_versions_fit(installed: dict[str, str], different: list[str]) -> None:
    assert speedups.mismatches(installed) == different
    assert speedups.fits(True, installed) is (not different)
    assert speedups.fits(False, installed) is False  # off: no preload either


def test_this_checkout_runs_the_versions_they_were_written_for() -> None:
    """Else every Rasa server would run without them: a new Rasa, sanic or SQLAlchemy in the lock
    file means checking each patch against its new code, then updating WRITTEN_FOR."""
    assert speedups.mismatches() == []
