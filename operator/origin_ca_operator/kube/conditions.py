"""Conditions as cert-manager and ``metav1.Condition`` shape them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Condition = dict[str, Any]

TRUE = "True"
FALSE = "False"


def now_rfc3339() -> str:
    """The current time as Kubernetes writes timestamps."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_condition(
    conditions: Iterable[Mapping[str, Any]] | None, condition_type: str
) -> Mapping[str, Any] | None:
    """The condition of that type, if any."""
    for condition in conditions or ():
        if condition.get("type") == condition_type:
            return condition
    return None


def is_condition_true(
    conditions: Iterable[Mapping[str, Any]] | None, condition_type: str
) -> bool:
    """True when a condition of that type has status True."""
    condition = find_condition(conditions, condition_type)
    return condition is not None and condition.get("status") == TRUE


def make_condition(
    condition_type: str,
    status: str,
    reason: str,
    message: str,
    *,
    previous: Mapping[str, Any] | None = None,
    observed_generation: int | None = None,
) -> Condition:
    """A condition whose transition time moves only when its status changes."""
    unchanged = previous is not None and previous.get("status") == status
    transition = previous.get("lastTransitionTime") if unchanged and previous else None
    condition: Condition = {
        "type": condition_type,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": transition or now_rfc3339(),
    }
    if observed_generation is not None:
        condition["observedGeneration"] = observed_generation
    return condition


def same_condition(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Equal in everything but the transition time."""
    if a is None or b is None:
        return a is b
    keys = ("type", "status", "reason", "message", "observedGeneration")
    return all(a.get(key) == b.get(key) for key in keys)
