"""The one-second windows that limit senders and client addresses (REST channel) and ratings (web server).

Every rule runs against both backends – this process's memory and a real redis-server with a
password, as the cluster's Rasa instances use it – so the two cannot drift apart.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
import redis

from bot.serving.rate_limit import (
    REDIS_KEY_PREFIX,
    REDIS_PASSWORD_ENV,
    REDIS_URL_ENV,
    MemoryWindows,
    RateLimiter,
    RedisWindows,
    from_environment,
)
from tests.bots import port_of
from tests.redis_server import needs_redis, redis_server

REDIS_PORT = port_of(978)
REDIS_DB = 2  # as the cluster's rate limits
PASSWORD = secrets.token_urlsafe(24)
MakeLimiter = Callable[[], RateLimiter]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(REDIS_PORT, tmp_path_factory.mktemp("redis"), PASSWORD):
        yield f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"


def _redis_limiter(url: str) -> RateLimiter:
    """A limiter as a cluster instance builds it: from the environment, the password apart from the URL."""
    limiter = from_environment({REDIS_URL_ENV: url, REDIS_PASSWORD_ENV: PASSWORD})
    assert isinstance(limiter.windows, RedisWindows)
    return limiter


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def make_limiter(request: pytest.FixtureRequest) -> Iterator[MakeLimiter]:
    """A factory of limiters on one backend; Redis starts empty for each test."""
    if request.param == "memory":
        yield RateLimiter
        return
    url: str = request.getfixturevalue("redis_url")
    client = redis.Redis.from_url(url, password=PASSWORD)
    client.flushdb()
    yield lambda: _redis_limiter(url)
    client.close()


def test_allows_n_per_second_per_key(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    assert [limiter.refused_by({"a": 3}, now=10.0 + i * 0.1) for i in range(4)] == [None, None, None, "a"]
    assert limiter.refused_by({"b": 3}, now=10.35) is None  # another key has its own budget
    assert limiter.refused_by({"a": 3}, now=11.05) is None  # a second later the first call has left


def test_200_senders_from_one_address_get_429_after_the_address_limit(make_limiter: MakeLimiter) -> None:
    """What the tester found: one request each from 200 senders all passed a per-sender limit."""
    limiter = make_limiter()
    refused = [
        limiter.refused_by({f"sender:s{i}": 10, "address:10.1.2.3": 30}, now=100.0 + i * 0.001)
        for i in range(200)
    ]
    assert refused == [None] * 30 + ["address:10.1.2.3"] * 170
    assert limiter.refused_by({"sender:s0": 10, "address:10.1.2.4": 30}, now=100.2) is None  # another address


def test_a_refused_call_counts_in_no_window(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    limits = {"sender:chatty": 2, "address:10.0.0.9": 5}
    assert [limiter.refused_by(limits, now=50.0) for _ in range(4)] == [
        None,
        None,
        "sender:chatty",
        "sender:chatty",
    ]
    others = [limiter.refused_by({f"sender:o{i}": 2, "address:10.0.0.9": 5}, now=50.1) for i in range(4)]
    assert others == [None, None, None, "address:10.0.0.9"]  # the chatty sender's refusals took nothing


def test_the_window_slides_by_the_second(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    assert [limiter.refused_by({"k": 2}, now=now) for now in (10.0, 10.5, 10.99)] == [None, None, "k"]
    assert limiter.refused_by({"k": 2}, now=11.0) is None  # the call at 10.0 is a second old
    assert limiter.refused_by({"k": 2}, now=11.2) == "k"  # 10.5 and 11.0 are still in it
    assert limiter.refused_by({"k": 2}, now=11.5) is None


def test_each_backend_keeps_its_own_clock(make_limiter: MakeLimiter) -> None:
    """Without `now`: this process's monotonic clock, or Redis's (one clock for every instance)."""
    limiter = make_limiter()
    assert [limiter.refused_by({"clock": 3}) for _ in range(5)] == [None, None, None, "clock", "clock"]


@needs_redis
def test_two_instances_on_one_redis_share_the_count(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, password=PASSWORD)
    client.flushdb()
    first, second = _redis_limiter(redis_url), _redis_limiter(redis_url)
    calls = [
        (first if i % 2 else second).refused_by({"address:10.9.9.9": 30}, now=7.0 + i * 0.01)
        for i in range(60)
    ]
    assert calls == [None] * 30 + ["address:10.9.9.9"] * 30
    assert client.zcard(f"{REDIS_KEY_PREFIX}address:10.9.9.9") == 30  # one window, in Redis
    assert 0 < client.pttl(f"{REDIS_KEY_PREFIX}address:10.9.9.9") <= 2000  # gone when idle
    client.close()


def test_processes_counting_in_memory_each_give_the_full_quota() -> None:
    """Why the cluster counts in Redis: two instances in memory let twice the limit through."""
    first, second = RateLimiter(MemoryWindows()), RateLimiter(MemoryWindows())
    calls = [
        (first if i % 2 else second).refused_by({"address:10.9.9.9": 30}, now=7.0 + i * 0.01)
        for i in range(60)
    ]
    assert calls == [None] * 60


def test_without_a_redis_url_the_count_is_in_memory() -> None:
    assert isinstance(from_environment({}).windows, MemoryWindows)
    assert isinstance(from_environment({REDIS_URL_ENV: ""}).windows, MemoryWindows)


def test_a_redis_that_does_not_answer_lets_messages_through() -> None:
    """A broken counter must not make Lotse refuse staff: nothing listens on this port."""
    limiter = from_environment({REDIS_URL_ENV: f"redis://127.0.0.1:{port_of(977)}/2"})
    assert [limiter.refused_by({"k": 1}) for _ in range(3)] == [None, None, None]


@needs_redis
def test_a_wrong_redis_password_lets_messages_through(redis_url: str) -> None:
    limiter = from_environment({REDIS_URL_ENV: redis_url, REDIS_PASSWORD_ENV: "wrong-" + PASSWORD})
    assert [limiter.refused_by({"k": 1}) for _ in range(3)] == [None, None, None]


def test_memory_forgets_idle_keys() -> None:
    windows = MemoryWindows()
    limiter = RateLimiter(windows)
    for i in range(10_001):
        limiter.refused_by({f"sender:{i}": 10}, now=1.0)
    limiter.refused_by({"late": 10}, now=3.0)
    assert list(windows._recent) == ["late"]  # the others had been idle for a second
