"""Client-side rate limiting, so that we never trip Cloudflare's own limit.

Cloudflare allows 1200 requests per 5 minutes per user, then blocks the API for
the rest of the window. One token bucket per credential, refilled evenly, keeps
a burst small and the long-run rate under that limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_REQUESTS = 1200
DEFAULT_PERIOD_SECONDS = 300.0


class TokenBucket:
    """Allow ``requests`` per ``period`` seconds, with bursts up to ``burst``."""

    def __init__(
        self,
        requests: int = DEFAULT_REQUESTS,
        period: float = DEFAULT_PERIOD_SECONDS,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests <= 0 or period <= 0:
            raise ValueError("a rate limit needs a positive count and period")
        self.rate = requests / period
        self.capacity = float(burst if burst is not None else max(1, requests // 10))
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = now - self._updated
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    async def acquire(self) -> float:
        """Wait for a token; return the seconds spent waiting."""
        waited = 0.0
        async with self._lock:
            self._refill()
            while self._tokens < 1.0:
                delay = (1.0 - self._tokens) / self.rate
                await asyncio.sleep(delay)
                waited += delay
                self._refill()
            self._tokens -= 1.0
        return waited


class RateLimiters:
    """One bucket per credential fingerprint, shared by every client object."""

    def __init__(
        self, requests: int = DEFAULT_REQUESTS, period: float = DEFAULT_PERIOD_SECONDS
    ) -> None:
        self.requests = requests
        self.period = period
        self._buckets: dict[str, TokenBucket] = {}

    def for_credential(self, fingerprint: str) -> TokenBucket:
        """The bucket of one credential, made on first use."""
        bucket = self._buckets.get(fingerprint)
        if bucket is None:
            bucket = TokenBucket(self.requests, self.period)
            self._buckets[fingerprint] = bucket
        return bucket

    def forget(self, fingerprint: str) -> None:
        """Drop the bucket of a credential that is no longer used."""
        self._buckets.pop(fingerprint, None)
