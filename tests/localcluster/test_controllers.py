"""The controller manager runs: garbage collection and namespace deletion."""

from __future__ import annotations

import secrets

import pytest
from kubernetes_asyncio import client

from localcluster.polling import eventually

pytestmark = pytest.mark.cluster


async def is_gone(read: object) -> bool:
    """Whether awaiting ``read`` answers 404."""
    try:
        await read  # type: ignore[misc]
    except client.ApiException as error:
        if error.status == 404:
            return True
        raise
    return False


async def test_deleting_an_owner_deletes_what_it_owns(
    api_client: client.ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(api_client)
    owner = await core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="owner"))
    )
    reference = client.V1OwnerReference(
        api_version="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid
    )
    dependent = client.V1ObjectMeta(name="dependent", owner_references=[reference])
    await core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=dependent)
    )

    await core.delete_namespaced_config_map("owner", namespace)

    await eventually(
        lambda: is_gone(core.read_namespaced_config_map("dependent", namespace)),
        "the dependent ConfigMap is garbage collected",
    )


async def test_deleted_namespace_is_emptied_and_removed(
    api_client: client.ApiClient,
) -> None:
    core = client.CoreV1Api(api_client)
    name = f"t-{secrets.token_hex(4)}"
    await core.create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name=name))
    )
    await core.create_namespaced_config_map(
        name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="content"))
    )

    await core.delete_namespace(name)

    await eventually(
        lambda: is_gone(core.read_namespace(name)),
        f"namespace {name} is removed after its content",
    )
