"""Benchmark: time from approval to Ready, and the operator's idle memory.

Starts the local control plane, the Origin CA emulator and the operator (as in
``make demo``), makes one OriginIssuer Ready, then approves requests one at a
time and measures how long each takes to become Ready. Then it leaves the
operator idle and reads its resident memory from /proc.

    .venv/bin/python benchmarks/issuer_latency.py [--requests N] [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client

from origin_ca_operator.certificates.keys import (
    KeyAlgorithm,
    build_csr,
    generate_private_key,
)
from origin_ca_operator.demo import OperatorProcess, install_issuer_crds
from origin_ca_operator.demo.scenario import _approve
from origin_ca_operator.emulator import EmulatorConfig, EmulatorThread
from origin_ca_operator.kube.apiclient import new_api_client
from origin_ca_operator.kube.conditions import find_condition
from origin_ca_operator.localcluster import LocalCluster

TOKEN = "benchmark-token-0123456789"
NAMESPACE = "demo"
GROUP = "cert-manager.k8s.cloudflare.com"


def resident_kib(pid: int) -> tuple[int, int]:
    """Current and peak resident set size of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def wait_ready(objects: Any, group: str, plural: str, name: str) -> None:
    while True:
        found = await objects.get_namespaced_custom_object(
            group, "v1", NAMESPACE, plural, name
        )
        ready = find_condition((found.get("status") or {}).get("conditions"), "Ready")
        if ready and ready.get("status") == "True":
            return
        await asyncio.sleep(0.02)


async def measure(
    kubeconfig: Path, operator: OperatorProcess, count: int
) -> list[float]:
    async with await new_api_client(str(kubeconfig)) as api:
        await install_issuer_crds(api, (NAMESPACE, "origin-ca-system"))
        operator.start()
        core = client.CoreV1Api(api)
        secret = client.V1Secret(
            metadata=client.V1ObjectMeta(name="cf"), string_data={"token": TOKEN}
        )
        await core.create_namespaced_secret(NAMESPACE, secret)
        objects = client.CustomObjectsApi(api)
        issuer = {
            "apiVersion": f"{GROUP}/v1",
            "kind": "OriginIssuer",
            "metadata": {"name": "origin"},
            "spec": {"auth": {"tokenRef": {"name": "cf", "key": "token"}}},
        }
        await objects.create_namespaced_custom_object(
            GROUP, "v1", NAMESPACE, "originissuers", issuer
        )
        await wait_ready(objects, GROUP, "originissuers", "origin")
        key = generate_private_key(KeyAlgorithm.ECDSA, 256)
        import base64

        from cryptography.hazmat.primitives.serialization import Encoding

        request = base64.b64encode(
            build_csr(key, ["www.example.com"]).public_bytes(Encoding.PEM)
        ).decode()
        timings = []
        for index in range(count):
            name = f"bench-{index}"
            body = {
                "apiVersion": "cert-manager.io/v1",
                "kind": "CertificateRequest",
                "metadata": {"name": name},
                "spec": {
                    "request": request,
                    "issuerRef": {
                        "group": GROUP,
                        "kind": "OriginIssuer",
                        "name": "origin",
                    },
                },
            }
            await objects.create_namespaced_custom_object(
                "cert-manager.io", "v1", NAMESPACE, "certificaterequests", body
            )
            started = time.perf_counter()
            await _approve(objects, name)
            await wait_ready(objects, "cert-manager.io", "certificaterequests", name)
            timings.append(time.perf_counter() - started)
        return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        emulator_config = EmulatorConfig(
            zones=["example.com"], tokens={TOKEN: None}, state_dir=root / "emulator"
        )
        with (
            LocalCluster(root / "cluster") as cluster,
            EmulatorThread(emulator_config) as emulator,
        ):
            operator = OperatorProcess(
                kubeconfig=cluster.kubeconfig,
                api_base_url=emulator.base_url,
                root_certificates=emulator.state_dir / "roots",
                cluster_resource_namespace="origin-ca-system",
                log_path=root / "operator.log",
            )
            try:
                timings = asyncio.run(
                    measure(cluster.kubeconfig, operator, args.requests)
                )
                time.sleep(args.idle)
                assert operator.pid is not None
                rss, peak = resident_kib(operator.pid)
            finally:
                operator.stop()
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"requests: {len(timings)}, one at a time")
    print(
        f"approval to Ready: p50 {statistics.median(timings) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
    )
    print(
        f"operator resident memory after {args.idle:.0f}s idle: {rss / 1024:.1f} MiB "
        f"(peak {peak / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
