"""Keys, CSRs, request bodies and envelope checks shared by the emulator tests.

Keys are generated once per session: RSA generation is slow and no test needs a
fresh key.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
)
from cryptography.x509.oid import NameOID

TOKEN_ALL_ZONES = "token-for-every-zone"
TOKEN_EXAMPLE_COM = "token-for-example-com"
TOKEN_WITHOUT_PERMISSION = "token-without-certificate-permission"
SERVICE_KEY = "v1.0-0123456789abcdef-emulator-test-key"
EXAMPLE_ORG_ID = "0123456789abcdef0123456789abcdef"
ZONES = ("example.com", f"example.org={EXAMPLE_ORG_ID}")
TOKENS: dict[str, list[str] | None] = {
    TOKEN_ALL_ZONES: None,
    TOKEN_EXAMPLE_COM: ["example.com"],
    TOKEN_WITHOUT_PERMISSION: [],
}
RAY_ID = re.compile(r"[0-9a-f]{16}-EMU")


def bearer(token: str) -> dict[str, str]:
    """The header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


@functools.cache
def private_key(kind: str) -> CertificateIssuerPrivateKeyTypes:
    """A key of ``kind``: rsa1024, rsa2048, p256, p384, p521 or ed25519."""
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curves: dict[str, ec.EllipticCurve] = {
        "p256": ec.SECP256R1(),
        "p384": ec.SECP384R1(),
        "p521": ec.SECP521R1(),
    }
    if kind in curves:
        return ec.generate_private_key(curves[kind])
    assert kind == "ed25519"
    return ed25519.Ed25519PrivateKey.generate()


def csr_request(kind: str = "rsa2048") -> x509.CertificateSigningRequest:
    """A CSR whose subject and SAN name a host the emulator must ignore."""
    key = private_key(kind)
    algorithm = None if kind == "ed25519" else hashes.SHA256()
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ignored.example.net")])
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("ignored.example.net")]),
            critical=False,
        )
        .sign(key, algorithm)
    )


@functools.cache
def csr_pem(kind: str = "rsa2048") -> str:
    """A PEM CSR for a key of ``kind``."""
    return csr_request(kind).public_bytes(serialization.Encoding.PEM).decode()


def create_body(**fields: Any) -> dict[str, Any]:
    """A valid create body for www.example.com, with ``fields`` replaced."""
    body: dict[str, Any] = {
        "csr": csr_pem(),
        "hostnames": ["www.example.com"],
        "request_type": "origin-rsa",
        "requested_validity": 90,
    }
    body.update(fields)
    return body


def assert_envelope(response: httpx.Response) -> dict[str, Any]:
    """Check the envelope keys and the ray id; return the body."""
    assert RAY_ID.fullmatch(response.headers["CF-Ray"])
    body: dict[str, Any] = response.json()
    assert {"success", "errors", "messages", "result"} <= set(body)
    assert isinstance(body["messages"], list)
    return body


def result_of(response: httpx.Response) -> Any:
    """The result of a successful call, after checking the envelope."""
    body = assert_envelope(response)
    assert response.status_code == 200, body
    assert body["success"] is True
    assert body["errors"] == []
    return body["result"]


def assert_failure(response: httpx.Response, code: int, status: int) -> str:
    """Check a failure envelope with ``code`` and HTTP ``status``; the message."""
    body = assert_envelope(response)
    assert (response.status_code, body["errors"][0]["code"]) == (status, code), body
    assert body["success"] is False
    assert body["result"] is None
    message: str = body["errors"][0]["message"]
    assert message
    return message
