"""A local emulation of Cloudflare's Origin CA API, for demos, tests and benchmarks.

It serves, under ``/client/v4``, what the real API serves (create, get, list and
revoke certificates, verify a token) with the same envelope and error codes, and
signs with roots of its own kept in a state directory, so a restart keeps every
certificate. ``/_emulator/`` adds the roots, request statistics and run-time
faults. Run it with ``origin-ca-operator emulator --token TOKEN``, or from code::

    from origin_ca_operator.emulator import EmulatorConfig, start_emulator

    config = EmulatorConfig(zones=["example.com"], tokens={"secret": None})
    emulator = await start_emulator(config)   # a RunningEmulator
    emulator.base_url                         # http://127.0.0.1:PORT/client/v4
    emulator.zone_id("example.com")           # the zone's 32 hex digit id
    emulator.roots["rsa"], emulator.roots["ecc"]   # root PEMs
    await emulator.stop()

and from synchronous code, on a background thread::

    with EmulatorThread(config) as emulator:
        httpx.get(f"{emulator.base_url}/user/tokens/verify", headers=...)

:class:`EmulatorConfig` fields: ``zones`` (``"NAME"`` or ``"NAME=ID"``),
``tokens`` (token -> zone names/ids, ``None`` for all, ``[]`` for a token without
the certificate permission), ``service_key`` (``v1.0-...``), ``state_dir``
(``None``: a temporary one, removed on stop), ``host``, ``port`` (0: any free
port), ``latency_ms``, ``rate_limit`` (:class:`RateLimit`), ``tls_cert`` and
``tls_key``. The rules the emulator chose where Cloudflare's are not written
down are documented in :mod:`.auth` (missing credentials), :mod:`.api` (listing,
visibility) and :mod:`.faults` (fault settings).
"""

from __future__ import annotations

from origin_ca_operator.emulator.config import EmulatorConfig, RateLimit, Zone
from origin_ca_operator.emulator.server import (
    EmulatorThread,
    RunningEmulator,
    start_emulator,
)

__all__ = [
    "EmulatorConfig",
    "EmulatorThread",
    "RateLimit",
    "RunningEmulator",
    "Zone",
    "start_emulator",
]
