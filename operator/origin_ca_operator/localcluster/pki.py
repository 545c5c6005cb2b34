"""The keys and certificates of a throwaway control plane.

One CA signs the API server's serving certificate and the client certificates
of the admin (group ``system:masters``) and of the controller manager. A
separate key pair signs service account tokens. ECDSA P-256 keys throughout:
they are generated in milliseconds, and every component accepts them.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=30)
# Names a client may use for the API server: loopback, and the names and first
# service address an in-cluster client expects a Kubernetes API server to have.
SERVING_DNS_NAMES = (
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)
SERVING_IP_ADDRESSES = ("127.0.0.1", "10.0.0.1")
ADMIN_USER = "localcluster-admin"
ADMIN_GROUP = "system:masters"
CONTROLLER_MANAGER_USER = "system:kube-controller-manager"


@dataclass(frozen=True)
class KeyPair:
    """Paths of a PEM certificate and of its PEM private key."""

    certificate: Path
    key: Path


@dataclass(frozen=True)
class ClusterPKI:
    """Every key and certificate the components and clients need."""

    ca: KeyPair
    serving: KeyPair
    admin: KeyPair
    controller_manager: KeyPair
    service_account_private_key: Path
    service_account_public_key: Path


class _Authority:
    """A CA key and certificate that sign the leaves, written as they are made."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name("localcluster-ca")
        now = _now()
        self.certificate = (
            _builder(self.name, self.name, self.key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pair = _write_pair(directory, "ca", self.certificate, self.key)

    def issue(
        self,
        file_stem: str,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        alternative_names: list[x509.GeneralName] | None = None,
    ) -> KeyPair:
        """Sign a new key for ``subject`` and write both to ``file_stem``.*."""
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            _builder(subject, self.name, key.public_key(), _now())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if alternative_names:
            names = x509.SubjectAlternativeName(alternative_names)
            builder = builder.add_extension(names, critical=False)
        certificate = builder.sign(self.key, hashes.SHA256())
        return _write_pair(self.directory, file_stem, certificate, key)


def create_cluster_pki(directory: Path) -> ClusterPKI:
    """Make a fresh CA, leaves and service account key pair in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    authority = _Authority(directory)
    server = ExtendedKeyUsageOID.SERVER_AUTH
    client = ExtendedKeyUsageOID.CLIENT_AUTH
    serving_names: list[x509.GeneralName] = [
        x509.DNSName(name) for name in SERVING_DNS_NAMES
    ]
    serving_names += [
        x509.IPAddress(ipaddress.ip_address(address))
        for address in SERVING_IP_ADDRESSES
    ]
    serving = authority.issue(
        "apiserver", _name("kube-apiserver"), server, serving_names
    )
    admin = authority.issue("admin", _name(ADMIN_USER, ADMIN_GROUP), client)
    controller_manager = authority.issue(
        "controller-manager", _name(CONTROLLER_MANAGER_USER), client
    )
    private, public = _write_service_account_keys(directory)
    return ClusterPKI(
        ca=authority.pair,
        serving=serving,
        admin=admin,
        controller_manager=controller_manager,
        service_account_private_key=private,
        service_account_public_key=public,
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    now: datetime.datetime,
) -> x509.CertificateBuilder:
    # Backdated a little so that a clock a few seconds behind still accepts it.
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
        )
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_pair(
    directory: Path,
    file_stem: str,
    certificate: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
) -> KeyPair:
    certificate_path = directory / f"{file_stem}.crt"
    key_path = directory / f"{file_stem}.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, key)
    return KeyPair(certificate=certificate_path, key=key_path)


def _write_service_account_keys(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    private_path = directory / "service-account.key"
    public_path = directory / "service-account.pub"
    _write_private(private_path, key)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    return private_path, public_path


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(pem)
