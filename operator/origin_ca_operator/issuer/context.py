"""Everything the handlers share while the operator runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from kubernetes_asyncio import client as kube_client

from origin_ca_operator.cloudflare.client import OriginCAClient, new_http_client
from origin_ca_operator.cloudflare.credentials import Credential
from origin_ca_operator.cloudflare.ratelimit import RateLimiters
from origin_ca_operator.issuer.metrics import Metrics
from origin_ca_operator.issuer.settings import OperatorSettings

logger = logging.getLogger(__name__)


@dataclass
class OperatorContext:
    """Shared clients, settings and metrics; one per running operator."""

    settings: OperatorSettings
    api: kube_client.ApiClient
    metrics: Metrics = field(default_factory=Metrics)
    http: httpx.AsyncClient = field(default_factory=new_http_client)
    rate_limiters: RateLimiters = field(default_factory=RateLimiters)
    _clients: dict[str, OriginCAClient] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def origin_ca(self, credential: Credential) -> OriginCAClient:
        """The API client for a credential; one per credential, sharing the pool."""
        key = f"{credential.kind.name}:{credential.fingerprint}"
        found = self._clients.get(key)
        if found is None or found.credential != credential:
            found = OriginCAClient(
                credential,
                base_url=self.settings.api_base_url,
                http=self.http,
                rate_limiters=self.rate_limiters,
                observer=self.metrics,
            )
            self._clients[key] = found
        return found

    def later(
        self, delay: float, work: Callable[[], Awaitable[None]], what: str
    ) -> asyncio.Task[None]:
        """Run ``work`` (about ``what``) after ``delay`` seconds; cancellable."""

        async def run() -> None:
            await asyncio.sleep(delay)
            try:
                await work()
            except Exception:
                logger.exception("%s: scheduled work failed", what)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def keep_clients_for(self, credentials: set[Credential]) -> None:
        """Drop API clients (and their rate-limit buckets) no issuer uses now."""
        wanted = {f"{c.kind.name}:{c.fingerprint}" for c in credentials}
        for key in set(self._clients) - wanted:
            dropped = self._clients.pop(key)
            self.rate_limiters.forget(dropped.credential.fingerprint)

    async def close(self) -> None:
        """Cancel scheduled work and close the connections."""
        for task in list(self._tasks):
            task.cancel()
        await self.http.aclose()
        await self.api.close()
