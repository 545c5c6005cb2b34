"""The kopf handlers: thin, level-based, and registered in a registry of ours.

Only event handlers are used: they keep no state on the objects (no diffbase
annotations, no finalizers, no status fields of kopf's), which cert-manager's
CertificateRequests require. Retries are scheduled by the controller itself.
"""

from __future__ import annotations

from typing import Any

import kopf

from origin_ca_operator.issuer.controller import IssuerController
from origin_ca_operator.issuer.decisions import is_ours
from origin_ca_operator.issuer.kubecsrs import is_our_signer
from origin_ca_operator.kube.resources import (
    CERT_MANAGER_GROUP,
    CERT_MANAGER_VERSION,
    CERTIFICATE_REQUEST_PLURAL,
    CLUSTER_ORIGIN_ISSUER_PLURAL,
    ISSUER_GROUP,
    ISSUER_VERSION,
    ORIGIN_ISSUER_PLURAL,
)

WATCH_SERVER_TIMEOUT = 300
WATCH_CLIENT_TIMEOUT = 330


def build_registry(controller: IssuerController) -> kopf.OperatorRegistry:
    """A registry with every handler of the operator bound to ``controller``."""
    registry = kopf.OperatorRegistry()

    @kopf.on.login(registry=registry)
    async def login(**kwargs: Any) -> Any:
        return await kopf.login_via_async_client(**kwargs)

    @kopf.on.startup(registry=registry)
    def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        settings.posting.enabled = False
        settings.watching.server_timeout = WATCH_SERVER_TIMEOUT
        settings.watching.client_timeout = WATCH_CLIENT_TIMEOUT
        settings.watching.connect_timeout = 30

    for plural in (ORIGIN_ISSUER_PLURAL, CLUSTER_ORIGIN_ISSUER_PLURAL):

        @kopf.on.event(ISSUER_GROUP, ISSUER_VERSION, plural, registry=registry)
        async def issuer_event(type: str | None, body: Any, **_: Any) -> None:
            await controller.on_issuer_event(type, body)

    @kopf.on.event(
        CERT_MANAGER_GROUP,
        CERT_MANAGER_VERSION,
        CERTIFICATE_REQUEST_PLURAL,
        registry=registry,
        when=lambda body, **_: is_ours(body),
    )
    async def certificate_request_event(type: str | None, body: Any, **_: Any) -> None:
        await controller.requests.on_event(type, body)

    @kopf.on.event(
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        registry=registry,
        when=lambda body, **_: is_our_signer(body),
    )
    async def kube_csr_event(type: str | None, body: Any, **_: Any) -> None:
        await controller.kube_csrs.on_event(type, body)

    return registry
