"""Fixtures for the shipping tests: the helm binary, and deploy/ applied.

``helm_binary`` is the helm built with the local control plane (``make tools``);
tests that need it are skipped, saying so, when it is not built. ``deployed``
applies every object of ``deploy/kustomization.yaml`` to the test cluster once
per run and deletes them afterwards (all but the Namespace and the CRDs, which
other test folders use too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client, config

from origin_ca_operator.localcluster import ToolsNotBuiltError, find_tools

from .support import Manifest, apply, delete, dynamic_client, kustomization_manifests


@pytest.fixture(scope="session")
def helm_binary() -> Path:
    """The helm binary of the local tools."""
    try:
        binary = find_tools().binary("helm")
    except ToolsNotBuiltError as error:
        pytest.skip(f"helm is not available: {error}")
    return binary


async def _with_dynamic(
    kubeconfig: Path, cache: Path, work: Callable[[Any], Awaitable[None]]
) -> None:
    configuration = client.Configuration()
    await config.load_kube_config(
        config_file=str(kubeconfig), client_configuration=configuration
    )
    async with (
        client.ApiClient(configuration) as api,
        dynamic_client(api, cache) as dynamic,
    ):
        await work(dynamic)


@pytest.fixture(scope="session")
def deployed(
    cluster: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Manifest]]:
    """deploy/ applied to the cluster; yields its objects."""
    manifests = kustomization_manifests()
    cache = tmp_path_factory.mktemp("discovery") / "cache.json"

    async def install(dynamic: Any) -> None:
        await apply(dynamic, manifests)

    async def remove(dynamic: Any) -> None:
        await delete(dynamic, manifests)

    asyncio.run(_with_dynamic(cluster.kubeconfig, cache, install))
    try:
        yield manifests
    finally:
        asyncio.run(_with_dynamic(cluster.kubeconfig, cache, remove))
