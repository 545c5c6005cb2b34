"""Every exception origin-ca-operator raises, in one tree.

::

    OriginCAError
    ├── InvalidRequestError          the user's input breaks a rule; never retried
    │   ├── CSRError                 unreadable CSR, bad signature, refused key
    │   ├── HostnameError            IP address, bad wildcard, too many names
    │   └── ValidityError            no allowed validity for the request
    ├── ConfigurationError           a flag, Secret or key the operator needs is wrong
    │   ├── SecretNotFoundError      the credential Secret does not exist
    │   ├── SecretKeyNotFoundError   the Secret lacks the key the issuer names
    │   └── LocalClusterError        the local control plane cannot run
    │       ├── ToolsNotBuiltError   binaries or CRDs missing: run ``make tools``
    │       └── ComponentFailedError a component exited or never became ready
    └── CloudflareAPIError           the Origin CA API said no (code, status, ray id)
        ├── PermanentAPIError        asking again gives the same answer
        │   ├── AuthenticationError          1001, 9106, 10000, 1016
        │   ├── HostnameNotAllowedError      1010 once its retries are spent
        │   ├── CertificateNotFoundError     1101
        │   └── AlreadyRevokedError          1014
        └── RetryableAPIError        try again later: 5xx, 1100, 1200, 1201, 1010
            ├── RateLimitedError             HTTP 429 or code 971, with Retry-After
            └── TransportError               timeout, refused or reset connection

Whether an API failure is worth retrying is decided here alone, by
:func:`api_error_for`, from the error code and the HTTP status. The emulator's
error answers (``emulator.envelope.ApiError``) are replies it serves to its
clients, not failures of ours, and live with the emulator.
"""

from __future__ import annotations


class OriginCAError(Exception):
    """Base of every error raised by origin-ca-operator."""


class InvalidRequestError(OriginCAError):
    """The request breaks a rule of the Origin CA; fix the input, do not retry."""


class CSRError(InvalidRequestError):
    """The certificate signing request cannot be used."""


class HostnameError(InvalidRequestError):
    """A hostname cannot be put on an Origin CA certificate."""


class ValidityError(InvalidRequestError):
    """The requested validity cannot be honoured."""


class ConfigurationError(OriginCAError):
    """Something the operator was given (flag, Secret, key) is missing or wrong."""


class SecretNotFoundError(ConfigurationError):
    """The Secret an issuer names does not exist where the issuer may read it."""


class SecretKeyNotFoundError(ConfigurationError):
    """The Secret exists but has no (or an empty) value under the named key."""


class LocalClusterError(ConfigurationError):
    """The local Kubernetes control plane could not be set up or run."""


class ToolsNotBuiltError(LocalClusterError):
    """A binary or CRD the control plane needs is not in the tools cache."""


class ComponentFailedError(LocalClusterError):
    """A component exited early or did not become ready in time."""


class CloudflareAPIError(OriginCAError):
    """The Origin CA API answered with an error, or could not be reached."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        ray_id: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.http_status = http_status
        self.ray_id = ray_id
        super().__init__(self.describe())

    def describe(self, *, with_ray: bool = True) -> str:
        """One line: message, code, status and (for logs) the ray id.

        Conditions that are rewritten on each retry leave the ray id out, so
        that a repeated failure does not change the object again.
        """
        details = []
        if self.code is not None:
            details.append(f"code {self.code}")
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.ray_id and with_ray:
            details.append(f"ray {self.ray_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"Origin CA API: {self.message}{suffix}"


class PermanentAPIError(CloudflareAPIError):
    """Asking the API again would give the same answer."""


class AuthenticationError(PermanentAPIError):
    """The credential is missing, wrong, or lacks the permission needed."""


class HostnameNotAllowedError(PermanentAPIError):
    """Cloudflare could not validate a hostname against the account's zones."""


class CertificateNotFoundError(PermanentAPIError):
    """No certificate has that id."""


class AlreadyRevokedError(PermanentAPIError):
    """The certificate was revoked before; revoking is done."""


class RetryableAPIError(CloudflareAPIError):
    """A passing failure: the same call may succeed later."""

    retryable = True


class RateLimitedError(RetryableAPIError):
    """Cloudflare's rate limit was reached; wait ``retry_after`` seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        http_status: int | None = None,
        ray_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, code=code, http_status=http_status, ray_id=ray_id)


class TransportError(RetryableAPIError):
    """The API could not be reached: timeout, refused or reset connection."""

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        self.request_sent = request_sent
        super().__init__(message)


AUTHENTICATION_CODES = frozenset({1001, 9106, 10000, 1016})
RETRYABLE_CODES = frozenset({1100, 1200, 1201, 971})
RATE_LIMIT_CODE = 971
HOSTNAME_NOT_VALIDATED_CODE = 1010
ALREADY_REVOKED_CODE = 1014
NOT_FOUND_CODE = 1101

# Code 1010 is usually final (zone not in the account) but is sometimes a passing
# fault inside Cloudflare: retry it this many times in all, then give up.
HOSTNAME_NOT_VALIDATED_ATTEMPTS = 3


def api_error_for(
    code: int | None,
    http_status: int | None,
    message: str,
    *,
    ray_id: str | None = None,
    retry_after: float | None = None,
    attempt: int = 1,
) -> CloudflareAPIError:
    """Build the exception for an API failure; the only place retryability is set.

    ``attempt`` counts calls made so far for this operation, so that code 1010
    is retried a few times and then reported as permanent.
    """
    if http_status == 429 or code == RATE_LIMIT_CODE:
        return RateLimitedError(
            message,
            retry_after=retry_after,
            code=code,
            http_status=http_status,
            ray_id=ray_id,
        )
    kind = _permanence_of(code, http_status, attempt)
    return kind(message, code=code, http_status=http_status, ray_id=ray_id)


def _permanence_of(
    code: int | None, http_status: int | None, attempt: int
) -> type[CloudflareAPIError]:
    if code in AUTHENTICATION_CODES or http_status in (401, 403):
        return AuthenticationError
    if code == HOSTNAME_NOT_VALIDATED_CODE:
        if attempt < HOSTNAME_NOT_VALIDATED_ATTEMPTS:
            return RetryableAPIError
        return HostnameNotAllowedError
    if code == NOT_FOUND_CODE:
        return CertificateNotFoundError
    if code == ALREADY_REVOKED_CODE:
        return AlreadyRevokedError
    if code in RETRYABLE_CODES or (http_status is not None and http_status >= 500):
        return RetryableAPIError
    return PermanentAPIError
