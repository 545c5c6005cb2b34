"""Reading CSRs in the forms they arrive in, and taking their hostnames."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509

from origin_ca_operator.certificates import (
    ParsedCSR,
    hostnames_from_csr,
    parse_csr,
)
from origin_ca_operator.errors import CSRError

from .conftest import Builders


@pytest.fixture(scope="module")
def pem(build: Builders) -> bytes:
    return build.dns_csr("www.example.com", "*.example.com")


@pytest.mark.parametrize(
    "form",
    ["pem-bytes", "pem-text", "base64-text", "base64-bytes", "base64-wrapped", "crlf"],
)
def test_csr_is_read_in_every_form_it_arrives_in(pem: bytes, form: str) -> None:
    encoded = base64.b64encode(pem)
    forms: dict[str, str | bytes] = {
        "pem-bytes": pem,
        "pem-text": pem.decode(),
        "base64-text": encoded.decode(),
        "base64-bytes": encoded,
        "base64-wrapped": base64.encodebytes(pem),
        "crlf": pem.replace(b"\n", b"\r\n"),
    }
    parsed = parse_csr(forms[form])
    assert parsed.csr == x509.load_pem_x509_csr(pem)
    assert parsed.dns_names == ("www.example.com", "*.example.com")


def test_text_before_the_pem_block_is_ignored(pem: bytes) -> None:
    parsed = parse_csr(b"Certificate Request:\n    Data: ...\n" + pem)
    assert parsed.dns_names == ("www.example.com", "*.example.com")


def test_pem_property_gives_text_the_api_accepts(pem: bytes) -> None:
    parsed = parse_csr(base64.b64encode(pem))
    assert parsed.pem == pem.decode()
    assert parsed.pem.startswith("-----BEGIN CERTIFICATE REQUEST-----\n")


@pytest.mark.parametrize(
    ("key_kind", "key_type"),
    [
        ("rsa2048", "RSA 2048"),
        ("rsa3072", "RSA 3072"),
        ("rsa4096", "RSA 4096"),
        ("p256", "ECDSA P-256"),
        ("p384", "ECDSA P-384"),
    ],
)
def test_accepted_key_types_are_named(
    build: Builders, key_kind: str, key_type: str
) -> None:
    parsed = parse_csr(build.dns_csr("www.example.com", key_kind=key_kind))
    assert parsed.key_type == key_type


def test_rsa_1024_is_refused_with_a_fix(build: Builders) -> None:
    with pytest.raises(CSRError) as raised:
        parse_csr(build.csr("rsa1024"))
    assert str(raised.value) == (
        "RSA 1024 key is too small; use RSA 2048 or larger, or ECDSA P-256"
    )


def test_ed25519_is_refused_by_name(build: Builders) -> None:
    with pytest.raises(CSRError, match=r"^Ed25519 keys are not accepted"):
        parse_csr(build.csr("ed25519"))


def test_raw_dns_names_keep_the_csrs_spelling(build: Builders) -> None:
    parsed = parse_csr(build.dns_csr("WWW.Example.com.", "www.example.com"))
    assert parsed.dns_names == ("WWW.Example.com.", "www.example.com")
    assert hostnames_from_csr(parsed) == ["www.example.com"]


def test_hostnames_keep_the_csrs_order(build: Builders) -> None:
    names = ["b.example.com", "*.a.example.com", "a.example.com"]
    assert hostnames_from_csr(parse_csr(build.dns_csr(*names))) == names


def test_common_name_is_not_a_hostname(build: Builders) -> None:
    parsed = parse_csr(
        build.csr(sans=[x509.DNSName("www.example.com")], common_name="other.test")
    )
    assert hostnames_from_csr(parsed) == ["www.example.com"]


def test_csr_without_san_is_refused_explaining_the_cn_is_ignored(
    build: Builders,
) -> None:
    parsed = parse_csr(build.csr(sans=None, common_name="www.example.com"))
    assert parsed.dns_names == ()
    with pytest.raises(CSRError) as raised:
        hostnames_from_csr(parsed)
    message = str(raised.value)
    assert "DNS subject alternative names" in message
    assert "common name" in message


def test_parsed_csr_is_immutable(pem: bytes) -> None:
    parsed = parse_csr(pem)
    assert isinstance(parsed, ParsedCSR)
    with pytest.raises(AttributeError):
        parsed.key_type = "RSA 1024"  # type: ignore[misc]
