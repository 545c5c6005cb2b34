"""The Origin CA API client layer.

It knows HTTP, the API's envelope and its error codes; it knows nothing of
Kubernetes. It depends only on :mod:`origin_ca_operator.errors`.
"""

from origin_ca_operator.cloudflare.client import (
    DEFAULT_BASE_URL,
    APIObserver,
    OriginCAClient,
    new_http_client,
)
from origin_ca_operator.cloudflare.credentials import Credential, CredentialKind
from origin_ca_operator.cloudflare.models import (
    OriginCertificate,
    Revocation,
    TokenStatus,
)
from origin_ca_operator.cloudflare.ratelimit import RateLimiters, TokenBucket
from origin_ca_operator.cloudflare.retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "APIObserver",
    "Credential",
    "CredentialKind",
    "OriginCAClient",
    "OriginCertificate",
    "RateLimiters",
    "RetryPolicy",
    "Revocation",
    "TokenBucket",
    "TokenStatus",
    "new_http_client",
]
