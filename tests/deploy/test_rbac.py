"""RBAC of the shipped manifests, asked of the real API server's authorizer.

Each case is a SubjectAccessReview for a service account: what the operator's
account may do (every call the operator makes) and may not (anything else
near it), and what cert-manager's account may approve.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from .support import (
    GROUP,
    Manifest,
    allowed,
    apply,
    delete,
    dynamic_client,
    eventually,
    only,
    render_chart,
    write_values,
)

CERT_MANAGER = ("cert-manager", "cert-manager")
ANY_NAMESPACE = "some-team"

# (verb, group, resource, subresource, name), asked in ANY_NAMESPACE for
# namespaced resources.
OPERATOR_MAY = [
    ("get", "cert-manager.io", "certificaterequests", "", ""),
    ("list", "cert-manager.io", "certificaterequests", "", ""),
    ("watch", "cert-manager.io", "certificaterequests", "", ""),
    ("patch", "cert-manager.io", "certificaterequests", "status", ""),
    ("get", GROUP, "originissuers", "", ""),
    ("list", GROUP, "originissuers", "", ""),
    ("watch", GROUP, "originissuers", "", ""),
    ("patch", GROUP, "originissuers", "status", ""),
    ("get", GROUP, "clusteroriginissuers", "", ""),
    ("list", GROUP, "clusteroriginissuers", "", ""),
    ("watch", GROUP, "clusteroriginissuers", "", ""),
    ("patch", GROUP, "clusteroriginissuers", "status", ""),
    ("get", "", "secrets", "", ""),
    ("list", "", "secrets", "", ""),
    ("watch", "", "secrets", "", ""),
    ("create", "", "events", "", ""),
    ("get", "certificates.k8s.io", "certificatesigningrequests", "", ""),
    ("list", "certificates.k8s.io", "certificatesigningrequests", "", ""),
    ("watch", "certificates.k8s.io", "certificatesigningrequests", "", ""),
    ("patch", "certificates.k8s.io", "certificatesigningrequests", "status", ""),
    # The API server asks this when a signer writes status.certificate.
    ("sign", "certificates.k8s.io", "signers", "", f"clusteroriginissuers.{GROUP}/*"),
    ("list", "apiextensions.k8s.io", "customresourcedefinitions", "", ""),
    ("watch", "apiextensions.k8s.io", "customresourcedefinitions", "", ""),
]

OPERATOR_MAY_NOT = [
    ("create", "", "secrets", "", ""),
    ("update", "", "secrets", "", ""),
    ("patch", "", "secrets", "", ""),
    ("delete", "", "secrets", "", ""),
    ("get", "", "configmaps", "", ""),
    ("list", "", "pods", "", ""),
    ("create", "cert-manager.io", "certificaterequests", "", ""),
    ("update", "cert-manager.io", "certificaterequests", "", ""),
    ("patch", "cert-manager.io", "certificaterequests", "", ""),
    ("delete", "cert-manager.io", "certificaterequests", "", ""),
    ("get", "cert-manager.io", "certificates", "", ""),
    ("create", GROUP, "originissuers", "", ""),
    ("patch", GROUP, "originissuers", "", ""),
    ("delete", GROUP, "clusteroriginissuers", "", ""),
    ("create", "certificates.k8s.io", "certificatesigningrequests", "", ""),
    ("update", "certificates.k8s.io", "certificatesigningrequests", "approval", ""),
    # A signer must never approve, and signs for our signer names only.
    (
        "approve",
        "certificates.k8s.io",
        "signers",
        "",
        f"clusteroriginissuers.{GROUP}/*",
    ),
    ("approve", "cert-manager.io", "signers", "", f"originissuers.{GROUP}/*"),
    ("sign", "certificates.k8s.io", "signers", "", f"originissuers.{GROUP}/*"),
    (
        "sign",
        "certificates.k8s.io",
        "signers",
        "",
        "kubernetes.io/kube-apiserver-client",
    ),
    ("create", "apiextensions.k8s.io", "customresourcedefinitions", "", ""),
    ("delete", "", "events", "", ""),
]


def operator_account(manifests: list[Manifest]) -> tuple[str, str]:
    account = only(manifests, "ServiceAccount")["metadata"]
    return account["namespace"], account["name"]


def cluster_scoped(resource: str) -> bool:
    return resource in (
        "clusteroriginissuers",
        "certificatesigningrequests",
        "signers",
        "customresourcedefinitions",
    )


async def ask(
    api: client.ApiClient, account: tuple[str, str], case: tuple[str, ...]
) -> bool:
    verb, group, resource, subresource, name = case
    return await allowed(
        api,
        account,
        verb,
        group,
        resource,
        subresource=subresource,
        name=name,
        namespace="" if cluster_scoped(resource) else ANY_NAMESPACE,
    )


@pytest.fixture
async def bound(
    deployed: list[Manifest], api_client: client.ApiClient
) -> tuple[str, str]:
    """The operator's account, once the authorizer has seen its binding."""
    account = operator_account(deployed)

    async def sees_binding() -> bool:
        return await ask(api_client, account, OPERATOR_MAY[0])

    await eventually(sees_binding, "the operator's ClusterRoleBinding in effect")
    return account


