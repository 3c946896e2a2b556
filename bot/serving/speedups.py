"""Speed-ups of Rasa internals, applied in the Rasa server process by its launcher (rasa_server.py).

They patch Rasa's and SQLAlchemy's private code, so they are fenced: `apply` installs them only on
the exact versions of Rasa, sanic and SQLAlchemy they were written for (`WRITTEN_FOR`; any other
version gets a warning in Rasa's log and Rasa's own code), only while `LOTSE_SPEEDUPS` is on (the
default; `LOTSE_SPEEDUPS=0` turns them off), and says in one INFO line which it applied. The bench
measures Lotse with and without them (`make bench`), and its stock peer runs without them.

Each was found by profiling a reply (`make bench`, py-spy on the Rasa process) and changes
how fast Rasa works, never what it answers:

- **Action response check.** Rasa 3.6 checks every action server response with
  `jsonschema.validate(result, schema)`, which first checks the *schema* against the JSON
  Schema meta-schema and builds a new validator, every time: ~20 ms a turn on this machine,
  half of Rasa's CPU time per message. The schema never changes, so it is checked once and
  the validator kept, and each event is checked against its own type's part of the schema
  (ActionResponseCheck, ~2 ms less a turn). A valid response is accepted at once, an
  invalid one still goes through Rasa's own method, so it is rejected with exactly Rasa's
  error.
- **Intent classifier.** scikit-learn's LogisticRegression computes `X @ coef_.T`; with the
  C-ordered `coef_` it loads, scipy copies the whole transposed matrix (intents × features,
  ~6 MB) on every message. Stored Fortran-ordered, `coef_.T` is contiguous and nothing is
  copied (~1.4 ms a message); the numbers, and so the intents and confidences, are identical.
- **SQLite tracker store.** SQLAlchemy 1.4 gives a file database no connection pool, so
  Rasa opened and closed the database file twice a turn (read the tracker, save it); the
  tracker store now keeps its connections in a pool, as SQLAlchemy 2.0 does by default.
  And every turn commits its events: in SQLite's default rollback journal each commit
  syncs the disk several times, milliseconds when other work writes to the disk. In WAL
  mode with `synchronous=NORMAL` a commit is an append: a crash of Rasa loses nothing, a
  power cut can lose the last turns. Other databases (PostgreSQL in the cluster) are not
  touched.
- **Start.** Rasa loads the intent classifier with skops, whose first import looks up
  ~750 numpy/scipy functions in every loaded module: ~5 s once Rasa and TensorFlow are
  loaded (1,500 modules), well under 1 s before. `preload()` imports it first (called by
  bot/serving/rasa_server.py when `fits`); the names it finds, and so what it trusts, are the same.
- **Garbage collector.** After the model is loaded the Rasa process holds ~540,000
  objects (TensorFlow, spaCy, Rasa); each full collection walks them all and stops every
  reply for ~250 ms, the tail of the latency under load. `freeze_after_start` (a listener
  of our REST channel) collects once after the start and moves what is loaded out of the
  collector's sight (`gc.freeze()`), in a process where `apply` installed the speed-ups;
  what a reply creates is collected as before.
- **SQL tracker store queries.** To read a tracker and to count what is already saved,
  Rasa builds a new ORM query with a subquery per call, and SQLAlchemy computes its cache
  key anew each time (~1 ms a turn). The same two queries, built once as Core statements,
  keep their cache key; they return the same events (any SQL database).
"""

from __future__ import annotations

import gc
import importlib.metadata
import logging
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

_INSTALLED_MARK = "_lotse_speedup"
# The exact versions whose internals the patches below were written against (and tested on).
WRITTEN_FOR = {"rasa": "3.6.21", "sanic": "21.12.2", "SQLAlchemy": "1.4.54"}
_applied = False  # whether `apply` installed them in this process (the GC freeze asks)


def _marked(function: Any) -> bool:
    return bool(getattr(function, _INSTALLED_MARK, False))


def installed_versions() -> dict[str, str]:
    """The installed versions of the packages in WRITTEN_FOR (read from their metadata, not imported)."""
    found = {}
    for package in WRITTEN_FOR:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def mismatches(installed: Mapping[str, str] | None = None) -> list[str]:
    """Each package whose installed version is not the one the speed-ups were written for."""
    versions = installed_versions() if installed is None else installed
    return [
        f"{package} {versions.get(package, 'not installed')} (written for {wanted})"
        for package, wanted in WRITTEN_FOR.items()
        if versions.get(package) != wanted
    ]


