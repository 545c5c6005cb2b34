"""The certificate rules of the Origin CA, as pure functions.

This layer reads and checks CSRs, normalises hostnames, chooses validity periods,
generates keys and CSRs, writes certificate chains out, and holds the Origin CA
roots. It does no I/O beyond reading root files, and it sits at the bottom: it
never imports from ``cloudflare``, ``emulator``, ``kube`` or ``issuer``, so that
the API client, the emulator and the Kubernetes handlers all share one set of rules.
"""

from __future__ import annotations

from origin_ca_operator.certificates.csr import (
    ParsedCSR,
    hostnames_from_csr,
    parse_csr,
)
from origin_ca_operator.certificates.encoding import (
    chain_der,
    chain_pem,
    chain_pkcs7,
    combined_pem,
    load_pem_certificates,
)
from origin_ca_operator.certificates.hostnames import (
    MAX_HOSTNAMES,
    normalize_hostname,
    normalize_hostnames,
)
from origin_ca_operator.certificates.keys import (
    KeyAlgorithm,
    PrivateKey,
    build_csr,
    generate_private_key,
    private_key_pem,
)
from origin_ca_operator.certificates.roots import (
    OriginRoots,
    RequestType,
    embedded_roots,
    load_roots,
)
from origin_ca_operator.certificates.validity import (
    ALLOWED_VALIDITY_DAYS,
    DEFAULT_REQUEST_DURATION,
    DEFAULT_VALIDITY_DAYS,
    ValidityChoice,
    format_go_duration,
    parse_go_duration,
    select_validity,
)

__all__ = [
    "ALLOWED_VALIDITY_DAYS",
    "DEFAULT_REQUEST_DURATION",
    "DEFAULT_VALIDITY_DAYS",
    "MAX_HOSTNAMES",
    "KeyAlgorithm",
    "OriginRoots",
    "ParsedCSR",
    "PrivateKey",
    "RequestType",
    "ValidityChoice",
    "build_csr",
    "chain_der",
    "chain_pem",
    "chain_pkcs7",
    "combined_pem",
    "embedded_roots",
    "format_go_duration",
    "generate_private_key",
    "hostnames_from_csr",
    "load_pem_certificates",
    "load_roots",
    "normalize_hostname",
    "normalize_hostnames",
    "parse_csr",
    "parse_go_duration",
    "private_key_pem",
    "select_validity",
]
