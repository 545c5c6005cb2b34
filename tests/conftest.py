"""Fixtures shared by every test folder: a real Kubernetes API and a namespace.

``cluster`` (session) starts the local control plane of
:mod:`origin_ca_operator.localcluster` once per run: etcd, kube-apiserver and
kube-controller-manager, with cert-manager's CertificateRequest and Certificate
CRDs installed. Set ``ORIGIN_CA_TEST_KUBECONFIG`` to a kubeconfig file to run
against that existing cluster instead (a kind cluster with cert-manager, say).

``api_client`` gives each test a ``kubernetes_asyncio`` client logged in as the
cluster admin, and ``namespace`` a fresh namespace ``t-<random>`` deleted after
the test. Any test that uses ``cluster``, directly or through another fixture,
is marked ``cluster`` automatically, so ``pytest -m "not cluster"`` skips them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from origin_ca_operator.kube.apiclient import new_api_client
from origin_ca_operator.localcluster import LocalCluster, LocalClusterError

KUBECONFIG_VARIABLE = "ORIGIN_CA_TEST_KUBECONFIG"
TEST_ANNOTATION = "origin-ca-operator.test/node-id"


@dataclass(frozen=True)
class ClusterAccess:
    """How tests reach the cluster.

    ``local`` is the :class:`LocalCluster` when the tests started one, and None
    when ``ORIGIN_CA_TEST_KUBECONFIG`` named an existing cluster.
    """

    kubeconfig: Path
    local: LocalCluster | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the cluster with ``cluster``."""
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterAccess]:
    """A real Kubernetes API for the whole run; see the module docstring.

    ``ORIGIN_CA_TEST_KUBECONFIG=/path/to/kubeconfig`` uses that cluster, which
    must already have cert-manager's CRDs, instead of starting one. Otherwise
    the control plane runs from a temporary folder whose ``logs/`` pytest keeps.
    """
    existing = os.environ.get(KUBECONFIG_VARIABLE)
    if existing:
        yield ClusterAccess(kubeconfig=Path(existing).resolve())
        return
    local = LocalCluster(tmp_path_factory.mktemp("localcluster"))
    try:
        local.start()
    except LocalClusterError as error:
        pytest.fail(f"the local control plane did not start: {error}", pytrace=False)
    try:
        yield ClusterAccess(kubeconfig=local.kubeconfig, local=local)
    finally:
        local.stop()


@pytest.fixture
async def api_client(cluster: ClusterAccess) -> AsyncIterator[client.ApiClient]:
    """A ``kubernetes_asyncio`` client with the kubeconfig's (admin) credentials."""
    async with await new_api_client(str(cluster.kubeconfig)) as api:
        yield api


@asynccontextmanager
async def fresh_namespace(
    api_client: client.ApiClient, node_id: str
) -> AsyncIterator[str]:
    """A new namespace ``t-<random>``, deleted (not awaited) on leaving."""
    name = f"t-{secrets.token_hex(4)}"
    core = client.CoreV1Api(api_client)
    metadata = client.V1ObjectMeta(name=name, annotations={TEST_ANNOTATION: node_id})
    await core.create_namespace(client.V1Namespace(metadata=metadata))
    try:
        yield name
    finally:
        try:
            await core.delete_namespace(name)
        except client.ApiException as error:
            if error.status != 404:
                raise


@pytest.fixture
async def namespace(
    api_client: client.ApiClient, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A new namespace for one test."""
    async with fresh_namespace(api_client, request.node.nodeid) as name:
        yield name


@pytest.fixture
async def second_namespace(
    api_client: client.ApiClient, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """Another new namespace, for tests that need two."""
    async with fresh_namespace(api_client, request.node.nodeid) as name:
        yield name
