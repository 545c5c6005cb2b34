"""An Origin CA emulator per test, and API clients with fast retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from origin_ca_operator.certificates.keys import (
    KeyAlgorithm,
    build_csr,
    generate_private_key,
)
from origin_ca_operator.cloudflare import (
    Credential,
    OriginCAClient,
    RateLimiters,
    RetryPolicy,
)
from origin_ca_operator.emulator import EmulatorConfig, RunningEmulator, start_emulator

TOKEN = "test-token-all-zones-0123456789"
TOKEN_OTHER_ZONE = "test-token-other-zone-0123456789"
SERVICE_KEY = "v1.0-legacy-service-key-0123456789"
ZONES = ["example.com", "example.org"]

FAST_RETRIES = RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=0.2)


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[RunningEmulator]:
    """A running emulator with two zones and three credentials."""
    config = EmulatorConfig(
        zones=ZONES,
        tokens={TOKEN: None, TOKEN_OTHER_ZONE: ["example.org"]},
        service_key=SERVICE_KEY,
        state_dir=tmp_path / "state",
    )
    running = await start_emulator(config)
    yield running
    await running.stop()


ClientFactory = Callable[..., OriginCAClient]


@pytest.fixture
async def make_client(
    emulator: RunningEmulator,
) -> AsyncIterator[ClientFactory]:
    """Build clients against the emulator; closed after the test."""
    made: list[OriginCAClient] = []

    def factory(
        credential: Credential | None = None,
        *,
        retry_policy: RetryPolicy = FAST_RETRIES,
        timeout: float = 10.0,
    ) -> OriginCAClient:
        client = OriginCAClient(
            credential or Credential.api_token(TOKEN),
            base_url=emulator.base_url,
            http=httpx.AsyncClient(timeout=timeout),
            rate_limiters=RateLimiters(10_000, 1),
            retry_policy=retry_policy,
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client._http.aclose()


@pytest.fixture(scope="session")
def csr_pem() -> str:
    """A PEM CSR for www.example.com, made once."""
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    csr = build_csr(key, ["www.example.com"])
    from cryptography.hazmat.primitives.serialization import Encoding

    return csr.public_bytes(Encoding.PEM).decode()


def load_certificate(pem: str) -> x509.Certificate:
    """Parse one PEM certificate."""
    return x509.load_pem_x509_certificate(pem.encode())
