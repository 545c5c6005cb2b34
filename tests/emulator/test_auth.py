"""Credentials: tokens, the legacy service key, and requests without either."""

from __future__ import annotations

import httpx
import pytest

from origin_ca_operator.emulator import EmulatorConfig, start_emulator

from .support import (
    EXAMPLE_ORG_ID,
    SERVICE_KEY,
    TOKEN_ALL_ZONES,
    TOKEN_WITHOUT_PERMISSION,
    ZONES,
    assert_failure,
    bearer,
    create_body,
    result_of,
)

CERTIFICATE_CALLS = [
    ("GET", "/client/v4/certificates?zone_id=x"),
    ("POST", "/client/v4/certificates"),
    ("GET", "/client/v4/certificates/123"),
    ("DELETE", "/client/v4/certificates/123"),
]


@pytest.mark.parametrize(("method", "path"), CERTIFICATE_CALLS)
async def test_certificate_call_without_credentials_is_1001(
    anonymous: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await anonymous.request(method, path, json=create_body())
    assert_failure(response, 1001, 401)


async def test_token_verify_without_credentials_is_9106(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get("/client/v4/user/tokens/verify")
    assert_failure(response, 9106, 400)


async def test_token_verify_does_not_take_the_service_key(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get(
        "/client/v4/user/tokens/verify",
        headers={"X-Auth-User-Service-Key": SERVICE_KEY},
    )
    assert_failure(response, 9106, 400)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-known-token", f"Basic {TOKEN_ALL_ZONES}", "Bearer", TOKEN_ALL_ZONES],
)
@pytest.mark.parametrize(
    "path", ["/client/v4/user/tokens/verify", "/client/v4/certificates/1"]
)
async def test_unknown_or_malformed_token_is_10000_with_401(
    anonymous: httpx.AsyncClient, authorization: str, path: str
) -> None:
    response = await anonymous.get(path, headers={"Authorization": authorization})
    assert_failure(response, 10000, 401)


async def test_live_token_verifies_as_active_without_echoing_it(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get(
        "/client/v4/user/tokens/verify", headers=bearer(TOKEN_ALL_ZONES)
    )
    result = result_of(response)
    assert result["status"] == "active"
    assert result["id"]
    assert TOKEN_ALL_ZONES not in response.text


async def test_token_without_the_certificate_permission_is_10000_with_403(
    anonymous: httpx.AsyncClient,
) -> None:
    headers = bearer(TOKEN_WITHOUT_PERMISSION)
    verify = await anonymous.get("/client/v4/user/tokens/verify", headers=headers)
    assert result_of(verify)["status"] == "active"

    response = await anonymous.post(
        "/client/v4/certificates", json=create_body(), headers=headers
    )
    assert_failure(response, 10000, 403)


async def test_service_key_may_create_in_every_zone(
    anonymous: httpx.AsyncClient,
) -> None:
    body = create_body(hostnames=["www.example.com", "www.example.org"])
    response = await anonymous.post(
        "/client/v4/certificates",
        json=body,
        headers={"X-Auth-User-Service-Key": SERVICE_KEY},
    )
    assert result_of(response)["hostnames"] == ["www.example.com", "www.example.org"]


async def test_wrong_service_key_is_10000_with_401(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get(
        "/client/v4/certificates/1",
        headers={"X-Auth-User-Service-Key": "v1.0-wrong"},
    )
    assert_failure(response, 10000, 401)


async def test_bearer_token_wins_over_a_service_key(
    anonymous: httpx.AsyncClient,
) -> None:
    headers = {
        "X-Auth-User-Service-Key": SERVICE_KEY,
        "Authorization": "Bearer not-a-known-token",
    }
    response = await anonymous.get("/client/v4/certificates/1", headers=headers)
    assert_failure(response, 10000, 401)


async def test_token_may_name_its_zones_by_id() -> None:
    config = EmulatorConfig(zones=ZONES, tokens={"by-id": [EXAMPLE_ORG_ID]})
    async with (
        await start_emulator(config) as emulator,
        httpx.AsyncClient(
            base_url=emulator.base_url, headers=bearer("by-id")
        ) as client,
    ):
        body = create_body(hostnames=["www.example.org"])
        result_of(await client.post("/certificates", json=body))
        body = create_body(hostnames=["www.example.com"])
        assert_failure(await client.post("/certificates", json=body), 1010, 400)
