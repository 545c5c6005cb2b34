"""The API client against the emulator: results, errors, retries, pagination."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import httpx
import pytest
from aiohttp import web
from cryptography import x509

from origin_ca_operator import __version__
from origin_ca_operator.certificates.roots import RequestType
from origin_ca_operator.cloudflare import Credential, OriginCAClient, RetryPolicy
from origin_ca_operator.emulator import RunningEmulator
from origin_ca_operator.errors import (
    AlreadyRevokedError,
    AuthenticationError,
    CertificateNotFoundError,
    HostnameNotAllowedError,
    PermanentAPIError,
    RateLimitedError,
    RetryableAPIError,
    TransportError,
)

from .conftest import (
    FAST_RETRIES,
    SERVICE_KEY,
    TOKEN,
    TOKEN_OTHER_ZONE,
    ClientFactory,
    load_certificate,
)

FAST_NO_RETRY = RetryPolicy(max_attempts=1)
RSA = RequestType.ORIGIN_RSA
ECC = RequestType.ORIGIN_ECC


async def set_faults(emulator: RunningEmulator, rules: list[dict[str, object]]) -> None:
    admin = emulator.base_url.replace("/client/v4", "/_emulator/faults")
    async with httpx.AsyncClient() as http:
        answer = await http.put(admin, json={"rules": rules})
        answer.raise_for_status()


async def creates_seen(emulator: RunningEmulator) -> int:
    stats_url = emulator.base_url.replace("/client/v4", "/_emulator/stats")
    async with httpx.AsyncClient() as http:
        stats = (await http.get(stats_url)).json()
    return sum(
        r["count"]
        for r in stats["requests"]
        if r["method"] == "POST" and r["path"].endswith("/certificates")
    )


@pytest.mark.parametrize("request_type", [RSA, ECC])
async def test_created_certificate_chains_to_the_emulator_root(
    make_client: ClientFactory,
    emulator: RunningEmulator,
    csr_pem: str,
    request_type: RequestType,
) -> None:
    client = make_client()
    issued = await client.create_certificate(
        csr_pem, ["www.example.com", "*.example.com"], request_type, 90
    )
    leaf = load_certificate(issued.certificate)
    root_key = "rsa" if request_type is RSA else "ecc"
    root = load_certificate(emulator.roots[root_key])
    leaf.verify_directly_issued_by(root)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sorted(sans.value.get_values_for_type(x509.DNSName)) == [
        "*.example.com",
        "www.example.com",
    ]
    validity = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert validity == timedelta(days=90)
    assert issued.id == str(leaf.serial_number)
    assert issued.expires_on == leaf.not_valid_after_utc
    assert issued.request_type == request_type.value


async def test_get_list_and_revoke_round_trip(
    make_client: ClientFactory, emulator: RunningEmulator, csr_pem: str
) -> None:
    client = make_client()
    created = [
        await client.create_certificate(csr_pem, [f"h{i}.example.com"], RSA, 7)
        for i in range(12)
    ]
    zone_id = emulator.zone_id("example.com")
    listed = [c async for c in client.list_certificates(zone_id, per_page=5)]
    assert sorted(c.id for c in listed) == sorted(c.id for c in created)

    revocation = await client.revoke_certificate(created[0].id)
    assert revocation.id == created[0].id
    assert revocation.revoked_at is not None
    again = await client.get_certificate(created[0].id)
    assert again.revoked
    with pytest.raises(AlreadyRevokedError) as raised:
        await client.revoke_certificate(created[0].id)
    assert raised.value.code == 1014


async def test_unknown_certificate_is_not_found(make_client: ClientFactory) -> None:
    with pytest.raises(CertificateNotFoundError) as raised:
        await make_client().get_certificate("1234567890123456789")
    assert raised.value.code == 1101
    assert raised.value.ray_id


async def test_token_verification(make_client: ClientFactory) -> None:
    status = await make_client().verify_token()
    assert status.active


async def test_wrong_token_is_an_authentication_error(
    make_client: ClientFactory,
) -> None:
    client = make_client(Credential.api_token("not-a-known-token"))
    with pytest.raises(AuthenticationError) as raised:
        await client.verify_token()
    assert raised.value.code == 10000
    assert raised.value.http_status == 401
    assert "not-a-known-token" not in str(raised.value)


async def test_legacy_service_key_is_sent_with_a_warning(
    make_client: ClientFactory, csr_pem: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        client = make_client(Credential.service_key(SERVICE_KEY + "\n"))
    assert "2026-09-30" in caplog.text
    assert SERVICE_KEY not in caplog.text
    issued = await client.create_certificate(csr_pem, ["a.example.com"], RSA, 30)
    assert issued.hostnames == ("a.example.com",)


@pytest.mark.parametrize(
    ("hostnames", "validity", "csr", "code"),
    [
        (["a.example.com"], 8, None, 1009),
        ([f"h{i}.example.com" for i in range(201)], 90, None, 1005),
        (["a.example.com"], 90, "", 1007),
        (["a.example.com"], 90, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 1007),
        (
            ["a.example.com"],
            90,
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
            "-----END CERTIFICATE REQUEST-----\n",
            1011,
        ),
    ],
    ids=["validity", "too-many-hostnames", "empty-csr", "base64-csr", "garbage-pem"],
)
async def test_invalid_creates_are_permanent_errors(
    make_client: ClientFactory,
    csr_pem: str,
    hostnames: list[str],
    validity: int,
    csr: str | None,
    code: int,
) -> None:
    client = make_client()
    with pytest.raises(PermanentAPIError) as raised:
        await client.create_certificate(
            csr_pem if csr is None else csr, hostnames, RSA, validity
        )
    assert raised.value.code == code
    assert not raised.value.retryable


async def test_hostname_outside_the_tokens_zones_is_retried_then_permanent(
    make_client: ClientFactory, emulator: RunningEmulator, csr_pem: str
) -> None:
    client = make_client(Credential.api_token(TOKEN_OTHER_ZONE))
    with pytest.raises(HostnameNotAllowedError) as raised:
        await client.create_certificate(csr_pem, ["a.example.com"], RSA, 90)
    assert raised.value.code == 1010
    assert await creates_seen(emulator) == 3


@pytest.mark.parametrize(
    ("code", "status"), [(1100, 500), (1200, 502), (1201, 503), (971, 429)]
)
async def test_passing_errors_are_retried_until_success(
    make_client: ClientFactory,
    emulator: RunningEmulator,
    csr_pem: str,
    code: int,
    status: int,
) -> None:
    error = {"code": code, "http_status": status, "retry_after": 0}
    await set_faults(
        emulator,
        [{"action": "error", "method": "POST", "count": 2, "errors": [error]}],
    )
    issued = await make_client().create_certificate(csr_pem, ["a.example.com"], RSA, 90)
    assert issued.hostnames == ("a.example.com",)
    assert await creates_seen(emulator) == 3


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (1001, 401, AuthenticationError),
        (1002, 400, PermanentAPIError),
        (1004, 400, PermanentAPIError),
        (1005, 400, PermanentAPIError),
        (1007, 400, PermanentAPIError),
        (1009, 400, PermanentAPIError),
        (1010, 400, HostnameNotAllowedError),
        (1011, 400, PermanentAPIError),
        (1014, 400, AlreadyRevokedError),
        (1016, 403, AuthenticationError),
        (1100, 500, RetryableAPIError),
        (1101, 404, CertificateNotFoundError),
        (1200, 500, RetryableAPIError),
        (1201, 502, RetryableAPIError),
        (971, 429, RateLimitedError),
        (9106, 400, AuthenticationError),
        (10000, 401, AuthenticationError),
    ],
)
async def test_each_error_code_maps_to_its_exception(
    make_client: ClientFactory,
    emulator: RunningEmulator,
    csr_pem: str,
    code: int,
    status: int,
    kind: type[Exception],
) -> None:
    error = {"code": code, "http_status": status, "retry_after": 0}
    await set_faults(emulator, [{"action": "error", "errors": [error]}])
    with pytest.raises(kind) as raised:
        await make_client().create_certificate(csr_pem, ["a.example.com"], RSA, 90)
    assert getattr(raised.value, "code", None) == code
    retried = kind in (RetryableAPIError, RateLimitedError) or code == 1010
    expected_calls = FAST_RETRIES.max_attempts if retried else 1
    if code == 1010:
        expected_calls = 3
    assert await creates_seen(emulator) == expected_calls


async def test_retry_after_is_honoured(
    make_client: ClientFactory, emulator: RunningEmulator, csr_pem: str
) -> None:
    error = {"code": 971, "http_status": 429, "retry_after": 1}
    await set_faults(emulator, [{"action": "error", "count": 1, "errors": [error]}])
    started = time.monotonic()
    await make_client().create_certificate(csr_pem, ["a.example.com"], RSA, 90)
    assert time.monotonic() - started >= 1.0


async def test_reset_connections_are_retried(
    make_client: ClientFactory, emulator: RunningEmulator
) -> None:
    await set_faults(emulator, [{"action": "reset", "count": 2}])
    assert (await make_client().verify_token()).active


async def test_a_hung_call_times_out_as_a_transport_error(
    make_client: ClientFactory, emulator: RunningEmulator
) -> None:
    await set_faults(emulator, [{"action": "hang", "seconds": 5}])
    client = make_client(retry_policy=FAST_NO_RETRY, timeout=0.3)
    with pytest.raises(TransportError) as raised:
        await client.verify_token()
    assert raised.value.retryable


async def test_no_credential_in_logs_reprs_or_errors(
    make_client: ClientFactory,
    emulator: RunningEmulator,
    csr_pem: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    credential = Credential.api_token(TOKEN)
    assert TOKEN not in repr(credential)
    error = {"code": 1100, "http_status": 500}
    await set_faults(emulator, [{"action": "error", "errors": [error]}])
    with caplog.at_level(logging.DEBUG), pytest.raises(RetryableAPIError) as raised:
        await make_client(credential).create_certificate(
            csr_pem, ["a.example.com"], RSA, 90
        )
    assert TOKEN not in caplog.text
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)


async def test_requests_carry_the_user_agent_and_credential(csr_pem: str) -> None:
    seen: list[dict[str, str]] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response(
            {"success": True, "errors": [], "result": {"id": "1", "status": "active"}}
        )

    app = web.Application()
    app.router.add_get("/client/v4/user/tokens/verify", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient() as http:
            client = OriginCAClient(
                Credential.api_token(" tok \n"),
                base_url=f"http://127.0.0.1:{port}/client/v4/",
                http=http,
            )
            assert (await client.verify_token()).active
    finally:
        await runner.cleanup()
    assert seen[0]["User-Agent"] == f"origin-ca-operator/{__version__}"
    assert seen[0]["Authorization"] == "Bearer tok"


async def test_a_create_lost_after_sending_is_not_sent_again(
    make_client: ClientFactory, emulator: RunningEmulator, csr_pem: str
) -> None:
    await set_faults(
        emulator,
        [{"action": "reset", "method": "POST", "count": 1, "after_handling": True}],
    )
    with pytest.raises(TransportError) as raised:
        await make_client().create_certificate(csr_pem, ["a.example.com"], RSA, 90)
    assert raised.value.request_sent
    assert await creates_seen(emulator) == 1
