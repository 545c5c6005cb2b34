"""``origin-ca-operator emulator``: serve the emulated Origin CA API until stopped.

Tokens may come from ``--token`` or, to keep them out of process listings, from
``ORIGIN_CA_EMULATOR_TOKENS`` (specs separated by spaces or ``;``); the service
key likewise from ``ORIGIN_CA_EMULATOR_SERVICE_KEY``. Neither is ever logged.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from origin_ca_operator.emulator.config import (
    SERVICE_KEY_ENV,
    TOKENS_ENV,
    EmulatorConfig,
    RateLimit,
    parse_token,
    tokens_from_environment,
)
from origin_ca_operator.emulator.server import start_emulator
from origin_ca_operator.errors import ConfigurationError

logger = logging.getLogger(__name__)

DEFAULT_LISTEN = "127.0.0.1:8787"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the emulator's flags."""
    parser.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"address to serve on (default {DEFAULT_LISTEN}; port 0 picks one)",
    )
    parser.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="NAME[=ZONE_ID]",
        help="a zone of the account, repeatable (default example.com); "
        "the id is derived from the name when not given",
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN[=ZONE,...]",
        help="an API token and the zones it may use (all when no list; none, "
        f"so no certificate permission, with an empty list); also {TOKENS_ENV}",
    )
    parser.add_argument(
        "--service-key",
        metavar="KEY",
        help=f"the legacy Origin CA key, starting v1.0- (also {SERVICE_KEY_ENV})",
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help="where roots and certificates are kept (default: a temporary directory)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="added latency"
    )
    parser.add_argument(
        "--rate-limit",
        default="1200/300",
        metavar="N/SECONDS",
        help="requests per credential per window (default 1200/300)",
    )
    parser.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this")
    parser.add_argument("--tls-key", metavar="FILE", help="key of --tls-cert")
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default INFO: one line per request)",
    )


def config_from_arguments(args: argparse.Namespace) -> EmulatorConfig:
    """The configuration the flags and environment describe."""
    host, _, port = str(args.listen).rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError(f"--listen {args.listen!r} is not HOST:PORT")
    tokens = tokens_from_environment()
    tokens.update(parse_token(spec) for spec in args.token)
    service_key = args.service_key or os.environ.get(SERVICE_KEY_ENV) or None
    if not tokens and service_key is None:
        raise ConfigurationError(
            f"no credential: give --token, --service-key or {TOKENS_ENV}"
        )
    return EmulatorConfig(
        zones=tuple(args.zone) or ("example.com",),
        tokens=tokens,
        service_key=service_key,
        state_dir=args.state_dir,
        host=host.strip("[]"),
        port=int(port),
        latency_ms=args.latency,
        rate_limit=RateLimit.parse(args.rate_limit),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; 2 for a configuration error, 1 if unable."""
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        config = config_from_arguments(args)
        return asyncio.run(_serve(config))
    except ConfigurationError as error:
        print(f"origin-ca-operator emulator: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"origin-ca-operator emulator: cannot serve: {error}", file=sys.stderr)
        return 1


async def _serve(config: EmulatorConfig) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    emulator = await start_emulator(config)
    zones = ", ".join(f"{zone.name}={zone.id}" for zone in emulator.zones)
    print(
        f"Origin CA emulator at {emulator.base_url}\n"
        f"  zones: {zones}\n  state: {emulator.state_dir}",
        file=sys.stderr,
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        await emulator.stop()
    return 0
