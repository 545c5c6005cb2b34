"""Checks of a create request, in the order the emulator applies them.

JSON body (1004), ``request_type`` (1002), ``requested_validity`` (1009),
hostnames (1010 for a bad name, 1005 for too many after removing repeats), then
the CSR: no PEM block found (1007: empty, DER or bare base64 sent) or a PEM
block that does not parse, fails its signature or holds a key the Origin CA
refuses (1011). Whether the hostnames belong to the caller's zones is checked
by the route, which knows the caller.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from origin_ca_operator.certificates.hostnames import MAX_HOSTNAMES, normalize_hostname
from origin_ca_operator.certificates.roots import RequestType
from origin_ca_operator.certificates.validity import (
    ALLOWED_VALIDITY_DAYS,
    DEFAULT_VALIDITY_DAYS,
)
from origin_ca_operator.emulator.authority import LeafPublicKey
from origin_ca_operator.emulator.envelope import ApiError
from origin_ca_operator.errors import HostnameError

# A PEM block needs real line breaks; a CSR sent with literal "\n" is not found,
# as Cloudflare's Go decoder does not find it either.
_PEM_CSR = re.compile(
    r"-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----\r?\n"
    r".+?\r?\n-----END (?:NEW )?CERTIFICATE REQUEST-----",
    re.DOTALL,
)
_ACCEPTED_CURVES = (ec.SECP256R1, ec.SECP384R1)
_MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class CreateRequest:
    """A create request that passed every check that does not need the caller."""

    csr: str
    public_key: LeafPublicKey
    hostnames: list[str]
    request_type: str
    requested_validity: int


def parse_create_request(body: bytes) -> CreateRequest:
    """Read and check a create body; raise :class:`ApiError` at the first fault."""
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(1004) from None
    if not isinstance(fields, dict):
        raise ApiError(1004)

    request_type = _request_type(fields.get("request_type"))
    validity = _validity(fields.get("requested_validity", DEFAULT_VALIDITY_DAYS))
    hostnames = normalize_request_hostnames(fields.get("hostnames"))
    csr = fields.get("csr")
    if not isinstance(csr, str):
        raise ApiError(1007)
    public_key = parse_csr_public_key(csr)
    return CreateRequest(csr, public_key, hostnames, request_type, validity)


def _request_type(value: Any) -> str:
    accepted = {request_type.value for request_type in RequestType}
    if value not in accepted:
        raise ApiError(
            1002,
            f"request_type {value!r} is not supported; use origin-rsa or origin-ecc",
        )
    return str(value)


def _validity(value: Any) -> int:
    if isinstance(value, bool) or value not in ALLOWED_VALIDITY_DAYS:
        allowed = ", ".join(str(days) for days in ALLOWED_VALIDITY_DAYS)
        raise ApiError(
            1009, f"requested_validity {value!r} is not one of {allowed} (days)"
        )
    return int(value)


def normalize_request_hostnames(value: Any) -> list[str]:
    """The hostnames, normalised, repeats removed; 1010 or 1005 when refused."""
    if not isinstance(value, list) or not value:
        raise ApiError(1010, "hostnames must be a non-empty list of DNS names")
    unique: dict[str, None] = {}
    for name in value:
        try:
            unique.setdefault(normalize_hostname(name), None)
        except HostnameError as error:
            raise ApiError(
                1010, f"Failed to validate requested hostname: {error}"
            ) from None
    if len(unique) > MAX_HOSTNAMES:
        raise ApiError(
            1005,
            f"{len(unique)} distinct hostnames were requested; "
            f"a certificate covers at most {MAX_HOSTNAMES}",
        )
    return list(unique)


def _accepted_key(public_key: object) -> TypeGuard[LeafPublicKey]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return public_key.key_size >= _MIN_RSA_BITS
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return isinstance(public_key.curve, _ACCEPTED_CURVES)
    return False


def parse_csr_public_key(csr: str) -> LeafPublicKey:
    """The public key of a PEM CSR whose signature holds, or ApiError 1007/1011."""
    found = _PEM_CSR.search(csr)
    if found is None:
        raise ApiError(1007)
    try:
        request = x509.load_pem_x509_csr(found.group(0).encode())
        signature_holds = request.is_signature_valid
        public_key = request.public_key()
    except ValueError:
        raise ApiError(1011) from None
    if not signature_holds:
        raise ApiError(1011, "The CSR's signature does not match its key")
    if _accepted_key(public_key):
        return public_key
    raise ApiError(
        1011,
        "The CSR's key is not accepted: use RSA of 2048 bits or more, "
        "or ECDSA on P-256 or P-384",
    )
