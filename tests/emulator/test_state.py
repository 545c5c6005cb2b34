"""State across restarts, the roots on disk, and ``/_emulator/`` reports."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from origin_ca_operator.emulator import EmulatorConfig, RunningEmulator, start_emulator

from .support import TOKEN_ALL_ZONES, TOKENS, bearer, create_body, result_of


async def test_restart_with_the_same_state_dir_keeps_roots_and_certificates(
    tmp_path: Path,
) -> None:
    config = EmulatorConfig(tokens=TOKENS, state_dir=tmp_path / "state")
    first = await start_emulator(config)
    async with httpx.AsyncClient(
        base_url=first.base_url, headers=bearer(TOKEN_ALL_ZONES)
    ) as client:
        kept = result_of(await client.post("/certificates", json=create_body()))
        revoked = result_of(await client.post("/certificates", json=create_body()))
        result_of(await client.delete(f"/certificates/{revoked['id']}"))
    await first.stop()

    second = await start_emulator(config)
    try:
        assert second.roots == first.roots
        async with httpx.AsyncClient(
            base_url=second.base_url, headers=bearer(TOKEN_ALL_ZONES)
        ) as client:
            assert result_of(await client.get(f"/certificates/{kept['id']}")) == kept
            again = result_of(await client.get(f"/certificates/{revoked['id']}"))
            assert "revoked_at" in again
            listing = await client.get(
                "/certificates", params={"zone_id": second.zone_id("example.com")}
            )
            assert [c["id"] for c in result_of(listing)] == [kept["id"], revoked["id"]]
            stats = (await client.get(f"{second.url}/_emulator/stats")).json()
            assert stats["certificates"] == {"issued": 2, "revoked": 1}
    finally:
        await second.stop()


async def test_roots_are_kept_under_roots_with_private_keys_for_the_owner_only(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "state"
    emulator = await start_emulator(EmulatorConfig(tokens=TOKENS, state_dir=state_dir))
    await emulator.stop()

    roots = state_dir / "roots"
    rsa_root = x509.load_pem_x509_certificate(
        (roots / "origin_ca_rsa_root.pem").read_bytes()
    )
    ecc_root = x509.load_pem_x509_certificate(
        (roots / "origin_ca_ecc_root.pem").read_bytes()
    )
    assert (
        rsa_root.public_bytes(serialization.Encoding.PEM).decode()
        == (emulator.roots["rsa"])
    )
    for key_file in roots.glob("*.key"):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in roots.glob("*.key")) == [
        "origin_ca_ecc_root.key",
        "origin_ca_rsa_root.key",
    ]
    rsa_key = rsa_root.public_key()
    assert isinstance(rsa_key, rsa.RSAPublicKey)
    assert rsa_key.key_size == 2048
    ecc_key = ecc_root.public_key()
    assert isinstance(ecc_key, ec.EllipticCurvePublicKey)
    assert isinstance(ecc_key.curve, ec.SECP256R1)


async def test_roots_look_like_cloudflares_and_say_they_are_the_emulators(
    anonymous: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    served = (await anonymous.get("/_emulator/roots")).json()
    assert served == emulator.roots

    units = []
    for pem in served.values():
        root = x509.load_pem_x509_certificate(pem.encode())
        subject = root.subject
        assert subject == root.issuer
        organisation = subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        assert organisation[0].value == "CloudFlare, Inc."
        common_name = subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        assert common_name[0].value == "origin-ca-operator emulator"
        unit = subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
        units.append(unit[0].value)
        constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.value.ca
    assert units == [
        "CloudFlare Origin SSL Certificate Authority",
        "CloudFlare Origin SSL ECC Certificate Authority",
    ]


async def test_temporary_state_dir_is_removed_on_stop() -> None:
    emulator = await start_emulator(EmulatorConfig(tokens=TOKENS))
    assert (emulator.state_dir / "roots" / "origin_ca_rsa_root.pem").exists()
    await emulator.stop()
    assert not emulator.state_dir.exists()


async def test_stats_count_requests_by_route_and_status(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    first = result_of(await client.post("/certificates", json=create_body()))
    second = result_of(await client.post("/certificates", json=create_body()))
    await client.get(f"/certificates/{first['id']}")
    await client.get(f"/certificates/{second['id']}")
    await client.get("/certificates/404")
    await client.delete(f"/certificates/{first['id']}")

    stats = (await anonymous.get("/_emulator/stats")).json()
    assert stats["requests"] == [
        {
            "method": "DELETE",
            "path": "/client/v4/certificates/{id}",
            "status": 200,
            "count": 1,
        },
        {
            "method": "GET",
            "path": "/client/v4/certificates/{id}",
            "status": 200,
            "count": 2,
        },
        {
            "method": "GET",
            "path": "/client/v4/certificates/{id}",
            "status": 404,
            "count": 1,
        },
        {
            "method": "POST",
            "path": "/client/v4/certificates",
            "status": 200,
            "count": 2,
        },
    ]
    assert stats["certificates"] == {"issued": 2, "revoked": 1}


async def test_zones_are_listed_with_their_ids(
    anonymous: httpx.AsyncClient, emulator: RunningEmulator
) -> None:
    zones = (await anonymous.get("/_emulator/zones")).json()
    assert zones == [
        {"name": "example.com", "id": emulator.zone_id("example.com")},
        {"name": "example.org", "id": "0123456789abcdef0123456789abcdef"},
    ]
    assert len(zones[0]["id"]) == 32
