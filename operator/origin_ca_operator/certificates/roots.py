"""The Origin CA roots, and the request type that picks one of them.

Cloudflare signs Origin CA leaves directly with one of two public roots, RSA or
ECC, chosen by the request type and not by the key in the CSR. Both roots ship
with the package; a directory holding files of the same names can replace them
(the emulator's own roots, or newer roots published by Cloudflare).
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from origin_ca_operator.errors import ConfigurationError

RSA_ROOT_FILENAME = "origin_ca_rsa_root.pem"
ECC_ROOT_FILENAME = "origin_ca_ecc_root.pem"


class RequestType(enum.Enum):
    """The Origin CA root to sign with; values are the API's ``request_type``."""

    ORIGIN_RSA = "origin-rsa"
    ORIGIN_ECC = "origin-ecc"

    @classmethod
    def from_spec(cls, name: str) -> RequestType:
        """The request type for an issuer's ``spec.requestType`` (``OriginRSA``)."""
        for request_type in cls:
            if request_type.spec_name == name:
                return request_type
        raise ConfigurationError(
            f"request type {name!r} is unknown; use OriginRSA or OriginECC"
        )

    @property
    def spec_name(self) -> str:
        """The name Kubernetes resources use: ``OriginRSA`` or ``OriginECC``."""
        return "OriginRSA" if self is RequestType.ORIGIN_RSA else "OriginECC"


@dataclass(frozen=True)
class OriginRoots:
    """The PEM of both Origin CA roots."""

    rsa_pem: bytes
    ecc_pem: bytes

    def for_request_type(self, request_type: RequestType) -> bytes:
        """The PEM of the root that signs certificates of ``request_type``."""
        if request_type is RequestType.ORIGIN_RSA:
            return self.rsa_pem
        return self.ecc_pem


@functools.cache
def embedded_roots() -> OriginRoots:
    """Cloudflare's public Origin CA roots, as shipped with the package."""
    data = importlib.resources.files("origin_ca_operator").joinpath("data")
    return OriginRoots(
        rsa_pem=data.joinpath(RSA_ROOT_FILENAME).read_bytes(),
        ecc_pem=data.joinpath(ECC_ROOT_FILENAME).read_bytes(),
    )


def load_roots(directory: Path) -> OriginRoots:
    """Read both roots from ``directory``, checking each is a fitting certificate."""
    return OriginRoots(
        rsa_pem=_read_root(Path(directory) / RSA_ROOT_FILENAME, rsa.RSAPublicKey),
        ecc_pem=_read_root(
            Path(directory) / ECC_ROOT_FILENAME, ec.EllipticCurvePublicKey
        ),
    )


def _read_root(path: Path, key_class: type[object]) -> bytes:
    """The certificate in ``path`` as PEM, refusing a missing file or a wrong one."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigurationError(
            f"Origin CA root {path} cannot be read ({error.strerror or error}); "
            f"put the root's PEM file there as {path.name}"
        ) from None
    try:
        certificate = x509.load_pem_x509_certificate(data)
        public_key = certificate.public_key()
    except ValueError:
        raise ConfigurationError(
            f"Origin CA root {path} is not a PEM certificate; put the root's PEM "
            "file there, starting with -----BEGIN CERTIFICATE-----"
        ) from None
    if not isinstance(public_key, key_class):
        expected = "an RSA" if key_class is rsa.RSAPublicKey else "an ECDSA"
        raise ConfigurationError(
            f"Origin CA root {path} does not hold {expected} key; "
            "check that the RSA and ECC root files are not swapped"
        )
    return certificate.public_bytes(serialization.Encoding.PEM)
