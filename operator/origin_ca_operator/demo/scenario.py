"""The demo's steps against a running cluster, emulator and operator."""

from __future__ import annotations

import asyncio
import base64
import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from kubernetes_asyncio import client

from origin_ca_operator.certificates.keys import (
    KeyAlgorithm,
    build_csr,
    generate_private_key,
)
from origin_ca_operator.demo.operatorprocess import OperatorProcess
from origin_ca_operator.demo.setup import install_issuer_crds
from origin_ca_operator.emulator import RunningEmulator
from origin_ca_operator.kube.apiclient import new_api_client
from origin_ca_operator.kube.conditions import find_condition, now_rfc3339
from origin_ca_operator.kube.resources import (
    CERT_MANAGER_GROUP,
    CERTIFICATE_REQUEST_PLURAL,
    ISSUER_GROUP,
    ORIGIN_ISSUER_PLURAL,
)

NAMESPACE = "demo"
SYSTEM_NAMESPACE = "origin-ca-system"
DEMO_HOSTNAMES = ("www.example.com", "*.example.com")
WAIT_SECONDS = 60


async def run_scenario(
    kubeconfig: Path, emulator: RunningEmulator, token: str, directory: Path
) -> int:
    """Create the demo objects, wait for issuance, print the result."""
    operator = OperatorProcess(
        kubeconfig=kubeconfig,
        api_base_url=emulator.base_url,
        root_certificates=emulator.state_dir / "roots",
        cluster_resource_namespace=SYSTEM_NAMESPACE,
        log_path=directory / "operator.log",
    )
    async with await new_api_client(str(kubeconfig)) as api:
        await install_issuer_crds(api, (NAMESPACE, SYSTEM_NAMESPACE))
        await asyncio.to_thread(operator.start)
        print(f"Operator running (pid {operator.pid}); log: {operator.log_path}")
        try:
            started = time.monotonic()
            issued = await _issue(api, token)
            print(f"Issued in {time.monotonic() - started:.1f}s after approval.\n")
            _report(issued, kubeconfig)
            return 0
        except TimeoutError:
            print(f"No certificate within {WAIT_SECONDS}s. Operator log:")
            print(operator.log_tail())
            return 1
        finally:
            await asyncio.to_thread(operator.stop)


async def _issue(api: client.ApiClient, token: str) -> dict[str, Any]:
    core = client.CoreV1Api(api)
    secret = client.V1Secret(
        metadata=client.V1ObjectMeta(name="cloudflare-api-token"),
        string_data={"token": token},
    )
    await _create(core.create_namespaced_secret(NAMESPACE, secret))
    objects = client.CustomObjectsApi(api)
    issuer = {
        "apiVersion": f"{ISSUER_GROUP}/v1",
        "kind": "OriginIssuer",
        "metadata": {"name": "cloudflare"},
        "spec": {
            "requestType": "OriginECC",
            "auth": {"tokenRef": {"name": "cloudflare-api-token", "key": "token"}},
        },
    }
    await _create(
        objects.create_namespaced_custom_object(
            ISSUER_GROUP, "v1", NAMESPACE, ORIGIN_ISSUER_PLURAL, issuer
        )
    )
    name = f"demo-{int(time.time())}"
    await objects.create_namespaced_custom_object(
        CERT_MANAGER_GROUP, "v1", NAMESPACE, CERTIFICATE_REQUEST_PLURAL, _request(name)
    )
    print(f"Created CertificateRequest {NAMESPACE}/{name}; approving it.")
    await _approve(objects, name)
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            found: dict[str, Any] = await objects.get_namespaced_custom_object(
                CERT_MANAGER_GROUP, "v1", NAMESPACE, CERTIFICATE_REQUEST_PLURAL, name
            )
            conditions = (found.get("status") or {}).get("conditions")
            ready = find_condition(conditions, "Ready")
            if ready and ready.get("status") == "True":
                return found
            await asyncio.sleep(0.2)


def _request(name: str) -> dict[str, Any]:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    pem = build_csr(key, DEMO_HOSTNAMES).public_bytes(Encoding.PEM)
    return {
        "apiVersion": f"{CERT_MANAGER_GROUP}/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": name},
        "spec": {
            "request": base64.b64encode(pem).decode(),
            "duration": "8760h",
            "issuerRef": {
                "group": ISSUER_GROUP,
                "kind": "OriginIssuer",
                "name": "cloudflare",
            },
            "usages": ["digital signature", "key encipherment", "server auth"],
        },
    }


async def _approve(objects: Any, name: str) -> None:
    """Approve as cert-manager's approver does: an Approved condition on status."""
    condition = {
        "type": "Approved",
        "status": "True",
        "reason": "cert-manager.io",
        "message": "Certificate request has been approved by the demo",
        "lastTransitionTime": now_rfc3339(),
    }
    body = {
        "apiVersion": f"{CERT_MANAGER_GROUP}/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "status": {"conditions": [condition]},
    }
    await objects.patch_namespaced_custom_object_status(
        CERT_MANAGER_GROUP,
        "v1",
        NAMESPACE,
        CERTIFICATE_REQUEST_PLURAL,
        name,
        body,
        field_manager="demo-approver",
        _content_type="application/apply-patch+yaml",
    )


async def _create(call: Any) -> None:
    try:
        await call
    except client.ApiException as error:
        if error.status != 409:
            raise


def _report(request: dict[str, Any], kubeconfig: Path) -> None:
    status = request["status"]
    leaf = x509.load_pem_x509_certificate(base64.b64decode(status["certificate"]))
    root = x509.load_pem_x509_certificate(base64.b64decode(status["ca"]))
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    name = request["metadata"]["name"]
    lines = [
        f"Hostnames:  {', '.join(sans.value.get_values_for_type(x509.DNSName))}",
        f"Validity:   {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} to "
        f"{leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC "
        f"({(leaf.not_valid_after_utc - leaf.not_valid_before_utc).days} days)",
        f"Serial:     {leaf.serial_number} (the Origin CA certificate id)",
        f"Subject:    {leaf.subject.rfc4514_string()}",
        f"Issuer:     {leaf.issuer.rfc4514_string()}",
        f"CA (root):  {root.subject.rfc4514_string()}",
        "",
        "Look at it with kubectl:",
        f"  export KUBECONFIG={kubeconfig}",
        f"  kubectl -n {NAMESPACE} get originissuers,certificaterequests",
        f"  kubectl -n {NAMESPACE} describe certificaterequest {name}",
        f"  kubectl -n {NAMESPACE} get certificaterequest {name} "
        "-o jsonpath='{.status.certificate}' | base64 -d | openssl x509 -noout -text",
        "(the control plane stops when this demo exits; `make cluster` keeps one)",
    ]
    print("\n".join(lines))
