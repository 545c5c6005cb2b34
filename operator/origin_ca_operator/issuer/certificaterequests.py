"""Signing cert-manager CertificateRequests, level-based and idempotent.

Every event of a request of ours leads to :meth:`RequestSigner.reconcile`, which
reads the request afresh, decides from its state alone (:mod:`decisions`), and
writes our part of its status with server-side apply. Nothing of ours is stored
on the request besides the status fields cert-manager defines; retries after
passing failures are scheduled in memory.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Mapping
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.certificates.validity import parse_go_duration
from origin_ca_operator.errors import (
    CloudflareAPIError,
    InvalidRequestError,
    RetryableAPIError,
)
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.decisions import Step, issuer_key_of, next_step
from origin_ca_operator.issuer.issuers import IssuerRegistry, IssuerState
from origin_ca_operator.issuer.signing import Issued, plan_signing, sign
from origin_ca_operator.kube.conditions import (
    FALSE,
    TRUE,
    find_condition,
    make_condition,
    now_rfc3339,
)
from origin_ca_operator.kube.resources import (
    CERT_MANAGER_GROUP,
    CERT_MANAGER_VERSION,
    CERTIFICATE_REQUEST_PLURAL,
)
from origin_ca_operator.kube.writes import apply_certificate_request_status, post_event

logger = logging.getLogger(__name__)

KIND = "CertificateRequest"


class RequestSigner:
    """Reconciles CertificateRequests that name our issuers."""

    def __init__(self, context: OperatorContext, issuers: IssuerRegistry) -> None:
        self.context = context
        self.issuers = issuers
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._first_failure: dict[str, float] = {}
        self._attempts: dict[str, int] = {}

    async def reconcile(self, namespace: str, name: str) -> None:
        """Bring one request forward; one at a time per request."""
        lock = self._locks.setdefault((namespace, name), asyncio.Lock())
        async with lock:
            request = await self._read(namespace, name)
            if request is None:
                self._locks.pop((namespace, name), None)
                return
            await self._handle(request)

    async def _read(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = await client.CustomObjectsApi(
                self.context.api
            ).get_namespaced_custom_object(
                CERT_MANAGER_GROUP,
                CERT_MANAGER_VERSION,
                namespace,
                CERTIFICATE_REQUEST_PLURAL,
                name,
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return result

    async def _handle(self, request: dict[str, Any]) -> None:
        what = _name(request)
        step = next_step(request)
        logger.debug("%s: %s", what, step.value)
        if step is Step.MARK_DENIED:
            await self._finish(
                request, "Denied", "The request was denied by an approver"
            )
            return
        if step is not Step.SIGN:
            return
        issuer = await self._ready_issuer(request)
        if issuer is None:
            return
        spec = request.get("spec") or {}
        try:
            duration = spec.get("duration")
            plan = plan_signing(
                spec.get("request") or "",
                parse_go_duration(duration) if duration else None,
                is_ca=bool(spec.get("isCA")),
            )
        except InvalidRequestError as error:
            await self._finish(request, "Failed", f"Invalid request: {error}")
            return
        if str(request["metadata"]["uid"]) not in self._attempts:
            await post_event(
                self.context.api,
                request,
                "Normal",
                "ValiditySelected",
                plan.validity.description,
            )
        try:
            issued = await sign(self.context, issuer, plan, what)
        except RetryableAPIError as error:
            await self._retry_later(request, error)
            return
        except CloudflareAPIError as error:
            await self._finish(request, "Failed", error.describe())
            return
        await self._publish(request, issued)

    async def _ready_issuer(self, request: Mapping[str, Any]) -> IssuerState | None:
        """The issuer if it can sign; else mark the request Pending and wait."""
        key = issuer_key_of(request)
        state = self.issuers.states.get(key)
        namespace, name = _namespace_name(request)
        if state is not None and state.ready:
            return state
        self.issuers.wait_for(key, namespace, name)
        if state is None:
            message = f"Waiting for {key}: not found, or not checked yet"
        else:
            message = f"Waiting for {key} to become ready: {state.message}"
        await self._pending(request, message)
        return None

    async def _retry_later(
        self, request: Mapping[str, Any], error: CloudflareAPIError
    ) -> None:
        # Limitation: the retry window starts at the first failure this process
        # saw, so a restart starts it afresh; it is kept in memory because the
        # request's status may hold no bookkeeping; a Lease or annotation-free
        # store (e.g. a ConfigMap) would carry it across restarts.
        uid = str(request["metadata"]["uid"])
        now = time.monotonic()
        first = self._first_failure.setdefault(uid, now)
        window = self.context.settings.retry_window.total_seconds()
        if now - first >= window:
            message = f"Gave up after retrying for {window:.0f}s: {error.describe()}"
            await self._finish(request, "Failed", message)
            return
        attempt = self._attempts.get(uid, 0) + 1
        self._attempts[uid] = attempt
        settings = self.context.settings
        ceiling = min(
            settings.retry_max_delay, settings.retry_initial_delay * 2 ** (attempt - 1)
        )
        delay = min(
            ceiling / 2 + random.uniform(0, ceiling / 2), window - (now - first)
        )
        logger.warning(
            "%s: %s; retry %d in %.1fs",
            _name(request),
            error.describe(),
            attempt,
            delay,
        )
        self.context.metrics.request_retries.labels(KIND).inc()
        await self._pending(
            request, f"Retrying in {delay:.0f}s after: {error.describe()}"
        )
        namespace, name = _namespace_name(request)
        self.context.later(max(delay, 0.1), lambda: self.reconcile(namespace, name))

    async def _pending(self, request: Mapping[str, Any], message: str) -> None:
        ready = _ready_condition(request)
        if (
            ready
            and ready.get("reason") == "Pending"
            and ready.get("message") == message
        ):
            return
        condition = make_condition("Ready", FALSE, "Pending", message, previous=ready)
        await self._apply(request, {"conditions": [condition]})

    async def _finish(
        self, request: Mapping[str, Any], reason: str, message: str
    ) -> None:
        """Terminal failure or denial: Ready=False with failureTime, never again."""
        condition = make_condition(
            "Ready", FALSE, reason, message, previous=_ready_condition(request)
        )
        await self._apply(
            request, {"conditions": [condition], "failureTime": now_rfc3339()}
        )
        self._forget(request)
        self.context.metrics.requests_failed.labels(KIND, reason).inc()
        if reason == "Denied":
            logger.info("%s: denied; not signing", _name(request))
        else:
            logger.error("%s: %s: %s", _name(request), reason, message)
        await post_event(self.context.api, dict(request), "Warning", reason, message)

    async def _publish(self, request: Mapping[str, Any], issued: Issued) -> None:
        certificate = issued.certificate
        message = (
            f"Certificate {certificate.id} issued for "
            f"{', '.join(certificate.hostnames)}; {issued.validity.description}; "
            f"expires {certificate.expires_on:%Y-%m-%dT%H:%M:%SZ}"
        )
        condition = make_condition(
            "Ready", TRUE, "Issued", message, previous=_ready_condition(request)
        )
        status = {
            "conditions": [condition],
            "certificate": _b64(certificate.certificate.encode()),
            "ca": _b64(issued.root_pem),
        }
        await self._apply(request, status)
        self._forget(request)
        self.context.metrics.requests_signed.labels(KIND).inc()
        await post_event(self.context.api, dict(request), "Normal", "Issued", message)

    async def _apply(self, request: Mapping[str, Any], status: dict[str, Any]) -> None:
        namespace, name = _namespace_name(request)
        await apply_certificate_request_status(
            self.context.api, namespace, name, status
        )

    def _forget(self, request: Mapping[str, Any]) -> None:
        uid = str(request["metadata"]["uid"])
        self._first_failure.pop(uid, None)
        self._attempts.pop(uid, None)


def _ready_condition(request: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return find_condition((request.get("status") or {}).get("conditions"), "Ready")


def _namespace_name(request: Mapping[str, Any]) -> tuple[str, str]:
    metadata = request["metadata"]
    return str(metadata["namespace"]), str(metadata["name"])


def _name(request: Mapping[str, Any]) -> str:
    namespace, name = _namespace_name(request)
    return f"{KIND} {namespace}/{name}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
