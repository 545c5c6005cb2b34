"""Certificate signing requests: read them, check them, take their hostnames.

A CSR arrives as PEM text, or as base64 of PEM in cert-manager's ``spec.request``.
It is refused with a message saying what to fix when it cannot be read, when its
signature does not verify, or when its key is one the Origin CA does not accept.
Its hostnames are the DNS names of its subject alternative names; the subject's
common name is ignored, as the Origin CA ignores it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import (
    dsa,
    ec,
    ed448,
    ed25519,
    rsa,
)

from origin_ca_operator.certificates.hostnames import normalize_hostnames
from origin_ca_operator.errors import CSRError

MIN_RSA_KEY_SIZE = 2048
ACCEPTED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}
_CURVE_NAMES = {"secp521r1": "P-521", "secp224r1": "P-224", "secp192r1": "P-192"}
_PEM_BEGIN = b"-----BEGIN "
_CSR_LABELS = (b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST")
_ACCEPTED_KEYS = "use RSA 2048 or larger, or ECDSA P-256 or P-384"
_DER_MESSAGE = (
    "the CSR is DER (binary) data; the Origin CA takes PEM: convert it with "
    "openssl req -inform DER -outform PEM"
)


@dataclass(frozen=True)
class ParsedCSR:
    """A CSR that was read, whose signature verifies and whose key is accepted."""

    csr: x509.CertificateSigningRequest
    dns_names: tuple[str, ...]
    key_type: str

    @property
    def pem(self) -> str:
        """The CSR as PEM text with real newlines, as the Origin CA API wants it."""
        return self.csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def parse_csr(data: str | bytes) -> ParsedCSR:
    """Read a CSR given as PEM or base64 of PEM, verify it, and check its key."""
    pem = _pem_bytes(data)
    try:
        csr = x509.load_pem_x509_csr(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CSRError(
            f"the CSR's PEM block cannot be parsed ({_one_line(error)}); "
            "it may be truncated or altered: generate it again"
        ) from None

    key_type = _accepted_key_type(csr)
    try:
        signature_valid = csr.is_signature_valid
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CSRError(
            f"the CSR's signature cannot be checked ({_one_line(error)}); "
            "sign it with SHA-256 and an accepted key"
        ) from None
    if not signature_valid:
        raise CSRError(
            "the CSR's signature does not verify: it was altered or signed with "
            "another key; generate it again"
        )
    return ParsedCSR(csr=csr, dns_names=_raw_dns_names(csr), key_type=key_type)


def hostnames_from_csr(parsed: ParsedCSR) -> list[str]:
    """The CSR's DNS subject alternative names, normalised; other SAN kinds refused."""
    names = _subject_alternative_names(parsed.csr)
    for name in names:
        _refuse_non_dns_name(name)
    dns_names = [name.value for name in names if isinstance(name, x509.DNSName)]
    if not dns_names:
        raise CSRError(
            "the CSR lists no DNS subject alternative names; list every hostname "
            "as a DNS SAN (the Origin CA ignores the subject common name)"
        )
    return normalize_hostnames(dns_names)


def _pem_bytes(data: str | bytes) -> bytes:
    """The PEM text of a CSR, decoding base64 once when the input is base64."""
    raw = _as_bytes(data).strip()
    if not raw:
        raise CSRError(
            "the CSR is empty; give a PEM certificate signing request "
            "(-----BEGIN CERTIFICATE REQUEST-----)"
        )
    if _PEM_BEGIN in raw:
        return _checked_pem(raw)
    if raw[:1] == b"\x30":
        raise CSRError(_DER_MESSAGE)

    try:
        decoded = base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if _PEM_BEGIN in decoded:
        return _checked_pem(decoded.strip())
    if decoded[:1] == b"\x30":
        raise CSRError(
            "the CSR is base64 of DER (binary) data; the Origin CA takes PEM: "
            "base64-encode the PEM file instead (openssl req -outform PEM)"
        )
    raise CSRError(
        "the CSR is neither PEM nor base64 of PEM; give the text that starts with "
        "-----BEGIN CERTIFICATE REQUEST-----"
    )


