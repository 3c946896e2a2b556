"""The atomic Redis lock store, against a real redis-server (Debian's; `make cluster-deps`).

Many threads stand in for Rasa instances changing one conversation's lock at the same
moment: no two may get the same ticket, and giving a ticket back must never drop a
ticket someone else took in between – both happen with a read-change-write lock store.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.serving.lock_store import AtomicRedisLockStore
from tests.bots import PORT_BASE
from tests.redis_server import needs_redis, redis_server

REDIS_PORT = PORT_BASE + 979
pytestmark = needs_redis


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with redis_server(REDIS_PORT, tmp_path_factory.mktemp("redis")) as port:
        yield port


def store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=3, key_prefix="test")


@pytest.mark.parametrize("threads,tickets_each", [(2, 50), (8, 25)])
def test_tickets_taken_at_once_are_all_different(redis_port: int, threads: int, tickets_each: int) -> None:
    conversation = f"tickets-{threads}"
    start = threading.Barrier(threads)

    def take(_: int) -> list[int]:
        mine = store(redis_port)  # one store per thread, like one per Rasa instance
        start.wait()
        return [mine.issue_ticket(conversation, 60) for _ in range(tickets_each)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        numbers = [number for numbers in pool.map(take, range(threads)) for number in numbers]
    assert len(numbers) == threads * tickets_each
    assert sorted(numbers) == list(range(threads * tickets_each))


def test_giving_tickets_back_never_drops_a_waiting_ticket(redis_port: int) -> None:
    conversation = "churn"
    waiting = store(redis_port)
    first = waiting.issue_ticket(conversation, 60)  # holds the lock for the whole test
    start = threading.Barrier(5)
    mine: list[int] = []

    def churn(_: int) -> None:
        other = store(redis_port)
        start.wait()
        for _ in range(40):
            other.cleanup(conversation, other.issue_ticket(conversation, 60))

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(churn, index) for index in range(4)]
        start.wait()
        for _ in range(40):  # meanwhile: tickets that wait and must all survive the others' cleanups
            mine.append(waiting.issue_ticket(conversation, 60))
        for future in futures:
            future.result()

    lock = waiting.get_lock(conversation)
    assert lock is not None
    assert {ticket.number for ticket in lock.tickets} == {first, *mine}
    assert lock.now_serving == first
    for number in [first, *mine]:
        waiting.cleanup(conversation, number)
    assert waiting.get_lock(conversation) is None  # the last one out deletes the lock


def test_lock_serves_one_holder_at_a_time_in_ticket_order(redis_port: int) -> None:
    order: list[tuple[str, int]] = []

    async def turn(index: int) -> None:
        async with store(redis_port).lock("turns", lock_lifetime=10):
            order.append(("start", index))
            await asyncio.sleep(0.02)
            order.append(("end", index))

    async def all_turns() -> None:
        await asyncio.gather(*(turn(index) for index in range(5)))

    asyncio.run(all_turns())
    assert order == [(edge, index) for index in range(5) for edge in ("start", "end")]


def test_an_expired_holder_lets_the_next_one_in(redis_port: int) -> None:
    """A killed instance never gives its ticket back; after the lifetime the next turn goes ahead."""
    lock_store = store(redis_port)
    lock_store.issue_ticket("dead-holder", 0.3)  # the dead instance's ticket

    async def next_turn() -> float:
        started = time.monotonic()
        async with lock_store.lock("dead-holder", lock_lifetime=10):
            return time.monotonic() - started

    waited = asyncio.run(next_turn())
    assert 0.2 < waited < 2.0
