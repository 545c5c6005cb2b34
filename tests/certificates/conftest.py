"""Real keys, CSRs and certificates for the certificate rule tests.

Keys are generated once per test session and shared: RSA generation is slow, and
no test depends on a key being fresh. Tests reach the builders through the
``build`` fixture, so that parametrised cases can name what to build.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
)
from cryptography.x509.oid import NameOID

SigningKey = CertificateIssuerPrivateKeyTypes


@functools.cache
def signing_key(kind: str) -> SigningKey:
    """A private key of ``kind``: rsa1024, rsa2048, p192, p256, p384, p521, ..."""
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curves: dict[str, ec.EllipticCurve] = {
        "p192": ec.SECP192R1(),
        "p256": ec.SECP256R1(),
        "p384": ec.SECP384R1(),
        "p521": ec.SECP521R1(),
        "secp256k1": ec.SECP256K1(),
    }
    if kind in curves:
        return ec.generate_private_key(curves[kind])
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    raise AssertionError(f"no test key of kind {kind}")


def make_csr(
    key_kind: str = "p256",
    sans: Sequence[x509.GeneralName] | None = (x509.DNSName("www.example.com"),),
    common_name: str | None = None,
) -> bytes:
    """A PEM CSR signed by a key of ``key_kind``; ``sans=None`` leaves out the SAN."""
    key = signing_key(key_kind)
    attributes = []
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name(attributes)
    )
    if sans is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(list(sans)), critical=False
        )
    algorithm = None if key_kind in ("ed25519", "ed448") else hashes.SHA256()
    csr = builder.sign(key, algorithm)
    return csr.public_bytes(serialization.Encoding.PEM)


def dns_csr(*names: str, key_kind: str = "p256") -> bytes:
    """A PEM CSR listing ``names`` as DNS SANs."""
    return make_csr(key_kind, [x509.DNSName(name) for name in names])


def make_certificate(
    subject: str,
    key: SigningKey,
    issuer: x509.Certificate | None = None,
    issuer_key: SigningKey | None = None,
) -> x509.Certificate:
    """A certificate for ``key``, self-signed unless an issuer is given."""
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True
        )
    )
    return builder.sign(issuer_key or key, hashes.SHA256())


class Builders:
    """The builders above, handed to tests by the ``build`` fixture."""

    key = staticmethod(signing_key)
    csr = staticmethod(make_csr)
    dns_csr = staticmethod(dns_csr)
    certificate = staticmethod(make_certificate)


@pytest.fixture(scope="session")
def build() -> Builders:
    """Builders of real keys, CSRs and certificates."""
    return Builders()


@pytest.fixture(scope="session")
def root_and_leaf() -> tuple[x509.Certificate, x509.Certificate]:
    """A root certificate and a leaf it signed."""
    root_key = signing_key("p256")
    root = make_certificate("Test Root", root_key)
    leaf = make_certificate("www.example.com", signing_key("rsa2048"), root, root_key)
    return root, leaf
