"""Installing our CRDs and the cluster resource namespace into a cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from kubernetes_asyncio import client

CRD_DIRECTORY = Path(__file__).resolve().parents[3] / "deploy" / "crds"


async def install_issuer_crds(
    api: client.ApiClient, namespaces: tuple[str, ...] = ()
) -> None:
    """Create our CRDs (if absent), wait until served, create namespaces."""
    extensions = client.ApiextensionsV1Api(api)
    for path in sorted(CRD_DIRECTORY.glob("*.yaml")):
        manifest = yaml.safe_load(path.read_text())
        try:
            await extensions.create_custom_resource_definition(manifest)
        except client.ApiException as error:
            if error.status != 409:
                raise
        await _wait_established(extensions, manifest["metadata"]["name"])
    core = client.CoreV1Api(api)
    for namespace in namespaces:
        try:
            body = client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace))
            await core.create_namespace(body)
        except client.ApiException as error:
            if error.status != 409:
                raise


async def _wait_established(extensions: Any, name: str) -> None:
    for _ in range(150):
        crd = await extensions.read_custom_resource_definition(name)
        conditions = crd.status.conditions or []
        if any(c.type == "Established" and c.status == "True" for c in conditions):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"CRD {name} was not established within 30 s")
