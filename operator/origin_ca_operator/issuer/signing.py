"""Turn a CSR into an Origin CA certificate: checks first, then one API call.

Shared by cert-manager CertificateRequests and Kubernetes CSRs. Every rule of
the Origin CA is checked before Cloudflare is called, so that bad input fails
at once with a message that says what to fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from origin_ca_operator.certificates.csr import hostnames_from_csr, parse_csr
from origin_ca_operator.certificates.validity import ValidityChoice, select_validity
from origin_ca_operator.cloudflare.models import OriginCertificate
from origin_ca_operator.errors import InvalidRequestError
from origin_ca_operator.issuer.context import OperatorContext
from origin_ca_operator.issuer.issuers import IssuerState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningPlan:
    """A request that passed every local check."""

    csr_pem: str
    hostnames: list[str]
    validity: ValidityChoice


@dataclass(frozen=True)
class Issued:
    """A signed certificate and the root to publish with it."""

    certificate: OriginCertificate
    root_pem: bytes
    validity: ValidityChoice


def plan_signing(
    request: str | bytes, duration: timedelta | None, *, is_ca: bool = False
) -> SigningPlan:
    """Check a CSR and a requested duration; raise InvalidRequestError if bad."""
    if is_ca:
        raise InvalidRequestError(
            "the request asks for a CA certificate (isCA); the Origin CA issues "
            "only leaf certificates"
        )
    parsed = parse_csr(request)
    hostnames = hostnames_from_csr(parsed)
    return SigningPlan(parsed.pem, hostnames, select_validity(duration))


async def sign(
    context: OperatorContext,
    issuer: IssuerState,
    plan: SigningPlan,
    request_name: str,
) -> Issued:
    """Ask Cloudflare to sign; API errors propagate for the caller to classify."""
    # Limitation: if the operator dies after Cloudflare signed but before the
    # status is written, or a create times out after Cloudflare acted, the next
    # attempt signs again and the first certificate is left unused at
    # Cloudflare; finding it would need the zone id, which the request lacks.
    if issuer.credential is None:
        raise InvalidRequestError(f"{issuer.key} has no credential")
    certificate = await context.origin_ca(issuer.credential).create_certificate(
        plan.csr_pem, plan.hostnames, issuer.request_type, plan.validity.days
    )
    logger.info(
        "%s: issued certificate %s by %s for %s, %d days, expires %s",
        request_name,
        certificate.id,
        issuer.key,
        ",".join(plan.hostnames),
        plan.validity.days,
        certificate.expires_on.isoformat(),
    )
    root = context.settings.roots.for_request_type(issuer.request_type)
    return Issued(certificate, root, plan.validity)
