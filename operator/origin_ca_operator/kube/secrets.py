"""Reading one value from one Secret, with messages that say what to fix."""

from __future__ import annotations

import base64
import binascii

from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from origin_ca_operator.errors import (
    ConfigurationError,
    SecretKeyNotFoundError,
    SecretNotFoundError,
)


async def read_secret_value(
    api: client.ApiClient, namespace: str, name: str, key: str
) -> tuple[bytes, str]:
    """The decoded value under ``key`` and the Secret's resourceVersion."""
    try:
        secret = await client.CoreV1Api(api).read_namespaced_secret(name, namespace)
    except ApiException as error:
        if error.status == 404:
            raise SecretNotFoundError(
                f"Secret {namespace}/{name} not found; create it with the "
                f"credential under key {key!r}"
            ) from None
        if error.status == 403:
            raise ConfigurationError(
                f"the operator may not read Secret {namespace}/{name} (HTTP 403); "
                "check its RBAC role"
            ) from None
        raise
    version = str(secret.metadata.resource_version or "")
    encoded = (secret.data or {}).get(key)
    if not encoded:
        keys = ", ".join(sorted(secret.data or {})) or "none"
        raise SecretKeyNotFoundError(
            f"Secret {namespace}/{name} has no value under key {key!r} "
            f"(keys present: {keys})"
        )
    try:
        return base64.b64decode(encoded, validate=True), version
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            f"Secret {namespace}/{name} key {key!r} is not valid base64 data"
        ) from None
