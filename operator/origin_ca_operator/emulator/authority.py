"""The emulator's own Origin CA: two roots, and the leaves they sign.

The roots imitate Cloudflare's (an RSA 2048 root and an ECDSA P-256 root with
Cloudflare's subject) with ``CN=origin-ca-operator emulator`` added, so that no
one mistakes them for the real ones. They are made on first start and kept in
``<state dir>/roots/``; keys are written readable by their owner only.

Leaves are shaped like Cloudflare's Origin CA leaves: fixed subject, the
hostnames as SANs, NotBefore on the minute, the same extensions and URLs.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from origin_ca_operator.emulator.store import write_atomically
from origin_ca_operator.errors import ConfigurationError

RootKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
LeafPublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

OCSP_URL = "http://ocsp.cloudflare.com/origin_ca"
CRL_URL = "http://crl.cloudflare.com/origin_ca.crl"
EMULATOR_ROOT_CN = "origin-ca-operator emulator"
ROOT_VALIDITY = datetime.timedelta(days=3650)

LEAF_SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CloudFlare, Inc."),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "CloudFlare Origin CA"),
        x509.NameAttribute(NameOID.COMMON_NAME, "CloudFlare Origin Certificate"),
    ]
)


@dataclass(frozen=True)
class RootKind:
    """Which root a request type uses: its file names, subject unit and key."""

    stem: str
    unit: str
    elliptic: bool


ROOT_KINDS = {
    "origin-rsa": RootKind(
        "origin_ca_rsa_root", "CloudFlare Origin SSL Certificate Authority", False
    ),
    "origin-ecc": RootKind(
        "origin_ca_ecc_root", "CloudFlare Origin SSL ECC Certificate Authority", True
    ),
}


@dataclass(frozen=True)
class Root:
    """A root certificate with its private key."""

    certificate: x509.Certificate
    private_key: RootKey

    @property
    def pem(self) -> str:
        """The root certificate as PEM text."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def random_serial() -> int:
    """A positive serial of exactly 20 bytes in DER, as Cloudflare's are."""
    return secrets.randbits(159) | (1 << 152)


def on_the_minute(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` without seconds and microseconds."""
    return moment.replace(second=0, microsecond=0)


class Authority:
    """The two roots, loaded from ``roots_dir`` or made there on first use."""

    def __init__(self, roots_dir: Path) -> None:
        self.roots = {
            request_type: _load_or_create_root(roots_dir, kind)
            for request_type, kind in ROOT_KINDS.items()
        }

    def sign(
        self,
        public_key: LeafPublicKey,
        hostnames: list[str],
        request_type: str,
        validity_days: int,
        now: datetime.datetime,
    ) -> x509.Certificate:
        """Issue a leaf for ``public_key`` from the root ``request_type`` chooses."""
        root = self.roots[request_type]
        not_before = on_the_minute(now)
        issuer_key_id = root.certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value
        builder = (
            x509.CertificateBuilder()
            .subject_name(LEAF_SUBJECT)
            .issuer_name(root.certificate.subject)
            .public_key(public_key)
            .serial_number(random_serial())
            .not_valid_before(not_before)
            .not_valid_after(not_before + datetime.timedelta(days=validity_days))
        )
        for extension, critical in _leaf_extensions(public_key, hostnames):
            builder = builder.add_extension(extension, critical=critical)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                issuer_key_id
            ),
            critical=False,
        )
        return builder.sign(root.private_key, hashes.SHA256())


def _leaf_extensions(
    public_key: LeafPublicKey, hostnames: list[str]
) -> list[tuple[x509.ExtensionType, bool]]:
    key_usage = x509.KeyUsage(
        digital_signature=True,
        key_encipherment=True,
        content_commitment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    usages = [
        x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
        x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH,
    ]
    ocsp = x509.AccessDescription(
        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(OCSP_URL)
    )
    crl = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return [
        (key_usage, True),
        (x509.ExtendedKeyUsage(usages), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (x509.AuthorityInformationAccess([ocsp]), False),
        (x509.CRLDistributionPoints([crl]), False),
        (x509.SubjectAlternativeName([x509.DNSName(h) for h in hostnames]), False),
    ]


def _load_or_create_root(roots_dir: Path, kind: RootKind) -> Root:
    stem = kind.stem
    certificate_path = roots_dir / f"{stem}.pem"
    key_path = roots_dir / f"{stem}.key"
    if certificate_path.exists() != key_path.exists():
        raise ConfigurationError(
            f"{roots_dir} holds only one of {stem}.pem and {stem}.key: "
            "restore the other or remove both to make a new root"
        )
    if certificate_path.exists():
        return _load_root(certificate_path, key_path)

    root = _create_root(kind)
    roots_dir.mkdir(parents=True, exist_ok=True)
    key_pem = root.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomically(key_path, key_pem, mode=0o600)
    write_atomically(certificate_path, root.pem.encode(), mode=0o644)
    return root


def _load_root(certificate_path: Path, key_path: Path) -> Root:
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigurationError(f"{key_path} is neither an RSA nor an EC key")
    if key.public_key() != certificate.public_key():
        raise ConfigurationError(f"{key_path} does not match {certificate_path}")
    return Root(certificate=certificate, private_key=key)


def _create_root(kind: RootKind) -> Root:
    key: RootKey
    if kind.elliptic:
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CloudFlare, Inc."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, kind.unit),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            x509.NameAttribute(NameOID.COMMON_NAME, EMULATOR_ROOT_CN),
        ]
    )
    not_before = on_the_minute(datetime.datetime.now(datetime.UTC))
    key_usage = x509.KeyUsage(
        digital_signature=False,
        key_encipherment=False,
        content_commitment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_before + ROOT_VALIDITY)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.BasicConstraints(ca=True, path_length=2), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return Root(certificate=certificate, private_key=key)
