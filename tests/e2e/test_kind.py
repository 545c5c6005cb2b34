"""End to end on kind: our image, the chart, real cert-manager, the emulator.

Where Docker, kind, kubectl and helm are available, this builds the image from
the Dockerfile, creates a kind cluster, installs cert-manager's released static
manifest, runs the Origin CA emulator in the cluster (from the same image),
installs our chart pointed at the emulator, and then has cert-manager obtain
certificates two ways: a Certificate for an OriginIssuer, and an Ingress whose
annotations name a ClusterOriginIssuer. cert-manager's own approver approves
the requests, which proves the chart's approver role too.

Elsewhere every test here is skipped, with the missing pieces named. Set
``ORIGIN_CA_E2E_KEEP_CLUSTER=1`` to keep the cluster for a look afterwards
(``kind get kubeconfig --name <name>``).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from origin_ca_operator.localcluster.tools import read_versions

from .kind import KindCluster, missing_prerequisites, retry

pytestmark = [pytest.mark.kind, pytest.mark.timeout(3600)]

REPOSITORY = Path(__file__).resolve().parents[2]
CHART = REPOSITORY / "charts" / "origin-ca-operator"
CERT_MANAGER_VERSION = read_versions(REPOSITORY / "hack" / "versions.env").get(
    "CERT_MANAGER_VERSION", "v1.21.1"
)
CERT_MANAGER_MANIFEST = (
    "https://github.com/cert-manager/cert-manager/releases/download/"
    f"{CERT_MANAGER_VERSION}/cert-manager.yaml"
)
GROUP = "cert-manager.k8s.cloudflare.com"
IMAGE_REPOSITORY = "origin-ca-operator"
IMAGE_TAG = "e2e"
IMAGE = f"{IMAGE_REPOSITORY}:{IMAGE_TAG}"
OPERATOR_NAMESPACE = "origin-ca-system"
EMULATOR_NAMESPACE = "origin-ca-emulator"
EMULATOR_PORT = 8787
APP_NAMESPACE = "e2e-app"
TOKEN = "e2e-token-0123456789abcdef"
ROOTS_MOUNT = "/etc/origin-ca-roots"


@dataclass(frozen=True)
class Installed:
    """The running cluster and the emulator's roots (PEM, keyed rsa and ecc)."""

    cluster: KindCluster
    roots: dict[str, str]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """Everything installed on a fresh kind cluster."""
    missing = missing_prerequisites()
    if missing:
        pytest.skip(
            "the kind end-to-end test needs Docker, kind, kubectl and helm; "
            f"missing: {', '.join(missing)}"
        )
    cluster = KindCluster(
        f"origin-ca-e2e-{secrets.token_hex(3)}", tmp_path_factory.mktemp("kind")
    )
    cluster.run("docker", "build", "--tag", IMAGE, str(REPOSITORY), timeout=1200)
    try:
        cluster.create()
        cluster.load_image(IMAGE)
        install_cert_manager(cluster)
        roots = install_emulator(cluster)
        install_chart(cluster, roots, tmp_path_factory.mktemp("helm"))
        yield Installed(cluster, roots)
    finally:
        if os.environ.get("ORIGIN_CA_E2E_KEEP_CLUSTER") != "1":
            cluster.delete()


def install_cert_manager(cluster: KindCluster) -> None:
    """cert-manager's released static manifest, its three Deployments available."""
    cluster.kubectl("apply", "-f", CERT_MANAGER_MANIFEST)
    cluster.kubectl(
        "wait",
        "--for=condition=Available",
        "deployment",
        "--all",
        "--namespace",
        "cert-manager",
        "--timeout=300s",
    )


