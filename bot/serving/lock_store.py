"""Rasa's Redis lock store, with every change of a conversation's lock made atomically.

Two Rasa instances share a conversation's lock in Redis so that they never work on
two of its messages at once. Rasa 3.6's RedisLockStore changes a lock by reading it,
changing it in Python and writing it back: two messages of one conversation that
arrive at the same moment on two instances can both read "no ticket", both take
ticket 1 and run side by side (the cluster test saw this: one turn's events were
lost from the tracker). Here each read-change-write runs in a Redis transaction that
is retried when another instance changed the lock in between (WATCH / MULTI), and a
waiting message looks again every 50 ms instead of every second.

Endpoints: `lock_store: {type: bot.serving.lock_store.AtomicRedisLockStore, url: …, port: …,
password: …, db: …, key_prefix: …}` (the same keys as Rasa's `type: redis`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

Result = TypeVar("Result")
POLL_S = 0.05  # how often a waiting message looks whether its turn has come
MAX_ATTEMPTS = 200  # a transaction that keeps losing to other writers gives up (LockError)


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes cannot overwrite each other."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        """Rasa builds a lock store of a custom `type` from its endpoint config; tests pass keywords."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, Result]]
    ) -> Result:
        """Apply `change` to the stored lock in one transaction; a new lock of None deletes it."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new, result = change(current)
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:  # another instance changed the lock first: read it again
                    continue
        raise LockError(
            f"could not change the lock of conversation '{conversation_id}' (too much contention)"
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, int(lock.issue_ticket(lock_lifetime))

        try:
            return self._change(conversation_id, take)
        except (redis.RedisError, LockError) as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; delete the lock only if nobody is waiting *at that moment*."""

        def release(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, release)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_S
    ) -> AsyncIterator[TicketLock]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as ticket_lock:
            yield ticket_lock
