"""The certificate object and the leaf the emulator issues."""

from __future__ import annotations

import datetime

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    SignatureAlgorithmOID,
)

from origin_ca_operator.emulator import RunningEmulator

from .support import create_body, csr_pem, csr_request, private_key, result_of

LEAF_SUBJECT = (
    "CN=CloudFlare Origin Certificate,OU=CloudFlare Origin CA,O=CloudFlare\\, Inc."
)


def _load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


async def test_leaf_verifies_against_the_rsa_root_with_cloudflares_subject(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    result = result_of(await client.post("/certificates", json=create_body()))
    leaf = _load(result["certificate"])
    root = _load(emulator.roots["rsa"])

    leaf.verify_directly_issued_by(root)
    assert leaf.subject.rfc4514_string() == LEAF_SUBJECT
    assert leaf.issuer == root.subject
    assert leaf.public_key() == private_key("rsa2048").public_key()
    assert leaf.signature_algorithm_oid == SignatureAlgorithmOID.RSA_WITH_SHA256


async def test_id_is_the_20_byte_serial_in_decimal(client: httpx.AsyncClient) -> None:
    result = result_of(await client.post("/certificates", json=create_body()))
    serial = _load(result["certificate"]).serial_number

    assert result["id"] == str(serial)
    assert result["id"].isdigit()
    assert serial > 0
    assert serial.bit_length() // 8 + 1 == 20  # DER length of a positive integer


async def test_validity_runs_from_the_minute_for_the_requested_days(
    client: httpx.AsyncClient,
) -> None:
    before = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    body = create_body(requested_validity=730)
    result = result_of(await client.post("/certificates", json=body))
    after = datetime.datetime.now(datetime.UTC)
    leaf = _load(result["certificate"])

    not_before = leaf.not_valid_before_utc
    assert before <= not_before <= after
    assert (not_before.second, not_before.microsecond) == (0, 0)
    assert leaf.not_valid_after_utc - not_before == datetime.timedelta(days=730)
    expected = leaf.not_valid_after_utc.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
    assert result["expires_on"] == expected
    assert result["requested_validity"] == 730


async def test_validity_defaults_to_5475_days(client: httpx.AsyncClient) -> None:
    body = create_body()
    del body["requested_validity"]
    result = result_of(await client.post("/certificates", json=body))
    leaf = _load(result["certificate"])

    assert result["requested_validity"] == 5475
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert lifetime == datetime.timedelta(days=5475)


async def test_leaf_extensions_are_those_of_an_origin_ca_leaf(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    result = result_of(await client.post("/certificates", json=create_body()))
    leaf = _load(result["certificate"])
    root = _load(emulator.roots["rsa"])
    extensions = leaf.extensions

    key_usage = extensions.get_extension_for_class(x509.KeyUsage)
    assert key_usage.critical
    assert key_usage.value.digital_signature
    assert key_usage.value.key_encipherment
    assert not key_usage.value.key_cert_sign
    assert not key_usage.value.content_commitment
    usages = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    ]
    constraints = extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca is False

    subject_key_id = extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    expected_id = x509.SubjectKeyIdentifier.from_public_key(leaf.public_key())
    assert subject_key_id.value == expected_id
    root_key_id = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    authority_key_id = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert authority_key_id.value.key_identifier == root_key_id.value.digest


async def test_leaf_names_cloudflares_ocsp_and_crl(client: httpx.AsyncClient) -> None:
    result = result_of(await client.post("/certificates", json=create_body()))
    extensions = _load(result["certificate"]).extensions

    access = extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [(a.access_method, a.access_location.value) for a in access] == [
        (AuthorityInformationAccessOID.OCSP, "http://ocsp.cloudflare.com/origin_ca")
    ]
    points = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    names = [name.value for point in points for name in point.full_name or []]
    assert names == ["http://crl.cloudflare.com/origin_ca.crl"]


async def test_sans_are_the_normalised_hostnames_and_the_csr_names_are_ignored(
    client: httpx.AsyncClient,
) -> None:
    hostnames = [
        "WWW.Example.com.",
        "*.example.com",
        "bücher.example.com",
        "*.api.example.com",
    ]
    body = create_body(hostnames=[*hostnames, "www.example.com"])
    result = result_of(await client.post("/certificates", json=body))
    leaf = _load(result["certificate"])

    expected = [
        "www.example.com",
        "*.example.com",
        "xn--bcher-kva.example.com",
        "*.api.example.com",
    ]
    assert result["hostnames"] == expected
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == expected
    assert (
        "ignored.example.net"
        not in leaf.public_bytes(serialization.Encoding.PEM).decode()
    )


async def test_ecc_root_signs_an_rsa_key_for_origin_ecc(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    body = create_body(request_type="origin-ecc", csr=csr_pem("rsa2048"))
    result = result_of(await client.post("/certificates", json=body))
    leaf = _load(result["certificate"])

    leaf.verify_directly_issued_by(_load(emulator.roots["ecc"]))
    assert isinstance(leaf.public_key(), rsa.RSAPublicKey)
    assert leaf.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert result["request_type"] == "origin-ecc"


async def test_rsa_root_signs_an_ecdsa_key_for_origin_rsa(
    client: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    body = create_body(request_type="origin-rsa", csr=csr_pem("p256"))
    result = result_of(await client.post("/certificates", json=body))

    _load(result["certificate"]).verify_directly_issued_by(_load(emulator.roots["rsa"]))


async def test_certificate_object_has_the_documented_fields(
    client: httpx.AsyncClient,
) -> None:
    body = create_body()
    result = result_of(await client.post("/certificates", json=body))

    assert set(result) == {
        "id",
        "certificate",
        "hostnames",
        "expires_on",
        "request_type",
        "requested_validity",
        "csr",
    }
    assert result["csr"] == body["csr"]
    assert result["certificate"].startswith("-----BEGIN CERTIFICATE-----\n")


async def test_each_certificate_gets_its_own_serial(client: httpx.AsyncClient) -> None:
    ids = {
        result_of(await client.post("/certificates", json=create_body()))["id"]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_csr_fixture_names_the_host_the_emulator_must_ignore() -> None:
    sans = csr_request().extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sans.value.get_values_for_type(x509.DNSName) == ["ignored.example.net"]
