"""Credentials for the Origin CA API, kept out of logs, reprs and exceptions."""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass, field

from origin_ca_operator.errors import ConfigurationError

logger = logging.getLogger(__name__)

SERVICE_KEY_PREFIX = "v1.0-"
SERVICE_KEY_REMOVAL_NOTICE = (
    "Origin CA keys (serviceKeyRef) were removed by Cloudflare on 2026-09-30 and "
    "may be rejected; switch to an API token with the permission "
    "'Zone / SSL and Certificates / Edit' (tokenRef)"
)


class CredentialKind(enum.Enum):
    """How the credential is sent."""

    API_TOKEN = "api token"
    SERVICE_KEY = "origin ca key"


@dataclass(frozen=True)
class Credential:
    """An API token or a legacy Origin CA key; its value never appears in a repr."""

    kind: CredentialKind
    value: str = field(repr=False)

    @classmethod
    def api_token(cls, raw: str | bytes) -> Credential:
        """An API token, surrounding whitespace (a Secret's newline) stripped."""
        return cls(CredentialKind.API_TOKEN, _clean(raw, "API token"))

    @classmethod
    def service_key(cls, raw: str | bytes) -> Credential:
        """A legacy Origin CA key; accepted with a warning, see the notice."""
        value = _clean(raw, "Origin CA key")
        if not value.startswith(SERVICE_KEY_PREFIX):
            raise ConfigurationError(
                f"the Origin CA key does not start with {SERVICE_KEY_PREFIX!r}; "
                "check that the Secret holds an Origin CA key, or use an API token"
            )
        return cls(CredentialKind.SERVICE_KEY, value)

    @property
    def fingerprint(self) -> str:
        """A short, non-reversible name for this credential (rate limits, logs)."""
        digest = hashlib.sha256(self.value.encode()).hexdigest()
        return digest[:12]

    @property
    def is_legacy(self) -> bool:
        """True for an Origin CA key, which Cloudflare has removed."""
        return self.kind is CredentialKind.SERVICE_KEY

    def headers(self) -> dict[str, str]:
        """The HTTP headers that authenticate a request."""
        if self.kind is CredentialKind.API_TOKEN:
            return {"Authorization": f"Bearer {self.value}"}
        return {"X-Auth-User-Service-Key": self.value}


def _clean(raw: str | bytes, what: str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    value = text.strip()
    if not value:
        raise ConfigurationError(f"the {what} is empty")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ConfigurationError(
            f"the {what} contains spaces or control characters inside it; "
            "store only the credential itself in the Secret"
        )
    return value
