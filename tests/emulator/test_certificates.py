"""Get, revoke and list, and which certificates a credential may see."""

from __future__ import annotations

import datetime

import httpx
import pytest

from origin_ca_operator.emulator import RunningEmulator

from .support import (
    EXAMPLE_ORG_ID,
    TOKEN_EXAMPLE_COM,
    assert_failure,
    bearer,
    create_body,
    result_of,
)


async def _create(client: httpx.AsyncClient, *hostnames: str) -> dict[str, object]:
    body = create_body(hostnames=list(hostnames or ["www.example.com"]))
    result: dict[str, object] = result_of(await client.post("/certificates", json=body))
    return result


async def test_get_returns_the_certificate_as_created(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client)
    fetched = result_of(await client.get(f"/certificates/{created['id']}"))
    assert fetched == created


async def test_get_of_an_unknown_id_is_1101_with_404(client: httpx.AsyncClient) -> None:
    assert_failure(await client.get("/certificates/12345"), 1101, 404)


async def test_revoke_stamps_revoked_at_and_get_still_returns_it(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client)
    revoked = result_of(await client.delete(f"/certificates/{created['id']}"))

    assert set(revoked) == {"id", "revoked_at"}
    assert revoked["id"] == created["id"]
    moment = datetime.datetime.fromisoformat(revoked["revoked_at"])
    assert abs(datetime.datetime.now(datetime.UTC) - moment) < datetime.timedelta(
        minutes=5
    )
    fetched = result_of(await client.get(f"/certificates/{created['id']}"))
    assert fetched["revoked_at"] == revoked["revoked_at"]
    assert fetched["certificate"] == created["certificate"]


async def test_second_revoke_is_1014(client: httpx.AsyncClient) -> None:
    created = await _create(client)
    result_of(await client.delete(f"/certificates/{created['id']}"))
    assert_failure(await client.delete(f"/certificates/{created['id']}"), 1014, 400)


async def test_revoke_of_an_unknown_id_is_1101(client: httpx.AsyncClient) -> None:
    assert_failure(await client.delete("/certificates/999"), 1101, 404)


async def test_certificate_of_another_zone_is_hidden_from_a_scoped_token(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client, "www.example.org")
    scoped = bearer(TOKEN_EXAMPLE_COM)

    response = await client.get(f"/certificates/{created['id']}", headers=scoped)
    assert_failure(response, 1101, 404)
    response = await client.delete(f"/certificates/{created['id']}", headers=scoped)
    assert_failure(response, 1101, 404)
    still_live = result_of(await client.get(f"/certificates/{created['id']}"))
    assert "revoked_at" not in still_live


async def test_scoped_token_sees_certificates_of_its_zone(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client, "www.example.com")
    response = await client.get(
        f"/certificates/{created['id']}", headers=bearer(TOKEN_EXAMPLE_COM)
    )
    assert result_of(response)["id"] == created["id"]


async def test_list_without_zone_id_is_1003(client: httpx.AsyncClient) -> None:
    assert_failure(await client.get("/certificates"), 1003, 400)


async def test_list_of_a_zone_the_token_lacks_is_1016(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/certificates",
        params={"zone_id": EXAMPLE_ORG_ID},
        headers=bearer(TOKEN_EXAMPLE_COM),
    )
    assert_failure(response, 1016, 403)


async def test_list_of_an_unknown_zone_is_1016(client: httpx.AsyncClient) -> None:
    response = await client.get("/certificates", params={"zone_id": "f" * 32})
    assert_failure(response, 1016, 403)


async def test_list_pages_through_every_certificate_oldest_first(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    ids = [(await _create(client))["id"] for _ in range(12)]
    await _create(client, "www.example.org")
    zone_id = emulator.zone_id("example.com")

    pages = []
    for page in (1, 2, 3):
        response = await client.get(
            "/certificates", params={"zone_id": zone_id, "page": page, "per_page": 5}
        )
        body = response.json()
        pages.append([c["id"] for c in result_of(response)])
        assert body["result_info"] == {
            "page": page,
            "per_page": 5,
            "count": len(pages[-1]),
            "total_count": 12,
        }
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [i for page in pages for i in page] == ids


async def test_list_past_the_last_page_is_an_empty_success(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    await _create(client)
    response = await client.get(
        "/certificates",
        params={"zone_id": emulator.zone_id("example.com"), "page": 7},
    )
    assert result_of(response) == []
    assert response.json()["result_info"] == {
        "page": 7,
        "per_page": 20,
        "count": 0,
        "total_count": 1,
    }


@pytest.mark.parametrize(
    ("asked", "used"),
    [(None, 20), ("1", 5), ("5", 5), ("50", 50), ("500", 50), ("x", 20)],
)
async def test_per_page_is_clamped_to_5_through_50(
    client: httpx.AsyncClient, emulator: RunningEmulator, asked: str | None, used: int
) -> None:
    params = {"zone_id": emulator.zone_id("example.com")}
    if asked is not None:
        params["per_page"] = asked
    response = await client.get("/certificates", params=params)
    result_of(response)
    assert response.json()["result_info"]["per_page"] == used


async def test_page_below_one_means_the_first(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    created = await _create(client)
    response = await client.get(
        "/certificates", params={"zone_id": emulator.zone_id("example.com"), "page": 0}
    )
    assert [c["id"] for c in result_of(response)] == [created["id"]]
    assert response.json()["result_info"]["page"] == 1


async def test_list_includes_revoked_certificates_with_revoked_at(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    created = await _create(client)
    result_of(await client.delete(f"/certificates/{created['id']}"))
    response = await client.get(
        "/certificates", params={"zone_id": emulator.zone_id("example.com")}
    )
    (listed,) = result_of(response)
    assert listed["id"] == created["id"]
    assert "revoked_at" in listed


async def test_certificate_spanning_two_zones_is_listed_in_both(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    created = await _create(client, "a.example.com", "b.example.org")
    for zone in ("example.com", "example.org"):
        response = await client.get(
            "/certificates", params={"zone_id": emulator.zone_id(zone)}
        )
        assert [c["id"] for c in result_of(response)] == [created["id"]]


async def test_unknown_route_is_7000_with_an_envelope(
    client: httpx.AsyncClient,
) -> None:
    assert_failure(await client.get("/zones"), 7000, 404)


async def test_wrong_method_is_7001(client: httpx.AsyncClient) -> None:
    assert_failure(await client.put("/certificates", json={}), 7001, 405)
