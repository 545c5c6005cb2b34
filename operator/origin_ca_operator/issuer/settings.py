"""What the operator is told on its command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from origin_ca_operator.certificates.roots import OriginRoots
from origin_ca_operator.cloudflare.client import DEFAULT_BASE_URL

DEFAULT_RETRY_WINDOW = timedelta(minutes=10)
DEFAULT_ISSUER_RECHECK = timedelta(minutes=10)


@dataclass(frozen=True)
class OperatorSettings:
    """Settings shared by every part of the running operator."""

    roots: OriginRoots
    cluster_resource_namespace: str
    api_base_url: str = DEFAULT_BASE_URL
    retry_window: timedelta = DEFAULT_RETRY_WINDOW
    issuer_recheck_interval: timedelta = DEFAULT_ISSUER_RECHECK
    retry_initial_delay: float = 5.0
    retry_max_delay: float = 60.0
