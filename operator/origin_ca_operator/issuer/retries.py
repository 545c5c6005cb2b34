"""One retry timer per object, with backoff, kept in memory.

Our own status writes cause watch events; the schedule here is what decides
when an object is tried again, so that those events never cut a wait short.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from origin_ca_operator.issuer.context import OperatorContext

Key = tuple[str, str]


@dataclass
class RetryState:
    """Failures of one object so far, and its pending timer."""

    uid: str
    first_failure: float = field(default_factory=time.monotonic)
    attempts: int = 0
    next_attempt_at: float = 0.0
    timer: asyncio.Task[None] | None = None


class RetrySchedule:
    """Backoff with jitter per object; the next attempt is never early."""

    def __init__(self, context: OperatorContext) -> None:
        self.context = context
        self._states: dict[Key, RetryState] = {}

    def state(self, key: Key, uid: str) -> RetryState:
        """The retry state of an object, fresh if the object was recreated."""
        found = self._states.get(key)
        if found is None or found.uid != uid:
            if found is not None and found.timer is not None:
                found.timer.cancel()
            found = RetryState(uid)
            self._states[key] = found
        return found

    def known_uid(self, key: Key) -> str | None:
        """The uid recorded for an object, if it has failed before."""
        found = self._states.get(key)
        return found.uid if found is not None else None

    def waiting(self, key: Key, uid: str) -> bool:
        """True while the object's next attempt is still in the future."""
        found = self._states.get(key)
        return (
            found is not None
            and found.uid == uid
            and time.monotonic() < found.next_attempt_at
        )

    def elapsed(self, key: Key, uid: str) -> float:
        """Seconds since the first failure of this object."""
        return time.monotonic() - self.state(key, uid).first_failure

    def schedule(
        self,
        key: Key,
        uid: str,
        work: Callable[[], Awaitable[None]],
        *,
        at_least: float = 0.0,
        at_most: float | None = None,
    ) -> float:
        """Plan the next attempt; replaces any earlier timer. Returns the delay."""
        state = self.state(key, uid)
        state.attempts += 1
        settings = self.context.settings
        ceiling = min(
            settings.retry_max_delay,
            settings.retry_initial_delay * 2 ** (state.attempts - 1),
        )
        delay = max(ceiling / 2 + random.uniform(0, ceiling / 2), at_least)
        if at_most is not None:
            delay = max(0.1, min(delay, at_most))
        state.next_attempt_at = time.monotonic() + delay
        if state.timer is not None:
            state.timer.cancel()

        async def fire() -> None:
            # The timer is spent once it fires: a new schedule made by the work
            # itself must not cancel the task that is running it.
            state.timer = None
            await work()

        state.timer = self.context.later(delay, fire, f"{key[0]}/{key[1]}")
        return float(delay)

    def forget(self, key: Key) -> None:
        """Drop an object's state and cancel its timer."""
        found = self._states.pop(key, None)
        if found is not None and found.timer is not None:
            found.timer.cancel()

    def __len__(self) -> int:
        return len(self._states)