def install_emulator(cluster: KindCluster) -> dict[str, str]:
    """The emulator as a Deployment of our image, and its roots read through
    the API server's service proxy."""
    labels = {"app.kubernetes.io/name": "origin-ca-emulator"}
    cluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": EMULATOR_NAMESPACE},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "origin-ca-emulator", "namespace": EMULATOR_NAMESPACE},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "containers": [
                            {
                                "name": "emulator",
                                "image": IMAGE,
                                "imagePullPolicy": "Never",
                                "args": [
                                    "emulator",
                                    "--listen",
                                    f"0.0.0.0:{EMULATOR_PORT}",
                                    "--zone",
                                    "example.com",
                                    "--token",
                                    TOKEN,
                                    "--state-dir",
                                    "/state",
                                ],
                                "ports": [
                                    {"name": "http", "containerPort": EMULATOR_PORT}
                                ],
                                "readinessProbe": {
                                    "httpGet": {
                                        "path": "/_emulator/zones",
                                        "port": "http",
                                    }
                                },
                                "volumeMounts": [
                                    {"name": "state", "mountPath": "/state"}
                                ],
                            }
                        ],
                        "volumes": [{"name": "state", "emptyDir": {}}],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "origin-ca-emulator", "namespace": EMULATOR_NAMESPACE},
            "spec": {
                "selector": labels,
                "ports": [
                    {"name": "http", "port": EMULATOR_PORT, "targetPort": "http"}
                ],
            },
        },
    )
    cluster.wait_for(
        "condition=Available",
        "deployment/origin-ca-emulator",
        namespace=EMULATOR_NAMESPACE,
    )
    proxy = (
        f"/api/v1/namespaces/{EMULATOR_NAMESPACE}/services/"
        f"origin-ca-emulator:{EMULATOR_PORT}/proxy/_emulator/roots"
    )
    roots: dict[str, str] = retry(
        lambda: json.loads(cluster.kubectl("get", "--raw", proxy)),
        "reading the emulator's roots",
    )
    return roots


def install_chart(cluster: KindCluster, roots: dict[str, str], scratch: Path) -> None:
    """Our chart, pointed at the emulator, trusting the emulator's roots."""
    cluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": OPERATOR_NAMESPACE},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "origin-ca-roots", "namespace": OPERATOR_NAMESPACE},
            "data": {
                "origin_ca_rsa_root.pem": roots["rsa"],
                "origin_ca_ecc_root.pem": roots["ecc"],
            },
        },
    )
    values = {
        "image": {
            "repository": IMAGE_REPOSITORY,
            "tag": IMAGE_TAG,
            "pullPolicy": "Never",
        },
        "apiBaseUrl": (
            f"http://origin-ca-emulator.{EMULATOR_NAMESPACE}.svc:{EMULATOR_PORT}"
            "/client/v4"
        ),
        "retryWindow": 120,
        "extraArgs": ["--root-certificates", ROOTS_MOUNT, "--verbose"],
        "extraVolumes": [
            {"name": "origin-ca-roots", "configMap": {"name": "origin-ca-roots"}}
        ],
        "extraVolumeMounts": [
            {"name": "origin-ca-roots", "mountPath": ROOTS_MOUNT, "readOnly": True}
        ],
    }
    values_file = scratch / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    cluster.run(
        cluster.helm,
        "install",
        "origin-ca-operator",
        str(CHART),
        "--namespace",
        OPERATOR_NAMESPACE,
        "--values",
        str(values_file),
    )
    cluster.wait_for(
        "condition=Available",
        "deployment/origin-ca-operator",
        namespace=OPERATOR_NAMESPACE,
    )
    cluster.apply(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": APP_NAMESPACE}}
    )


def token_secret(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "cloudflare-api-token", "namespace": namespace},
        "stringData": {"token": TOKEN},
    }


def issuer(kind: str, name: str, request_type: str, namespace: str | None) -> Any:
    metadata = {"name": name} | ({"namespace": namespace} if namespace else {})
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": kind,
        "metadata": metadata,
        "spec": {
            "requestType": request_type,
            "auth": {"tokenRef": {"name": "cloudflare-api-token", "key": "token"}},
        },
    }


