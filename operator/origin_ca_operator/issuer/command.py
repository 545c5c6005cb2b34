"""``origin-ca-operator run``: the operator itself, on kopf."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from datetime import timedelta
from pathlib import Path

from origin_ca_operator.certificates.roots import embedded_roots, load_roots
from origin_ca_operator.cloudflare.client import DEFAULT_BASE_URL
from origin_ca_operator.errors import ConfigurationError
from origin_ca_operator.issuer.logsetup import configure_logging
from origin_ca_operator.issuer.settings import (
    DEFAULT_ISSUER_RECHECK,
    DEFAULT_RETRY_WINDOW,
    OperatorSettings,
)

logger = logging.getLogger(__name__)

SERVICE_ACCOUNT_NAMESPACE = Path(
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``run``."""
    parser.add_argument(
        "--namespace",
        action="append",
        default=[],
        metavar="NAMESPACE",
        help="serve OriginIssuers and requests of this namespace only "
        "(repeatable; default: every namespace)",
    )
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: in-cluster)")
    parser.add_argument("--api-base-url", default=DEFAULT_BASE_URL)
    parser.add_argument(
        "--root-certificates",
        type=Path,
        metavar="DIR",
        help="read origin_ca_rsa_root.pem and origin_ca_ecc_root.pem from DIR "
        "instead of the embedded Cloudflare roots",
    )
    parser.add_argument(
        "--cluster-resource-namespace",
        help="where ClusterOriginIssuers' Secrets live (default: own namespace)",
    )
    parser.add_argument(
        "--retry-window",
        type=float,
        default=DEFAULT_RETRY_WINDOW.total_seconds(),
        metavar="SECONDS",
        help="how long passing Cloudflare errors are retried before a request "
        "is marked Failed (default: %(default)s)",
    )
    parser.add_argument(
        "--issuer-recheck-interval",
        type=float,
        default=DEFAULT_ISSUER_RECHECK.total_seconds(),
        metavar="SECONDS",
    )
    _add_endpoint_arguments(parser)


def _add_endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    """Logging, liveness and metrics."""
    parser.add_argument("--log-format", choices=("plain", "json"), default="plain")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--health-address",
        default="0.0.0.0:8080",
        metavar="HOST:PORT",
        help="liveness endpoint /healthz (default: %(default)s)",
    )
    parser.add_argument(
        "--metrics-address",
        default="0.0.0.0:9090",
        metavar="HOST:PORT",
        help="Prometheus metrics endpoint (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the operator until it is stopped."""
    configure_logging(args.log_format, args.verbose)
    try:
        settings = settings_from(args)
    except ConfigurationError as error:
        logger.error("%s", error)
        return 2
    if args.kubeconfig:
        os.environ["KUBECONFIG"] = str(args.kubeconfig)
    # Imported here so that `--help` and bad flags answer without loading kopf.
    from origin_ca_operator.issuer.runtime import run_operator

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_operator(
                settings,
                namespaces=tuple(args.namespace),
                kubeconfig=args.kubeconfig,
                health_address=args.health_address,
                metrics_address=args.metrics_address,
            )
        )
    return 0


def settings_from(args: argparse.Namespace) -> OperatorSettings:
    """Validate the flags into settings."""
    roots = (
        load_roots(args.root_certificates)
        if args.root_certificates
        else embedded_roots()
    )
    if args.retry_window <= 0:
        raise ConfigurationError("--retry-window must be positive")
    if args.issuer_recheck_interval <= 0:
        raise ConfigurationError("--issuer-recheck-interval must be positive")
    return OperatorSettings(
        roots=roots,
        cluster_resource_namespace=args.cluster_resource_namespace or own_namespace(),
        api_base_url=args.api_base_url,
        retry_window=timedelta(seconds=args.retry_window),
        issuer_recheck_interval=timedelta(seconds=args.issuer_recheck_interval),
    )


def own_namespace() -> str:
    """The pod's namespace, from POD_NAMESPACE or its service account."""
    namespace = os.environ.get("POD_NAMESPACE")
    if namespace:
        return namespace
    if SERVICE_ACCOUNT_NAMESPACE.exists():
        return SERVICE_ACCOUNT_NAMESPACE.read_text().strip()
    raise ConfigurationError(
        "cannot tell the operator's namespace: pass --cluster-resource-namespace"
    )
