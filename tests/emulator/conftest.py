"""An emulator per test on a loopback port, and clients to reach it.

Each test gets its own state directory; the roots are made once per session and
copied in, since RSA key generation is the slow part of a start.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from origin_ca_operator.emulator import EmulatorConfig, RunningEmulator, start_emulator
from origin_ca_operator.emulator.authority import Authority

from .support import SERVICE_KEY, TOKEN_ALL_ZONES, TOKENS, ZONES, bearer


@pytest.fixture(scope="session")
def roots_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A roots directory made once for the whole session."""
    directory = tmp_path_factory.mktemp("template") / "roots"
    Authority(directory)
    return directory


@pytest.fixture
def state_dir(tmp_path: Path, roots_template: Path) -> Path:
    """A fresh state directory holding the session's roots."""
    directory = tmp_path / "state"
    shutil.copytree(roots_template, directory / "roots")
    return directory


@pytest.fixture
def emulator_config(state_dir: Path) -> EmulatorConfig:
    """Two zones, three tokens and a service key."""
    return EmulatorConfig(
        zones=ZONES, tokens=TOKENS, service_key=SERVICE_KEY, state_dir=state_dir
    )


@pytest.fixture
async def emulator(emulator_config: EmulatorConfig) -> AsyncIterator[RunningEmulator]:
    """A running emulator, stopped after the test."""
    running = await start_emulator(emulator_config)
    yield running
    await running.stop()


@pytest.fixture
async def client(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the API with the token for every zone."""
    async with httpx.AsyncClient(
        base_url=emulator.base_url, headers=bearer(TOKEN_ALL_ZONES)
    ) as api_client:
        yield api_client


@pytest.fixture
async def anonymous(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the whole server without credentials (API and /_emulator/)."""
    async with httpx.AsyncClient(base_url=emulator.url) as plain_client:
        yield plain_client
