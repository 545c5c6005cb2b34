"""Cloudflare's rate limit: 971 with HTTP 429 and Retry-After, per credential."""

from __future__ import annotations

from pathlib import Path

import httpx

from origin_ca_operator.emulator import EmulatorConfig, RateLimit, start_emulator
from origin_ca_operator.emulator.ratelimit import RateLimiter

from .support import TOKEN_ALL_ZONES, TOKEN_EXAMPLE_COM, TOKENS, assert_failure, bearer


async def test_past_the_limit_calls_are_971_with_retry_after(tmp_path: Path) -> None:
    config = EmulatorConfig(tokens=TOKENS, rate_limit=RateLimit(3, 60))
    emulator = await start_emulator(config)
    try:
        async with httpx.AsyncClient(base_url=emulator.base_url) as client:
            verify = "/user/tokens/verify"
            for _ in range(3):
                response = await client.get(verify, headers=bearer(TOKEN_ALL_ZONES))
                assert response.status_code == 200
            blocked = await client.get(verify, headers=bearer(TOKEN_ALL_ZONES))
            other = await client.get(verify, headers=bearer(TOKEN_EXAMPLE_COM))
    finally:
        await emulator.stop()

    assert_failure(blocked, 971, 429)
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert other.status_code == 200


def test_window_reopens_after_its_length() -> None:
    now = [100.0]
    limiter = RateLimiter(RateLimit(2, 10), clock=lambda: now[0])

    assert limiter.admit("a") is None
    now[0] = 103.0
    assert limiter.admit("a") is None
    assert limiter.admit("a") == 7
    assert limiter.admit("b") is None
    now[0] = 109.5
    assert limiter.admit("a") == 1
    now[0] = 110.0
    assert limiter.admit("a") is None


def test_rate_limit_reads_n_per_seconds() -> None:
    assert RateLimit.parse("1200/300") == RateLimit(1200, 300.0)
