"""Cloudflare's rate limit: a fixed window of requests per credential.

A credential may make ``requests`` calls in a window of ``window_seconds`` that
opens with its first call; past that it is blocked for the rest of the window
and told, in ``Retry-After``, how many seconds remain.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from origin_ca_operator.emulator.config import RateLimit

# Limitation: Cloudflare's second limit, 200 requests per second per address, is
# not emulated; no test needs it yet; a second limiter keyed by address would.


@dataclass
class _Window:
    opened: float
    used: int


class RateLimiter:
    """Counts calls per key (a credential digest, or the caller's address)."""

    def __init__(
        self, limit: RateLimit, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    def admit(self, key: str) -> int | None:
        """Count a call; None if allowed, else the seconds until the window ends."""
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now >= window.opened + self._limit.window_seconds:
            window = self._windows[key] = _Window(opened=now, used=0)
        window.used += 1
        if window.used <= self._limit.requests:
            return None
        remaining = window.opened + self._limit.window_seconds - now
        return max(1, math.ceil(remaining))