def _as_bytes(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        try:
            return data.encode("ascii")
        except UnicodeEncodeError:
            raise CSRError(
                "the CSR holds non-ASCII characters; PEM and base64 are ASCII "
                "text: copy the CSR again without altering it"
            ) from None
    raise CSRError(f"the CSR is a {type(data).__name__}, not text; give the PEM text")


def _checked_pem(pem: bytes) -> bytes:
    """Refuse a PEM block that holds something other than a CSR, naming it."""
    start = pem.find(_PEM_BEGIN) + len(_PEM_BEGIN)
    label = pem[start : pem.find(b"-----", start)]
    if label in _CSR_LABELS:
        return pem
    shown = label.decode("ascii", "replace")[:40]
    if label == b"CERTIFICATE":
        raise CSRError(
            "the PEM block is a certificate, not a certificate signing request; "
            "give the CSR (-----BEGIN CERTIFICATE REQUEST-----)"
        )
    if label.endswith(b"PRIVATE KEY"):
        raise CSRError(
            "the PEM block is a private key, not a certificate signing request; "
            "keep the key secret and give the CSR made from it"
        )
    raise CSRError(
        f"the PEM block is {shown!r}, not a certificate signing request; "
        "give the CSR (-----BEGIN CERTIFICATE REQUEST-----)"
    )


def _accepted_key_type(csr: x509.CertificateSigningRequest) -> str:
    """Name the CSR's key type, or refuse a key the Origin CA does not accept."""
    try:
        key = csr.public_key()
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CSRError(
            f"the CSR's public key cannot be read ({_one_line(error)}); "
            f"{_ACCEPTED_KEYS}"
        ) from None

    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_KEY_SIZE:
            raise CSRError(
                f"RSA {key.key_size} key is too small; use RSA 2048 or larger, "
                "or ECDSA P-256"
            )
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = key.curve.name
        if curve in ACCEPTED_CURVES:
            return f"ECDSA {ACCEPTED_CURVES[curve]}"
        shown = _CURVE_NAMES.get(curve, curve)
        raise CSRError(
            f"ECDSA {shown} keys are not accepted by the Origin CA; "
            "use ECDSA P-256 or P-384, or RSA 2048 or larger"
        )
    raise CSRError(
        f"{_key_kind(key)} keys are not accepted by the Origin CA; {_ACCEPTED_KEYS}"
    )


def _key_kind(key: object) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA"
    return type(key).__name__


def _subject_alternative_names(
    csr: x509.CertificateSigningRequest,
) -> list[x509.GeneralName]:
    try:
        extension = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    except (ValueError, x509.DuplicateExtension) as error:
        raise CSRError(
            f"the CSR's extensions cannot be read ({_one_line(error)}); "
            "generate it again"
        ) from None
    return list(extension.value)


def _raw_dns_names(csr: x509.CertificateSigningRequest) -> tuple[str, ...]:
    return tuple(
        name.value
        for name in _subject_alternative_names(csr)
        if isinstance(name, x509.DNSName)
    )


def _refuse_non_dns_name(name: x509.GeneralName) -> None:
    if isinstance(name, x509.DNSName):
        return
    if isinstance(name, x509.IPAddress):
        kind, value = "IP address", str(name.value)
    elif isinstance(name, x509.UniformResourceIdentifier):
        kind, value = "URI", name.value
    elif isinstance(name, x509.RFC822Name):
        kind, value = "e-mail address", name.value
    else:
        kind, value = type(name).__name__, str(name.value)
    raise CSRError(
        f"the CSR lists the {kind} {value[:80]!r} as a subject alternative name; "
        "Origin CA certificates cover DNS names only: remove it"
    )


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:120]
