"""The API server applies the CRD schema: pruned status, status as a subresource."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kubernetes_asyncio import client

pytestmark = pytest.mark.cluster

GROUP = "cert-manager.io"
VERSION = "v1"
PLURAL = "certificaterequests"
MERGE_PATCH = "application/merge-patch+json"


def certificate_request(name: str) -> dict[str, Any]:
    """A CertificateRequest the schema accepts; its CSR is never parsed here."""
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "CertificateRequest",
        "metadata": {"name": name},
        "spec": {
            "request": base64.b64encode(b"not parsed by the API server").decode(),
            "issuerRef": {
                "name": "example",
                "kind": "OriginIssuer",
                "group": "cert-manager.k8s.cloudflare.com",
            },
        },
    }


def pending_status(**extra: Any) -> dict[str, Any]:
    condition = {
        "type": "Ready",
        "status": "False",
        "reason": "Pending",
        "message": "waiting for approval",
        "lastTransitionTime": "2026-12-03T00:00:00Z",
    }
    return {"status": {"conditions": [condition], **extra}}


async def test_unknown_status_field_is_pruned(
    api_client: client.ApiClient, namespace: str
) -> None:
    custom = client.CustomObjectsApi(api_client)
    await custom.create_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, certificate_request("pruned")
    )

    await custom.patch_namespaced_custom_object_status(
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        "pruned",
        pending_status(operatorBookkeeping={"attempts": 3}),
        _content_type=MERGE_PATCH,
    )

    stored = await custom.get_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "pruned"
    )
    assert "operatorBookkeeping" not in stored["status"]
    assert stored["status"]["conditions"][0]["reason"] == "Pending"


async def test_write_to_main_resource_leaves_status_unchanged(
    api_client: client.ApiClient, namespace: str
) -> None:
    custom = client.CustomObjectsApi(api_client)
    await custom.create_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, certificate_request("split")
    )
    await custom.patch_namespaced_custom_object_status(
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        "split",
        pending_status(),
        _content_type=MERGE_PATCH,
    )

    stored = await custom.get_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "split"
    )
    stored["metadata"].setdefault("labels", {})["edited"] = "yes"
    stored["status"]["conditions"][0]["reason"] = "Issued"
    await custom.replace_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "split", stored
    )

    after = await custom.get_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "split"
    )
    assert after["metadata"]["labels"]["edited"] == "yes"
    assert after["status"]["conditions"][0]["reason"] == "Pending"


async def test_write_to_status_leaves_labels_unchanged(
    api_client: client.ApiClient, namespace: str
) -> None:
    custom = client.CustomObjectsApi(api_client)
    await custom.create_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, certificate_request("labels")
    )

    patch = {"metadata": {"labels": {"written-through": "status"}}, **pending_status()}
    await custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, namespace, PLURAL, "labels", patch, _content_type=MERGE_PATCH
    )

    after = await custom.get_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "labels"
    )
    assert "written-through" not in (after["metadata"].get("labels") or {})
    assert after["status"]["conditions"][0]["reason"] == "Pending"
