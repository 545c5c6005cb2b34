"""What an emulator is started with: zones, credentials, limits and where to keep state.

Zones and tokens are written as on the command line, so that tests and the CLI
share one syntax: a zone is ``NAME`` or ``NAME=ZONE_ID`` (the id is derived from
the name when left out), a token maps to the zone names or ids it may use, or to
``None`` for every zone, or to an empty list for a live token that lacks the
"SSL and Certificates" permission.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from origin_ca_operator.errors import ConfigurationError

TOKENS_ENV = "ORIGIN_CA_EMULATOR_TOKENS"
SERVICE_KEY_ENV = "ORIGIN_CA_EMULATOR_SERVICE_KEY"
SERVICE_KEY_PREFIX = "v1.0-"


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` per credential in each window of ``window_seconds``."""

    requests: int = 1200
    window_seconds: float = 300.0

    @classmethod
    def parse(cls, spec: str) -> RateLimit:
        """Read ``N/SECONDS``, as in ``1200/300``."""
        count, _, seconds = spec.partition("/")
        try:
            limit = cls(int(count), float(seconds))
        except ValueError:
            raise ConfigurationError(
                f"rate limit {spec!r} is not N/SECONDS, e.g. 1200/300"
            ) from None
        if limit.requests < 1 or limit.window_seconds <= 0:
            raise ConfigurationError(f"rate limit {spec!r} must be positive")
        return limit


@dataclass(frozen=True)
class Zone:
    """A zone of the emulated account."""

    name: str
    id: str

    @classmethod
    def parse(cls, spec: str) -> Zone:
        """Read ``NAME`` or ``NAME=ZONE_ID``."""
        raw_name, _, zone_id = spec.partition("=")
        name = normalize_zone_name(raw_name)
        if not name:
            raise ConfigurationError(f"zone {spec!r} has no name")
        return cls(name=name, id=zone_id.strip() or zone_id_for(name))


def normalize_zone_name(name: str) -> str:
    """Lower case, no trailing dot, punycode for Unicode labels."""
    cleaned = name.strip().rstrip(".").lower()
    try:
        return cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigurationError(f"zone name {name!r} is not a DNS name") from None


def zone_id_for(name: str) -> str:
    """A stable 32 hex digit id for a zone name, like Cloudflare's zone ids."""
    return hashlib.sha256(f"origin-ca-emulator:{name}".encode()).hexdigest()[:32]


def parse_token(spec: str) -> tuple[str, tuple[str, ...] | None]:
    """Read ``TOKEN`` (every zone) or ``TOKEN=ZONE,ZONE`` (those zones only)."""
    token, equals, zones = spec.partition("=")
    if not token.strip():
        raise ConfigurationError("a token given to the emulator is empty")
    if not equals:
        return token.strip(), None
    return token.strip(), tuple(z.strip() for z in zones.split(",") if z.strip())


def tokens_from_environment() -> dict[str, tuple[str, ...] | None]:
    """Tokens from ``ORIGIN_CA_EMULATOR_TOKENS``, separated by spaces or ``;``."""
    raw = os.environ.get(TOKENS_ENV, "")
    specs = raw.replace(";", " ").split()
    return dict(parse_token(spec) for spec in specs)


@dataclass
class EmulatorConfig:
    """How to start an emulator; every field has a usable default.

    ``port=0`` picks a free port (read it back from the running emulator).
    ``state_dir=None`` keeps state in a temporary directory removed on stop.
    """

    zones: Sequence[str] = ("example.com",)
    tokens: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    service_key: str | None = None
    state_dir: Path | str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    latency_ms: float = 0.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    tls_cert: Path | str | None = None
    tls_key: Path | str | None = None

    def resolved_zones(self) -> tuple[Zone, ...]:
        """The zones, parsed, checked for duplicate names and ids."""
        zones = tuple(Zone.parse(spec) for spec in self.zones)
        for attribute in ("name", "id"):
            values = [getattr(zone, attribute) for zone in zones]
            if len(set(values)) != len(values):
                raise ConfigurationError(f"two zones share a {attribute}")
        return zones

    def check(self) -> None:
        """Raise :class:`ConfigurationError` for settings that cannot work."""
        key = self.service_key
        if key is not None and not key.startswith(SERVICE_KEY_PREFIX):
            raise ConfigurationError(
                f"an Origin CA service key starts with {SERVICE_KEY_PREFIX!r}"
            )
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ConfigurationError("give both a TLS certificate and its key")
        if self.latency_ms < 0:
            raise ConfigurationError("latency cannot be negative")
