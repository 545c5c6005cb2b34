"""Helpers for the shipping tests: manifests, Helm, applying, access reviews.

Manifests come from ``deploy/`` (plain YAML, the files its kustomization lists)
or from ``helm template`` of the chart. They are applied with server-side apply,
as ``kubectl apply --server-side`` would, to paths found by API discovery.
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes_asyncio import client
from kubernetes_asyncio.dynamic import DynamicClient

REPOSITORY = Path(__file__).resolve().parents[2]
DEPLOY = REPOSITORY / "deploy"
EXAMPLES = DEPLOY / "examples"
CHART = REPOSITORY / "charts" / "origin-ca-operator"
GROUP = "cert-manager.k8s.cloudflare.com"
FIELD_MANAGER = "origin-ca-operator-tests"

Manifest = dict[str, Any]
T = TypeVar("T")


def load_manifests(text: str) -> list[Manifest]:
    """The objects of a multi-document YAML text, empty documents dropped."""
    return [doc for doc in yaml.safe_load_all(text) if doc]


def kustomization_manifests() -> list[Manifest]:
    """Every object ``kubectl apply -k deploy/`` would apply, in file order."""
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    manifests: list[Manifest] = []
    for resource in kustomization["resources"]:
        manifests += load_manifests((DEPLOY / resource).read_text())
    return manifests


def only(manifests: Iterable[Manifest], kind: str, name: str | None = None) -> Manifest:
    """The one object of ``kind`` (and ``name``); fails the test otherwise."""
    found = [
        m
        for m in manifests
        if m["kind"] == kind and (name is None or m["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{len(found)} objects of kind {kind} named {name}"
    return found[0]


def _run_helm(binary: Path, arguments: tuple[str, ...]) -> Any:
    return subprocess.run(
        [str(binary), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def helm(binary: Path, *arguments: str) -> str:
    """Run helm; its output, or a test failure showing what it said."""
    completed = _run_helm(binary, arguments)
    assert completed.returncode == 0, (
        f"helm {' '.join(arguments)} failed:\n{completed.stdout}{completed.stderr}"
    )
    return str(completed.stdout)


def helm_fails(binary: Path, *arguments: str) -> str:
    """Run helm expecting it to fail; what it said."""
    completed = _run_helm(binary, arguments)
    assert completed.returncode != 0, f"helm {' '.join(arguments)} succeeded"
    return str(completed.stdout + completed.stderr)


def render_chart(
    binary: Path,
    release: str,
    namespace: str,
    values: Path | None = None,
    *,
    include_crds: bool = False,
) -> list[Manifest]:
    """The chart's objects as ``helm template`` renders them."""
    arguments = ["template", release, str(CHART), "--namespace", namespace]
    if values is not None:
        arguments += ["--values", str(values)]
    if include_crds:
        arguments.append("--include-crds")
    return load_manifests(helm(binary, *arguments))


def write_values(path: Path, values: dict[str, Any]) -> Path:
    """A values file for ``--values``."""
    path.write_text(yaml.safe_dump(values))
    return path


def container_of(deployment: Manifest) -> Manifest:
    """The one container of a Deployment."""
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: Manifest = containers[0]
    return container


@asynccontextmanager
async def dynamic_client(
    api: client.ApiClient, cache: Path
) -> AsyncIterator[DynamicClient]:
    """A dynamic client whose discovery cache lives in ``cache`` (not /tmp).

    Use it for discovery only: its requests do not raise on HTTP errors (it
    asks for unparsed responses), so :func:`apply`, :func:`read` and
    :func:`delete` make theirs through the typed client.
    """
    async with DynamicClient(api, cache_file=str(cache)) as dynamic:
        yield dynamic


async def object_path(dynamic: DynamicClient, manifest: Manifest) -> str:
    """The API path of the object a manifest describes."""
    resource = await dynamic.resources.get(
        api_version=manifest["apiVersion"], kind=manifest["kind"]
    )
    metadata = manifest["metadata"]
    namespace = metadata.get("namespace") if resource.namespaced else None
    path: str = resource.path(name=metadata["name"], namespace=namespace)
    return path


async def _request(
    dynamic: DynamicClient,
    method: str,
    path: str,
    body: Manifest | None = None,
    query: Sequence[tuple[str, str]] = (),
    content_type: str = "application/json",
) -> Manifest:
    result: Manifest = await api_of(dynamic).call_api(
        path,
        method,
        query_params=list(query),
        header_params={"Accept": "application/json", "Content-Type": content_type},
        body=body,
        response_types_map={200: "object", 201: "object", 202: "object"},
        auth_settings=["BearerToken"],
        _return_http_data_only=True,
    )
    return result


