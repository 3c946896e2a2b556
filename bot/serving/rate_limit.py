"""Sliding one-second windows per key: the REST channel counts senders and client addresses, the
web server the clients' ratings.

One process counts in its own memory. Rasa instances behind nginx must share one count,
else a client gets the full quota from each instance: with LOTSE_RATE_LIMIT_REDIS_URL set
(the cluster sets it for its instances) the windows live in Redis, changed by one Lua script
per call, so the instances' calls are counted in one order. Both backends follow the same
rule, and the tests run one suite against each.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.settings import Settings, settings

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

MAX_TRACKED_KEYS = 10_000
PER_ADDRESS_ENV = "LOTSE_MAX_MESSAGES_PER_SECOND_PER_ADDRESS"
# Messages per second from one client address. Staff behind one terminal server share an
# address: 50 sessions asking a question every 10 s are 5 a second, a burst of everyone at once
# rarely 20. A script on one address above 30 is cut to a third of what the bot answers on two
# cores (~90 replies/s, `make bench`), so it cannot crowd out everyone else.
DEFAULT_PER_ADDRESS = 30
REDIS_URL_ENV = "LOTSE_RATE_LIMIT_REDIS_URL"  # redis://host:port/db; unset: counted in memory
REDIS_PASSWORD_ENV = "LOTSE_REDIS_PASSWORD"  # used when the URL names no password (the cluster's)
REDIS_KEY_PREFIX = "lotse:rate:"
REDIS_TIMEOUT_S = 0.5  # Redis on loopback answers in well under a millisecond
_WARN_EVERY_S = 60.0

# KEYS: one window per limit. ARGV[1]: now in seconds ("" = Redis's own clock, the same for every
# instance); ARGV[2]: this call's member; ARGV[2 + i]: the limit of KEYS[i]. Returns 0 when the call
# is counted, else the (1-based) index of the first full window – and then counts nothing.
_ADMIT_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[1])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
end
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 1)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then
    return i
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, 2000)
end
return 0
"""


class Windows(Protocol):
    """Where the windows are kept: this process's memory or Redis."""

    def admit(self, limits: Sequence[tuple[str, int]], now: float | None) -> int | None:
        """Count the call in every window unless one is full; then the index of the first full one."""
        ...


class MemoryWindows:
    """The windows in this process (one server, or every instance counting on its own)."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def admit(self, limits: Sequence[tuple[str, int]], now: float | None) -> int | None:
        now = time.monotonic() if now is None else now
        for index, (key, per_second) in enumerate(limits):
            recent = self._recent[key]
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= per_second:
                return index
        for key, _ in limits:
            self._recent[key].append(now)
        if len(self._recent) > MAX_TRACKED_KEYS:  # forget idle keys, keep memory bounded
            for idle in [k for k, v in self._recent.items() if not v or now - v[-1] >= 1.0]:
                del self._recent[idle]
        return None


class RedisWindows:
    """The windows in Redis, shared by every process that uses the same server and prefix.

    When Redis does not answer, the call is let through (and logged): a broken counter
    must not make Lotse refuse staff.
    """

    def __init__(self, client: redis.Redis, prefix: str = REDIS_KEY_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(_ADMIT_SCRIPT)
        self._warned_at = -_WARN_EVERY_S

    def admit(self, limits: Sequence[tuple[str, int]], now: float | None) -> int | None:
        import redis

        keys = [self.prefix + key for key, _ in limits]
        args = ["" if now is None else repr(now), uuid.uuid4().hex, *(per_second for _, per_second in limits)]
        try:
            full = int(self._script(keys=keys, args=args))
        except redis.RedisError as error:
            if time.monotonic() - self._warned_at >= _WARN_EVERY_S:
                self._warned_at = time.monotonic()
                logger.warning("rate limit not counted, Redis did not answer: %s", error)
            return None
        return full - 1 if full else None


class RateLimiter:
    """At most a given number of calls per key in any one-second window."""

    def __init__(self, windows: Windows | None = None) -> None:
        self.windows: Windows = windows or MemoryWindows()

    def refused_by(self, limits: Mapping[str, int], now: float | None = None) -> str | None:
        """The first key whose window is full (nothing is counted then); None: counted against each key.

        `now` (seconds) is for tests; by default the memory backend uses this process's
        monotonic clock and Redis its own clock.
        """
        ordered = list(limits.items())
        full = self.windows.admit(ordered, now)
        return None if full is None else ordered[full][0]


def from_environment(environ: Mapping[str, str] | None = None) -> RateLimiter:
    """Counting in Redis when LOTSE_RATE_LIMIT_REDIS_URL is set, else in this process."""
    config = settings() if environ is None else Settings.from_environ(environ)
    url = config.rate_limit_redis_url
    if not url:
        return RateLimiter()
    import redis

    client = redis.Redis.from_url(
        url,
        password=config.secret("redis_password"),  # a password in the URL wins
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
    )
    return RateLimiter(RedisWindows(client))
