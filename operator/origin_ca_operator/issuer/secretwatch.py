"""Watching only the Secrets that issuers reference, never all Secrets.

One watch per referenced Secret, narrowed by a field selector on its name, so
that the API server sends nothing about any other Secret.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from kubernetes_asyncio import client, watch
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.kube.resources import SecretRef

logger = logging.getLogger(__name__)

OnChange = Callable[[str, str], Awaitable[None]]

WATCH_SECONDS = 300
RECONNECT_DELAY = 5.0


class SecretWatcher:
    """Keeps one watch running for each Secret in the wanted set."""

    def __init__(self, api: client.ApiClient, on_change: OnChange) -> None:
        self.api = api
        self.on_change = on_change
        self._watches: dict[SecretRef, asyncio.Task[None]] = {}

    def want(self, secrets: set[SecretRef]) -> None:
        """Watch exactly these Secrets: start new watches, stop unneeded ones."""
        for ref in set(self._watches) - secrets:
            self._watches.pop(ref).cancel()
        for ref in secrets - set(self._watches):
            self._watches[ref] = asyncio.get_running_loop().create_task(
                self._watch(ref)
            )

    def stop(self) -> None:
        """Cancel every watch."""
        self.want(set())

    async def _watch(self, ref: SecretRef) -> None:
        namespace, name = ref
        version: str | None = None
        while True:
            try:
                version = await self._stream(namespace, name, version)
            except asyncio.CancelledError:
                raise
            except ApiException as error:
                if error.status == 410:
                    version = None
                    continue
                logger.warning(
                    "watch of Secret %s/%s failed: HTTP %s; reconnecting",
                    namespace,
                    name,
                    error.status,
                )
                await asyncio.sleep(RECONNECT_DELAY)
            except Exception as error:
                logger.warning(
                    "watch of Secret %s/%s failed: %s; reconnecting",
                    namespace,
                    name,
                    type(error).__name__,
                )
                await asyncio.sleep(RECONNECT_DELAY)

    async def _stream(
        self, namespace: str, name: str, version: str | None
    ) -> str | None:
        core = client.CoreV1Api(self.api)
        stream = watch.Watch()
        kwargs: dict[str, object] = {
            "field_selector": f"metadata.name={name}",
            "timeout_seconds": WATCH_SECONDS,
        }
        if version:
            kwargs["resource_version"] = version
        async with stream:
            async for event in stream.stream(
                core.list_namespaced_secret, namespace, **kwargs
            ):
                obj = event["object"]
                metadata = getattr(obj, "metadata", None)
                new_version = getattr(metadata, "resource_version", None)
                if event["type"] == "ERROR":
                    return None
                version = new_version
                # Issuer checks are keyed by the Secret's resourceVersion, so a
                # repeated notice (as on reconnect) costs one read, no API call.
                logger.debug("Secret %s/%s: %s", namespace, name, event["type"])
                await self.on_change(namespace, name)
        return version
