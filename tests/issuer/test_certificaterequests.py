"""The signer's decision table, each row proved on the real control plane."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta

import httpx
import pytest
from cryptography import x509
from kubernetes_asyncio import client

from origin_ca_operator.emulator import RunningEmulator
from origin_ca_operator.kube.conditions import find_condition

from .conftest import OperatorProcess, creates_attempted, creates_issued
from .support import (
    TOKEN,
    create_issuer,
    create_request,
    create_token_secret,
    csr_b64,
    decode_pem,
    get_request,
    issuer_body,
    issuer_ready,
    ready_of,
    request_settled,
    set_request_condition,
)

pytestmark = pytest.mark.usefixtures("operator")


async def ready_issuer(
    api: client.ApiClient, namespace: str, request_type: str = "OriginRSA"
) -> str:
    """An OriginIssuer named 'origin' with a good token, Ready."""
    await create_token_secret(api, namespace, "cf-token", TOKEN)
    body = issuer_body("OriginIssuer", "origin", "cf-token", request_type=request_type)
    await create_issuer(api, namespace, body)
    await issuer_ready(api, namespace, "origin")
    return "origin"


async def issued(api: client.ApiClient, namespace: str, name: str) -> dict[str, object]:
    """Approve a request of ours and wait until it is Issued."""
    await set_request_condition(api, namespace, name, "Approved")
    return await request_settled(api, namespace, name, "Issued")


@pytest.mark.parametrize(
    ("request_type", "root_key"), [("OriginRSA", "rsa"), ("OriginECC", "ecc")]
)
async def test_approved_request_is_issued_with_the_matching_root(
    api_client: client.ApiClient,
    namespace: str,
    emulator: RunningEmulator,
    request_type: str,
    root_key: str,
) -> None:
    issuer = await ready_issuer(api_client, namespace, request_type)
    request = csr_b64(["www.example.com", "*.example.com"])
    await create_request(
        api_client, namespace, "web", issuer, request=request, duration="2160h0m0s"
    )
    body = await issued(api_client, namespace, "web")

    status = body["status"]
    assert isinstance(status, dict)
    leaf = decode_pem(status["certificate"])[0]
    root = decode_pem(status["ca"])[0]
    assert root == x509.load_pem_x509_certificate(emulator.roots[root_key].encode())
    leaf.verify_directly_issued_by(root)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sorted(sans.value.get_values_for_type(x509.DNSName)) == [
        "*.example.com",
        "www.example.com",
    ]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(days=90)
    assert ready_of(body)["status"] == "True"


async def test_approved_condition_is_unchanged_by_our_writes(
    api_client: client.ApiClient, namespace: str
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    await create_request(api_client, namespace, "web", issuer)
    await set_request_condition(api_client, namespace, "web", "Approved")
    before = await get_request(api_client, namespace, "web")
    after = await request_settled(api_client, namespace, "web", "Issued")
    approved_before = find_condition(before["status"]["conditions"], "Approved")
    approved_after = find_condition(after["status"]["conditions"], "Approved")
    assert approved_before == approved_after
    assert approved_after is not None


@pytest.mark.parametrize(
    ("group", "kind"),
    [
        ("cert-manager.io", "Issuer"),
        (None, "OriginIssuer"),
        ("", "OriginIssuer"),
        ("cert-manager.k8s.cloudflare.com", "Issuer"),
    ],
    ids=["cert-manager-issuer", "no-group", "empty-group", "our-group-other-kind"],
)
async def test_foreign_requests_are_left_completely_untouched(
    api_client: client.ApiClient,
    namespace: str,
    group: str | None,
    kind: str,
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    await create_request(
        api_client, namespace, "foreign", issuer, kind=kind, group=group
    )
    await set_request_condition(api_client, namespace, "foreign", "Approved")
    before = await get_request(api_client, namespace, "foreign")
    # A request of ours created afterwards is a barrier: once it is issued, the
    # operator has seen the foreign one too.
    await create_request(api_client, namespace, "ours", issuer)
    await issued(api_client, namespace, "ours")

    after = await get_request(api_client, namespace, "foreign")
    assert after["status"] == before["status"]
    assert after["metadata"].get("annotations") == before["metadata"].get("annotations")
    assert not after["metadata"].get("finalizers")
    managers = {f["manager"] for f in after["metadata"].get("managedFields", [])}
    assert "origin-ca-operator" not in managers
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


async def test_nothing_happens_before_approval(
    api_client: client.ApiClient, namespace: str, emulator_admin: httpx.AsyncClient
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    await create_request(api_client, namespace, "waiting", issuer)
    await create_request(api_client, namespace, "barrier", issuer)
    await issued(api_client, namespace, "barrier")
    waiting = await get_request(api_client, namespace, "waiting")
    assert not (waiting.get("status") or {}).get("conditions")
    assert not waiting["metadata"].get("annotations")
    assert not waiting["metadata"].get("finalizers")
    await issued(api_client, namespace, "waiting")


async def test_denied_request_is_marked_denied_and_never_signed(
    api_client: client.ApiClient, namespace: str, emulator_admin: httpx.AsyncClient
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    before = await creates_issued(emulator_admin)
    await create_request(api_client, namespace, "no", issuer)
    await set_request_condition(api_client, namespace, "no", "Denied", reason="policy")
    body = await request_settled(api_client, namespace, "no", "Denied")
    assert ready_of(body)["status"] == "False"
    assert body["status"]["failureTime"]
    assert not body["status"].get("certificate")
    denied = find_condition(body["status"]["conditions"], "Denied")
    assert denied is not None
    assert denied["reason"] == "policy"
    assert await creates_issued(emulator_admin) == before


@pytest.mark.parametrize(
    ("condition", "status", "reason"),
    [("Ready", "False", "Failed"), ("InvalidRequest", "True", "Invalid")],
)
async def test_terminal_requests_are_never_touched_again(
    api_client: client.ApiClient,
    namespace: str,
    emulator_admin: httpx.AsyncClient,
    condition: str,
    status: str,
    reason: str,
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    issued_before = await creates_issued(emulator_admin)
    await create_request(api_client, namespace, "done", issuer)
    await set_request_condition(
        api_client, namespace, "done", condition, status, reason, manager="other"
    )
    await set_request_condition(api_client, namespace, "done", "Approved")
    await create_request(api_client, namespace, "barrier", issuer)
    await issued(api_client, namespace, "barrier")
    after = await get_request(api_client, namespace, "done")
    terminal = find_condition(after["status"]["conditions"], condition)
    assert terminal is not None
    assert terminal["reason"] == reason
    assert not after["status"].get("certificate")
    managers = {f["manager"] for f in after["metadata"].get("managedFields", [])}
    assert "origin-ca-operator" not in managers
    assert await creates_issued(emulator_admin) == issued_before + 1


async def test_request_waits_pending_for_a_missing_issuer(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_request(api_client, namespace, "early", "origin")
    await set_request_condition(api_client, namespace, "early", "Approved")
    pending = await request_settled(api_client, namespace, "early", "Pending")
    assert "origin" in ready_of(pending)["message"]
    await ready_issuer(api_client, namespace)
    await request_settled(api_client, namespace, "early", "Issued")


async def test_request_waits_for_the_issuers_secret(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = issuer_body("OriginIssuer", "origin", "late-token")
    await create_issuer(api_client, namespace, body)
    condition = await issuer_ready(api_client, namespace, "origin", "False")
    assert condition["reason"] == "SecretNotFound"
    assert f"{namespace}/late-token" in condition["message"]
    await create_request(api_client, namespace, "web", "origin")
    await set_request_condition(api_client, namespace, "web", "Approved")
    await request_settled(api_client, namespace, "web", "Pending")
    await create_token_secret(api_client, namespace, "late-token", TOKEN)
    await request_settled(api_client, namespace, "web", "Issued")


@pytest.mark.parametrize(
    ("dns_names", "ips", "words"),
    [
        (["www.example.com"], ["10.0.0.1"], "DNS names only"),
        (["*.*.example.com"], [], "wildcard"),
        ([], [], "subject alternative name"),
    ],
    ids=["ip-address", "double-wildcard", "no-names"],
)
async def test_invalid_requests_fail_at_once_with_a_clear_message(
    api_client: client.ApiClient,
    namespace: str,
    emulator_admin: httpx.AsyncClient,
    dns_names: list[str],
    ips: list[str],
    words: str,
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    before = await creates_issued(emulator_admin)
    await create_request(
        api_client, namespace, "bad", issuer, request=csr_b64(dns_names, ips)
    )
    await set_request_condition(api_client, namespace, "bad", "Approved")
    body = await request_settled(api_client, namespace, "bad", "Failed")
    assert words in ready_of(body)["message"]
    assert body["status"]["failureTime"]
    assert await creates_issued(emulator_admin) == before


async def test_malformed_csr_fails_with_a_message(
    api_client: client.ApiClient, namespace: str
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    garbage = base64.b64encode(b"not a certificate request").decode()
    await create_request(api_client, namespace, "bad", issuer, request=garbage)
    await set_request_condition(api_client, namespace, "bad", "Approved")
    body = await request_settled(api_client, namespace, "bad", "Failed")
    assert "Invalid request" in ready_of(body)["message"]


async def test_hostname_outside_the_account_fails_with_the_cloudflare_code(
    api_client: client.ApiClient, namespace: str
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    await create_request(
        api_client, namespace, "other", issuer, request=csr_b64(["www.example.net"])
    )
    await set_request_condition(api_client, namespace, "other", "Approved")
    body = await request_settled(api_client, namespace, "other", "Failed")
    assert "code 1010" in ready_of(body)["message"]


async def test_passing_errors_are_retried_then_issued(
    api_client: client.ApiClient, namespace: str, emulator_admin: httpx.AsyncClient
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    error = {"code": 1100, "http_status": 500}
    rule = {"action": "error", "method": "POST", "count": 6, "errors": [error]}
    (await emulator_admin.put("/faults", json={"rules": [rule]})).raise_for_status()
    attempts_before = await creates_attempted(emulator_admin)
    await create_request(api_client, namespace, "web", issuer)
    await set_request_condition(api_client, namespace, "web", "Approved")
    pending = await request_settled(api_client, namespace, "web", "Pending")
    pending_seen = time.monotonic()
    assert "1100" in ready_of(pending)["message"]
    await request_settled(api_client, namespace, "web", "Issued")
    # Six failures and one success: no create beyond the one that succeeded,
    # and the next attempt waited for its backoff, not for our own status write.
    assert await creates_attempted(emulator_admin) - attempts_before == 7
    assert time.monotonic() - pending_seen >= 2.0


async def test_passing_errors_past_the_retry_window_fail_the_request(
    api_client: client.ApiClient, namespace: str, emulator_admin: httpx.AsyncClient
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    error = {"code": 1201, "http_status": 502}
    rule = {"action": "error", "method": "POST", "errors": [error]}
    (await emulator_admin.put("/faults", json={"rules": [rule]})).raise_for_status()
    attempts_before = await creates_attempted(emulator_admin)
    await create_request(api_client, namespace, "web", issuer)
    await set_request_condition(api_client, namespace, "web", "Approved")
    await request_settled(api_client, namespace, "web", "Pending")
    body = await request_settled(api_client, namespace, "web", "Failed", within=90)
    message = ready_of(body)["message"]
    assert "Gave up after retrying" in message
    assert "1201" in message
    assert body["status"]["failureTime"]
    # Within an 8 s window: at most four rounds of four client attempts.
    assert await creates_attempted(emulator_admin) - attempts_before <= 16


async def test_restarted_operator_signs_nothing_twice(
    api_client: client.ApiClient,
    namespace: str,
    operator: OperatorProcess,
    emulator_admin: httpx.AsyncClient,
) -> None:
    issuer = await ready_issuer(api_client, namespace)
    for name in ("one", "two", "three"):
        await create_request(api_client, namespace, name, issuer)
        await issued(api_client, namespace, name)
    count = await creates_issued(emulator_admin)
    operator.restart()
    await create_request(api_client, namespace, "after", issuer)
    await issued(api_client, namespace, "after")
    assert await creates_issued(emulator_admin) == count + 1
    sample = r'^origin_ca_operator_requests_signed_total\{kind="CertificateRequest"\}'
    signed = re.search(sample + r" (\S+)$", operator.metrics(), re.MULTILINE)
    assert signed is not None
    assert float(signed.group(1)) == 1.0
