"""The command line, HTTPS, and the emulator on a background thread."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import ipaddress
import os
import re
import signal
import ssl
import sys
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from origin_ca_operator.emulator import (
    EmulatorConfig,
    EmulatorThread,
    RateLimit,
    start_emulator,
)
from origin_ca_operator.emulator.command import add_arguments, config_from_arguments
from origin_ca_operator.emulator.config import TOKENS_ENV, zone_id_for
from origin_ca_operator.errors import ConfigurationError

from .support import (
    SERVICE_KEY,
    TOKEN_ALL_ZONES,
    TOKENS,
    bearer,
    create_body,
    result_of,
)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_flags_become_a_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKENS_ENV, "from-env=example.org;other-env")
    args = _parse(
        "--listen", "0.0.0.0:9000",
        "--zone", "example.com",
        "--zone", "example.org=abc123",
        "--token", "flag-token=example.com,abc123",
        "--service-key", SERVICE_KEY,
        "--rate-limit", "10/2",
        "--latency", "5",
    )  # fmt: skip
    config = config_from_arguments(args)

    assert (config.host, config.port) == ("0.0.0.0", 9000)
    assert config.zones == ("example.com", "example.org=abc123")
    assert config.tokens == {
        "from-env": ("example.org",),
        "other-env": None,
        "flag-token": ("example.com", "abc123"),
    }
    assert config.service_key == SERVICE_KEY
    assert config.rate_limit == RateLimit(10, 2.0)
    assert config.latency_ms == 5.0


def test_defaults_are_those_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKENS_ENV, raising=False)
    config = config_from_arguments(_parse("--token", "t"))
    assert (config.host, config.port) == ("127.0.0.1", 8787)
    assert config.zones == ("example.com",)
    assert config.rate_limit == RateLimit(1200, 300.0)
    assert config.state_dir is None


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("--token", "t", "--listen", "nowhere"),
        ("--token", "t", "--rate-limit", "fast"),
    ],
)
def test_unusable_flags_are_refused(
    monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.delenv(TOKENS_ENV, raising=False)
    monkeypatch.delenv("ORIGIN_CA_EMULATOR_SERVICE_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        config_from_arguments(_parse(*argv))


async def test_configuration_errors_are_reported_before_serving() -> None:
    with pytest.raises(ConfigurationError, match=r"v1\.0-"):
        await start_emulator(EmulatorConfig(service_key="not-a-key"))
    with pytest.raises(ConfigurationError, match=r"example\.net"):
        await start_emulator(EmulatorConfig(tokens={"t": ["example.net"]}))


async def test_command_serves_until_sigterm_and_never_logs_the_token(
    tmp_path: Path,
) -> None:
    token = "secret-token-from-the-environment"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "origin_ca_operator", "emulator",
        "--listen", "127.0.0.1:0", "--state-dir", str(tmp_path / "state"),
        "--zone", "example.com", "--log-level", "DEBUG",
        env={**os.environ, TOKENS_ENV: f"{token}=example.com"},
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    output = b""
    while b"\n  state:" not in output:
        line = await asyncio.wait_for(process.stderr.readline(), 60)
        assert line, output.decode()
        output += line
    base_url = re.search(rb"Origin CA emulator at (\S+)", output)
    assert base_url is not None
    assert zone_id_for("example.com").encode() in output

    async with httpx.AsyncClient(base_url=base_url.group(1).decode()) as client:
        response = await client.post(
            "/certificates", json=create_body(), headers=bearer(token)
        )
        result_of(response)
    process.send_signal(signal.SIGTERM)
    rest = await asyncio.wait_for(process.stderr.read(), 60)
    assert await process.wait() == 0
    assert token.encode() not in output + rest
    assert b"POST /client/v4/certificates 200" in output + rest


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certificate_path = directory / "tls.crt"
    key_path = directory / "tls.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


async def test_tls_certificate_and_key_serve_https(tmp_path: Path) -> None:
    certificate_path, key_path = _self_signed(tmp_path)
    config = EmulatorConfig(tokens=TOKENS, tls_cert=certificate_path, tls_key=key_path)
    emulator = await start_emulator(config)
    try:
        assert emulator.base_url.startswith("https://")
        trust = ssl.create_default_context(cafile=str(certificate_path))
        async with httpx.AsyncClient(verify=trust) as client:
            response = await client.get(
                f"{emulator.base_url}/user/tokens/verify",
                headers=bearer(TOKEN_ALL_ZONES),
            )
            assert result_of(response)["status"] == "active"
    finally:
        await emulator.stop()


def test_emulator_thread_serves_synchronous_callers() -> None:
    with EmulatorThread(EmulatorConfig(tokens=TOKENS)) as emulator:
        assert emulator.base_url.endswith("/client/v4")
        response = httpx.post(
            f"{emulator.base_url}/certificates",
            json=create_body(),
            headers=bearer(TOKEN_ALL_ZONES),
        )
        assert result_of(response)["hostnames"] == ["www.example.com"]
        state_dir = emulator.state_dir
    assert not state_dir.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emulator.base_url}/user/tokens/verify")


def test_emulator_thread_reports_a_failed_start() -> None:
    with (
        pytest.raises(ConfigurationError),
        EmulatorThread(EmulatorConfig(port=-1, service_key="bad")),
    ):
        pass
