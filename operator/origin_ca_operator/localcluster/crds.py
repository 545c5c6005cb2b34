"""Installing CustomResourceDefinitions and telling when they are served."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from origin_ca_operator.errors import LocalClusterError
from origin_ca_operator.localcluster.apiclient import AdminClient

logger = logging.getLogger(__name__)

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def load_crds(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition document in the given YAML files."""
    manifests = []
    for path in paths:
        for document in yaml.safe_load_all(path.read_text()):
            if not isinstance(document, dict):
                continue
            if document.get("kind") != "CustomResourceDefinition":
                raise LocalClusterError(
                    f"{path} holds a {document.get('kind')!r}, not a "
                    "CustomResourceDefinition; rebuild the tools with `make tools`"
                )
            manifests.append(document)
    return manifests


def install_crds(client: AdminClient, manifests: Iterable[dict[str, Any]]) -> None:
    """Create or update each CRD with server-side apply."""
    for manifest in manifests:
        name = manifest["metadata"]["name"]
        status, body = client.apply(f"{CRD_PATH}/{name}", manifest)
        if status not in (200, 201):
            raise LocalClusterError(
                f"installing CRD {name} failed with HTTP {status}: "
                f"{body.decode(errors='replace')[:500]}"
            )
        logger.debug("Applied CRD %s", name)


def is_established(client: AdminClient, name: str) -> bool:
    """Whether the CRD ``name`` has condition Established=True."""
    status, crd = client.get_json(f"{CRD_PATH}/{name}")
    if status != 200:
        return False
    conditions = crd.get("status", {}).get("conditions") or []
    return any(
        condition.get("type") == "Established" and condition.get("status") == "True"
        for condition in conditions
    )
