"""Faults set at run time through ``/_emulator/faults``."""

from __future__ import annotations

import time

import httpx
import pytest

from origin_ca_operator.emulator import EmulatorConfig, start_emulator

from .support import (
    TOKEN_ALL_ZONES,
    TOKENS,
    assert_failure,
    bearer,
    create_body,
    result_of,
)


async def _set_faults(anonymous: httpx.AsyncClient, faults: object) -> None:
    response = await anonymous.put("/_emulator/faults", json=faults)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("code", "status"), [(1100, 500), (1201, 502), (1200, 502)])
async def test_error_rate_one_answers_the_chosen_error(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, code: int, status: int
) -> None:
    error = {"code": code, "http_status": status}
    await _set_faults(anonymous, {"rules": [{"action": "error", "errors": [error]}]})

    for _ in range(3):
        assert_failure(
            await client.post("/certificates", json=create_body()), code, status
        )
    assert_failure(await client.get("/user/tokens/verify"), code, status)
    assert (await anonymous.get("/_emulator/roots")).status_code == 200


async def test_injected_rate_limit_carries_retry_after(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    error = {"code": 971, "http_status": 429, "retry_after": 7}
    await _set_faults(anonymous, {"rules": [{"action": "error", "errors": [error]}]})

    response = await client.get("/user/tokens/verify")
    assert_failure(response, 971, 429)
    assert response.headers["Retry-After"] == "7"


async def test_counted_fault_fails_only_the_next_creates(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    rule = {
        "action": "error",
        "method": "post",
        "path": "/client/v4/certificates",
        "count": 3,
        "errors": [{"code": 1100, "http_status": 500}],
    }
    await _set_faults(anonymous, {"rules": [rule]})

    result_of(await client.get("/user/tokens/verify"))
    for _ in range(3):
        assert_failure(
            await client.post("/certificates", json=create_body()), 1100, 500
        )
    result_of(await client.post("/certificates", json=create_body()))
    assert (await anonymous.get("/_emulator/faults")).json()["rules"] == []


async def test_path_may_name_the_route_template(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    rule = {"action": "error", "path": "/client/v4/certificates/{id}"}
    await _set_faults(anonymous, {"rules": [rule]})

    assert_failure(await client.get("/certificates/1"), 1100, 500)
    result_of(await client.get("/user/tokens/verify"))


async def test_error_rate_zero_never_fires(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await _set_faults(anonymous, {"rules": [{"action": "error", "rate": 0}]})
    for _ in range(5):
        result_of(await client.get("/user/tokens/verify"))


async def test_reset_closes_the_connection_without_an_answer(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await _set_faults(anonymous, {"rules": [{"action": "reset", "count": 1}]})

    with pytest.raises(httpx.TransportError):
        await client.get("/user/tokens/verify")
    result_of(await client.get("/user/tokens/verify"))
    stats = (await anonymous.get("/_emulator/stats")).json()
    statuses = [entry["status"] for entry in stats["requests"]]
    assert sorted(statuses) == [0, 200]


async def test_reset_after_handling_loses_the_answer_but_issues(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    rule = {"action": "reset", "after_handling": True, "count": 1}
    await _set_faults(anonymous, {"rules": [rule]})

    with pytest.raises(httpx.TransportError):
        await client.post("/certificates", json=create_body())
    stats = (await anonymous.get("/_emulator/stats")).json()
    assert stats["certificates"]["issued"] == 1


async def test_hang_outlasts_the_client_timeout_and_clearing_ends_it(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await _set_faults(anonymous, {"rules": [{"action": "hang", "seconds": 600}]})

    with pytest.raises(httpx.ReadTimeout):
        await client.get("/user/tokens/verify", timeout=0.3)
    cleared = await anonymous.delete("/_emulator/faults")
    assert cleared.json() == {"latency_ms": 0.0, "rules": []}
    result_of(await client.get("/user/tokens/verify"))


async def test_added_latency_delays_the_answer(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await _set_faults(anonymous, {"latency_ms": 150})
    started = time.monotonic()
    result_of(await client.get("/user/tokens/verify"))
    assert time.monotonic() - started >= 0.15


async def test_start_latency_stays_after_clearing(tmp_path: object) -> None:
    emulator = await start_emulator(EmulatorConfig(tokens=TOKENS, latency_ms=25))
    try:
        async with httpx.AsyncClient(base_url=emulator.url) as anonymous:
            await _set_faults(anonymous, {"latency_ms": 500})
            cleared = (await anonymous.delete("/_emulator/faults")).json()
            assert cleared["latency_ms"] == 25
    finally:
        await emulator.stop()


@pytest.mark.parametrize(
    "faults",
    [
        [],
        {"rules": [{"action": "explode"}]},
        {"rules": [{"action": "error", "rate": 2}]},
        {"rules": [{"action": "error", "count": 0}]},
        {"rules": [{"action": "error", "errors": [{"code": "x"}]}]},
        {"rules": [{"action": "error", "errors": [{"code": 1, "http_status": 200}]}]},
        {"latency_ms": -1},
        {"typo": 1},
    ],
)
async def test_wrong_fault_settings_are_refused_and_change_nothing(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, faults: object
) -> None:
    response = await anonymous.put("/_emulator/faults", json=faults)
    assert response.status_code == 400
    assert response.json()["error"]
    assert (await anonymous.get("/_emulator/faults")).json() == {
        "latency_ms": 0.0,
        "rules": [],
    }
    result_of(await client.get("/user/tokens/verify"))


async def test_stop_cuts_a_hang_short(tmp_path: object) -> None:
    emulator = await start_emulator(EmulatorConfig(tokens=TOKENS))
    async with httpx.AsyncClient(base_url=emulator.url) as anonymous:
        await _set_faults(anonymous, {"rules": [{"action": "hang"}]})
        with pytest.raises(httpx.ReadTimeout):
            await anonymous.get(
                "/client/v4/user/tokens/verify",
                headers=bearer(TOKEN_ALL_ZONES),
                timeout=0.2,
            )
    await emulator.stop()
    # Reaching this line at all shows the hour-long hang did not hold the stop.
