"""A sliding one-second window per key: the REST channel counts senders, the web server clients."""

from __future__ import annotations

import time
from collections import defaultdict, deque

MAX_TRACKED_KEYS = 10_000


class RateLimiter:
    """At most `per_second` calls per key in any one-second window."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        recent = self._recent[key]
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.per_second:
            return False
        recent.append(now)
        if len(self._recent) > MAX_TRACKED_KEYS:  # forget idle keys, keep memory bounded
            for idle in [k for k, v in self._recent.items() if not v or now - v[-1] >= 1.0]:
                del self._recent[idle]
        return True
