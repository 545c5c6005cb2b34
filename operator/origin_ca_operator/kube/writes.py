"""Status writes that never disturb fields other controllers own.

CertificateRequest and Kubernetes CSR status are written with server-side apply
under our own field manager: the ``Approved`` and ``Denied`` conditions belong to
the approvers, and a merge patch of the condition list would drop them. Our own
issuers' status is ours alone and takes a merge patch.
"""

from __future__ import annotations

import logging
from typing import Any

from kubernetes_asyncio import client

from origin_ca_operator.kube.conditions import now_rfc3339
from origin_ca_operator.kube.resources import (
    CERT_MANAGER_GROUP,
    CERT_MANAGER_VERSION,
    CERTIFICATE_REQUEST_PLURAL,
    FIELD_MANAGER,
    ISSUER_GROUP,
    ISSUER_VERSION,
    IssuerKey,
)

logger = logging.getLogger(__name__)

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"


def _custom_objects(api: client.ApiClient) -> Any:
    # The stubs omit _content_type, which the generated client accepts.
    return client.CustomObjectsApi(api)


async def apply_certificate_request_status(
    api: client.ApiClient, namespace: str, name: str, status: dict[str, Any]
) -> dict[str, Any]:
    """Server-side apply ``status`` (our fields only) to a CertificateRequest."""
    body = {
        "apiVersion": f"{CERT_MANAGER_GROUP}/{CERT_MANAGER_VERSION}",
        "kind": "CertificateRequest",
        "metadata": {"name": name, "namespace": namespace},
        "status": status,
    }
    result: dict[str, Any] = await _custom_objects(
        api
    ).patch_namespaced_custom_object_status(
        CERT_MANAGER_GROUP,
        CERT_MANAGER_VERSION,
        namespace,
        CERTIFICATE_REQUEST_PLURAL,
        name,
        body,
        field_manager=FIELD_MANAGER,
        force=True,
        _content_type=APPLY_PATCH,
    )
    return result


async def apply_kube_csr_status(
    api: client.ApiClient, name: str, status: dict[str, Any]
) -> None:
    """Server-side apply ``status`` to a certificates.k8s.io CSR."""
    body = {
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "status": status,
    }
    # The stubs omit _content_type, which the generated client accepts.
    csrs: Any = client.CertificatesV1Api(api)
    await csrs.patch_certificate_signing_request_status(
        name,
        body,
        field_manager=FIELD_MANAGER,
        force=True,
        _content_type=APPLY_PATCH,
    )


async def patch_issuer_status(
    api: client.ApiClient, issuer: IssuerKey, status: dict[str, Any]
) -> None:
    """Merge-patch the status of one of our issuers."""
    objects = _custom_objects(api)
    body = {"status": status}
    if issuer.cluster_scoped:
        await objects.patch_cluster_custom_object_status(
            ISSUER_GROUP,
            ISSUER_VERSION,
            issuer.plural,
            issuer.name,
            body,
            _content_type=MERGE_PATCH,
        )
    else:
        await objects.patch_namespaced_custom_object_status(
            ISSUER_GROUP,
            ISSUER_VERSION,
            issuer.namespace,
            issuer.plural,
            issuer.name,
            body,
            _content_type=MERGE_PATCH,
        )


async def post_event(
    api: client.ApiClient,
    involved: dict[str, Any],
    event_type: str,
    reason: str,
    message: str,
) -> None:
    """Record an event on an object; a failure is logged, never raised."""
    metadata = involved.get("metadata", {})
    namespace = metadata.get("namespace") or "default"
    now = now_rfc3339()
    body = {
        "metadata": {"generateName": f"{metadata.get('name', 'object')}."},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion"),
            "kind": involved.get("kind"),
            "name": metadata.get("name"),
            "namespace": metadata.get("namespace"),
            "uid": metadata.get("uid"),
        },
        "type": event_type,
        "reason": reason,
        "message": message[:1024],
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "source": {"component": FIELD_MANAGER},
        "reportingComponent": FIELD_MANAGER,
    }
    try:
        events: Any = client.CoreV1Api(api)
        await events.create_namespaced_event(namespace, body)
    except Exception as error:
        status = getattr(error, "status", None) or type(error).__name__
        logger.warning(
            "could not record event %s on %s/%s: %s %s",
            reason,
            namespace,
            metadata.get("name"),
            status,
            getattr(error, "reason", "") or "",
        )
