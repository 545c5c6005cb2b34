"""Everything one running emulator holds, shared by its routes and middleware."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from origin_ca_operator.emulator.auth import Authenticator
from origin_ca_operator.emulator.authority import Authority
from origin_ca_operator.emulator.config import Zone
from origin_ca_operator.emulator.faults import Faults
from origin_ca_operator.emulator.ratelimit import RateLimiter
from origin_ca_operator.emulator.store import CertificateStore

# The status recorded for a request whose connection a fault reset.
RESET_STATUS = 0


class RequestStats:
    """Requests to the emulated API, counted by method, route and status."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, int]] = Counter()

    def record(self, method: str, path: str, status: int) -> None:
        """Count one request; ``path`` is the route template."""
        self._counts[(method, path, status)] += 1

    def describe(self) -> list[dict[str, Any]]:
        """The counts as JSON, in a stable order."""
        return [
            {"method": method, "path": path, "status": status, "count": count}
            for (method, path, status), count in sorted(self._counts.items())
        ]


@dataclass
class EmulatorState:
    """The parts of a running emulator."""

    zones: tuple[Zone, ...]
    authenticator: Authenticator
    authority: Authority
    store: CertificateStore
    limiter: RateLimiter
    faults: Faults
    stats: RequestStats = field(default_factory=RequestStats)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def zone_of(self, hostname: str) -> Zone | None:
        """The most specific zone the hostname (or wildcard) lies in, if any."""
        name = hostname.removeprefix("*.")
        found = [
            zone
            for zone in self.zones
            if name == zone.name or name.endswith(f".{zone.name}")
        ]
        return max(found, key=lambda zone: len(zone.name), default=None)

    async def pause(self, seconds: float) -> bool:
        """Sleep, cut short when the emulator stops; True if it is stopping."""
        if seconds <= 0:
            return self.stopping.is_set()
        try:
            await asyncio.wait_for(self.stopping.wait(), seconds)
        except TimeoutError:
            return False
        return True