def tls_secret(cluster: KindCluster, name: str) -> dict[str, bytes]:
    """The decoded data of a TLS Secret in the app namespace."""
    secret = cluster.get("secret", name, APP_NAMESPACE)
    return {key: base64.b64decode(value) for key, value in secret["data"].items()}


def check_tls_secret(
    data: dict[str, bytes], root_pem: str, hostnames: list[str]
) -> None:
    """tls.crt is an Origin CA leaf for ``hostnames`` issued by the root in ca.crt."""
    assert data.get("tls.key"), "tls.key is empty"
    root = x509.load_pem_x509_certificate(root_pem.encode())
    assert x509.load_pem_x509_certificates(data["ca.crt"]) == [root]
    leaf = x509.load_pem_x509_certificates(data["tls.crt"])[0]
    leaf.verify_directly_issued_by(root)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sorted(names.value.get_values_for_type(x509.DNSName)) == sorted(hostnames)


def explain_failure(cluster: KindCluster) -> str:
    return cluster.diagnostics([APP_NAMESPACE, OPERATOR_NAMESPACE])


def test_certificate_for_an_origin_issuer_fills_its_secret(
    installed: Installed,
) -> None:
    cluster = installed.cluster
    cluster.apply(
        token_secret(APP_NAMESPACE),
        issuer("OriginIssuer", "prod-issuer", "OriginECC", APP_NAMESPACE),
    )
    certificate = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "example-com", "namespace": APP_NAMESPACE},
        "spec": {
            "secretName": "example-com-tls",
            "dnsNames": ["example.com", "www.example.com"],
            "duration": "2160h",
            "privateKey": {"algorithm": "ECDSA", "size": 256},
            "issuerRef": {
                "group": GROUP,
                "kind": "OriginIssuer",
                "name": "prod-issuer",
            },
        },
    }

    try:
        cluster.wait_for(
            "condition=Ready", "originissuer/prod-issuer", namespace=APP_NAMESPACE
        )
        # cert-manager's webhook may still be starting: retry until it admits.
        retry(lambda: cluster.apply(certificate), "creating the Certificate")
        cluster.wait_for(
            "condition=Ready", "certificate/example-com", namespace=APP_NAMESPACE
        )
        data = tls_secret(cluster, "example-com-tls")
    except (AssertionError, subprocess.SubprocessError):
        print(explain_failure(cluster))
        raise

    check_tls_secret(data, installed.roots["ecc"], ["example.com", "www.example.com"])


def test_ingress_annotations_naming_a_cluster_origin_issuer_get_a_certificate(
    installed: Installed,
) -> None:
    cluster = installed.cluster
    # A ClusterOriginIssuer reads its Secret from the cluster resource
    # namespace, which the chart makes the release namespace.
    cluster.apply(
        token_secret(OPERATOR_NAMESPACE),
        issuer("ClusterOriginIssuer", "prod-cluster-issuer", "OriginRSA", None),
    )
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "web",
            "namespace": APP_NAMESPACE,
            "annotations": {
                "cert-manager.io/issuer": "prod-cluster-issuer",
                "cert-manager.io/issuer-kind": "ClusterOriginIssuer",
                "cert-manager.io/issuer-group": GROUP,
            },
        },
        "spec": {
            "rules": [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": "web", "port": {"number": 80}}
                                },
                            }
                        ]
                    },
                }
            ],
            "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
        },
    }

    try:
        cluster.wait_for("condition=Ready", "clusteroriginissuer/prod-cluster-issuer")
        cluster.apply(ingress)
        # cert-manager's ingress-shim names the Certificate after the Secret.
        retry(
            lambda: cluster.get("certificate", "shop-tls", APP_NAMESPACE),
            "the Certificate made from the Ingress",
        )
        cluster.wait_for(
            "condition=Ready", "certificate/shop-tls", namespace=APP_NAMESPACE
        )
        data = tls_secret(cluster, "shop-tls")
    except (AssertionError, subprocess.SubprocessError):
        print(explain_failure(cluster))
        raise

    check_tls_secret(data, installed.roots["rsa"], ["shop.example.com"])