@pytest.mark.parametrize("case", OPERATOR_MAY, ids=" ".join)
async def test_operator_may_make_each_call_it_makes(
    api_client: client.ApiClient, bound: tuple[str, str], case: tuple[str, ...]
) -> None:
    assert await ask(api_client, bound, case)


@pytest.mark.parametrize("case", OPERATOR_MAY_NOT, ids=" ".join)
async def test_operator_may_not_do_more(
    api_client: client.ApiClient, bound: tuple[str, str], case: tuple[str, ...]
) -> None:
    assert not await ask(api_client, bound, case)


async def test_operator_may_not_list_namespaces_without_watch_namespaces(
    api_client: client.ApiClient, bound: tuple[str, str]
) -> None:
    assert not await allowed(api_client, bound, "list", "", "namespaces")


@pytest.mark.parametrize("kind", ["originissuers", "clusteroriginissuers"])
async def test_cert_manager_may_approve_requests_for_our_issuers(
    api_client: client.ApiClient, deployed: list[Manifest], kind: str
) -> None:
    # cert-manager's webhook asks for the wildcard name (and, failing that,
    # for the issuer's own name); RBAC matches resourceNames literally.
    async def may_approve() -> bool:
        return await allowed(
            api_client,
            CERT_MANAGER,
            "approve",
            "cert-manager.io",
            "signers",
            name=f"{kind}.{GROUP}/*",
        )

    await eventually(may_approve, f"cert-manager approving {kind}")


@pytest.mark.parametrize(
    ("verb", "group", "name"),
    [
        ("approve", "cert-manager.io", "issuers.cert-manager.io/*"),
        ("approve", "cert-manager.io", "originissuers.example.com/*"),
        ("sign", "certificates.k8s.io", f"clusteroriginissuers.{GROUP}/*"),
    ],
)
async def test_cert_manager_gains_nothing_else(
    api_client: client.ApiClient,
    deployed: list[Manifest],
    verb: str,
    group: str,
    name: str,
) -> None:
    assert not await allowed(
        api_client, CERT_MANAGER, verb, group, "signers", name=name
    )


async def test_chart_with_watch_namespaces_reads_secrets_only_there(
    helm_binary: Path,
    api_client: client.ApiClient,
    namespace: str,
    second_namespace: str,
    tmp_path: Path,
) -> None:
    release = f"scoped-{secrets.token_hex(3)}"
    values = write_values(
        tmp_path / "values.yaml",
        {
            "watchNamespaces": [namespace],
            "clusterResourceNamespace": second_namespace,
            "certManager": {"serviceAccount": {"name": "approver", "namespace": "cm"}},
        },
    )
    manifests = render_chart(helm_binary, release, second_namespace, values)
    account = operator_account(manifests)

    async with dynamic_client(api_client, tmp_path / "discovery.json") as dynamic:
        await apply(dynamic, manifests)
        try:
            await _check_scoped_access(api_client, account, namespace, second_namespace)
        finally:
            await delete(dynamic, manifests)


async def _check_scoped_access(
    api: client.ApiClient, account: tuple[str, str], served: str, credentials: str
) -> None:
    async def reads(namespace: str) -> bool:
        return await allowed(api, account, "get", "", "secrets", namespace=namespace)

    await eventually(lambda: reads(served), "Secrets readable in the served namespace")
    await eventually(
        lambda: reads(credentials), "Secrets readable in the cluster resource namespace"
    )
    assert not await reads(ANY_NAMESPACE)
    assert not await reads("kube-system")
    assert await allowed(api, account, "list", "", "namespaces")
    assert await allowed(api, account, "watch", "", "namespaces")

    async def approver_may_approve() -> bool:
        return await allowed(
            api,
            ("cm", "approver"),
            "approve",
            "cert-manager.io",
            "signers",
            name=f"originissuers.{GROUP}/*",
        )

    await eventually(approver_may_approve, "the configured approver bound")
