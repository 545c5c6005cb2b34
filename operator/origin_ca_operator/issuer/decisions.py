"""The signer's decision table for a CertificateRequest, as a pure function.

It looks at the object alone: whether it is ours, approved, denied, or already
in a terminal state. Everything that needs I/O comes after this decision.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from origin_ca_operator.kube.conditions import find_condition, is_condition_true
from origin_ca_operator.kube.resources import (
    CLUSTER_ORIGIN_ISSUER_KIND,
    ISSUER_GROUP,
    ORIGIN_ISSUER_KIND,
    IssuerKey,
)

OUR_KINDS = frozenset({ORIGIN_ISSUER_KIND, CLUSTER_ORIGIN_ISSUER_KIND})
TERMINAL_READY_REASONS = frozenset({"Failed", "Denied"})


class Step(enum.Enum):
    """What to do with a CertificateRequest now."""

    IGNORE = "not ours"
    WAIT_FOR_APPROVAL = "neither approved nor denied yet"
    DONE = "in a terminal state"
    MARK_DENIED = "denied by an approver"
    SIGN = "approved and not yet issued"


def is_ours(request: Mapping[str, Any]) -> bool:
    """True when the request names one of our issuer kinds in our group."""
    ref = request.get("spec", {}).get("issuerRef", {}) or {}
    return ref.get("group") == ISSUER_GROUP and ref.get("kind") in OUR_KINDS


def issuer_key_of_request(request: Mapping[str, Any]) -> IssuerKey:
    """The issuer a request of ours names."""
    ref = request["spec"]["issuerRef"]
    kind = ref["kind"]
    namespace = "" if kind == CLUSTER_ORIGIN_ISSUER_KIND else request_namespace(request)
    return IssuerKey(kind, namespace, ref["name"])


def request_namespace(request: Mapping[str, Any]) -> str:
    """The namespace of a request."""
    return str(request.get("metadata", {}).get("namespace", ""))


def next_step(request: Mapping[str, Any]) -> Step:
    """Decide from the request's current state alone."""
    if not is_ours(request):
        return Step.IGNORE
    conditions = request.get("status", {}).get("conditions") or []
    ready = find_condition(conditions, "Ready")
    if ready is not None:
        if ready.get("status") == "True":
            return Step.DONE
        if ready.get("reason") in TERMINAL_READY_REASONS:
            return Step.DONE
    if is_condition_true(conditions, "InvalidRequest"):
        return Step.DONE
    if is_condition_true(conditions, "Denied"):
        return Step.MARK_DENIED
    if is_condition_true(conditions, "Approved"):
        return Step.SIGN
    return Step.WAIT_FOR_APPROVAL
