"""The plain manifests, the examples and the chart's objects, read and applied.

The API server of the local control plane validates them for real: built-in
schemas, our CRDs' schemas and CEL rules, cert-manager's Certificate CRD, and
Pod Security admission. No kubelet runs, so no pod ever starts; what is proved
is that the objects are accepted as written.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_asyncio import client

from .support import (
    DEPLOY,
    EXAMPLES,
    GROUP,
    Manifest,
    apply,
    container_of,
    delete,
    dynamic_client,
    kustomization_manifests,
    load_manifests,
    only,
    read,
    render_chart,
    write_values,
)


def examples() -> list[Manifest]:
    manifests: list[Manifest] = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        manifests += load_manifests(path.read_text())
    return manifests


def test_kustomization_lists_every_manifest() -> None:
    on_disk = {
        str(path.relative_to(DEPLOY))
        for path in DEPLOY.rglob("*.yaml")
        if EXAMPLES not in path.parents and path.name != "kustomization.yaml"
    }
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]

    assert sorted(listed) == sorted(on_disk)


def test_deployment_runs_one_replica_replaced_by_recreate() -> None:
    deployment = only(kustomization_manifests(), "Deployment")

    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    container = container_of(deployment)
    assert container["image"] == "ghcr.io/origin-ca-operator/origin-ca-operator:0.1.0"
    assert container["args"] == ["run", "--log-format", "json"]
    assert container["env"] == [
        {
            "name": "POD_NAMESPACE",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
        }
    ]
    assert container["livenessProbe"]["httpGet"] == {
        "path": "/healthz",
        "port": "healthz",
    }
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"healthz": 8080, "metrics": 9090}
    assert container["resources"] == {
        "requests": {"cpu": "50m", "memory": "96Mi"},
        "limits": {"memory": "256Mi"},
    }
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}


def test_metrics_service_selects_the_operator_pod() -> None:
    manifests = kustomization_manifests()
    service = only(manifests, "Service")
    pod_labels = only(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]

    assert service["spec"]["ports"] == [
        {"name": "metrics", "port": 9090, "targetPort": "metrics"}
    ]
    for key, value in service["spec"]["selector"].items():
        assert pod_labels[key] == value


def test_examples_are_written_as_go_issuer_users_write_them() -> None:
    manifests = examples()
    secret = only(manifests, "Secret")
    issuer = only(manifests, "OriginIssuer")
    cluster_issuer = only(manifests, "ClusterOriginIssuer")
    certificate = only(manifests, "Certificate")
    ingress = only(manifests, "Ingress")

    for each in (issuer, cluster_issuer):
        assert each["apiVersion"] == f"{GROUP}/v1"
        reference = each["spec"]["auth"]["tokenRef"]
        assert reference["name"] == secret["metadata"]["name"]
        assert reference["key"] in secret["stringData"]
    assert issuer["metadata"]["namespace"] == secret["metadata"]["namespace"]
    assert certificate["spec"]["issuerRef"] == {
        "group": GROUP,
        "kind": "OriginIssuer",
        "name": issuer["metadata"]["name"],
    }
    assert ingress["metadata"]["annotations"] == {
        "cert-manager.io/issuer": issuer["metadata"]["name"],
        "cert-manager.io/issuer-kind": "OriginIssuer",
        "cert-manager.io/issuer-group": GROUP,
    }


@pytest.fixture
async def dynamic(api_client: client.ApiClient, tmp_path: Path) -> AsyncIterator[Any]:
    async with dynamic_client(api_client, tmp_path / "discovery.json") as found:
        yield found


async def test_plain_manifests_are_accepted_by_the_api_server(
    deployed: list[Manifest], dynamic: Any
) -> None:
    for manifest in deployed:
        stored = await read(dynamic, manifest)
        assert stored["metadata"]["uid"]
        assert stored["metadata"]["name"] == manifest["metadata"]["name"]
    deployment = only(deployed, "Deployment")
    stored = await client.AppsV1Api(dynamic.client).read_namespaced_deployment(
        deployment["metadata"]["name"], deployment["metadata"]["namespace"]
    )
    assert stored.spec.strategy.type == "Recreate"
    assert stored.spec.template.spec.containers[0].args == [
        "run",
        "--log-format",
        "json",
    ]


async def test_examples_are_accepted_by_the_api_server(
    deployed: list[Manifest], dynamic: Any, namespace: str
) -> None:
    manifests = examples()
    for manifest in manifests:
        if manifest["kind"] == "ClusterOriginIssuer":
            manifest["metadata"]["name"] += f"-{namespace}"
        else:
            manifest["metadata"]["namespace"] = namespace

    try:
        await apply(dynamic, manifests)
        stored = await read(dynamic, only(manifests, "Certificate"))
    finally:
        await delete(dynamic, manifests)

    assert stored["spec"]["issuerRef"]["kind"] == "OriginIssuer"


async def test_issuer_with_both_credentials_is_refused_by_the_crd(
    deployed: list[Manifest], dynamic: Any, namespace: str
) -> None:
    issuer = copy.deepcopy(only(examples(), "OriginIssuer"))
    issuer["metadata"]["namespace"] = namespace
    issuer["spec"]["auth"]["serviceKeyRef"] = {"name": "key", "key": "key"}

    with pytest.raises(client.ApiException) as refused:
        await apply(dynamic, [issuer])

    assert refused.value.status == 422
    assert "set exactly one of auth.tokenRef and auth.serviceKeyRef" in str(
        refused.value.body
    )


@asynccontextmanager
async def applied_chart(
    dynamic: Any, manifests: list[Manifest]
) -> AsyncIterator[list[Manifest]]:
    """The chart's objects applied (all but the ServiceMonitor, whose CRD is
    absent), and deleted afterwards."""
    served = [m for m in manifests if m["kind"] != "ServiceMonitor"]
    try:
        await apply(dynamic, served)
        yield served
    finally:
        await delete(dynamic, served)


@pytest.mark.parametrize("options", ["default values", "every option"])
async def test_chart_objects_are_accepted_by_the_api_server(
    helm_binary: Path,
    dynamic: Any,
    namespace: str,
    tmp_path: Path,
    options: str,
) -> None:
    release = f"chart-{secrets.token_hex(3)}"
    values = None
    if options == "every option":
        values = write_values(
            tmp_path / "values.yaml",
            {
                "watchNamespaces": [namespace],
                "clusterResourceNamespace": namespace,
                "retryWindow": 900,
                "extraArgs": ["--verbose"],
                "metrics": {"serviceMonitor": {"enabled": True}},
                "nodeSelector": {"kubernetes.io/os": "linux"},
            },
        )
    manifests = render_chart(helm_binary, release, namespace, values, include_crds=True)

    async with applied_chart(dynamic, manifests) as served:
        deployment = only(served, "Deployment")
        stored = await client.AppsV1Api(dynamic.client).read_namespaced_deployment(
            deployment["metadata"]["name"], namespace
        )
        arguments = stored.spec.template.spec.containers[0].args
        assert arguments == container_of(deployment)["args"]
        roles = await client.RbacAuthorizationV1Api(
            dynamic.client
        ).list_namespaced_role(namespace)
        assert len(roles.items) == (1 if values else 0)


def operator_pod(deployment: Manifest, name: str) -> Manifest:
    template = copy.deepcopy(deployment["spec"]["template"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": template["metadata"]["labels"]},
        "spec": template["spec"],
    }


@pytest.mark.parametrize("source", ["deploy", "chart"])
async def test_operator_pod_meets_the_restricted_pod_security_standard(
    helm_binary: Path, api_client: client.ApiClient, namespace: str, source: str
) -> None:
    core = client.CoreV1Api(api_client)
    await core.patch_namespace(
        namespace,
        {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}},
    )
    if source == "deploy":
        deployment = only(kustomization_manifests(), "Deployment")
    else:
        deployment = only(render_chart(helm_binary, "psa", namespace), "Deployment")
    pod = operator_pod(deployment, "operator")
    account = pod["spec"]["serviceAccountName"]
    await core.create_namespaced_service_account(
        namespace, {"metadata": {"name": account}}
    )
    loose = copy.deepcopy(pod)
    loose["metadata"]["name"] = "loose"
    loose["spec"].pop("securityContext")
    loose["spec"]["containers"][0].pop("securityContext")

    with pytest.raises(client.ApiException) as refused:
        await core.create_namespaced_pod(namespace, loose)
    assert refused.value.status == 403
    assert "restricted" in str(refused.value.body)
    await core.create_namespaced_pod(namespace, pod)
    await core.delete_namespaced_pod("operator", namespace, grace_period_seconds=0)
