"""The embedded Origin CA roots are Cloudflare's, and root files are checked."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from origin_ca_operator.certificates import (
    OriginRoots,
    RequestType,
    embedded_roots,
    load_roots,
)
from origin_ca_operator.errors import ConfigurationError

from .conftest import Builders

ROOT_FILES = ("origin_ca_rsa_root.pem", "origin_ca_ecc_root.pem")


def organizational_unit(certificate: x509.Certificate) -> str:
    (attribute,) = certificate.subject.get_attributes_for_oid(
        NameOID.ORGANIZATIONAL_UNIT_NAME
    )
    return str(attribute.value)


def check_validity_period(certificate: x509.Certificate) -> None:
    assert certificate.not_valid_before_utc.date() == datetime.date(2019, 8, 23)
    assert certificate.not_valid_after_utc.date() == datetime.date(2029, 8, 15)


def test_embedded_rsa_root_is_cloudflares() -> None:
    root = x509.load_pem_x509_certificate(embedded_roots().rsa_pem)
    assert root.serial_number == 0x0FEACE49D4C67C67
    check_validity_period(root)
    key = root.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert organizational_unit(root) == "CloudFlare Origin SSL Certificate Authority"
    root.verify_directly_issued_by(root)


def test_embedded_ecc_root_is_cloudflares() -> None:
    root = x509.load_pem_x509_certificate(embedded_roots().ecc_pem)
    assert root.serial_number == 0x5D93F73166FC30AC0113541B6B0B29D6C7C0FD8E
    check_validity_period(root)
    key = root.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert organizational_unit(root) == (
        "CloudFlare Origin SSL ECC Certificate Authority"
    )
    root.verify_directly_issued_by(root)


def test_request_type_picks_its_root() -> None:
    roots = OriginRoots(rsa_pem=b"rsa", ecc_pem=b"ecc")
    assert roots.for_request_type(RequestType.ORIGIN_RSA) == b"rsa"
    assert roots.for_request_type(RequestType.ORIGIN_ECC) == b"ecc"


@pytest.mark.parametrize(
    ("spec_name", "api_value"),
    [("OriginRSA", "origin-rsa"), ("OriginECC", "origin-ecc")],
)
def test_request_type_converts_between_spec_and_api_names(
    spec_name: str, api_value: str
) -> None:
    request_type = RequestType.from_spec(spec_name)
    assert request_type.value == api_value
    assert request_type.spec_name == spec_name
    assert RequestType(api_value) is request_type


@pytest.mark.parametrize("spec_name", ["originrsa", "origin-rsa", "", "OriginKeyless"])
def test_unknown_spec_request_type_is_refused(spec_name: str) -> None:
    with pytest.raises(ConfigurationError, match="OriginRSA or OriginECC"):
        RequestType.from_spec(spec_name)


def copy_embedded_roots(directory: Path) -> None:
    roots = embedded_roots()
    (directory / ROOT_FILES[0]).write_bytes(roots.rsa_pem)
    (directory / ROOT_FILES[1]).write_bytes(roots.ecc_pem)


def test_roots_load_from_a_directory(tmp_path: Path) -> None:
    copy_embedded_roots(tmp_path)
    assert load_roots(tmp_path) == embedded_roots()


def test_text_around_a_root_file_is_dropped(tmp_path: Path) -> None:
    copy_embedded_roots(tmp_path)
    path = tmp_path / ROOT_FILES[0]
    path.write_bytes(b"# Cloudflare Origin CA RSA root\n" + path.read_bytes())
    assert load_roots(tmp_path).rsa_pem == embedded_roots().rsa_pem


@pytest.mark.parametrize("missing", ROOT_FILES)
def test_missing_root_file_is_named(tmp_path: Path, missing: str) -> None:
    copy_embedded_roots(tmp_path)
    (tmp_path / missing).unlink()
    with pytest.raises(ConfigurationError, match=missing):
        load_roots(tmp_path)


@pytest.mark.parametrize("broken", ROOT_FILES)
def test_root_file_that_is_no_certificate_is_refused(
    tmp_path: Path, broken: str
) -> None:
    copy_embedded_roots(tmp_path)
    (tmp_path / broken).write_text("not a certificate\n")
    with pytest.raises(ConfigurationError, match="is not a PEM certificate"):
        load_roots(tmp_path)


def test_swapped_root_files_are_refused(tmp_path: Path) -> None:
    roots = embedded_roots()
    (tmp_path / ROOT_FILES[0]).write_bytes(roots.ecc_pem)
    (tmp_path / ROOT_FILES[1]).write_bytes(roots.rsa_pem)
    with pytest.raises(ConfigurationError, match="swapped"):
        load_roots(tmp_path)


def test_other_roots_of_the_right_key_types_are_loaded(
    tmp_path: Path, build: Builders
) -> None:
    rsa_root = build.certificate("Test RSA Root", build.key("rsa2048"))
    ecc_root = build.certificate("Test ECC Root", build.key("p256"))
    for name, root in zip(ROOT_FILES, (rsa_root, ecc_root), strict=True):
        (tmp_path / name).write_bytes(root.public_bytes(serialization.Encoding.PEM))

    roots = load_roots(tmp_path)
    assert x509.load_pem_x509_certificate(roots.rsa_pem) == rsa_root
    assert x509.load_pem_x509_certificate(roots.ecc_pem) == ecc_root
