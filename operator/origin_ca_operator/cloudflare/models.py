"""Typed results of the Origin CA API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from origin_ca_operator.errors import CloudflareAPIError


@dataclass(frozen=True)
class OriginCertificate:
    """A certificate as the Origin CA API describes it."""

    id: str
    certificate: str
    hostnames: tuple[str, ...]
    expires_on: datetime
    request_type: str
    requested_validity: int | None = None
    csr: str | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        """True once the certificate has been revoked."""
        return self.revoked_at is not None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> OriginCertificate:
        """Build from an API ``result`` object; ids stay strings."""
        try:
            validity = data.get("requested_validity")
            revoked_at = data.get("revoked_at")
            return cls(
                id=str(data["id"]),
                certificate=str(data.get("certificate") or ""),
                hostnames=tuple(str(h) for h in data.get("hostnames") or ()),
                expires_on=parse_api_time(str(data["expires_on"])),
                request_type=str(data.get("request_type") or ""),
                requested_validity=int(validity) if validity is not None else None,
                csr=data.get("csr") or None,
                revoked_at=parse_api_time(str(revoked_at)) if revoked_at else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CloudflareAPIError(
                f"unexpected certificate object in the answer: {error}"
            ) from error


@dataclass(frozen=True)
class TokenStatus:
    """The answer of token verification."""

    id: str
    status: str

    @property
    def active(self) -> bool:
        """True when Cloudflare reports the token as usable."""
        return self.status == "active"


@dataclass(frozen=True)
class Revocation:
    """The answer of a revoke call."""

    id: str
    revoked_at: datetime | None


_GO_LAYOUTS = ("%Y-%m-%d %H:%M:%S %z UTC", "%Y-%m-%d %H:%M:%S.%f %z UTC")
# Go prints up to nine fractional digits; strptime's %f takes at most six.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_api_time(text: str) -> datetime:
    """Parse a time as the API writes it: Go's default layout or RFC 3339."""
    value = _LONG_FRACTION.sub(r"\1", text.strip())
    for layout in _GO_LAYOUTS:
        try:
            return datetime.strptime(value, layout).astimezone(UTC)
        except ValueError:
            continue
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"unrecognised time {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
