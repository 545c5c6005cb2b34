"""The decision table of REFERENCE §2 as a pure function of the request."""

from __future__ import annotations

from typing import Any

import pytest

from origin_ca_operator.issuer.decisions import Step, next_step

OURS = {"group": "cert-manager.k8s.cloudflare.com", "kind": "OriginIssuer", "name": "o"}


def request(*conditions: tuple[str, str, str], ref: dict[str, str] = OURS) -> Any:
    return {
        "metadata": {"namespace": "ns", "name": "r"},
        "spec": {"issuerRef": ref},
        "status": {
            "conditions": [
                {"type": t, "status": s, "reason": reason}
                for t, s, reason in conditions
            ]
        },
    }


@pytest.mark.parametrize(
    ("conditions", "step"),
    [
        ((), Step.WAIT_FOR_APPROVAL),
        ((("Approved", "True", "x"),), Step.SIGN),
        ((("Denied", "True", "x"),), Step.MARK_DENIED),
        ((("Approved", "True", "x"), ("Ready", "False", "Pending")), Step.SIGN),
        ((("Approved", "True", "x"), ("Ready", "True", "Issued")), Step.DONE),
        ((("Approved", "True", "x"), ("Ready", "False", "Failed")), Step.DONE),
        ((("Denied", "True", "x"), ("Ready", "False", "Denied")), Step.DONE),
        ((("Approved", "True", "x"), ("InvalidRequest", "True", "x")), Step.DONE),
        ((("Approved", "False", "x"),), Step.WAIT_FOR_APPROVAL),
    ],
)
def test_each_state_leads_to_its_step(
    conditions: tuple[tuple[str, str, str], ...], step: Step
) -> None:
    assert next_step(request(*conditions)) is step


@pytest.mark.parametrize(
    "ref",
    [
        {"group": "cert-manager.io", "kind": "Issuer", "name": "o"},
        {"kind": "OriginIssuer", "name": "o"},
        {"group": "", "kind": "OriginIssuer", "name": "o"},
        {"group": "cert-manager.k8s.cloudflare.com", "kind": "Issuer", "name": "o"},
    ],
)
def test_requests_for_other_issuers_are_ignored(ref: dict[str, str]) -> None:
    approved = request(("Approved", "True", "x"), ref=ref)
    assert next_step(approved) is Step.IGNORE
