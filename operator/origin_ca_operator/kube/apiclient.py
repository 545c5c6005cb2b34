"""A kubernetes_asyncio API client, in the cluster or from a kubeconfig."""

from __future__ import annotations

import os

from kubernetes_asyncio import client, config


async def new_api_client(kubeconfig: str | None = None) -> client.ApiClient:
    """Connect as the pod's service account, or with a kubeconfig file."""
    if kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config()  # type: ignore[no-untyped-call]
        return client.ApiClient()
    configuration = client.Configuration()
    await config.load_kube_config(
        config_file=kubeconfig, client_configuration=configuration
    )
    return client.ApiClient(configuration)
