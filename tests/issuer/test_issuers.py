"""Issuer health: Secrets, tokens, legacy keys, scoping of Secrets, the schema."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import client

from .conftest import CLUSTER_RESOURCE_NAMESPACE
from .support import (
    GROUP,
    SERVICE_KEY,
    TOKEN,
    create_issuer,
    create_request,
    create_token_secret,
    issuer_body,
    issuer_ready,
    ready_of,
    request_settled,
    set_request_condition,
)

pytestmark = pytest.mark.usefixtures("operator")


async def test_issuer_with_a_verified_token_is_ready(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_token_secret(api_client, namespace, "cf", TOKEN)
    await create_issuer(api_client, namespace, issuer_body("OriginIssuer", "o", "cf"))
    ready = await issuer_ready(api_client, namespace, "o")
    assert ready["reason"] == "Verified"
    assert ready["observedGeneration"] == 1


async def test_wrong_token_names_the_cloudflare_error(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_token_secret(api_client, namespace, "cf", "not-the-right-token")
    await create_issuer(api_client, namespace, issuer_body("OriginIssuer", "o", "cf"))
    ready = await issuer_ready(api_client, namespace, "o", "False")
    assert ready["reason"] == "AuthenticationFailed"
    assert "code 10000" in ready["message"]
    assert "not-the-right-token" not in ready["message"]


async def test_missing_key_in_the_secret_is_named(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_token_secret(api_client, namespace, "cf", TOKEN, key="api-token")
    await create_issuer(api_client, namespace, issuer_body("OriginIssuer", "o", "cf"))
    ready = await issuer_ready(api_client, namespace, "o", "False")
    assert ready["reason"] == "SecretKeyNotFound"
    assert f"{namespace}/cf" in ready["message"]
    assert "'token'" in ready["message"]


async def test_fixing_the_secret_makes_the_issuer_ready(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_token_secret(api_client, namespace, "cf", "wrong-token-value")
    await create_issuer(api_client, namespace, issuer_body("OriginIssuer", "o", "cf"))
    await issuer_ready(api_client, namespace, "o", "False")
    patch = {"stringData": {"token": TOKEN}}
    await client.CoreV1Api(api_client).patch_namespaced_secret("cf", namespace, patch)
    assert (await issuer_ready(api_client, namespace, "o"))["reason"] == "Verified"


async def test_legacy_service_key_works_with_a_warning(
    api_client: client.ApiClient, namespace: str
) -> None:
    await create_token_secret(api_client, namespace, "key", SERVICE_KEY, key="key")
    body = issuer_body("OriginIssuer", "o", "key", key="key", legacy=True)
    await create_issuer(api_client, namespace, body)
    ready = await issuer_ready(api_client, namespace, "o")
    assert ready["reason"] == "LegacyKey"
    assert "2026-09-30" in ready["message"]
    events = await client.CoreV1Api(api_client).list_namespaced_event(namespace)
    warnings = [e for e in events.items if e.type == "Warning"]
    assert any(e.reason == "LegacyKey" for e in warnings)
    await create_request(api_client, namespace, "web", "o")
    await set_request_condition(api_client, namespace, "web", "Approved")
    await request_settled(api_client, namespace, "web", "Issued")


async def test_an_issuer_cannot_use_another_namespaces_secret(
    api_client: client.ApiClient, namespace: str, second_namespace: str
) -> None:
    other = second_namespace
    await create_token_secret(api_client, namespace, "cf", TOKEN)
    await create_issuer(api_client, namespace, issuer_body("OriginIssuer", "a", "cf"))
    await create_issuer(api_client, other, issuer_body("OriginIssuer", "b", "cf"))
    assert (await issuer_ready(api_client, namespace, "a"))["status"] == "True"
    refused = await issuer_ready(api_client, other, "b", "False")
    assert refused["reason"] == "SecretNotFound"
    assert f"{other}/cf" in refused["message"]

    await create_request(api_client, other, "web", "b")
    await set_request_condition(api_client, other, "web", "Approved")
    pending = await request_settled(api_client, other, "web", "Pending")
    assert "not found" in ready_of(pending)["message"]


async def test_cluster_issuer_reads_the_cluster_resource_namespace(
    api_client: client.ApiClient, namespace: str
) -> None:
    secret = f"cf-{namespace}"
    await create_token_secret(api_client, CLUSTER_RESOURCE_NAMESPACE, secret, TOKEN)
    await create_token_secret(api_client, namespace, "wrong-place", TOKEN)
    good = issuer_body("ClusterOriginIssuer", f"good-{namespace}", secret)
    wrong = issuer_body("ClusterOriginIssuer", f"wrong-{namespace}", "wrong-place")
    await create_issuer(api_client, None, good)
    await create_issuer(api_client, None, wrong)
    try:
        await issuer_ready(api_client, None, f"good-{namespace}")
        refused = await issuer_ready(api_client, None, f"wrong-{namespace}", "False")
        assert CLUSTER_RESOURCE_NAMESPACE in refused["message"]

        await create_request(
            api_client,
            namespace,
            "web",
            f"good-{namespace}",
            kind="ClusterOriginIssuer",
        )
        await set_request_condition(api_client, namespace, "web", "Approved")
        await request_settled(api_client, namespace, "web", "Issued")
    finally:
        objects = client.CustomObjectsApi(api_client)
        for name in (f"good-{namespace}", f"wrong-{namespace}"):
            await objects.delete_cluster_custom_object(
                GROUP, "v1", "clusteroriginissuers", name
            )
        await client.CoreV1Api(api_client).delete_namespaced_secret(
            secret, CLUSTER_RESOURCE_NAMESPACE
        )


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {
            "tokenRef": {"name": "a", "key": "token"},
            "serviceKeyRef": {"name": "b", "key": "key"},
        },
    ],
    ids=["neither", "both"],
)
async def test_schema_refuses_an_issuer_without_exactly_one_credential(
    api_client: client.ApiClient, namespace: str, auth: dict[str, object]
) -> None:
    body = issuer_body("OriginIssuer", "bad", "x")
    body["spec"]["auth"] = auth
    with pytest.raises(client.ApiException) as raised:
        await create_issuer(api_client, namespace, body)
    assert raised.value.status == 422
    assert "exactly one" in raised.value.body


async def test_schema_refuses_an_unknown_request_type(
    api_client: client.ApiClient, namespace: str
) -> None:
    body = issuer_body("OriginIssuer", "bad", "x", request_type="OriginDSA")
    with pytest.raises(client.ApiException) as raised:
        await create_issuer(api_client, namespace, body)
    assert raised.value.status == 422
