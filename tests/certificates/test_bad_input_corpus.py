"""A corpus of bad CSRs, hostnames and durations, each refused with one clear line.

Every case must raise the named subclass of InvalidRequestError (never another
exception type), with a one-line message that contains the given words, so that
it reads well in a Kubernetes condition.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from origin_ca_operator.certificates import (
    hostnames_from_csr,
    normalize_hostnames,
    parse_csr,
    parse_go_duration,
    select_validity,
)
from origin_ca_operator.errors import (
    CSRError,
    HostnameError,
    InvalidRequestError,
    ValidityError,
)

from .conftest import Builders


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, what must be raised, words the message has."""

    id: str
    attempt: Callable[[Builders], object]
    error: type[InvalidRequestError]
    words: str


def csr_hostnames(data: str | bytes) -> list[str]:
    """Everything the operator does with a CSR: parse it, then take its hostnames."""
    return hostnames_from_csr(parse_csr(data))


def with_csr(make: Callable[[Builders], str | bytes]) -> Callable[[Builders], object]:
    return lambda build: csr_hostnames(make(build))


def hostnames(*names: object) -> Callable[[Builders], object]:
    return lambda build: normalize_hostnames(list(names))  # type: ignore[arg-type]


def der_csr(build: Builders) -> bytes:
    pem = build.csr()
    return x509.load_pem_x509_csr(pem).public_bytes(serialization.Encoding.DER)


def tampered_csr(build: Builders) -> bytes:
    """A CSR whose signed content was changed after signing: one SAN letter."""
    der = der_csr(build)
    return _pem("CERTIFICATE REQUEST", der.replace(b"www.example", b"wwx.example"))


def truncated_csr(build: Builders) -> bytes:
    pem = build.csr().decode()
    lines = pem.splitlines()
    return "\n".join([*lines[:3], lines[-1]]).encode()


def certificate_pem(build: Builders) -> bytes:
    certificate = build.certificate("www.example.com", build.key("p256"))
    return certificate.public_bytes(serialization.Encoding.PEM)


def private_key_pem(build: Builders) -> bytes:
    return build.key("p256").private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


TWO_HUNDRED_AND_ONE = [f"host{i}.example.com" for i in range(201)]

CSR_CASES = [
    Case("csr-empty-string", with_csr(lambda b: ""), CSRError, "empty"),
    Case("csr-empty-bytes", with_csr(lambda b: b""), CSRError, "empty"),
    Case("csr-whitespace", with_csr(lambda b: " \n\t "), CSRError, "empty"),
    Case("csr-der-bytes", with_csr(der_csr), CSRError, "DER"),
    Case("csr-base64-of-der", with_csr(lambda b: b64(der_csr(b))), CSRError, "DER"),
    Case("csr-truncated-pem", with_csr(truncated_csr), CSRError, "truncated"),
    Case("csr-certificate-pem", with_csr(certificate_pem), CSRError, "certificate"),
    Case("csr-private-key-pem", with_csr(private_key_pem), CSRError, "private key"),
    Case("csr-garbage-text", with_csr(lambda b: "hello world"), CSRError, "PEM"),
    Case("csr-garbage-bytes", with_csr(lambda b: b"\xff\xfe\x00"), CSRError, "PEM"),
    Case(
        "csr-base64-of-garbage",
        with_csr(lambda b: b64(b"not a csr at all")),
        CSRError,
        "neither PEM nor base64",
    ),
    Case(
        "csr-base64-twice",
        with_csr(lambda b: b64(b64(b.csr()).encode())),
        CSRError,
        "neither PEM nor base64",
    ),
    Case(
        "csr-non-ascii",
        with_csr(lambda b: "\u2013\u2013BEGIN \u2713"),
        CSRError,
        "non-ASCII",
    ),
    Case("csr-not-text", with_csr(lambda b: 42), CSRError, "not text"),  # type: ignore[arg-type,return-value]
    Case("csr-tampered-signature", with_csr(tampered_csr), CSRError, "signature"),
    Case("csr-rsa-1024", with_csr(lambda b: b.csr("rsa1024")), CSRError, "RSA 1024"),
    Case("csr-ed25519", with_csr(lambda b: b.csr("ed25519")), CSRError, "Ed25519"),
    Case("csr-ed448", with_csr(lambda b: b.csr("ed448")), CSRError, "Ed448"),
    Case("csr-dsa", with_csr(lambda b: b.csr("dsa")), CSRError, "DSA"),
    Case("csr-p521", with_csr(lambda b: b.csr("p521")), CSRError, "P-521"),
    Case("csr-p192", with_csr(lambda b: b.csr("p192")), CSRError, "P-192"),
    Case(
        "csr-secp256k1", with_csr(lambda b: b.csr("secp256k1")), CSRError, "secp256k1"
    ),
    Case(
        "csr-ip-san",
        with_csr(
            lambda b: b.csr(sans=[x509.IPAddress(ipaddress.ip_address("10.0.0.1"))])
        ),
        CSRError,
        "IP address '10.0.0.1'",
    ),
    Case(
        "csr-ipv6-san-beside-dns",
        with_csr(
            lambda b: b.csr(
                sans=[
                    x509.DNSName("www.example.com"),
                    x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
                ]
            )
        ),
        CSRError,
        "2001:db8::1",
    ),
    Case(
        "csr-uri-san",
        with_csr(
            lambda b: b.csr(sans=[x509.UniformResourceIdentifier("https://a.example")])
        ),
        CSRError,
        "URI 'https://a.example'",
    ),
    Case(
        "csr-email-san",
        with_csr(lambda b: b.csr(sans=[x509.RFC822Name("admin@example.com")])),
        CSRError,
        "e-mail address 'admin@example.com'",
    ),
    Case(
        "csr-no-san-only-common-name",
        with_csr(lambda b: b.csr(sans=None, common_name="www.example.com")),
        CSRError,
        "DNS subject alternative names",
    ),
    Case(
        "csr-wildcard-tld-san",
        with_csr(lambda b: b.dns_csr("*.com")),
        HostnameError,
        "*.com",
    ),
    Case(
        "csr-ip-as-dns-san",
        with_csr(lambda b: b.dns_csr("192.168.1.1")),
        HostnameError,
        "IP address",
    ),
]

