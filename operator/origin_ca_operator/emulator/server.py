"""Starting and stopping an emulator, from async code or from a background thread."""

from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from aiohttp import web

from origin_ca_operator.emulator.app import build_app
from origin_ca_operator.emulator.auth import Authenticator
from origin_ca_operator.emulator.authority import Authority
from origin_ca_operator.emulator.config import EmulatorConfig, Zone
from origin_ca_operator.emulator.faults import Faults
from origin_ca_operator.emulator.ratelimit import RateLimiter
from origin_ca_operator.emulator.state import EmulatorState
from origin_ca_operator.emulator.store import CertificateStore

logger = logging.getLogger(__name__)

ROOTS_DIRECTORY = "roots"
CERTIFICATES_DIRECTORY = "certificates"
# Requests still running when the emulator stops get this long to finish.
SHUTDOWN_SECONDS = 2.0


@dataclass
class RunningEmulator:
    """A serving emulator: where it listens, its zones and roots, and ``stop()``."""

    url: str
    state_dir: Path
    zones: tuple[Zone, ...]
    roots: dict[str, str]
    _state: EmulatorState = field(repr=False)
    _runner: web.AppRunner = field(repr=False)
    _temporary: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        """The API's base URL, ending in ``/client/v4``."""
        return f"{self.url}/client/v4"

    def zone_id(self, name: str) -> str:
        """The id of the zone called ``name``."""
        for zone in self.zones:
            if zone.name == name.rstrip(".").lower():
                return zone.id
        raise KeyError(f"the emulator has no zone {name!r}")

    async def stop(self) -> None:
        """Stop serving; cut hangs short; remove a temporary state directory."""
        self._state.stopping.set()
        await self._runner.cleanup()
        if self._temporary:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        logger.info("emulator at %s stopped", self.url)

    async def __aenter__(self) -> RunningEmulator:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_emulator(config: EmulatorConfig | None = None) -> RunningEmulator:
    """Start serving ``config`` (defaults if None) on the running event loop."""
    config = config or EmulatorConfig()
    config.check()
    zones = config.resolved_zones()
    authenticator = Authenticator(zones, config.tokens, config.service_key)
    temporary = config.state_dir is None
    if config.state_dir is None:
        state_dir = Path(tempfile.mkdtemp(prefix="origin-ca-emulator-"))
    else:
        state_dir = Path(config.state_dir)
    state = EmulatorState(
        zones=zones,
        authenticator=authenticator,
        authority=Authority(state_dir / ROOTS_DIRECTORY),
        store=CertificateStore(state_dir / CERTIFICATES_DIRECTORY),
        limiter=RateLimiter(config.rate_limit),
        faults=Faults(latency_ms=config.latency_ms),
    )

    runner = web.AppRunner(
        build_app(state), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS
    )
    await runner.setup()
    tls = _tls_context(config)
    site = web.TCPSite(runner, config.host, config.port, ssl_context=tls)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        if temporary:
            shutil.rmtree(state_dir, ignore_errors=True)
        raise
    url = _url_of(runner, config.host, tls is not None)
    logger.info("emulator serving the Origin CA API at %s/client/v4", url)
    roots = {
        "rsa": state.authority.roots["origin-rsa"].pem,
        "ecc": state.authority.roots["origin-ecc"].pem,
    }
    return RunningEmulator(url, state_dir, zones, roots, state, runner, temporary)


def _tls_context(config: EmulatorConfig) -> ssl.SSLContext | None:
    if config.tls_cert is None or config.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(config.tls_cert), str(config.tls_key))
    return context


def _url_of(runner: web.AppRunner, host: str, tls: bool) -> str:
    address = runner.addresses[0]
    port = address[1]
    shown_host = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown_host}:{port}"


class EmulatorThread:
    """An emulator on its own event loop in a background thread, for sync code.

    ``with EmulatorThread(config) as emulator:`` gives the :class:`RunningEmulator`
    (its ``base_url``, ``zone_id()``, ``roots``); leaving the block stops it.
    """

    def __init__(
        self, config: EmulatorConfig | None = None, start_timeout: float = 60.0
    ) -> None:
        self._config = config
        self._start_timeout = start_timeout
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="origin-ca-emulator", daemon=True
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._emulator: RunningEmulator | None = None

    @property
    def emulator(self) -> RunningEmulator:
        """The running emulator; only between ``start()`` and ``stop()``."""
        if self._emulator is None:
            raise RuntimeError("the emulator thread is not running")
        return self._emulator

    def start(self) -> RunningEmulator:
        """Start the thread and wait until the emulator serves."""
        self._thread.start()
        if not self._ready.wait(self._start_timeout):
            raise TimeoutError("the emulator did not start in time")
        if self._error is not None:
            raise self._error
        return self.emulator

    def stop(self) -> None:
        """Stop the emulator and wait for its thread to end."""
        if self._loop is not None and self._stop_requested is not None:
            self._loop.call_soon_threadsafe(self._stop_requested.set)
        self._thread.join(timeout=SHUTDOWN_SECONDS + 30)
        self._emulator = None

    def __enter__(self) -> RunningEmulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        try:
            self._emulator = await start_emulator(self._config)
        except BaseException as error:
            self._error = error
            return
        finally:
            self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            await self._emulator.stop()
