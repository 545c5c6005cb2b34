"""The operator as a real process, on the real control plane, with the emulator.

Session-wide: our CRDs installed, one Origin CA emulator, a namespace for the
ClusterOriginIssuers' Secrets, and one ``origin-ca-operator run`` process that
tests may restart. Each test works in namespaces of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from origin_ca_operator.demo import OperatorProcess, install_issuer_crds
from origin_ca_operator.emulator import EmulatorConfig, EmulatorThread, RunningEmulator
from origin_ca_operator.kube.apiclient import new_api_client

from .support import NARROW_TOKEN, SERVICE_KEY, TOKEN, ZONES

CLUSTER_RESOURCE_NAMESPACE = "origin-ca-system"
RETRY_WINDOW_SECONDS = 8


async def _install(kubeconfig: Path) -> None:
    async with await new_api_client(str(kubeconfig)) as api:
        await install_issuer_crds(api, (CLUSTER_RESOURCE_NAMESPACE,))


@pytest.fixture(scope="session")
def issuer_crds(cluster: Any) -> Any:
    """Our CRDs installed in the cluster, and the cluster resource namespace."""
    asyncio.run(_install(cluster.kubeconfig))
    return cluster


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One Origin CA emulator for the session."""
    state = tmp_path_factory.mktemp("emulator")
    emulator_config = EmulatorConfig(
        zones=ZONES,
        tokens={TOKEN: None, NARROW_TOKEN: ["example.org"]},
        service_key=SERVICE_KEY,
        state_dir=state,
    )
    with EmulatorThread(emulator_config) as running:
        yield running


@pytest.fixture(scope="session")
def operator(
    issuer_crds: Any,
    emulator: RunningEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[OperatorProcess]:
    """The operator, running for the whole session."""
    process = OperatorProcess(
        kubeconfig=issuer_crds.kubeconfig,
        api_base_url=emulator.base_url,
        root_certificates=emulator.state_dir / "roots",
        cluster_resource_namespace=CLUSTER_RESOURCE_NAMESPACE,
        log_path=tmp_path_factory.mktemp("operator") / "operator.log",
        extra_arguments=("--retry-window", str(RETRY_WINDOW_SECONDS), "--verbose"),
    )
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def _operator_log_on_failure(
    request: pytest.FixtureRequest,
) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "operator" in request.fixturenames:
        process: OperatorProcess = request.getfixturevalue("operator")
        print(f"--- operator log ---\n{process.log_tail()}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
async def emulator_admin(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP access to the emulator's /_emulator/ endpoints."""
    base = emulator.base_url.replace("/client/v4", "/_emulator")
    async with httpx.AsyncClient(base_url=base) as http:
        yield http
        await http.delete("/faults")


async def creates_issued(admin: httpx.AsyncClient) -> int:
    """How many certificates the emulator has issued so far."""
    stats = (await admin.get("/stats")).json()
    issued: int = stats["certificates"]["issued"]
    return issued


async def creates_attempted(admin: httpx.AsyncClient) -> int:
    """How many create calls reached the emulator, failed ones included."""
    stats = (await admin.get("/stats")).json()
    return sum(
        int(row["count"])
        for row in stats["requests"]
        if row["method"] == "POST" and row["path"].endswith("/certificates")
    )
