"""When and how long to wait before calling the Origin CA API again."""

from __future__ import annotations

import random
from dataclasses import dataclass

from origin_ca_operator.errors import CloudflareAPIError, RateLimitedError


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in time."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    total_seconds: float = 60.0

    def delay_before(
        self, attempt: int, error: CloudflareAPIError, elapsed: float
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up.

        ``Retry-After`` is honoured as given; other waits grow exponentially with
        full jitter. No wait may end past ``total_seconds`` from the first call.
        """
        if not error.retryable or attempt >= self.max_attempts:
            return None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            delay = error.retry_after
        else:
            ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
            delay = random.uniform(0, ceiling)
        if elapsed + delay > self.total_seconds:
            return None
        return delay


NO_RETRIES = RetryPolicy(max_attempts=1)
