"""An async client for Cloudflare's Origin CA API.

One :class:`OriginCAClient` per credential; many clients can share one pooled
``httpx.AsyncClient`` and one :class:`RateLimiters`. Every failure becomes an
exception of :mod:`origin_ca_operator.errors`, retried here when it is worth it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

import httpx

from origin_ca_operator import __version__
from origin_ca_operator.certificates.roots import RequestType
from origin_ca_operator.cloudflare.credentials import (
    SERVICE_KEY_REMOVAL_NOTICE,
    Credential,
)
from origin_ca_operator.cloudflare.models import (
    OriginCertificate,
    Revocation,
    TokenStatus,
    parse_api_time,
)
from origin_ca_operator.cloudflare.ratelimit import RateLimiters
from origin_ca_operator.cloudflare.retry import RetryPolicy
from origin_ca_operator.errors import (
    CloudflareAPIError,
    TransportError,
    api_error_for,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = f"origin-ca-operator/{__version__}"
LIST_PAGE_SIZE = 50


class APIObserver(Protocol):
    """Receives one call per API exchange; the operator turns them into metrics."""

    def api_call(self, endpoint: str, outcome: str, seconds: float) -> None: ...

    def api_retry(self, endpoint: str, outcome: str) -> None: ...

    def rate_limit_wait(self, seconds: float) -> None: ...


class _Silent:
    def api_call(self, endpoint: str, outcome: str, seconds: float) -> None:
        return None

    def api_retry(self, endpoint: str, outcome: str) -> None:
        return None

    def rate_limit_wait(self, seconds: float) -> None:
        return None


def new_http_client(timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """A pooled HTTP client suitable for sharing between OriginCAClients."""
    return httpx.AsyncClient(
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


class OriginCAClient:
    """Create, read, list and revoke Origin CA certificates with one credential."""

    def __init__(
        self,
        credential: Credential,
        *,
        base_url: str = DEFAULT_BASE_URL,
        http: httpx.AsyncClient | None = None,
        rate_limiters: RateLimiters | None = None,
        retry_policy: RetryPolicy | None = None,
        observer: APIObserver | None = None,
    ) -> None:
        self.credential = credential
        self.base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http if http is not None else new_http_client()
        limiters = rate_limiters if rate_limiters is not None else RateLimiters()
        self._bucket = limiters.for_credential(credential.fingerprint)
        self._retry = retry_policy if retry_policy is not None else RetryPolicy()
        self._observer: APIObserver = observer if observer is not None else _Silent()
        if credential.is_legacy:
            logger.warning(
                "credential %s: %s", credential.fingerprint, SERVICE_KEY_REMOVAL_NOTICE
            )

    async def aclose(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> OriginCAClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def create_certificate(
        self,
        csr_pem: str,
        hostnames: Sequence[str],
        request_type: RequestType,
        requested_validity_days: int,
    ) -> OriginCertificate:
        """Ask the Origin CA to sign a CSR for the hostnames."""
        body = {
            "csr": csr_pem,
            "hostnames": list(hostnames),
            "request_type": request_type.value,
            "requested_validity": requested_validity_days,
        }
        result = await self._call("POST", "/certificates", "create", json=body)
        return OriginCertificate.from_api(_as_mapping(result))

    async def get_certificate(self, certificate_id: str) -> OriginCertificate:
        """One certificate by id; revoked ones come back with ``revoked_at``."""
        path = f"/certificates/{certificate_id}"
        result = await self._call("GET", path, "get")
        return OriginCertificate.from_api(_as_mapping(result))

    async def list_certificates(
        self, zone_id: str, *, per_page: int = LIST_PAGE_SIZE
    ) -> AsyncIterator[OriginCertificate]:
        """Every certificate of a zone, page by page."""
        page = 1
        while True:
            params = {"zone_id": zone_id, "page": page, "per_page": per_page}
            result = await self._call("GET", "/certificates", "list", params=params)
            items = result if isinstance(result, list) else []
            for item in items:
                yield OriginCertificate.from_api(_as_mapping(item))
            if len(items) < per_page:
                return
            page += 1

    async def revoke_certificate(self, certificate_id: str) -> Revocation:
        """Revoke a certificate; irreversible."""
        path = f"/certificates/{certificate_id}"
        result = _as_mapping(await self._call("DELETE", path, "revoke"))
        revoked_at = result.get("revoked_at")
        return Revocation(
            id=str(result.get("id", certificate_id)),
            revoked_at=parse_api_time(str(revoked_at)) if revoked_at else None,
        )

    async def verify_token(self) -> TokenStatus:
        """Check that an API token is live (not for Origin CA keys)."""
        result = _as_mapping(await self._call("GET", "/user/tokens/verify", "verify"))
        return TokenStatus(
            id=str(result.get("id", "")), status=str(result.get("status", "unknown"))
        )

    async def _call(
        self, method: str, path: str, endpoint: str, **kwargs: Any
    ) -> object:
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                return await self._attempt(method, path, endpoint, attempt, **kwargs)
            except CloudflareAPIError as error:
                elapsed = time.monotonic() - started
                delay = self._retry.delay_before(attempt, error, elapsed)
                if delay is None or _maybe_acted(method, error):
                    raise
                logger.warning(
                    "%s %s failed (%s); retry %d in %.1fs",
                    method,
                    path,
                    error.describe(),
                    attempt,
                    delay,
                )
                self._observer.api_retry(endpoint, _outcome_of(error))
                await asyncio.sleep(delay)
                attempt += 1

    async def _attempt(
        self, method: str, path: str, endpoint: str, attempt: int, **kwargs: Any
    ) -> object:
        waited = await self._bucket.acquire()
        if waited:
            self._observer.rate_limit_wait(waited)
        started = time.monotonic()
        try:
            response = await self._http.request(
                method,
                self.base_url + path,
                headers={"User-Agent": USER_AGENT, **self.credential.headers()},
                **kwargs,
            )
        except httpx.TransportError as error:
            seconds = time.monotonic() - started
            self._observer.api_call(endpoint, "transport", seconds)
            raise _transport_error(method, path, error) from None
        seconds = time.monotonic() - started
        try:
            result = _unwrap(response, attempt)
        except CloudflareAPIError as error:
            self._observer.api_call(endpoint, _outcome_of(error), seconds)
            raise
        self._observer.api_call(endpoint, "ok", seconds)
        logger.debug(
            "%s %s: HTTP %d in %.3fs (ray %s)",
            method,
            path,
            response.status_code,
            seconds,
            response.headers.get("CF-Ray", "-"),
        )
        return result


def _unwrap(response: httpx.Response, attempt: int) -> object:
    """The ``result`` of a successful envelope, or the matching exception."""
    ray_id = response.headers.get("CF-Ray")
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        raise api_error_for(
            None,
            response.status_code,
            f"unexpected answer, not a JSON envelope (HTTP {response.status_code})",
            ray_id=ray_id,
            retry_after=_retry_after(response),
            attempt=attempt,
        )
    if envelope.get("success") is True and response.is_success:
        return envelope.get("result")
    code, message = _first_error(envelope.get("errors"))
    raise api_error_for(
        code,
        response.status_code,
        message,
        ray_id=ray_id,
        retry_after=_retry_after(response),
        attempt=attempt,
    )


def _first_error(errors: object) -> tuple[int | None, str]:
    """Code and message of the first error; the list may be empty or malformed."""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        raw_code = first.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        messages = [str(e.get("message", "")) for e in errors if isinstance(e, dict)]
        return code, "; ".join(m for m in messages if m) or "no message given"
    return None, "the request failed and the API gave no error details"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _transport_error(method: str, path: str, error: httpx.TransportError) -> Exception:
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    detail = type(error).__name__
    unsent = isinstance(
        error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
    )
    return TransportError(f"{method} {path} {kind} ({detail})", request_sent=not unsent)


def _maybe_acted(method: str, error: CloudflareAPIError) -> bool:
    """A POST lost after it was sent may have created a certificate: no retry here.

    Retrying at once would sign a second time; the caller decides, slowly.
    """
    return method == "POST" and isinstance(error, TransportError) and error.request_sent


def _outcome_of(error: CloudflareAPIError) -> str:
    if isinstance(error, TransportError):
        return "transport"
    return str(error.code) if error.code is not None else f"http_{error.http_status}"


def _as_mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CloudflareAPIError("unexpected answer: the result is not an object")
    return value
