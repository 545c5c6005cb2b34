"""The operator, holding only its ServiceAccount's rights, does its whole job.

It runs as a process with a kubeconfig whose only credential is a token of the
ServiceAccount that deploy/ creates (from the TokenRequest API), with the
Deployment's own arguments, against the Origin CA emulator. It then brings an
OriginIssuer and a ClusterOriginIssuer to Ready, issues a cert-manager
CertificateRequest, signs a Kubernetes CSR and records events. Any missing
permission shows up as a stalled outcome, a missing event or a refusal in its
log.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from kubernetes_asyncio import client

from origin_ca_operator.demo import OperatorProcess
from origin_ca_operator.emulator import EmulatorConfig, EmulatorThread, RunningEmulator
from origin_ca_operator.kube.conditions import find_condition, now_rfc3339

from .support import (
    GROUP,
    Manifest,
    b64,
    certificates_in,
    container_of,
    csr_pem,
    eventually,
    only,
    service_account_token,
    token_kubeconfig,
)

TOKEN = "shipped-rbac-test-token-0123456789"
SIGNED_WITHIN = 60


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    config = EmulatorConfig(zones=["example.com"], tokens={TOKEN: None})
    with EmulatorThread(config) as running:
        yield running


@pytest.fixture
def credentials_namespace(second_namespace: str) -> str:
    """A cluster resource namespace of this test\'s own."""
    return second_namespace


@pytest.fixture
async def operator(
    api_client: client.ApiClient,
    cluster: Any,
    deployed: list[Manifest],
    emulator: RunningEmulator,
    credentials_namespace: str,
    tmp_path: Path,
) -> AsyncIterator[OperatorProcess]:
    """The operator with the ServiceAccount's token and the Deployment's args."""
    account = only(deployed, "ServiceAccount")["metadata"]
    token = await service_account_token(
        api_client, account["namespace"], account["name"]
    )
    kubeconfig = token_kubeconfig(cluster.kubeconfig, token, tmp_path / "kubeconfig")
    deployment_args = container_of(only(deployed, "Deployment"))["args"]
    assert deployment_args[0] == "run"
    process = OperatorProcess(
        kubeconfig=kubeconfig,
        api_base_url=emulator.base_url,
        root_certificates=emulator.state_dir / "roots",
        cluster_resource_namespace=credentials_namespace,
        log_path=tmp_path / "operator.log",
        extra_arguments=deployment_args[1:],
    )
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)
        # Shown by pytest when the test fails.
        print(f"--- operator log ---\n{process.log_tail()}")


async def create_token_secret(api: client.ApiClient, namespace: str) -> None:
    body = {
        "metadata": {"name": "cloudflare-api-token"},
        "stringData": {"token": TOKEN},
    }
    await client.CoreV1Api(api).create_namespaced_secret(namespace, body)


def issuer(kind: str, name: str) -> Manifest:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "requestType": "OriginECC",
            "auth": {"tokenRef": {"name": "cloudflare-api-token", "key": "token"}},
        },
    }


async def wait_ready(objects: Any, namespace: str | None, name: str) -> None:
    async def ready() -> bool:
        if namespace is None:
            body = await objects.get_cluster_custom_object(
                GROUP, "v1", "clusteroriginissuers", name
            )
        else:
            body = await objects.get_namespaced_custom_object(
                GROUP, "v1", namespace, "originissuers", name
            )
        found = find_condition((body.get("status") or {}).get("conditions"), "Ready")
        return bool(found and found.get("status") == "True")

    await eventually(ready, f"issuer {name} Ready", SIGNED_WITHIN)


async def issue_certificate_request(
    api: client.ApiClient, namespace: str
) -> dict[str, Any]:
    """Create and approve a request for the OriginIssuer; the issued request."""
    objects: Any = client.CustomObjectsApi(api)
    await objects.create_namespaced_custom_object(
        GROUP, "v1", namespace, "originissuers", issuer("OriginIssuer", "origin")
    )
    await wait_ready(objects, namespace, "origin")
    request = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": "web"},
        "spec": {
            "request": b64(csr_pem(["www.example.com"])),
            "issuerRef": {"group": GROUP, "kind": "OriginIssuer", "name": "origin"},
            "usages": ["digital signature", "key encipherment", "server auth"],
        },
    }
    await objects.create_namespaced_custom_object(
        "cert-manager.io", "v1", namespace, "certificaterequests", request
    )
    # Approved as cert-manager's approver would, under a field manager of its own.
    approval = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": "web", "namespace": namespace},
        "status": {
            "conditions": [
                {
                    "type": "Approved",
                    "status": "True",
                    "reason": "cert-manager.io",
                    "message": "approved by the test",
                    "lastTransitionTime": now_rfc3339(),
                }
            ]
        },
    }
    await objects.patch_namespaced_custom_object_status(
        "cert-manager.io",
        "v1",
        namespace,
        "certificaterequests",
        "web",
        approval,
        field_manager="test-approver",
        force=True,
        _content_type="application/apply-patch+yaml",
    )

    async def issued() -> dict[str, Any] | None:
        body: dict[str, Any] = await objects.get_namespaced_custom_object(
            "cert-manager.io", "v1", namespace, "certificaterequests", "web"
        )
        found = find_condition((body.get("status") or {}).get("conditions"), "Ready")
        return body if found and found.get("reason") == "Issued" else None

    return await eventually(issued, "CertificateRequest issued", SIGNED_WITHIN)


