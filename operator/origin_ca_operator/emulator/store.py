"""Issued certificates, kept in memory and on disk so that a restart keeps them.

Each certificate is one JSON file, ``<state dir>/certificates/<id>.json``,
replaced atomically (write a temporary file, then rename) on issue and revoke.
Certificates are never deleted: revoking only stamps ``revoked_at``.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# Limitation: files are renamed into place without fsync; a process crash never
# leaves a torn file, a power loss may lose the latest writes; an fsync per write
# would lift it at the cost of create throughput.


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or new file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class StoredCertificate:
    """One issued certificate, with the bookkeeping the API does not show."""

    id: str
    certificate: str
    hostnames: list[str]
    expires_on: str
    request_type: str
    requested_validity: int
    csr: str
    zone_ids: list[str]
    issued_at: str
    sequence: int
    revoked_at: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The certificate object as the API returns it."""
        result: dict[str, Any] = {
            "id": self.id,
            "certificate": self.certificate,
            "hostnames": list(self.hostnames),
            "expires_on": self.expires_on,
            "request_type": self.request_type,
            "requested_validity": self.requested_validity,
            "csr": self.csr,
        }
        if self.revoked_at is not None:
            result["revoked_at"] = self.revoked_at
        return result


class CertificateStore:
    """Every certificate the emulator issued, loaded from ``directory`` at start."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._certificates: dict[str, StoredCertificate] = {}
        for path in directory.glob("*.json"):
            stored = StoredCertificate(**json.loads(path.read_text()))
            self._certificates[stored.id] = stored
        self._next_sequence = 1 + max(
            (c.sequence for c in self._certificates.values()), default=0
        )

    def next_sequence(self) -> int:
        """A number that orders certificates by issue, across restarts."""
        sequence = self._next_sequence
        self._next_sequence += 1
        return sequence

    async def save(self, certificate: StoredCertificate) -> None:
        """Write a new or changed certificate to disk, then keep it in memory.

        The file is written on a worker thread: opening and renaming files is
        the slowest step of a create, and the event loop serves others meanwhile.
        """
        data = json.dumps(asdict(certificate), indent=1).encode()
        path = self._directory / f"{certificate.id}.json"
        await asyncio.to_thread(write_atomically, path, data)
        self._certificates[certificate.id] = certificate

    def get(self, certificate_id: str) -> StoredCertificate | None:
        """The certificate with that id, or None."""
        return self._certificates.get(certificate_id)

    def in_zone(self, zone_id: str) -> list[StoredCertificate]:
        """Certificates with a hostname in the zone, oldest first."""
        found = [c for c in self._certificates.values() if zone_id in c.zone_ids]
        return sorted(found, key=lambda c: c.sequence)

    def counts(self) -> tuple[int, int]:
        """How many certificates were issued in all, and how many are revoked."""
        revoked = sum(1 for c in self._certificates.values() if c.revoked_at)
        return len(self._certificates), revoked
