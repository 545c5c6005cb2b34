"""Every way a create request is refused, with Cloudflare's codes."""

from __future__ import annotations

import base64

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from .support import (
    TOKEN_EXAMPLE_COM,
    assert_failure,
    bearer,
    create_body,
    csr_pem,
    csr_request,
    result_of,
)


async def test_body_that_is_not_json_is_1004(client: httpx.AsyncClient) -> None:
    response = await client.post("/certificates", content=b"{not json")
    assert_failure(response, 1004, 400)


async def test_body_that_is_a_json_list_is_1004(client: httpx.AsyncClient) -> None:
    response = await client.post("/certificates", json=[create_body()])
    assert_failure(response, 1004, 400)


@pytest.mark.parametrize(
    "request_type", ["keyless-certificate", "origin-foo", "", None, 1]
)
async def test_unsupported_request_type_is_1002(
    client: httpx.AsyncClient, request_type: object
) -> None:
    response = await client.post(
        "/certificates", json=create_body(request_type=request_type)
    )
    assert_failure(response, 1002, 400)


async def test_missing_request_type_is_1002(client: httpx.AsyncClient) -> None:
    body = create_body()
    del body["request_type"]
    assert_failure(await client.post("/certificates", json=body), 1002, 400)


@pytest.mark.parametrize("validity", [0, 10, 91, 5476, "90", 90.5, True, None])
async def test_validity_outside_the_allowed_days_is_1009(
    client: httpx.AsyncClient, validity: object
) -> None:
    response = await client.post(
        "/certificates", json=create_body(requested_validity=validity)
    )
    assert_failure(response, 1009, 400)


async def test_more_than_200_distinct_hostnames_is_1005(
    client: httpx.AsyncClient,
) -> None:
    hostnames = [f"h{index}.example.com" for index in range(201)]
    response = await client.post("/certificates", json=create_body(hostnames=hostnames))
    assert_failure(response, 1005, 400)


async def test_200_hostnames_with_repeats_are_accepted(
    client: httpx.AsyncClient,
) -> None:
    hostnames = [f"h{index}.example.com" for index in range(200)]
    repeated = hostnames + [name.upper() for name in hostnames[:50]]
    response = await client.post("/certificates", json=create_body(hostnames=repeated))
    assert result_of(response)["hostnames"] == hostnames


@pytest.mark.parametrize(
    "hostname",
    [
        "192.0.2.10",
        "2001:db8::1",
        "*.*.example.com",
        "a.*.example.com",
        "*.com",
        "*example.com",
        "bad_label.example.com",
        "",
    ],
)
async def test_invalid_hostname_is_1010(
    client: httpx.AsyncClient, hostname: str
) -> None:
    response = await client.post(
        "/certificates", json=create_body(hostnames=[hostname])
    )
    assert_failure(response, 1010, 400)


@pytest.mark.parametrize("hostnames", [[], "www.example.com", None, [42]])
async def test_hostnames_that_are_not_a_list_of_names_are_1010(
    client: httpx.AsyncClient, hostnames: object
) -> None:
    response = await client.post("/certificates", json=create_body(hostnames=hostnames))
    assert_failure(response, 1010, 400)


async def test_hostname_outside_every_zone_is_1010(client: httpx.AsyncClient) -> None:
    body = create_body(hostnames=["www.example.com", "www.example.net"])
    message = assert_failure(await client.post("/certificates", json=body), 1010, 400)
    assert "www.example.net" in message


async def test_hostname_of_a_zone_the_token_lacks_is_1010(
    client: httpx.AsyncClient,
) -> None:
    body = create_body(hostnames=["www.example.com", "www.example.org"])
    response = await client.post(
        "/certificates", json=body, headers=bearer(TOKEN_EXAMPLE_COM)
    )
    assert_failure(response, 1010, 400)


async def test_zone_name_as_suffix_of_another_name_does_not_match(
    client: httpx.AsyncClient,
) -> None:
    body = create_body(hostnames=["www.notexample.com"])
    assert_failure(await client.post("/certificates", json=body), 1010, 400)


def _der_base64() -> str:
    der = csr_request().public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


@pytest.mark.parametrize(
    "csr",
    [
        "",
        "   ",
        _der_base64(),
        csr_pem().replace("\n", "\\n"),
        csr_pem().replace("CERTIFICATE REQUEST", "CERTIFICATE"),
        None,
        17,
    ],
    ids=[
        "empty",
        "blank",
        "der-base64",
        "escaped-newlines",
        "wrong-label",
        "null",
        "n",
    ],
)
async def test_csr_without_a_pem_block_is_1007(
    client: httpx.AsyncClient, csr: object
) -> None:
    response = await client.post("/certificates", json=create_body(csr=csr))
    assert_failure(response, 1007, 400)


async def test_missing_csr_is_1007(client: httpx.AsyncClient) -> None:
    body = create_body()
    del body["csr"]
    assert_failure(await client.post("/certificates", json=body), 1007, 400)


def _with_broken_signature() -> str:
    der = bytearray(csr_request().public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF  # inside the signature value, the last field
    lines = base64.encodebytes(bytes(der)).decode()
    return (
        "-----BEGIN CERTIFICATE REQUEST-----\n"
        f"{lines}-----END CERTIFICATE REQUEST-----\n"
    )


def _garbled() -> str:
    pem = csr_pem()
    return pem.replace(pem.splitlines()[3], "A" * len(pem.splitlines()[3]))


@pytest.mark.parametrize(
    "csr",
    [
        _with_broken_signature(),
        _garbled(),
        "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n"
        "-----END CERTIFICATE REQUEST-----\n",
        csr_pem("rsa1024"),
        csr_pem("p521"),
        csr_pem("ed25519"),
    ],
    ids=["bad-signature", "garbled", "not-der", "rsa1024", "p521", "ed25519"],
)
async def test_unusable_pem_csr_is_1011(client: httpx.AsyncClient, csr: str) -> None:
    response = await client.post("/certificates", json=create_body(csr=csr))
    assert_failure(response, 1011, 400)


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p384"])
async def test_keys_the_origin_ca_accepts_are_certified(
    client: httpx.AsyncClient, kind: str
) -> None:
    response = await client.post("/certificates", json=create_body(csr=csr_pem(kind)))
    assert result_of(response)["csr"] == csr_pem(kind)
