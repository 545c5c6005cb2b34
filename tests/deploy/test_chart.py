"""The Helm chart: it lints, renders, keeps its CRDs and RBAC in step with deploy/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .support import (
    CHART,
    DEPLOY,
    GROUP,
    container_of,
    helm,
    helm_fails,
    kustomization_manifests,
    only,
    render_chart,
    write_values,
)

EVERY_OPTION: dict[str, Any] = {
    "image": {
        "repository": "registry.example.com/origin-ca-operator",
        "tag": "9.9.9",
        "pullPolicy": "Always",
    },
    "replicaCount": 0,
    "resources": {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"memory": "512Mi"},
    },
    "clusterResourceNamespace": "cloudflare-credentials",
    "retryWindow": 900,
    "logFormat": "plain",
    "watchNamespaces": ["team-a", "team-b"],
    "apiBaseUrl": "http://emulator.test:8787/client/v4",
    "certManager": {
        "serviceAccount": {"name": "approver", "namespace": "policy"},
        "approverRole": {"enabled": True},
    },
    "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}},
    "podSecurityContext": {"runAsUser": 1000, "fsGroup": 1000},
    "securityContext": {"privileged": False},
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "ops", "operator": "Exists", "effect": "NoSchedule"}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/arch",
                                "operator": "In",
                                "values": ["amd64"],
                            }
                        ]
                    }
                ]
            }
        }
    },
    "extraArgs": ["--verbose"],
}


@pytest.fixture
def every_option(tmp_path: Path) -> Path:
    return write_values(tmp_path / "values.yaml", EVERY_OPTION)


def test_chart_lints_with_default_values(helm_binary: Path) -> None:
    output = helm(helm_binary, "lint", "--strict", str(CHART))

    assert "0 chart(s) failed" in output


def test_chart_lints_with_every_option(helm_binary: Path, every_option: Path) -> None:
    output = helm(
        helm_binary, "lint", "--strict", str(CHART), "--values", str(every_option)
    )

    assert "0 chart(s) failed" in output


def test_chart_crds_are_byte_identical_to_deploy_crds() -> None:
    chart_crds = {p.name: p.read_bytes() for p in (CHART / "crds").glob("*.yaml")}
    deploy_crds = {p.name: p.read_bytes() for p in (DEPLOY / "crds").glob("*.yaml")}

    assert sorted(chart_crds) == sorted(deploy_crds)
    for name, content in deploy_crds.items():
        assert chart_crds[name] == content, f"charts/.../crds/{name} differs"


def test_chart_renders_the_crds_only_when_asked(helm_binary: Path) -> None:
    without = render_chart(helm_binary, "oco", "ops")
    with_crds = render_chart(helm_binary, "oco", "ops", include_crds=True)

    crds = sorted(
        m["metadata"]["name"]
        for m in with_crds
        if m["kind"] == "CustomResourceDefinition"
    )
    assert crds == [f"clusteroriginissuers.{GROUP}", f"originissuers.{GROUP}"]
    assert not [m for m in without if m["kind"] == "CustomResourceDefinition"]


def test_default_rbac_is_the_plain_manifests_rbac(helm_binary: Path) -> None:
    chart = render_chart(helm_binary, "oco", "ops")
    plain = kustomization_manifests()

    operator_role = only(chart, "ClusterRole", "oco-origin-ca-operator")
    assert (
        operator_role["rules"]
        == only(plain, "ClusterRole", "origin-ca-operator")["rules"]
    )
    approver = only(chart, "ClusterRole", "oco-origin-ca-operator-cert-manager-approve")
    plain_approver = only(
        plain,
        "ClusterRole",
        "cert-manager-controller-approve:cert-manager-k8s-cloudflare-com",
    )
    assert approver["rules"] == plain_approver["rules"]
    binding = only(
        chart, "ClusterRoleBinding", "oco-origin-ca-operator-cert-manager-approve"
    )
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "cert-manager", "namespace": "cert-manager"}
    ]


def test_default_deployment_is_the_plain_manifests_deployment(
    helm_binary: Path,
) -> None:
    chart = only(render_chart(helm_binary, "oco", "ops"), "Deployment")
    plain = only(kustomization_manifests(), "Deployment")

    for field in ("replicas", "strategy"):
        assert chart["spec"][field] == plain["spec"][field], field
    chart_pod, plain_pod = (
        chart["spec"]["template"]["spec"],
        plain["spec"]["template"]["spec"],
    )
    assert chart_pod["securityContext"] == plain_pod["securityContext"]
    assert chart_pod["volumes"] == plain_pod["volumes"]
    chart_container, plain_container = container_of(chart), container_of(plain)
    for field in (
        "image",
        "env",
        "ports",
        "startupProbe",
        "livenessProbe",
        "resources",
        "securityContext",
        "volumeMounts",
    ):
        assert chart_container[field] == plain_container[field], field
    arguments = chart_container["args"]
    assert arguments[:3] == ["run", "--log-format", "json"]
    assert _flag(arguments, "--cluster-resource-namespace") == "ops"
    assert _flag(arguments, "--api-base-url") == "https://api.cloudflare.com/client/v4"
    assert "--namespace" not in arguments
    assert "--retry-window" not in arguments


def test_every_option_reaches_the_objects(
    helm_binary: Path, every_option: Path
) -> None:
    chart = render_chart(helm_binary, "oco", "ops", every_option)

    deployment = only(chart, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(deployment)
    assert deployment["spec"]["replicas"] == 0
    assert container["image"] == "registry.example.com/origin-ca-operator:9.9.9"
    assert container["imagePullPolicy"] == "Always"
    assert container["resources"] == EVERY_OPTION["resources"]
    # Helm merges these maps with the defaults: settings are added or changed.
    assert container["securityContext"]["privileged"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsUser"] == 1000
    assert pod["securityContext"]["fsGroup"] == 1000
    for field in ("nodeSelector", "tolerations", "affinity"):
        assert pod[field] == EVERY_OPTION[field], field
    arguments = container["args"]
    assert _flag(arguments, "--log-format") == "plain"
    assert _flag(arguments, "--cluster-resource-namespace") == "cloudflare-credentials"
    assert _flag(arguments, "--retry-window") == "900"
    assert _flag(arguments, "--api-base-url") == "http://emulator.test:8787/client/v4"
    assert _all_flags(arguments, "--namespace") == ["team-a", "team-b"]
    assert arguments[-1] == "--verbose"

    monitor = only(chart, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prom"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    service = only(chart, "Service")
    assert service["spec"]["ports"][0]["name"] == "metrics"
    for key, value in monitor["spec"]["selector"]["matchLabels"].items():
        assert service["metadata"]["labels"][key] == value
    approver = only(
        chart, "ClusterRoleBinding", "oco-origin-ca-operator-cert-manager-approve"
    )
    assert approver["subjects"] == [
        {"kind": "ServiceAccount", "name": "approver", "namespace": "policy"}
    ]


def test_watch_namespaces_move_secret_access_into_roles(
    helm_binary: Path, every_option: Path
) -> None:
    chart = render_chart(helm_binary, "oco", "ops", every_option)

    rules = only(chart, "ClusterRole", "oco-origin-ca-operator")["rules"]
    assert not [r for r in rules if "secrets" in r["resources"]]
    assert {
        "apiGroups": [""],
        "resources": ["namespaces"],
        "verbs": ["list", "watch"],
    } in rules
    roles = [m for m in chart if m["kind"] == "Role"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == [
        "cloudflare-credentials",
        "team-a",
        "team-b",
    ]
    for role in roles:
        assert role["rules"] == [
            {
                "apiGroups": [""],
                "resources": ["secrets"],
                "verbs": ["get", "list", "watch"],
            }
        ]
    bindings = [m for m in chart if m["kind"] == "RoleBinding"]
    assert len(bindings) == len(roles)
    for binding in bindings:
        assert binding["subjects"] == [
            {
                "kind": "ServiceAccount",
                "name": "oco-origin-ca-operator",
                "namespace": "ops",
            }
        ]


def test_service_monitor_and_namespace_rule_are_off_by_default(
    helm_binary: Path,
) -> None:
    chart = render_chart(helm_binary, "oco", "ops")

    assert not [m for m in chart if m["kind"] in ("ServiceMonitor", "Role")]
    rules = only(chart, "ClusterRole", "oco-origin-ca-operator")["rules"]
    assert not [r for r in rules if "namespaces" in r["resources"]]


def test_approver_role_can_be_left_out(helm_binary: Path, tmp_path: Path) -> None:
    values = write_values(
        tmp_path / "values.yaml", {"certManager": {"approverRole": {"enabled": False}}}
    )

    chart = render_chart(helm_binary, "oco", "ops", values)

    names = [m["metadata"]["name"] for m in chart]
    assert "oco-origin-ca-operator-cert-manager-approve" not in names
    assert "oco-origin-ca-operator" in names


def test_release_named_like_the_chart_keeps_the_plain_names(helm_binary: Path) -> None:
    chart = render_chart(helm_binary, "origin-ca-operator", "origin-ca-system")

    assert only(chart, "Deployment")["metadata"]["name"] == "origin-ca-operator"
    assert only(chart, "ServiceAccount")["metadata"]["name"] == "origin-ca-operator"


def test_two_replicas_are_refused_with_the_reason(helm_binary: Path) -> None:
    output = helm_fails(
        helm_binary, "template", "oco", str(CHART), "--set", "replicaCount=2"
    )

    assert "leader election" in output


@pytest.mark.parametrize(
    "setting",
    ["logFormat=xml", "apiBaseUrl=api.cloudflare.com", "image.pullPolicy=Sometimes"],
)
def test_values_schema_refuses_bad_settings(helm_binary: Path, setting: str) -> None:
    output = helm_fails(helm_binary, "template", "oco", str(CHART), "--set", setting)

    assert setting.split("=")[0].split(".")[-1] in output


def _flag(arguments: list[str], flag: str) -> str:
    values = _all_flags(arguments, flag)
    assert len(values) == 1, f"{flag} given {len(values)} times in {arguments}"
    return values[0]


def _all_flags(arguments: list[str], flag: str) -> list[str]:
    return [arguments[i + 1] for i, a in enumerate(arguments[:-1]) if a == flag]
