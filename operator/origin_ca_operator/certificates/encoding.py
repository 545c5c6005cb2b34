"""Certificate chains written out in the forms users ask for.

A chain is a sequence of certificates, the leaf first and the certificates that
sign it after. PEM and PKCS#7 keep the whole chain; DER holds the leaf alone, since
one DER file holds one certificate. An empty chain is a programming error and
raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from origin_ca_operator.certificates.keys import PrivateKey, private_key_pem


def chain_pem(certs: Sequence[x509.Certificate]) -> bytes:
    """The chain as concatenated PEM blocks, leaf first."""
    _require_leaf(certs)
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def chain_der(cert: x509.Certificate) -> bytes:
    """The leaf certificate alone, DER-encoded."""
    return cert.public_bytes(serialization.Encoding.DER)


def chain_pkcs7(certs: Sequence[x509.Certificate]) -> bytes:
    """The chain as a DER PKCS#7 (degenerate SignedData) bundle.

    PKCS#7 holds its certificates as a set, which DER sorts: a reader gets them
    back in that order, not necessarily leaf first.
    """
    _require_leaf(certs)
    return pkcs7.serialize_certificates(list(certs), serialization.Encoding.DER)


def combined_pem(certs: Sequence[x509.Certificate], key: PrivateKey) -> bytes:
    """The chain's PEM followed by the private key's PKCS#8 PEM, in one file."""
    return chain_pem(certs) + private_key_pem(key)


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, in order; ``ValueError`` if none."""
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as error:
        raise ValueError(
            f"no PEM certificate could be read ({' '.join(str(error).split())})"
        ) from None


def _require_leaf(certs: Sequence[x509.Certificate]) -> None:
    if not certs:
        raise ValueError("a certificate chain needs at least its leaf certificate")
