"""Signing Kubernetes CertificateSigningRequests for our signer names.

A CSR whose ``spec.signerName`` is ``clusteroriginissuers.<group>/<name>`` is
signed by that ClusterOriginIssuer once a Kubernetes approver approves it. The
certificate goes to ``status.certificate``; a permanent error sets ``Failed``.
"""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.errors import (
    CloudflareAPIError,
    InvalidRequestError,
    RetryableAPIError,
)
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.issuers import IssuerRegistry
from origin_ca_operator.issuer.locks import KeyedLocks
from origin_ca_operator.issuer.retries import RetrySchedule
from origin_ca_operator.issuer.signing import plan_signing, sign
from origin_ca_operator.kube.conditions import TRUE, is_condition_true, now_rfc3339
from origin_ca_operator.kube.resources import (
    CLUSTER_ORIGIN_ISSUER_KIND,
    KUBE_CSR_SIGNER_PREFIX,
    IssuerKey,
)
from origin_ca_operator.kube.writes import apply_kube_csr_status, post_event

logger = logging.getLogger(__name__)

KIND = "CertificateSigningRequest"


def is_our_signer(csr: Mapping[str, Any]) -> bool:
    """True when the CSR names one of our ClusterOriginIssuers as signer."""
    signer = str((csr.get("spec") or {}).get("signerName") or "")
    return signer.startswith(KUBE_CSR_SIGNER_PREFIX) and len(signer) > len(
        KUBE_CSR_SIGNER_PREFIX
    )


def needs_signing(csr: Mapping[str, Any]) -> bool:
    """Approved, neither denied nor failed, and without a certificate yet."""
    status = csr.get("status") or {}
    conditions = status.get("conditions") or []
    if status.get("certificate"):
        return False
    if is_condition_true(conditions, "Denied") or is_condition_true(
        conditions, "Failed"
    ):
        return False
    return is_condition_true(conditions, "Approved")


class KubeCSRSigner:
    """Reconciles Kubernetes CSRs addressed to our signer names."""

    def __init__(self, context: OperatorContext, issuers: IssuerRegistry) -> None:
        self.context = context
        self.issuers = issuers
        self.retries = RetrySchedule(context)
        self.locks: KeyedLocks[str] = KeyedLocks()

    async def on_event(self, event_type: str | None, body: Mapping[str, Any]) -> None:
        """A watch event: forget deleted CSRs, skip those with nothing to do."""
        name = str(body["metadata"]["name"])
        if event_type == "DELETED":
            self.forget(name)
        elif needs_signing(body):
            await self.reconcile(name)

    def forget(self, name: str) -> None:
        """Drop everything kept in memory for a CSR."""
        self.retries.forget(("", name))
        self.issuers.stop_waiting("", name)

    async def reconcile(self, name: str) -> None:
        """Sign one CSR if it is due; one at a time per CSR."""
        async with self.locks.hold(name):
            try:
                body = await self._read(name)
                if body is None:
                    self.forget(name)
                elif (
                    is_our_signer(body)
                    and needs_signing(body)
                    and not self.retries.waiting(("", name), _uid(body))
                ):
                    await self._sign(body)
            except Exception as error:
                logger.error(
                    "%s %s: %s: %s; will retry", KIND, name, type(error).__name__, error
                )
                uid = self.retries.known_uid(("", name)) or "unknown"
                self.retries.schedule(
                    ("", name), uid, functools.partial(self.reconcile, name)
                )

    async def _read(self, name: str) -> dict[str, Any] | None:
        try:
            csr = await client.CertificatesV1Api(
                self.context.api
            ).read_certificate_signing_request(name)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        body: dict[str, Any] = self.context.api.sanitize_for_serialization(csr)
        return body

    async def _sign(self, csr: dict[str, Any]) -> None:
        name = csr["metadata"]["name"]
        signer = csr["spec"]["signerName"]
        key = IssuerKey(CLUSTER_ORIGIN_ISSUER_KIND, "", signer.split("/", 1)[1])
        state = self.issuers.states.get(key)
        if state is None or not state.ready:
            self.issuers.wait_for(key, "", name)
            why = "not found" if state is None else state.message
            logger.warning("%s %s: waiting for %s: %s", KIND, name, key, why)
            return
        seconds = (csr.get("spec") or {}).get("expirationSeconds")
        try:
            plan = plan_signing(
                str(csr["spec"]["request"]),
                timedelta(seconds=int(seconds)) if seconds else None,
            )
        except InvalidRequestError as error:
            await self._fail(csr, f"Invalid request: {error}")
            return
        try:
            issued = await sign(self.context, state, plan, f"{KIND} {name}")
        except RetryableAPIError as error:
            # Limitation: no retry window for Kubernetes CSRs: passing errors are
            # retried with backoff (at most retry_max_delay apart) until they
            # clear, since a CSR has no Pending condition to show progress in.
            delay = self.retries.schedule(
                ("", name), _uid(csr), functools.partial(self.reconcile, name)
            )
            logger.warning(
                "%s %s: %s; retry in %.1fs", KIND, name, error.describe(), delay
            )
            self.context.metrics.request_retries.labels(KIND).inc()
            return
        except CloudflareAPIError as error:
            await self._fail(csr, error.describe())
            return
        self.retries.forget(("", name))
        pem = issued.certificate.certificate.encode()
        await apply_kube_csr_status(
            self.context.api,
            name,
            {"certificate": base64.b64encode(pem).decode("ascii")},
        )
        self.context.metrics.requests_signed.labels(KIND).inc()
        message = f"Certificate {issued.certificate.id} issued; "
        message += issued.validity.description
        await post_event(self.context.api, csr, "Normal", "Issued", message)

    async def _fail(self, csr: dict[str, Any], message: str) -> None:
        now = now_rfc3339()
        condition = {
            "type": "Failed",
            "status": TRUE,
            "reason": "OriginCAFailed",
            "message": message,
            "lastUpdateTime": now,
            "lastTransitionTime": now,
        }
        name = csr["metadata"]["name"]
        await apply_kube_csr_status(self.context.api, name, {"conditions": [condition]})
        self.forget(name)
        self.context.metrics.requests_failed.labels(KIND, "Failed").inc()
        logger.error("%s %s: failed: %s", KIND, name, message)
        await post_event(self.context.api, csr, "Warning", "Failed", message)


def _uid(csr: Mapping[str, Any]) -> str:
    return str(csr["metadata"].get("uid", ""))
