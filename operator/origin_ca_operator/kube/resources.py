"""Names of the API groups, versions and resources the operator works with."""

from __future__ import annotations

from dataclasses import dataclass

ISSUER_GROUP = "cert-manager.k8s.cloudflare.com"
ISSUER_VERSION = "v1"
ORIGIN_ISSUER_KIND = "OriginIssuer"
CLUSTER_ORIGIN_ISSUER_KIND = "ClusterOriginIssuer"
ORIGIN_ISSUER_PLURAL = "originissuers"
CLUSTER_ORIGIN_ISSUER_PLURAL = "clusteroriginissuers"

CERT_MANAGER_GROUP = "cert-manager.io"
CERT_MANAGER_VERSION = "v1"
CERTIFICATE_REQUEST_PLURAL = "certificaterequests"

# The prefix of Kubernetes CSR signer names that our ClusterOriginIssuers serve.
KUBE_CSR_SIGNER_PREFIX = f"{CLUSTER_ORIGIN_ISSUER_PLURAL}.{ISSUER_GROUP}/"

FIELD_MANAGER = "origin-ca-operator"

# A Secret by (namespace, name).
SecretRef = tuple[str, str]


@dataclass(frozen=True, order=True)
class IssuerKey:
    """Identifies an issuer: its kind, namespace ('' when cluster-wide) and name."""

    kind: str
    namespace: str
    name: str

    @property
    def cluster_scoped(self) -> bool:
        """True for a ClusterOriginIssuer."""
        return self.kind == CLUSTER_ORIGIN_ISSUER_KIND

    @property
    def plural(self) -> str:
        """The resource plural of this issuer's kind."""
        if self.cluster_scoped:
            return CLUSTER_ORIGIN_ISSUER_PLURAL
        return ORIGIN_ISSUER_PLURAL

    def __str__(self) -> str:
        where = self.name if self.cluster_scoped else f"{self.namespace}/{self.name}"
        return f"{self.kind} {where}"


def object_name(namespace: str | None, name: str) -> str:
    """``namespace/name``, or just ``name`` for cluster-scoped objects."""
    return f"{namespace}/{name}" if namespace else name
