"""Starting and stopping the running operator: clients, endpoints, kopf."""

from __future__ import annotations

import asyncio
import logging

import kopf
from prometheus_client import start_http_server

from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.controller import IssuerController
from origin_ca_operator.issuer.handlers import build_registry
from origin_ca_operator.issuer.settings import OperatorSettings
from origin_ca_operator.kube.apiclient import new_api_client

logger = logging.getLogger(__name__)

WATCH_CONNECTIONS = 1000


async def run_operator(
    settings: OperatorSettings,
    *,
    namespaces: tuple[str, ...],
    kubeconfig: str | None,
    health_address: str,
    metrics_address: str,
    stop_flag: asyncio.Event | None = None,
) -> None:
    """Run until stopped by a signal or by ``stop_flag``."""
    api = await new_api_client(kubeconfig)
    # Secret watches hold a connection each: keep them off the pool that reads
    # and writes objects.
    # Limitation: one connection per referenced Secret, up to WATCH_CONNECTIONS;
    # beyond that, watches wait for each other; one watch per namespace would
    # lift it at the cost of seeing every Secret there.
    watch_api = await new_api_client(kubeconfig, connections=WATCH_CONNECTIONS)
    context = OperatorContext(settings=settings, api=api)
    controller = IssuerController(context, watch_api)
    host, port = _split(metrics_address)
    start_http_server(port, host, registry=context.metrics.registry)
    logger.info(
        "starting: Origin CA API %s, cluster resource namespace %s, %s",
        settings.api_base_url,
        settings.cluster_resource_namespace,
        f"namespaces {', '.join(namespaces)}" if namespaces else "all namespaces",
    )
    # Limitation: no leader election; two replicas would both sign (standalone
    # kopf); run one replica with the Recreate strategy until a Lease-based
    # election gates the handlers.
    recheck = asyncio.get_running_loop().create_task(controller.recheck_periodically())
    try:
        await kopf.operator(
            registry=build_registry(controller),
            standalone=True,
            clusterwide=not namespaces,
            namespaces=namespaces,
            liveness_endpoint=f"http://{health_address}/healthz",
            stop_flag=stop_flag,
        )
    finally:
        recheck.cancel()
        controller.secrets.stop()
        await context.close()
        await watch_api.close()
        logger.info("stopped")


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "0.0.0.0", int(port)