HOSTNAME_CASES = [
    Case("host-ipv4", hostnames("10.0.0.1"), HostnameError, "10.0.0.1 is an IP"),
    Case("host-ipv6", hostnames("2001:db8::1"), HostnameError, "IP address"),
    Case("host-ipv6-brackets", hostnames("[::1]"), HostnameError, "IP address"),
    Case("host-ipv4-trailing-dot", hostnames("10.0.0.1."), HostnameError, "IP"),
    Case("host-numeric-tld", hostnames("10.1"), HostnameError, "all-numeric"),
    Case("host-wildcard-tld", hostnames("*.com"), HostnameError, "two labels"),
    Case("host-two-wildcards", hostnames("*.*.example.com"), HostnameError, "one"),
    Case("host-inner-wildcard", hostnames("a.*.example.com"), HostnameError, "*."),
    Case("host-partial-wildcard", hostnames("foo*.example.com"), HostnameError, "*"),
    Case("host-bare-wildcard", hostnames("*"), HostnameError, "bare wildcard"),
    Case("host-label-too-long", hostnames("a" * 64 + ".com"), HostnameError, "64"),
    Case(
        "host-name-too-long",
        hostnames(".".join(["a" * 63] * 4) + ".com"),
        HostnameError,
        "at most 253",
    ),
    Case("host-leading-hyphen", hostnames("-a.example.com"), HostnameError, "hyphen"),
    Case("host-trailing-hyphen", hostnames("a-.example.com"), HostnameError, "hyphen"),
    Case("host-underscore", hostnames("_acme.example.com"), HostnameError, "'_'"),
    Case("host-empty-label", hostnames("a..example.com"), HostnameError, "empty"),
    Case("host-leading-dot", hostnames(".example.com"), HostnameError, "empty label"),
    Case("host-only-dot", hostnames("."), HostnameError, "empty"),
    Case("host-empty-string", hostnames(""), HostnameError, "empty"),
    Case("host-localhost", hostnames("localhost"), HostnameError, "single label"),
    Case("host-space-inside", hostnames("www example.com"), HostnameError, "' '"),
    Case("host-newline-inside", hostnames("www\n.example.com"), HostnameError, "\\n"),
    Case("host-port", hostnames("example.com:443"), HostnameError, "':'"),
    Case("host-url", hostnames("https://example.com"), HostnameError, "':'"),
    Case("host-bad-punycode", hostnames("xn--a.example.com"), HostnameError, "xn--"),
    Case("host-not-text", hostnames(None), HostnameError, "not text"),
    Case("hosts-201", hostnames(*TWO_HUNDRED_AND_ONE), HostnameError, "201 hostnames"),
    Case("hosts-empty-list", hostnames(), HostnameError, "at least one hostname"),
    Case(
        "hosts-one-string",
        lambda build: normalize_hostnames("www.example.com"),
        HostnameError,
        "one string",
    ),
]

VALIDITY_CASES = [
    Case("duration-zero", lambda b: select_validity(timedelta(0)), ValidityError, "0s"),
    Case(
        "duration-negative",
        lambda b: select_validity(timedelta(hours=-1)),
        ValidityError,
        "not positive",
    ),
    Case("go-duration-days", lambda b: parse_go_duration("90d"), ValidityError, "90d"),
    Case("go-duration-empty", lambda b: parse_go_duration(""), ValidityError, "Go"),
    Case(
        "go-duration-no-unit", lambda b: parse_go_duration("5"), ValidityError, "unit"
    ),
    Case(
        "go-duration-too-large",
        lambda b: parse_go_duration("9999999999h"),
        ValidityError,
        "too large",
    ),
]

CASES = CSR_CASES + HOSTNAME_CASES + VALIDITY_CASES


def test_corpus_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_with_one_clear_line(case: Case, build: Builders) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        case.attempt(build)

    assert type(raised.value) is case.error
    message = str(raised.value)
    assert message
    assert "\n" not in message
    assert "\r" not in message
    assert case.words in message
    assert len(message) < 400