def fits(enabled: bool, installed: Mapping[str, str] | None = None) -> bool:
    """Whether `apply` will install them: switched on, and on the versions they were written for."""
    return enabled and not mismatches(installed)


def apply(enabled: bool, installed: Mapping[str, str] | None = None) -> bool:
    """Install the speed-ups when switched on and on the versions they fit; one log line either way.

    Called by the Rasa server's launcher once Rasa's logging is set up, before the model and the
    tracker store are loaded. True when installed.
    """
    global _applied
    if not enabled:
        logger.info(
            "Rasa's own code runs: the speed-ups (bot/serving/speedups.py) are off (LOTSE_SPEEDUPS=0)"
        )
        return False
    different = mismatches(installed)
    if different:
        logger.warning(
            "speed-ups not applied, Rasa's own code runs: bot/serving/speedups.py patches internals of "
            "the versions it was written for, and here are %s",
            "; ".join(different),
        )
        return False
    install()
    _applied = True
    logger.info(
        "speed-ups applied (bot/serving/speedups.py; LOTSE_SPEEDUPS=0 turns them off): %s",
        ", ".join(PATCHES),
    )
    return True


def preload() -> None:
    """Import what is slow to import after Rasa, before Rasa (bot/serving/rasa_server.py calls it first)."""
    import skops.io  # type: ignore[import-untyped]  # noqa: F401


async def freeze_after_start(*_: Any) -> None:
    """Sanic listener (after_server_start, so after the model is loaded): no full GC walks the model.

    Only where `apply` installed the speed-ups: with them off, Rasa's process runs as stock.
    """
    if not _applied:
        return
    gc.collect()
    gc.freeze()


def install() -> None:
    """Install every patch (idempotent: a second call changes nothing); `apply` decides whether."""
    cache_action_response_validator()
    fortran_ordered_intent_weights()
    sqlite_write_ahead_log()
    pool_sqlite_connections()
    prebuilt_tracker_queries()


# what install() patches, as the log line names it (the GC freeze follows once the model is loaded)
PATCHES = (
    "action response check built once",
    "intent weights Fortran-ordered",
    "SQLite write-ahead log",
    "SQLite connections pooled",
    "tracker queries prebuilt",
    "GC freeze after start",
)


class ActionResponseCheck:
    """Whether an action response is valid under Rasa's schema, without Rasa's per-call cost.

    The schema is checked and its validator built once. Its events are a `oneOf` over one
    sub-schema per event type, each fixing `event` to its own constant, so jsonschema tries
    all 23 on every event (~0.27 ms an event, nine events a turn). An event of type
    "slot" can only match the "slot" sub-schema, so each event is checked against the
    common part and the sub-schema of its own type: the same verdict. An event whose
    type the table does not know goes to the whole schema.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for  # type: ignore[import-untyped]

        validator_class = validator_for(schema)  # the class jsonschema.validate picks
        validator_class.check_schema(schema)
        self._whole = validator_class(schema)
        self._outer: Any = None
        self._by_type: dict[str, Any] = {}
        events = (schema.get("properties") or {}).get("events") or {}
        item = events.get("items") if set(events) == {"type", "items"} and events["type"] == "array" else None
        if not isinstance(item, dict) or not isinstance(item.get("oneOf"), list):
            return
        variants: list[dict[str, Any]] = item["oneOf"]
        consts = [((v.get("properties") or {}).get("event") or {}).get("const") for v in variants]
        types = [c for c in consts if isinstance(c, str)]
        if len(types) != len(variants) or len(set(types)) != len(types):
            return  # not one sub-schema per fixed type: only the whole schema can judge
        common = {key: value for key, value in item.items() if key != "oneOf"}
        pairs = zip(types, variants, strict=True)
        self._by_type = {kind: validator_class({"allOf": [common, variant]}) for kind, variant in pairs}
        outer = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
        self._outer = validator_class(outer)

    def is_valid(self, result: Any) -> bool:
        if self._outer is None:
            return bool(self._whole.is_valid(result))
        if not self._outer.is_valid(result):
            return False
        for event in result.get("events") or []:
            kind = event.get("event") if isinstance(event, dict) else None
            check = self._by_type.get(kind) if isinstance(kind, str) else None
            if check is None:
                return bool(self._whole.is_valid(result))
            if not check.is_valid(event):
                return False
        return True


def cache_action_response_validator() -> None:
    """Judge action responses with an ActionResponseCheck built once."""
    from rasa.core.actions.action import RemoteAction

    original: Callable[[Any, dict[str, Any]], bool] = RemoteAction._validate_action_result
    if _marked(original):
        return
    check = ActionResponseCheck(RemoteAction.action_response_format_spec())

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        """Valid: accepted at once. Not valid: Rasa's own method rejects it with Rasa's error."""
        if check.is_valid(result):
            return True
        return original(self, result)

    setattr(validate_action_result, _INSTALLED_MARK, True)
    RemoteAction._validate_action_result = validate_action_result


def fortran_ordered_intent_weights() -> None:
    """Load the LogisticRegressionClassifier's weights Fortran-ordered."""
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    original = LogisticRegressionClassifier.load.__func__
    if _marked(original):
        return

    def load(cls: type[Any], *args: Any, **kwargs: Any) -> Any:
        """Rasa's load, then the weights in the memory order the prediction reads them in."""
        component = original(cls, *args, **kwargs)
        classifier = getattr(component, "clf", None)
        if getattr(classifier, "coef_", None) is not None:
            classifier.coef_ = np.asfortranarray(classifier.coef_)  # type: ignore[union-attr]
        return component

    setattr(load, _INSTALLED_MARK, True)
    LogisticRegressionClassifier.load = classmethod(load)


