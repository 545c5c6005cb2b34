"""Waiting, within a bound, for the cluster's controllers to act."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

CONTROLLER_TIMEOUT_SECONDS = 60.0


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    what: str,
    within_seconds: float = CONTROLLER_TIMEOUT_SECONDS,
) -> None:
    """Poll ``condition`` until true; fail the test after ``within_seconds``."""
    deadline = time.monotonic() + within_seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {within_seconds:.0f}s")
        await asyncio.sleep(0.25)
