"""Generated keys and the CSRs built from them go through the Origin CA's rules."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from origin_ca_operator.certificates import (
    KeyAlgorithm,
    build_csr,
    generate_private_key,
    hostnames_from_csr,
    parse_csr,
    private_key_pem,
)
from origin_ca_operator.errors import HostnameError, InvalidRequestError


@pytest.mark.parametrize(
    ("algorithm", "size", "key_type"),
    [
        (KeyAlgorithm.RSA, 2048, "RSA 2048"),
        (KeyAlgorithm.RSA, 3072, "RSA 3072"),
        (KeyAlgorithm.ECDSA, 256, "ECDSA P-256"),
        (KeyAlgorithm.ECDSA, 384, "ECDSA P-384"),
    ],
)
def test_generated_key_makes_a_csr_the_rules_accept(
    algorithm: KeyAlgorithm, size: int, key_type: str
) -> None:
    key = generate_private_key(algorithm, size)
    csr = build_csr(key, ["www.example.com", "*.example.com"])

    parsed = parse_csr(csr.public_bytes(serialization.Encoding.PEM))
    assert parsed.key_type == key_type
    assert hostnames_from_csr(parsed) == ["www.example.com", "*.example.com"]
    assert csr.public_key() == key.public_key()


def test_rsa_4096_key_is_generated() -> None:
    key = generate_private_key(KeyAlgorithm.RSA, 4096)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 4096


def test_ecdsa_384_key_is_on_p384() -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 384)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP384R1)


@pytest.mark.parametrize(
    ("algorithm", "size"),
    [
        (KeyAlgorithm.RSA, 1024),
        (KeyAlgorithm.RSA, 2047),
        (KeyAlgorithm.RSA, 8192),
        (KeyAlgorithm.ECDSA, 521),
        (KeyAlgorithm.ECDSA, 2048),
    ],
)
def test_unsupported_key_size_is_refused(algorithm: KeyAlgorithm, size: int) -> None:
    with pytest.raises(InvalidRequestError, match=f"{algorithm.value} key size {size}"):
        generate_private_key(algorithm, size)


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="RSA or ECDSA"):
        generate_private_key("Ed25519", 256)  # type: ignore[arg-type]


def test_csr_lists_hostnames_as_sans_and_first_as_common_name() -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    csr = build_csr(key, ["API.example.com.", "www.example.com", "api.example.com"])

    sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sans.value.get_values_for_type(x509.DNSName) == [
        "api.example.com",
        "www.example.com",
    ]
    common_names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert [attribute.value for attribute in common_names] == ["api.example.com"]
    assert isinstance(csr.signature_hash_algorithm, hashes.SHA256)
    assert csr.is_signature_valid


def test_unicode_hostname_goes_into_the_csr_as_punycode() -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    csr = build_csr(key, ["bücher.example.com"])
    parsed = parse_csr(csr.public_bytes(serialization.Encoding.PEM))
    assert parsed.dns_names == ("xn--bcher-kva.example.com",)


def test_hostname_too_long_for_a_common_name_leaves_the_subject_empty() -> None:
    long_name = "a" * 60 + ".example.com"
    csr = build_csr(generate_private_key(KeyAlgorithm.ECDSA, 256), [long_name])
    assert csr.subject == x509.Name([])
    assert hostnames_from_csr(parse_csr(csr.public_bytes(serialization.Encoding.PEM)))


def test_csr_for_a_bad_hostname_is_not_built() -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    with pytest.raises(HostnameError, match="IP address"):
        build_csr(key, ["10.0.0.1"])


def test_private_key_pem_is_unencrypted_pkcs8_that_loads_back() -> None:
    key = generate_private_key(KeyAlgorithm.ECDSA, 256)
    pem = private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = serialization.load_pem_private_key(pem, password=None)
    assert loaded.public_key() == key.public_key()
