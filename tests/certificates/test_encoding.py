"""Chains written as PEM, DER, PKCS#7 and combined PEM read back as they went in."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from origin_ca_operator.certificates import (
    KeyAlgorithm,
    chain_der,
    chain_pem,
    chain_pkcs7,
    combined_pem,
    generate_private_key,
    load_pem_certificates,
)

Chain = tuple[x509.Certificate, x509.Certificate]


def fingerprint(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


@pytest.fixture
def chain(root_and_leaf: Chain) -> list[x509.Certificate]:
    root, leaf = root_and_leaf
    return [leaf, root]


def test_pem_chain_loads_back_leaf_first(chain: list[x509.Certificate]) -> None:
    pem = chain_pem(chain)
    assert pem.count(b"-----BEGIN CERTIFICATE-----") == 2
    assert load_pem_certificates(pem) == chain


def test_der_holds_the_leaf_alone(chain: list[x509.Certificate]) -> None:
    assert x509.load_der_x509_certificate(chain_der(chain[0])) == chain[0]


def test_pkcs7_bundle_loads_back_with_every_certificate(
    chain: list[x509.Certificate],
) -> None:
    bundle = chain_pkcs7(chain)
    assert bundle[:1] == b"\x30"
    # PKCS#7 certificates are a DER set: the order is the encoding's, not ours.
    loaded = pkcs7.load_der_pkcs7_certificates(bundle)
    assert sorted(loaded, key=fingerprint) == sorted(chain, key=fingerprint)
    assert len(loaded) == len(chain)


def test_combined_pem_holds_the_chain_then_the_key(
    chain: list[x509.Certificate],
) -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    combined = combined_pem(chain, key)

    assert combined.startswith(chain_pem(chain))
    assert combined.index(b"PRIVATE KEY") > combined.rindex(b"END CERTIFICATE")
    assert load_pem_certificates(combined) == chain
    loaded_key = serialization.load_pem_private_key(combined, password=None)
    assert loaded_key.public_key() == key.public_key()


def test_single_certificate_chain_is_written(chain: list[x509.Certificate]) -> None:
    assert load_pem_certificates(chain_pem(chain[:1])) == chain[:1]
    assert pkcs7.load_der_pkcs7_certificates(chain_pkcs7(chain[:1])) == chain[:1]


@pytest.mark.parametrize("write", [chain_pem, chain_pkcs7])
def test_empty_chain_is_a_programming_error(write: object) -> None:
    with pytest.raises(ValueError, match="at least its leaf"):
        write([])  # type: ignore[operator]


def test_pem_without_certificates_is_refused() -> None:
    with pytest.raises(ValueError, match="no PEM certificate"):
        load_pem_certificates(b"nothing here")
