"""Helpers for the issuer tests: objects to create, and waiting for outcomes."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from kubernetes_asyncio import client

from origin_ca_operator.certificates.keys import (
    KeyAlgorithm,
    generate_private_key,
)
from origin_ca_operator.kube.conditions import find_condition, now_rfc3339

GROUP = "cert-manager.k8s.cloudflare.com"
CM_GROUP = "cert-manager.io"
TOKEN = "issuer-test-token-0123456789abcdef"
NARROW_TOKEN = "issuer-test-token-other-zone-0123"
SERVICE_KEY = "v1.0-issuer-test-service-key-0123"
ZONES = ["example.com", "example.org"]

T = TypeVar("T")
_KEY = generate_private_key(KeyAlgorithm.ECDSA, 256)


def csr_b64(
    dns_names: Sequence[str], ips: Sequence[str] = (), *, cn: str = "ignored"
) -> str:
    """base64 of a PEM CSR with those SANs, as cert-manager writes spec.request."""
    import ipaddress

    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(names), critical=False
        )
    pem = builder.sign(_KEY, hashes.SHA256()).public_bytes(Encoding.PEM)
    return base64.b64encode(pem).decode()


async def eventually(
    probe: Callable[[], Awaitable[T | None]], within: float = 60, what: str = ""
) -> T:
    """Poll ``probe`` until it returns something other than None/False."""
    deadline = time.monotonic() + within
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {within}s waiting for {what}; last: {last}")


async def create_token_secret(
    api: client.ApiClient, namespace: str, name: str, value: str, key: str = "token"
) -> None:
    """A Secret holding a credential, with the trailing newline people leave."""
    body = {
        "metadata": {"name": name},
        "stringData": {key: value + "\n"},
    }
    await client.CoreV1Api(api).create_namespaced_secret(namespace, body)


def issuer_body(
    kind: str,
    name: str,
    secret: str,
    *,
    key: str = "token",
    request_type: str = "OriginRSA",
    legacy: bool = False,
) -> dict[str, Any]:
    """An issuer manifest as users of the existing Go issuer write it."""
    ref = "serviceKeyRef" if legacy else "tokenRef"
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "requestType": request_type,
            "auth": {ref: {"name": secret, "key": key}},
        },
    }


async def create_issuer(
    api: client.ApiClient, namespace: str | None, body: dict[str, Any]
) -> None:
    """Create an OriginIssuer (namespace given) or a ClusterOriginIssuer."""
    objects = client.CustomObjectsApi(api)
    if namespace is None:
        await objects.create_cluster_custom_object(
            GROUP, "v1", "clusteroriginissuers", body
        )
    else:
        await objects.create_namespaced_custom_object(
            GROUP, "v1", namespace, "originissuers", body
        )


async def get_issuer(
    api: client.ApiClient, namespace: str | None, name: str
) -> dict[str, Any]:
    """Read an issuer."""
    objects = client.CustomObjectsApi(api)
    if namespace is None:
        found = await objects.get_cluster_custom_object(
            GROUP, "v1", "clusteroriginissuers", name
        )
    else:
        found = await objects.get_namespaced_custom_object(
            GROUP, "v1", namespace, "originissuers", name
        )
    result: dict[str, Any] = found
    return result


async def issuer_ready(
    api: client.ApiClient, namespace: str | None, name: str, status: str = "True"
) -> Mapping[str, Any]:
    """Wait for the issuer's Ready condition to have ``status``; return it."""

    async def probe() -> Mapping[str, Any] | None:
        body = await get_issuer(api, namespace, name)
        ready = find_condition((body.get("status") or {}).get("conditions"), "Ready")
        return ready if ready and ready.get("status") == status else None

    return await eventually(probe, what=f"issuer {name} Ready={status}")


async def create_request(
    api: client.ApiClient,
    namespace: str,
    name: str,
    issuer: str,
    *,
    kind: str = "OriginIssuer",
    group: str | None = GROUP,
    request: str | None = None,
    duration: str | None = None,
) -> dict[str, Any]:
    """A CertificateRequest as cert-manager would create it."""
    ref: dict[str, str] = {"name": issuer, "kind": kind}
    if group is not None:
        ref["group"] = group
    spec: dict[str, Any] = {
        "request": request or csr_b64(["www.example.com"]),
        "issuerRef": ref,
        "usages": ["digital signature", "key encipherment", "server auth"],
    }
    if duration:
        spec["duration"] = duration
    body = {
        "apiVersion": f"{CM_GROUP}/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": name},
        "spec": spec,
    }
    result: dict[str, Any] = await client.CustomObjectsApi(
        api
    ).create_namespaced_custom_object(
        CM_GROUP, "v1", namespace, "certificaterequests", body
    )
    return result


async def get_request(
    api: client.ApiClient, namespace: str, name: str
) -> dict[str, Any]:
    """Read a CertificateRequest."""
    result: dict[str, Any] = await client.CustomObjectsApi(
        api
    ).get_namespaced_custom_object(
        CM_GROUP, "v1", namespace, "certificaterequests", name
    )
    return result


async def set_request_condition(
    api: client.ApiClient,
    namespace: str,
    name: str,
    condition_type: str,
    status: str = "True",
    reason: str = "cert-manager.io",
    manager: str = "test-approver",
) -> None:
    """Write a condition as another controller (an approver) would."""
    body = {
        "apiVersion": f"{CM_GROUP}/v1",
        "kind": "CertificateRequest",
        "metadata": {"name": name, "namespace": namespace},
        "status": {
            "conditions": [
                {
                    "type": condition_type,
                    "status": status,
                    "reason": reason,
                    "message": f"{condition_type} by the test",
                    "lastTransitionTime": now_rfc3339(),
                }
            ]
        },
    }
    objects: Any = client.CustomObjectsApi(api)
    await objects.patch_namespaced_custom_object_status(
        CM_GROUP,
        "v1",
        namespace,
        "certificaterequests",
        name,
        body,
        field_manager=manager,
        force=True,
        _content_type="application/apply-patch+yaml",
    )


async def request_settled(
    api: client.ApiClient, namespace: str, name: str, reason: str, within: float = 60
) -> dict[str, Any]:
    """Wait until the request's Ready condition has ``reason``; return it."""

    async def probe() -> dict[str, Any] | None:
        body = await get_request(api, namespace, name)
        ready = find_condition((body.get("status") or {}).get("conditions"), "Ready")
        return body if ready and ready.get("reason") == reason else None

    return await eventually(probe, within, what=f"request {name} reason {reason}")


def ready_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Ready condition of an object; fails the test when missing."""
    ready = find_condition((body.get("status") or {}).get("conditions"), "Ready")
    assert ready is not None, body.get("status")
    return ready


def decode_pem(b64: str) -> list[x509.Certificate]:
    """Certificates from a base64-of-PEM status field."""
    return x509.load_pem_x509_certificates(base64.b64decode(b64))
