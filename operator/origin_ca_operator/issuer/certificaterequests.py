"""Signing cert-manager CertificateRequests, level-based and idempotent.

Every event of a request of ours that may need work leads to
:meth:`RequestSigner.reconcile`, which reads the request afresh, decides from
its state alone (:mod:`decisions`) and writes our part of its status with
server-side apply. Nothing of ours is stored on the request besides the status
fields cert-manager defines; retries are scheduled in memory (:mod:`retries`).
"""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Mapping
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.certificates.validity import parse_go_duration
from origin_ca_operator.errors import (
    CloudflareAPIError,
    InvalidRequestError,
    RateLimitedError,
    RetryableAPIError,
)
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.decisions import Step, issuer_key_of_request, next_step
from origin_ca_operator.issuer.issuers import IssuerRegistry, IssuerState
from origin_ca_operator.issuer.locks import KeyedLocks
from origin_ca_operator.issuer.retries import Key, RetrySchedule
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
WORK_STEPS = frozenset({Step.SIGN, Step.MARK_DENIED})


class RequestSigner:
    """Reconciles CertificateRequests that name our issuers."""

    def __init__(self, context: OperatorContext, issuers: IssuerRegistry) -> None:
        self.context = context
        self.issuers = issuers
        self.retries = RetrySchedule(context)
        self.locks: KeyedLocks[Key] = KeyedLocks()
        # Signed but not yet recorded: a failed status write must not sign again.
        self._issued: dict[Key, tuple[str, Issued]] = {}

    async def on_event(self, event_type: str | None, body: Mapping[str, Any]) -> None:
        """A watch event: forget deleted requests, skip those with nothing to do."""
        key = _key(body)
        if event_type == "DELETED":
            self.forget(key)
        elif next_step(body) in WORK_STEPS:
            await self.reconcile(*key)

    async def reconcile(self, namespace: str, name: str) -> None:
        """Bring one request forward; one at a time per request."""
        key = (namespace, name)
        async with self.locks.hold(key):
            try:
                request = await self._read(namespace, name)
                if request is None:
                    self.forget(key)
                    return
                await self._handle(request)
            except Exception as error:
                self._unexpected(key, error)

    def forget(self, key: Key) -> None:
        """Drop everything kept in memory for a request."""
        self.retries.forget(key)
        self._issued.pop(key, None)
        self.issuers.stop_waiting(*key)

    def _unexpected(self, key: Key, error: Exception) -> None:
        """Kubernetes or other failures: log with the object, try again later."""
        what = f"{KIND} {key[0]}/{key[1]}"
        logger.error("%s: %s: %s; will retry", what, type(error).__name__, error)
        uid = self.retries.known_uid(key) or "unknown"
        self.retries.schedule(key, uid, functools.partial(self.reconcile, *key))

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
        key, uid = _key(request), _uid(request)
        step = next_step(request)
        logger.debug("%s: %s", _name(request), step.value)
        if step is Step.MARK_DENIED:
            await self._finish(
                request, "Denied", "The request was denied by an approver"
            )
        elif step is Step.SIGN and not self.retries.waiting(key, uid):
            remembered = self._issued.get(key)
            if remembered is not None and remembered[0] == uid:
                await self._publish(request, remembered[1])
            else:
                await self._sign(request)

    async def _sign(self, request: dict[str, Any]) -> None:
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
        key = _key(request)
        if self.retries.state(key, _uid(request)).attempts == 0:
            await post_event(
                self.context.api,
                request,
                "Normal",
                "ValiditySelected",
                plan.validity.description,
            )
        try:
            issued = await sign(self.context, issuer, plan, _name(request))
        except RetryableAPIError as error:
            await self._retry_later(request, error)
            return
        except CloudflareAPIError as error:
            await self._finish(request, "Failed", error.describe())
            return
        self._issued[key] = (_uid(request), issued)
        await self._publish(request, issued)

    async def _ready_issuer(self, request: Mapping[str, Any]) -> IssuerState | None:
        """The issuer if it can sign; else mark the request Pending and wait."""
        issuer = issuer_key_of_request(request)
        state = self.issuers.states.get(issuer)
        if state is not None and state.ready:
            return state
        self.issuers.wait_for(issuer, *_key(request))
        if state is None:
            message = f"Waiting for {issuer}: not found, or not checked yet"
        else:
            message = f"Waiting for {issuer} to become ready: {state.message}"
        await self._pending(request, message)
        return None

    async def _retry_later(
        self, request: Mapping[str, Any], error: CloudflareAPIError
    ) -> None:
        # Limitation: the retry window starts at the first failure this process
        # saw, so a restart starts it afresh; it is kept in memory because the
        # request's status may hold no bookkeeping; a store of our own (such as
        # a ConfigMap) would carry it across restarts.
        key, uid = _key(request), _uid(request)
        window = self.context.settings.retry_window.total_seconds()
        elapsed = self.retries.elapsed(key, uid)
        if elapsed >= window:
            message = f"Gave up after retrying for {window:.0f}s: {error.describe()}"
            await self._finish(request, "Failed", message)
            return
        wait = error.retry_after if isinstance(error, RateLimitedError) else None
        delay = self.retries.schedule(
            key,
            uid,
            functools.partial(self.reconcile, *key),
            at_least=wait or 0.0,
            at_most=window - elapsed,
        )
        logger.warning(
            "%s: %s; retry in %.1fs", _name(request), error.describe(), delay
        )
        self.context.metrics.request_retries.labels(KIND).inc()
        summary = error.describe(with_ray=False)
        await self._pending(request, f"Retrying after a passing failure: {summary}")

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
        self.forget(_key(request))
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
        self.forget(_key(request))
        self.context.metrics.requests_signed.labels(KIND).inc()
        await post_event(self.context.api, dict(request), "Normal", "Issued", message)

    async def _apply(self, request: Mapping[str, Any], status: dict[str, Any]) -> None:
        namespace, name = _key(request)
        await apply_certificate_request_status(
            self.context.api, namespace, name, status
        )


def _ready_condition(request: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return find_condition((request.get("status") or {}).get("conditions"), "Ready")


def _key(request: Mapping[str, Any]) -> Key:
    metadata = request["metadata"]
    return str(metadata["namespace"]), str(metadata["name"])


def _uid(request: Mapping[str, Any]) -> str:
    return str(request["metadata"].get("uid", ""))


def _name(request: Mapping[str, Any]) -> str:
    namespace, name = _key(request)
    return f"{KIND} {namespace}/{name}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
