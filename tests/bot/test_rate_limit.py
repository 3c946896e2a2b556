"""The one-second window that limits senders (REST channel) and clients (feedback)."""

from __future__ import annotations

from bot.rate_limit import RateLimiter


def test_allows_n_per_second_per_key() -> None:
    limiter = RateLimiter(3)
    assert [limiter.allow("a", now=10.0 + i * 0.1) for i in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now=10.35)  # another key has its own budget
    assert limiter.allow("a", now=11.05)  # a second later the first call has left the window
