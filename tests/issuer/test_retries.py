"""Per-object locks and retry timers: serialised, replaced, forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from origin_ca_operator.certificates.roots import embedded_roots
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.locks import KeyedLocks
from origin_ca_operator.issuer.retries import RetrySchedule
from origin_ca_operator.issuer.settings import OperatorSettings

KEY = ("ns", "request")


@pytest.fixture
async def schedule() -> AsyncIterator[RetrySchedule]:
    settings = OperatorSettings(
        roots=embedded_roots(),
        cluster_resource_namespace="system",
        retry_initial_delay=0.05,
        retry_max_delay=0.2,
    )
    context = OperatorContext(settings=settings, api=None)  # type: ignore[arg-type]
    yield RetrySchedule(context)
    await context.http.aclose()


async def test_keyed_lock_serialises_and_leaves_nothing_behind() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    order: list[str] = []

    async def work(name: str) -> None:
        async with locks.hold("same"):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(work("a"), work("b"))
    assert order in (
        ["a in", "a out", "b in", "b out"],
        ["b in", "b out", "a in", "a out"],
    )
    assert len(locks) == 0


async def test_a_new_schedule_replaces_the_pending_timer(
    schedule: RetrySchedule,
) -> None:
    fired: list[int] = []

    async def first() -> None:
        fired.append(1)

    async def second() -> None:
        fired.append(2)

    schedule.schedule(KEY, "uid", first)
    delay = schedule.schedule(KEY, "uid", second)
    assert schedule.waiting(KEY, "uid")
    assert 0.05 <= delay <= 0.1
    await asyncio.sleep(delay + 0.1)
    assert fired == [2]
    assert not schedule.waiting(KEY, "uid")


async def test_backoff_grows_and_respects_retry_after(
    schedule: RetrySchedule,
) -> None:
    async def nothing() -> None:
        return None

    delays = [schedule.schedule(KEY, "uid", nothing) for _ in range(4)]
    assert delays[0] <= 0.05
    assert delays[-1] >= 0.1
    assert schedule.schedule(KEY, "uid", nothing, at_least=3.0) >= 3.0
    schedule.forget(KEY)


async def test_forgetting_cancels_and_a_recreated_object_starts_afresh(
    schedule: RetrySchedule,
) -> None:
    fired: list[str] = []

    async def work() -> None:
        fired.append("fired")

    for _ in range(3):
        schedule.schedule(KEY, "old-uid", work)
    schedule.forget(KEY)
    assert len(schedule) == 0
    assert schedule.state(KEY, "new-uid").attempts == 0
    await asyncio.sleep(0.3)
    assert fired == []
