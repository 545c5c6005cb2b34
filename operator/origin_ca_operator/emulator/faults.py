"""Faults injected at run time: latency, error answers, hangs and resets.

``PUT /_emulator/faults`` replaces the whole set with a body such as::

    {"latency_ms": 50,
     "rules": [
       {"action": "error", "method": "POST", "path": "/client/v4/certificates",
        "count": 3, "errors": [{"code": 1100, "http_status": 500}]},
       {"action": "error", "rate": 0.2,
        "errors": [{"code": 971, "http_status": 429, "retry_after": 5}]},
       {"action": "reset", "rate": 0.1},
       {"action": "hang", "seconds": 30, "count": 1},
       {"action": "latency", "ms": 400, "path": "/client/v4/certificates/{id}"}]}

Every rule may carry ``rate`` (0..1, default 1), ``count`` (fire that many times,
then vanish), ``method`` and ``path`` (the route template such as
``/client/v4/certificates/{id}``, or a concrete path). ``error`` answers one of
its ``errors`` (default 1100 with HTTP 500); ``reset`` aborts the connection,
before handling or, with ``"after_handling": true``, once the request took
effect; ``hang`` waits ``seconds`` (default 3600), then serves the request, so
a create that outlives its client's timeout still issues a certificate;
``latency`` adds ``ms``. Rules are tried in order: latency rules add up, the
first other rule that fires decides. ``DELETE /_emulator/faults`` returns to the
start settings (``--latency`` only). Faults touch ``/client/v4`` only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("error", "reset", "hang", "latency")


class FaultSpecError(ValueError):
    """A fault description that cannot be applied; the message says why."""


@dataclass(frozen=True)
class ErrorChoice:
    """One error a fault may answer with."""

    code: int
    http_status: int
    message: str | None = None
    retry_after: int | None = None


@dataclass
class FaultRule:
    """One fault; see the module docstring for the fields."""

    action: str
    rate: float = 1.0
    count: int | None = None
    method: str | None = None
    path: str | None = None
    errors: list[ErrorChoice] = field(default_factory=list)
    seconds: float = 3600.0
    ms: float = 0.0
    after_handling: bool = False

    def applies_to(self, method: str, template: str, path: str) -> bool:
        """Whether the rule is meant for this request (rate and count aside)."""
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path in (template, path)

    def describe(self) -> dict[str, Any]:
        """The rule as JSON, with the count still to go."""
        described: dict[str, Any] = {"action": self.action, "rate": self.rate}
        for name in ("count", "method", "path"):
            if getattr(self, name) is not None:
                described[name] = getattr(self, name)
        if self.action == "error":
            described["errors"] = [vars(choice) for choice in self.errors]
        elif self.action == "hang":
            described["seconds"] = self.seconds
        elif self.action == "latency":
            described["ms"] = self.ms
        elif self.action == "reset":
            described["after_handling"] = self.after_handling
        return described


@dataclass(frozen=True)
class Decision:
    """What the faults decided for one request."""

    latency_seconds: float
    rule: FaultRule | None


class Faults:
    """The fault settings in force, changed at run time."""

    def __init__(self, latency_ms: float = 0.0, seed: int | None = None) -> None:
        self._start_latency_ms = latency_ms
        self.latency_ms = latency_ms
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)

    def configure(self, body: Any) -> None:
        """Replace the settings with ``body``; raise FaultSpecError if it is wrong."""
        if not isinstance(body, dict):
            raise FaultSpecError("the faults must be a JSON object")
        unknown = set(body) - {"latency_ms", "rules"}
        if unknown:
            raise FaultSpecError(f"unknown fields {sorted(unknown)}")
        latency = _number(body.get("latency_ms", self._start_latency_ms), "latency_ms")
        rules = body.get("rules", [])
        if not isinstance(rules, list):
            raise FaultSpecError("rules must be a list")
        self.rules = [parse_rule(rule) for rule in rules]
        self.latency_ms = latency

    def clear(self) -> None:
        """Back to the settings the emulator started with."""
        self.latency_ms = self._start_latency_ms
        self.rules = []

    def describe(self) -> dict[str, Any]:
        """The settings in force, as JSON."""
        return {
            "latency_ms": self.latency_ms,
            "rules": [rule.describe() for rule in self.rules],
        }

    def decide(self, method: str, template: str, path: str) -> Decision:
        """Draw the faults for one request, spending rule counts that fire."""
        latency_ms = self.latency_ms
        chosen = None
        for rule in list(self.rules):
            if not rule.applies_to(method, template, path):
                continue
            if self.rng.random() >= rule.rate:
                continue
            self._spend(rule)
            if rule.action == "latency":
                latency_ms += rule.ms
                continue
            chosen = rule
            break
        return Decision(latency_seconds=latency_ms / 1000, rule=chosen)

    def _spend(self, rule: FaultRule) -> None:
        if rule.count is None:
            return
        rule.count -= 1
        if rule.count <= 0:
            self.rules.remove(rule)


def parse_rule(spec: Any) -> FaultRule:
    """Read one rule, checking every field."""
    if not isinstance(spec, dict):
        raise FaultSpecError("each rule must be a JSON object")
    known = {
        "action", "rate", "count", "method", "path",
        "errors", "seconds", "ms", "after_handling",
    }  # fmt: skip
    unknown = set(spec) - known
    if unknown:
        raise FaultSpecError(f"unknown rule fields {sorted(unknown)}")
    action = spec.get("action")
    if action not in ACTIONS:
        raise FaultSpecError(f"action {action!r} is not one of {', '.join(ACTIONS)}")

    rate = _number(spec.get("rate", 1.0), "rate")
    if rate > 1:
        raise FaultSpecError("rate is a probability, from 0 to 1")
    count = spec.get("count")
    if count is not None and (not _is_int(count) or count < 1):
        raise FaultSpecError("count must be a positive integer")
    method, path = spec.get("method"), spec.get("path")
    if not isinstance(method, str | None) or not isinstance(path, str | None):
        raise FaultSpecError("method and path must be strings")

    return FaultRule(
        action=action,
        rate=rate,
        count=count,
        method=method.upper() if method else None,
        path=path,
        errors=_error_choices(spec.get("errors")),
        seconds=_number(spec.get("seconds", 3600.0), "seconds"),
        ms=_number(spec.get("ms", 0.0), "ms"),
        after_handling=bool(spec.get("after_handling", False)),
    )


def _error_choices(specs: Any) -> list[ErrorChoice]:
    if specs is None:
        return [ErrorChoice(code=1100, http_status=500)]
    if not isinstance(specs, list) or not specs:
        raise FaultSpecError("errors must be a non-empty list")
    choices = []
    for spec in specs:
        if not isinstance(spec, dict) or not _is_int(spec.get("code")):
            raise FaultSpecError("each error needs an integer code")
        status = spec.get("http_status", 500)
        if not _is_int(status) or not 400 <= status <= 599:
            raise FaultSpecError("http_status must be an error status, 400 to 599")
        retry_after = spec.get("retry_after", 1 if status == 429 else None)
        if retry_after is not None and (not _is_int(retry_after) or retry_after < 0):
            raise FaultSpecError("retry_after must be a whole number of seconds")
        message = spec.get("message")
        if not isinstance(message, str | None):
            raise FaultSpecError("message must be a string")
        choices.append(ErrorChoice(spec["code"], status, message, retry_after))
    return choices


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultSpecError(f"{name} must be a number of zero or more")
    return float(value)