def sqlite_pragmas(connection: Any, _record: Any = None) -> None:
    """Write-ahead log, synced at checkpoints: for every new SQLite connection of this process."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def sqlite_write_ahead_log() -> None:
    """Give every SQLite connection SQLAlchemy opens in this process the write-ahead log."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", sqlite_pragmas):
        event.listen(Engine, "connect", sqlite_pragmas)


def pool_sqlite_connections() -> None:
    """Keep the SQLite tracker store's connections open between turns."""
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy.engine.url import make_url
    from sqlalchemy.pool import QueuePool

    original: Callable[[Any], dict[str, Any]] = tracker_store.create_engine_kwargs
    if _marked(original):
        return

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        """Rasa's engine settings; for a database file, a pool usable from any thread (as in SQLAlchemy 2)."""
        kwargs = dict(original(url))
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            kwargs["poolclass"] = QueuePool
            kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "check_same_thread": False}
        return kwargs

    setattr(create_engine_kwargs, _INSTALLED_MARK, True)
    tracker_store.create_engine_kwargs = create_engine_kwargs


def prebuilt_tracker_queries() -> None:
    """Rasa's SQLTrackerStore reads and counts a conversation's events with statements built once."""
    import itertools
    import json

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    if _marked(SQLTrackerStore._retrieve):
        return
    events = SQLTrackerStore.SQLEvent.__table__
    of_sender = events.c.sender_id == sa.bindparam("sender_id")
    # as Rasa's _event_query: the events since the latest SessionStarted, or all when there is none
    session_start = (
        sa.select(sa.func.max(events.c.timestamp))
        .where(of_sender, events.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    this_session = sa.and_(of_sender, sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
    count_session = sa.select(sa.func.count()).select_from(events).where(this_session)
    data_session = sa.select(events.c.data).where(this_session).order_by(events.c.id)
    data_all = sa.select(events.c.data).where(of_sender).order_by(events.c.id)

    async def _retrieve(
        self: Any, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's _retrieve, with a prebuilt statement."""
        query = data_all if fetch_events_from_all_sessions else data_session
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).all()
        serialised = [json.loads(row[0]) for row in rows]
        if self.domain and serialised:
            return DialogueStateTracker.from_dict(sender_id, serialised, self.domain.slots)
        return None

    def _additional_events(self: Any, session: Any, tracker: DialogueStateTracker) -> Any:
        """Rasa's _additional_events: the tracker's events after those stored in this session."""
        stored = session.execute(count_session, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    for function in (_retrieve, _additional_events):
        setattr(function, _INSTALLED_MARK, True)
    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore._additional_events = _additional_events
