"""A kubernetes_asyncio API client, in the cluster or from a kubeconfig."""

from __future__ import annotations

import os

from kubernetes_asyncio import client, config


async def new_api_client(
    kubeconfig: str | None = None, *, connections: int | None = None
) -> client.ApiClient:
    """Connect as the pod's service account, or with a kubeconfig file.

    ``connections`` raises the connection pool's size (100 by default), for a
    client that holds one long watch per object.
    """
    configuration = client.Configuration()
    if kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config(  # type: ignore[no-untyped-call]
            client_configuration=configuration
        )
    else:
        await config.load_kube_config(
            config_file=kubeconfig, client_configuration=configuration
        )
    if connections is not None:
        configuration.connection_pool_maxsize = connections
    return client.ApiClient(configuration)
