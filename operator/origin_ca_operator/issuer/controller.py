"""Keeps issuer states current and wakes the requests that wait for them."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.issuer.certificaterequests import RequestSigner
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.issuers import (
    IssuerRegistry,
    check_issuer,
    issuer_key_of,
    publish_issuer_state,
)
from origin_ca_operator.issuer.kubecsrs import KubeCSRSigner
from origin_ca_operator.issuer.locks import KeyedLocks
from origin_ca_operator.issuer.secretwatch import SecretWatcher
from origin_ca_operator.kube.resources import ISSUER_GROUP, ISSUER_VERSION, IssuerKey

logger = logging.getLogger(__name__)

VERIFY_RETRY_SECONDS = 30.0


class IssuerController:
    """Reacts to issuer events, Secret changes and the periodic re-check."""

    def __init__(
        self, context: OperatorContext, watch_api: client.ApiClient | None = None
    ) -> None:
        self.context = context
        self.issuers = IssuerRegistry()
        self.requests = RequestSigner(context, self.issuers)
        self.kube_csrs = KubeCSRSigner(context, self.issuers)
        self.secrets = SecretWatcher(watch_api or context.api, self.on_secret_change)
        self._locks: KeyedLocks[IssuerKey] = KeyedLocks()
        self._timers: dict[IssuerKey, asyncio.Task[None]] = {}

    async def on_issuer_event(
        self, event_type: str | None, body: Mapping[str, Any], *, reverify: bool = False
    ) -> None:
        """Check an issuer after any change to it, and publish the result."""
        key = issuer_key_of(body)
        async with self._locks.hold(key):
            try:
                if event_type == "DELETED":
                    self._forget(key)
                else:
                    await self._check(key, body, reverify=reverify)
            except Exception as error:
                logger.error(
                    "%s: %s: %s; checking again in %.0fs",
                    key,
                    type(error).__name__,
                    error,
                    VERIFY_RETRY_SECONDS,
                )
                self._recheck_later(key)
            self.secrets.want(self.issuers.secrets())
            self.context.keep_clients_for(self.issuers.credentials())
            self._count_ready()

    async def _check(
        self, key: IssuerKey, body: Mapping[str, Any], *, reverify: bool
    ) -> None:
        previous = self.issuers.states.get(key)
        state = await check_issuer(self.context, body, None if reverify else previous)
        # Stored before publishing, so that a failed status write loses nothing.
        self.issuers.states[key] = state
        if state.retry_soon:
            self._recheck_later(key)
        if state.ready:
            self._wake_waiting(key)
        await publish_issuer_state(self.context, body, state, previous)

    def _forget(self, key: IssuerKey) -> None:
        self.issuers.states.pop(key, None)
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        logger.info("%s deleted", key)

    def _recheck_later(self, key: IssuerKey) -> None:
        """One pending re-check per issuer, however many events ask for it."""
        if key in self._timers:
            return

        async def fire() -> None:
            self._timers.pop(key, None)
            await self.recheck(key, reverify=True)

        self._timers[key] = self.context.later(VERIFY_RETRY_SECONDS, fire, str(key))

    async def recheck(self, key: IssuerKey, *, reverify: bool = False) -> None:
        """Read the issuer afresh and check it again."""
        body = await self._read_issuer(key)
        if body is None:
            await self.on_issuer_event("DELETED", _stub(key))
        else:
            await self.on_issuer_event("MODIFIED", body, reverify=reverify)

    async def on_secret_change(self, namespace: str, name: str) -> None:
        """A referenced Secret changed: check every issuer that uses it."""
        for key in self.issuers.using_secret(namespace, name):
            await self.recheck(key)

    async def recheck_periodically(self) -> None:
        """Verify every issuer's credential again at the configured interval."""
        interval = self.context.settings.issuer_recheck_interval.total_seconds()
        while True:
            await asyncio.sleep(interval)
            for key in list(self.issuers.states):
                try:
                    await self.recheck(key, reverify=True)
                except Exception:
                    logger.exception("periodic check of %s failed", key)

    def _wake_waiting(self, key: IssuerKey) -> None:
        for namespace, name in self.issuers.take_waiting(key):
            self.context.later(
                0, functools.partial(self._wake, namespace, name), f"{namespace}/{name}"
            )

    async def _wake(self, namespace: str, name: str) -> None:
        """Requests have a namespace; Kubernetes CSRs, cluster-scoped, do not."""
        if namespace:
            await self.requests.reconcile(namespace, name)
        else:
            await self.kube_csrs.reconcile(name)

    def _count_ready(self) -> None:
        ready = sum(1 for s in self.issuers.states.values() if s.ready)
        gauge = self.context.metrics.issuers_ready
        gauge.labels("true").set(ready)
        gauge.labels("false").set(len(self.issuers.states) - ready)

    async def _read_issuer(self, key: IssuerKey) -> dict[str, Any] | None:
        objects = client.CustomObjectsApi(self.context.api)
        try:
            if key.cluster_scoped:
                found = await objects.get_cluster_custom_object(
                    ISSUER_GROUP, ISSUER_VERSION, key.plural, key.name
                )
            else:
                found = await objects.get_namespaced_custom_object(
                    ISSUER_GROUP, ISSUER_VERSION, key.namespace, key.plural, key.name
                )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        result: dict[str, Any] = found
        return result


def _stub(key: IssuerKey) -> dict[str, Any]:
    metadata = {"name": key.name}
    if not key.cluster_scoped:
        metadata["namespace"] = key.namespace
    return {"kind": key.kind, "metadata": metadata}
