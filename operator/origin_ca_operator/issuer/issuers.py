"""Issuer health: read the credential, verify it, say so in the issuer's status.

An issuer is Ready once its Secret and key exist and Cloudflare confirms the
token. The result is kept in an :class:`IssuerRegistry`, which signing reads and
which wakes the requests that were waiting for an issuer to become ready.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from origin_ca_operator.certificates.roots import RequestType
from origin_ca_operator.cloudflare.credentials import (
    SERVICE_KEY_REMOVAL_NOTICE,
    Credential,
)
from origin_ca_operator.errors import (
    AuthenticationError,
    CloudflareAPIError,
    ConfigurationError,
    SecretKeyNotFoundError,
    SecretNotFoundError,
)
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.kube.conditions import (
    FALSE,
    TRUE,
    find_condition,
    make_condition,
    same_condition,
)
from origin_ca_operator.kube.resources import (
    CLUSTER_ORIGIN_ISSUER_KIND,
    IssuerKey,
    SecretRef,
)
from origin_ca_operator.kube.secrets import read_secret_value
from origin_ca_operator.kube.writes import patch_issuer_status, post_event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuerState:
    """What the operator last concluded about one issuer."""

    key: IssuerKey
    ready: bool
    reason: str
    message: str
    generation: int = 0
    request_type: RequestType = RequestType.ORIGIN_RSA
    credential: Credential | None = None
    secret: SecretRef | None = None
    secret_version: str | None = None
    retry_soon: bool = False


@dataclass
class IssuerRegistry:
    """Issuer states, and the requests waiting for each issuer."""

    states: dict[IssuerKey, IssuerState] = field(default_factory=dict)
    waiting: dict[IssuerKey, set[tuple[str, str]]] = field(default_factory=dict)

    def wait_for(self, issuer: IssuerKey, namespace: str, name: str) -> None:
        """Remember that a request waits for this issuer."""
        self.waiting.setdefault(issuer, set()).add((namespace, name))

    def stop_waiting(self, namespace: str, name: str) -> None:
        """Forget a request (or, with no namespace, a CSR) that is gone."""
        for waiters in self.waiting.values():
            waiters.discard((namespace, name))

    def take_waiting(self, issuer: IssuerKey) -> set[tuple[str, str]]:
        """The requests that waited for this issuer, forgetting them."""
        return self.waiting.pop(issuer, set())

    def using_secret(self, namespace: str, name: str) -> list[IssuerKey]:
        """Issuers whose credential comes from that Secret."""
        return [k for k, s in self.states.items() if s.secret == (namespace, name)]

    def credentials(self) -> set[Credential]:
        """Every credential some issuer uses now."""
        return {s.credential for s in self.states.values() if s.credential}

    def secrets(self) -> set[SecretRef]:
        """Every Secret some issuer references."""
        return {s.secret for s in self.states.values() if s.secret is not None}


def issuer_key_of(body: Mapping[str, Any]) -> IssuerKey:
    """The key of an issuer object."""
    metadata = body.get("metadata", {})
    kind = str(body.get("kind", ""))
    namespace = "" if kind == CLUSTER_ORIGIN_ISSUER_KIND else metadata["namespace"]
    return IssuerKey(kind, namespace, metadata["name"])


def credential_reference(
    key: IssuerKey, spec: Mapping[str, Any], cluster_resource_namespace: str
) -> tuple[SecretRef, str, bool]:
    """Where the credential lives: ((namespace, name), key, is_legacy_key)."""
    auth = spec.get("auth") or {}
    token_ref, service_key_ref = auth.get("tokenRef"), auth.get("serviceKeyRef")
    if bool(token_ref) == bool(service_key_ref):
        raise ConfigurationError(
            "set exactly one of spec.auth.tokenRef and spec.auth.serviceKeyRef"
        )
    ref: Mapping[str, Any] = token_ref or service_key_ref or {}
    name, data_key = ref.get("name"), ref.get("key")
    if not name or not data_key:
        raise ConfigurationError("the Secret reference needs both name and key")
    namespace = cluster_resource_namespace if key.cluster_scoped else key.namespace
    return (namespace, name), data_key, bool(service_key_ref)


async def check_issuer(
    context: OperatorContext, body: Mapping[str, Any], previous: IssuerState | None
) -> IssuerState:
    """Work out whether an issuer can sign, calling Cloudflare only when needed."""
    key = issuer_key_of(body)
    generation = int(body.get("metadata", {}).get("generation") or 0)
    spec = body.get("spec") or {}
    base = IssuerState(key, False, "", "", generation)
    try:
        request_type = RequestType.from_spec(spec.get("requestType") or "OriginRSA")
        secret, data_key, legacy = credential_reference(
            key, spec, context.settings.cluster_resource_namespace
        )
    except ConfigurationError as error:
        return _not_ready(base, "InvalidSpec", str(error))
    base = replace(base, request_type=request_type, secret=secret)
    try:
        raw, version = await read_secret_value(context.api, *secret, data_key)
    except SecretNotFoundError as error:
        return _not_ready(base, "SecretNotFound", str(error))
    except SecretKeyNotFoundError as error:
        return _not_ready(base, "SecretKeyNotFound", str(error))
    except ConfigurationError as error:
        return _not_ready(base, "SecretUnreadable", str(error))
    base = replace(base, secret_version=version)
    if previous is not None and _unchanged(previous, base):
        return previous
    try:
        if legacy:
            credential = Credential.service_key(raw)
        else:
            credential = Credential.api_token(raw)
    except ConfigurationError as error:
        return _not_ready(base, "InvalidCredential", f"Secret {_ref(secret)}: {error}")
    return await _verify(context, replace(base, credential=credential), credential)


def _unchanged(previous: IssuerState, current: IssuerState) -> bool:
    """Same spec and Secret as last time; retries come from a timer, not here."""
    return (
        previous.generation == current.generation
        and previous.secret == current.secret
        and previous.secret_version == current.secret_version
        and previous.request_type == current.request_type
    )


async def _verify(
    context: OperatorContext, base: IssuerState, credential: Credential
) -> IssuerState:
    if credential.is_legacy:
        # Limitation: an Origin CA key cannot be checked without signing
        # something, so a wrong key shows only when a request fails.
        message = (
            f"Origin CA key accepted without verification; {SERVICE_KEY_REMOVAL_NOTICE}"
        )
        return replace(base, ready=True, reason="LegacyKey", message=message)
    try:
        status = await context.origin_ca(credential).verify_token()
    except AuthenticationError as error:
        return _not_ready(base, "AuthenticationFailed", error.describe())
    except CloudflareAPIError as error:
        message = error.describe(with_ray=False)
        failed = _not_ready(base, "VerificationFailed", message)
        return replace(failed, retry_soon=error.retryable)
    if not status.active:
        message = f"Cloudflare reports the API token as {status.status!r}"
        return _not_ready(base, "TokenInactive", message)
    message = f"API token verified with Cloudflare (token id {status.id})"
    return replace(base, ready=True, reason="Verified", message=message)


def _not_ready(base: IssuerState, reason: str, message: str) -> IssuerState:
    return replace(base, ready=False, reason=reason, message=message)


def _ref(secret: SecretRef) -> str:
    return f"{secret[0]}/{secret[1]}"


async def publish_issuer_state(
    context: OperatorContext,
    body: Mapping[str, Any],
    state: IssuerState,
    previous: IssuerState | None,
) -> None:
    """Write the Ready condition if it changed, with an event on each change."""
    conditions = (body.get("status") or {}).get("conditions") or []
    old = find_condition(conditions, "Ready")
    new = make_condition(
        "Ready",
        TRUE if state.ready else FALSE,
        state.reason,
        state.message,
        previous=old,
        observed_generation=state.generation,
    )
    if same_condition(old, new):
        return
    await patch_issuer_status(context.api, state.key, {"conditions": [new]})
    log = logger.info if state.ready else logger.warning
    log("%s: Ready=%s %s: %s", state.key, new["status"], state.reason, state.message)
    event_type = "Normal" if state.ready else "Warning"
    if state.reason == "LegacyKey":
        event_type = "Warning"
    await post_event(context.api, dict(body), event_type, state.reason, state.message)
