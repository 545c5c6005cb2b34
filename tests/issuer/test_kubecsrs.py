"""Kubernetes CertificateSigningRequests signed by a ClusterOriginIssuer."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from kubernetes_asyncio import client

from origin_ca_operator.kube.conditions import find_condition, now_rfc3339

from .conftest import CLUSTER_RESOURCE_NAMESPACE
from .support import (
    GROUP,
    TOKEN,
    create_issuer,
    create_token_secret,
    csr_b64,
    eventually,
    issuer_body,
    issuer_ready,
)

pytestmark = pytest.mark.usefixtures("operator")


async def create_and_approve(
    api: client.ApiClient, name: str, signer: str, request: str, seconds: int
) -> None:
    csrs: Any = client.CertificatesV1Api(api)
    body = {
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {
            "request": request,
            "signerName": signer,
            "expirationSeconds": seconds,
            "usages": ["digital signature", "key encipherment", "server auth"],
        },
    }
    await csrs.create_certificate_signing_request(body)
    approval = {
        "status": {
            "conditions": [
                {
                    "type": "Approved",
                    "status": "True",
                    "reason": "TestApproval",
                    "message": "approved by the test",
                    "lastUpdateTime": now_rfc3339(),
                }
            ]
        }
    }
    await csrs.patch_certificate_signing_request_approval(name, approval)


async def read_csr(api: client.ApiClient, name: str) -> dict[str, Any]:
    csr = await client.CertificatesV1Api(api).read_certificate_signing_request(name)
    body: dict[str, Any] = api.sanitize_for_serialization(csr)
    return body


async def test_approved_kubernetes_csr_is_signed(
    api_client: client.ApiClient, namespace: str
) -> None:
    issuer = f"csr-{namespace}"
    secret = f"cf-{issuer}"
    await create_token_secret(api_client, CLUSTER_RESOURCE_NAMESPACE, secret, TOKEN)
    await create_issuer(
        api_client, None, issuer_body("ClusterOriginIssuer", issuer, secret)
    )
    await issuer_ready(api_client, None, issuer)
    signer = f"clusteroriginissuers.{GROUP}/{issuer}"
    good, bad = f"{namespace}-good", f"{namespace}-bad"
    try:
        await create_and_approve(
            api_client, good, signer, csr_b64(["api.example.com"]), 30 * 86400
        )
        await create_and_approve(
            api_client, bad, signer, csr_b64(["api.example.com"], ["192.0.2.1"]), 3600
        )

        async def certificate() -> str | None:
            found = (await read_csr(api_client, good)).get("status", {})
            value: str | None = found.get("certificate")
            return value

        pem = base64.b64decode(await eventually(certificate, what="CSR certificate"))
        leaf = x509.load_pem_x509_certificate(pem)
        assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(
            days=30
        )

        async def failed() -> dict[str, Any] | None:
            conditions = (await read_csr(api_client, bad)).get("status", {})
            found = find_condition(conditions.get("conditions"), "Failed")
            return dict(found) if found else None

        condition = await eventually(failed, what="CSR Failed condition")
        assert "DNS names only" in condition["message"]
        approved = find_condition(
            (await read_csr(api_client, bad))["status"]["conditions"], "Approved"
        )
        assert approved is not None
    finally:
        csrs = client.CertificatesV1Api(api_client)
        for name in (good, bad):
            await csrs.delete_certificate_signing_request(name)
        await client.CustomObjectsApi(api_client).delete_cluster_custom_object(
            GROUP, "v1", "clusteroriginissuers", issuer
        )