async def apply(dynamic: DynamicClient, manifests: Sequence[Manifest]) -> None:
    """Server-side apply each object, waiting for CRDs to be served."""
    for manifest in manifests:
        await _request(
            dynamic,
            "PATCH",
            await object_path(dynamic, manifest),
            manifest,
            [("fieldManager", FIELD_MANAGER), ("force", "true")],
            "application/apply-patch+yaml",
        )
        if manifest["kind"] == "CustomResourceDefinition":
            await wait_established(api_of(dynamic), manifest["metadata"]["name"])


async def read(dynamic: DynamicClient, manifest: Manifest) -> Manifest:
    """The stored object a manifest describes."""
    return await _request(dynamic, "GET", await object_path(dynamic, manifest))


async def delete(dynamic: DynamicClient, manifests: Sequence[Manifest]) -> None:
    """Delete what ``apply`` made, except Namespaces and CRDs others may share."""
    for manifest in reversed(manifests):
        if manifest["kind"] in ("Namespace", "CustomResourceDefinition"):
            continue
        try:
            await _request(dynamic, "DELETE", await object_path(dynamic, manifest))
        except client.ApiException as error:
            if error.status != 404:
                raise


def api_of(dynamic: DynamicClient) -> client.ApiClient:
    """The typed client under a dynamic one."""
    api: client.ApiClient = dynamic.client
    return api


async def wait_established(api: client.ApiClient, name: str) -> None:
    """Wait until a CRD is served."""

    async def established() -> bool:
        crd = await client.ApiextensionsV1Api(api).read_custom_resource_definition(name)
        conditions = crd.status.conditions or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    await eventually(established, f"CRD {name} established")


async def eventually(
    probe: Callable[[], Awaitable[T]], what: str, within: float = 60
) -> T:
    """Poll ``probe`` until it returns something true; fail after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {within:.0f}s (last: {result})")
        await asyncio.sleep(0.25)


def service_account_user(namespace: str, name: str) -> tuple[str, list[str]]:
    """The user name and groups the API server gives a service account's token."""
    return (
        f"system:serviceaccount:{namespace}:{name}",
        ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"],
    )


async def allowed(
    api: client.ApiClient,
    account: tuple[str, str],
    verb: str,
    group: str,
    resource: str,
    *,
    subresource: str = "",
    namespace: str = "",
    name: str = "",
) -> bool:
    """Whether a service account may do this, per a SubjectAccessReview."""
    user, groups = service_account_user(*account)
    attributes = client.V1ResourceAttributes(
        verb=verb,
        group=group,
        resource=resource,
        subresource=subresource or None,
        namespace=namespace or None,
        name=name or None,
    )
    review = client.V1SubjectAccessReview(
        spec=client.V1SubjectAccessReviewSpec(
            user=user, groups=groups, resource_attributes=attributes
        )
    )
    answer = await client.AuthorizationV1Api(api).create_subject_access_review(review)
    return bool(answer.status.allowed)


async def service_account_token(
    api: client.ApiClient, namespace: str, name: str, seconds: int = 3600
) -> str:
    """A token of the service account, from the TokenRequest API."""
    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=seconds)
    )
    answer = await client.CoreV1Api(api).create_namespaced_service_account_token(
        name, namespace, request
    )
    token: str = answer.status.token
    return token


def token_kubeconfig(admin_kubeconfig: Path, token: str, path: Path) -> Path:
    """A kubeconfig for the admin kubeconfig's cluster that presents ``token``."""
    admin = yaml.safe_load(admin_kubeconfig.read_text())
    context_name = admin["current-context"]
    context = next(c for c in admin["contexts"] if c["name"] == context_name)
    cluster_name = context["context"]["cluster"]
    cluster = next(c for c in admin["clusters"] if c["name"] == cluster_name)
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "cluster", "cluster": cluster["cluster"]}],
        "users": [{"name": "account", "user": {"token": token}}],
        "contexts": [
            {"name": "account", "context": {"cluster": "cluster", "user": "account"}}
        ],
        "current-context": "account",
    }
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(yaml.safe_dump(config))
    return path


def csr_pem(dns_names: Sequence[str]) -> bytes:
    """A PEM CSR for these DNS names, with a fresh P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]),
            critical=False,
        )
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def b64(data: bytes) -> str:
    """base64 text, as Kubernetes byte fields take it."""
    return base64.b64encode(data).decode()


def certificates_in(b64_pem: str) -> list[x509.Certificate]:
    """The certificates of a base64-of-PEM field."""
    return x509.load_pem_x509_certificates(base64.b64decode(b64_pem))
