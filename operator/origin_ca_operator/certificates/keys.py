"""Private keys and the CSRs made from them, for certificates the operator owns.

Only the key types the Origin CA accepts can be generated: RSA of 2048, 3072 or
4096 bits, and ECDSA on P-256 or P-384. A CSR lists its hostnames as DNS subject
alternative names and is signed with SHA-256.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from origin_ca_operator.certificates.hostnames import normalize_hostnames
from origin_ca_operator.errors import InvalidRequestError

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_KEY_SIZES = (2048, 3072, 4096)
ECDSA_KEY_SIZES = (256, 384)
_CURVES: dict[int, type[ec.EllipticCurve]] = {256: ec.SECP256R1, 384: ec.SECP384R1}
# X.509 bounds a common name to 64 characters (ub-common-name).
_MAX_COMMON_NAME_LENGTH = 64


class KeyAlgorithm(enum.Enum):
    """The families of private key the operator can generate."""

    RSA = "RSA"
    ECDSA = "ECDSA"


def generate_private_key(algorithm: KeyAlgorithm, size: int) -> PrivateKey:
    """Generate an RSA (2048, 3072, 4096) or ECDSA (256, 384) private key."""
    if algorithm is KeyAlgorithm.RSA:
        if size not in RSA_KEY_SIZES:
            raise InvalidRequestError(
                f"RSA key size {size} is not supported; use 2048, 3072 or 4096"
            )
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if algorithm is KeyAlgorithm.ECDSA:
        if size not in ECDSA_KEY_SIZES:
            raise InvalidRequestError(
                f"ECDSA key size {size} is not supported; use 256 (P-256) "
                "or 384 (P-384)"
            )
        return ec.generate_private_key(_CURVES[size]())
    raise InvalidRequestError(
        f"key algorithm {algorithm!r} is not supported; use RSA or ECDSA"
    )


def build_csr(
    key: PrivateKey, hostnames: Sequence[str]
) -> x509.CertificateSigningRequest:
    """Build a SHA-256 CSR listing ``hostnames`` as DNS SANs, CN the first one."""
    names = normalize_hostnames(hostnames)
    subject: list[x509.NameAttribute[str]] = []
    # The Origin CA ignores the subject; a name too long for a CN is left out.
    if len(names[0]) <= _MAX_COMMON_NAME_LENGTH:
        subject.append(x509.NameAttribute(NameOID.COMMON_NAME, names[0]))

    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(subject))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]),
            critical=False,
        )
    )
    return builder.sign(key, hashes.SHA256())


def private_key_pem(key: PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
