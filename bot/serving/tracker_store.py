"""The tracker store: Rasa's SQL store, writing staff messages only in their allow-listed form.

This is the storage boundary of the privacy design (bot/serving/redaction/): NLU and the actions
read a message in memory, but what Rasa writes to the database (SQLite here, PostgreSQL in
the cluster) is the allow-listed text — in the user event, in its `parse_data` and in every
entity value. Request metadata is not stored. Lotse's own events (its replies, the slots its
actions set) hold nothing a user typed and are stored as they are.

endpoints.yml names it as `type: bot.serving.tracker_store.RedactingSQLTrackerStore` with the SQL
store's own settings (dialect, db, url, username, password …).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import EntitiesAdded, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.serving.lexicon import warm_up
from bot.serving.redaction import for_storage

_TEXT_KEYS = frozenset({"text", "value"})  # where a user's words stand in a user event's data


def redact_event_data(data: Any, key: str | None = None) -> Any:
    """The event's data with every text a user typed in its allow-listed form."""
    if isinstance(data, dict):
        return {k: ({} if k == "metadata" else redact_event_data(v, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_event_data(item, key) for item in data]
    if isinstance(data, str) and key in _TEXT_KEYS:
        return for_storage(data)
    return data


def stored_form(event: Event) -> Event:
    """What of an event may be stored: user events and entities redacted, Lotse's own events as they are."""
    if not isinstance(event, UserUttered | EntitiesAdded):
        return event
    return Event.from_parameters(redact_event_data(event.as_dict()))


class RedactingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore; the events it adds to the database are their stored forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warm_up()  # the allow-list is read at the server's start, not during the first turn
        super().__init__(*args, **kwargs)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield stored_form(event)
