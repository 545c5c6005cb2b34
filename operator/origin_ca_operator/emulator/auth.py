"""Who is calling: API tokens, the legacy service key, and the zones each may use.

The rule for a request without credentials: the Origin CA endpoints
(``/certificates``) answer 1001 with HTTP 401, the general API
(``/user/tokens/verify``) answers 9106 with HTTP 400. A credential that is given
but unknown answers 10000 with HTTP 401; a live token without the certificate
permission (configured with an empty zone list) answers 10000 with HTTP 403.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from origin_ca_operator.emulator.config import Zone, normalize_zone_name
from origin_ca_operator.emulator.envelope import ApiError
from origin_ca_operator.errors import ConfigurationError

SERVICE_KEY_HEADER = "X-Auth-User-Service-Key"


@dataclass(frozen=True)
class Credential:
    """A known token or service key, named by a digest rather than its value."""

    id: str
    kind: str
    zone_ids: frozenset[str]

    def covers(self, zone_id: str) -> bool:
        """Whether this credential may act on the zone."""
        return zone_id in self.zone_ids


def digest(secret: str) -> str:
    """The name under which a secret is kept, logged and rate limited."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


class Authenticator:
    """Resolves request headers into a :class:`Credential`, or raises ApiError."""

    def __init__(
        self,
        zones: Sequence[Zone],
        tokens: Mapping[str, Sequence[str] | None],
        service_key: str | None,
    ) -> None:
        self._credentials: dict[str, Credential] = {}
        for token, references in tokens.items():
            zone_ids = _zone_ids(zones, references)
            self._credentials[digest(token)] = Credential(
                digest(token), "token", zone_ids
            )
        self._service_key = None
        if service_key is not None:
            all_zones = frozenset(zone.id for zone in zones)
            self._service_key = Credential(
                digest(service_key), "service_key", all_zones
            )

    def for_certificates(self, headers: Mapping[str, str]) -> Credential:
        """The credential of an Origin CA call: a token or the service key."""
        if "Authorization" in headers:
            credential = self._bearer(headers["Authorization"])
            if not credential.zone_ids:
                raise ApiError(
                    10000,
                    "Authentication error: the token lacks the "
                    "Zone / SSL and Certificates / Edit permission",
                    http_status=403,
                )
            return credential
        if SERVICE_KEY_HEADER in headers:
            key = self._service_key
            if key is None or digest(headers[SERVICE_KEY_HEADER]) != key.id:
                raise ApiError(10000, "Authentication error: unknown service key")
            return key
        raise ApiError(1001)

    def for_token_verify(self, headers: Mapping[str, str]) -> Credential:
        """The token of a ``/user/tokens/verify`` call; service keys do not count."""
        if "Authorization" not in headers:
            raise ApiError(9106)
        return self._bearer(headers["Authorization"])

    def _bearer(self, value: str) -> Credential:
        scheme, _, token = value.strip().partition(" ")
        credential = None
        if scheme.lower() == "bearer" and token.strip():
            credential = self._credentials.get(digest(token.strip()))
        if credential is None:
            raise ApiError(10000, "Authentication error: invalid API token")
        return credential


def _zone_ids(
    zones: Sequence[Zone], references: Iterable[str] | None
) -> frozenset[str]:
    """The ids of the zones a token names (by name or id); None means all."""
    if references is None:
        return frozenset(zone.id for zone in zones)
    by_reference = {zone.id: zone.id for zone in zones}
    by_reference.update({zone.name: zone.id for zone in zones})
    chosen = set()
    for reference in references:
        zone_id = by_reference.get(reference.strip())
        if zone_id is None:
            zone_id = by_reference.get(normalize_zone_name(reference))
        if zone_id is None:
            raise ConfigurationError(
                f"a token names zone {reference!r}, which is not among the zones"
            )
        chosen.add(zone_id)
    return frozenset(chosen)
