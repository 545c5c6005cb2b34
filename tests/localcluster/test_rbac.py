"""The API server authenticates service account tokens and enforces RBAC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from kubernetes_asyncio import client

from localcluster.polling import eventually

pytestmark = pytest.mark.cluster

ACCOUNT = "unprivileged"


async def issue_token(core: client.CoreV1Api, namespace: str) -> str:
    """Create the service account and get a short-lived token through TokenRequest."""
    await core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name=ACCOUNT))
    )
    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=600)
    )
    response = await core.create_namespaced_service_account_token(
        ACCOUNT, namespace, request
    )
    token: str = response.status.token
    return token


@asynccontextmanager
async def client_with_token(
    admin: client.ApiClient, token: str
) -> AsyncIterator[client.ApiClient]:
    """A client for the same server and CA that presents ``token`` only."""
    configuration = client.Configuration(
        host=admin.configuration.host,
        api_key={"BearerToken": token},
        api_key_prefix={"BearerToken": "Bearer"},
    )
    configuration.ssl_ca_cert = admin.configuration.ssl_ca_cert
    async with client.ApiClient(configuration) as api:
        yield api


async def test_service_account_token_authenticates_as_the_account(
    api_client: client.ApiClient, namespace: str
) -> None:
    token = await issue_token(client.CoreV1Api(api_client), namespace)

    async with client_with_token(api_client, token) as as_account:
        review = await client.AuthenticationV1Api(
            as_account
        ).create_self_subject_review(client.V1SelfSubjectReview())

    username = review.status.user_info.username
    assert username == f"system:serviceaccount:{namespace}:{ACCOUNT}"


async def test_unprivileged_service_account_is_refused(
    api_client: client.ApiClient, namespace: str
) -> None:
    token = await issue_token(client.CoreV1Api(api_client), namespace)

    async with client_with_token(api_client, token) as as_account:
        with pytest.raises(client.ApiException) as refused:
            await client.CoreV1Api(as_account).list_namespaced_secret(namespace)

    assert refused.value.status == 403


async def test_role_binding_grants_what_it_names(
    api_client: client.ApiClient, namespace: str
) -> None:
    token = await issue_token(client.CoreV1Api(api_client), namespace)
    rbac = client.RbacAuthorizationV1Api(api_client)
    rule = client.V1PolicyRule(api_groups=[""], resources=["secrets"], verbs=["list"])
    await rbac.create_namespaced_role(
        namespace,
        client.V1Role(metadata=client.V1ObjectMeta(name="reader"), rules=[rule]),
    )
    subject = client.RbacV1Subject(
        kind="ServiceAccount", name=ACCOUNT, namespace=namespace
    )
    role = client.V1RoleRef(
        api_group="rbac.authorization.k8s.io", kind="Role", name="reader"
    )
    await rbac.create_namespaced_role_binding(
        namespace,
        client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="reader"),
            role_ref=role,
            subjects=[subject],
        ),
    )

    async with client_with_token(api_client, token) as as_account:
        core = client.CoreV1Api(as_account)

        async def may_list_secrets() -> bool:
            try:
                await core.list_namespaced_secret(namespace)
            except client.ApiException as error:
                if error.status != 403:
                    raise
                return False
            return True

        await eventually(may_list_secrets, "listing Secrets allowed by the binding")
        with pytest.raises(client.ApiException) as refused:
            await core.list_namespaced_config_map(namespace)

    assert refused.value.status == 403