async def sign_kubernetes_csr(
    api: client.ApiClient, credentials_namespace: str, name: str
) -> str:
    """Create and approve a CSR for a ClusterOriginIssuer; its certificate."""
    objects: Any = client.CustomObjectsApi(api)
    await create_token_secret(api, credentials_namespace)
    await objects.create_cluster_custom_object(
        GROUP, "v1", "clusteroriginissuers", issuer("ClusterOriginIssuer", name)
    )
    await wait_ready(objects, None, name)
    csrs: Any = client.CertificatesV1Api(api)
    await csrs.create_certificate_signing_request(
        {
            "metadata": {"name": name},
            "spec": {
                "request": b64(csr_pem(["api.example.com"])),
                "signerName": f"clusteroriginissuers.{GROUP}/{name}",
                "expirationSeconds": 7 * 86400,
                "usages": ["digital signature", "key encipherment", "server auth"],
            },
        }
    )
    await csrs.patch_certificate_signing_request_approval(
        name,
        {
            "status": {
                "conditions": [
                    {
                        "type": "Approved",
                        "status": "True",
                        "reason": "TestApproval",
                        "message": "approved by the test",
                    }
                ]
            }
        },
    )

    async def certificate() -> str | None:
        csr = await csrs.read_certificate_signing_request(name)
        value: str | None = csr.status.certificate
        return value

    return await eventually(certificate, "Kubernetes CSR signed", SIGNED_WITHIN)


async def test_operator_does_its_job_with_only_the_shipped_rbac(
    api_client: client.ApiClient,
    operator: OperatorProcess,
    emulator: RunningEmulator,
    namespace: str,
    credentials_namespace: str,
) -> None:
    ecc_root = x509.load_pem_x509_certificate(emulator.roots["ecc"].encode())
    cluster_issuer = f"shipped-{namespace}"
    await create_token_secret(api_client, namespace)
    try:
        request = await issue_certificate_request(api_client, namespace)
        csr_certificate = await sign_kubernetes_csr(
            api_client, credentials_namespace, cluster_issuer
        )
    finally:
        await _remove_cluster_objects(api_client, cluster_issuer)

    leaf = certificates_in(request["status"]["certificate"])[0]
    assert certificates_in(request["status"]["ca"]) == [ecc_root]
    leaf.verify_directly_issued_by(ecc_root)
    certificates_in(csr_certificate)[0].verify_directly_issued_by(ecc_root)
    events = await client.CoreV1Api(api_client).list_namespaced_event(namespace)
    assert {
        (e.involved_object.kind, e.reason)
        for e in events.items
        if e.reporting_component == "origin-ca-operator"
    } >= {("CertificateRequest", "Issued")}
    log = operator.log_path.read_text()
    ours = (namespace, credentials_namespace, cluster_issuer)
    assert not refusals(log, ours), operator.log_tail()


def refusals(log: str, ours: Sequence[str]) -> list[str]:
    """Log lines where the API server refused the operator: kopf's own, or a
    refusal about this test's objects. (Objects other tests left in namespaces
    being deleted are refused for that reason, not for RBAC.)"""
    found = []
    for line in log.splitlines():
        lowered = line.lower()
        by_kopf = "not enough permissions" in lowered or "apiforbiddenerror" in lowered
        refused = "http 403" in lowered or "forbidden" in lowered
        if by_kopf or (refused and any(name in line for name in ours)):
            found.append(line)
    return found


async def _remove_cluster_objects(api: client.ApiClient, name: str) -> None:
    csrs = client.CertificatesV1Api(api)
    objects = client.CustomObjectsApi(api)
    try:
        await csrs.delete_certificate_signing_request(name)
    except client.ApiException as error:
        if error.status != 404:
            raise
    try:
        await objects.delete_cluster_custom_object(
            GROUP, "v1", "clusteroriginissuers", name
        )
    except client.ApiException as error:
        if error.status != 404:
            raise
