"""Client pieces without a server: times, envelopes, retry waits, rate limits."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from origin_ca_operator.cloudflare import (
    Credential,
    RateLimiters,
    RetryPolicy,
    TokenBucket,
)
from origin_ca_operator.cloudflare.client import _unwrap
from origin_ca_operator.cloudflare.models import parse_api_time
from origin_ca_operator.errors import (
    AuthenticationError,
    ConfigurationError,
    PermanentAPIError,
    RateLimitedError,
    RetryableAPIError,
    api_error_for,
)

EXPECTED = datetime(2041, 3, 14, 14, 39, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2041-03-14 14:39:00 +0000 UTC",
        "2041-03-14 14:39:00.000000000 +0000 UTC",
        "2041-03-14T14:39:00Z",
        "2041-03-14T16:39:00+02:00",
    ],
)
def test_both_expiry_formats_parse(text: str) -> None:
    assert parse_api_time(text) == EXPECTED


def test_failed_envelope_with_an_empty_error_list_still_explains() -> None:
    response = httpx.Response(
        400, json={"success": False, "errors": [], "result": None}
    )
    with pytest.raises(PermanentAPIError) as raised:
        _unwrap(response, 1)
    assert "no error details" in str(raised.value)


def test_a_non_json_gateway_error_is_retryable() -> None:
    response = httpx.Response(502, text="<html>bad gateway</html>")
    with pytest.raises(RetryableAPIError) as raised:
        _unwrap(response, 1)
    assert raised.value.http_status == 502


def test_rate_limit_answer_carries_retry_after() -> None:
    response = httpx.Response(
        429,
        headers={"Retry-After": "7", "CF-Ray": "abc-LHR"},
        json={"success": False, "errors": [{"code": 971, "message": "slow down"}]},
    )
    with pytest.raises(RateLimitedError) as raised:
        _unwrap(response, 1)
    assert raised.value.retry_after == 7.0
    assert raised.value.ray_id == "abc-LHR"
    assert "abc-LHR" in str(raised.value)


def test_retry_policy_uses_retry_after_and_stops_at_the_budget() -> None:
    policy = RetryPolicy(max_attempts=5, total_seconds=10)
    limited = RateLimitedError("slow", retry_after=4, code=971, http_status=429)
    assert policy.delay_before(1, limited, elapsed=0) == 4
    assert policy.delay_before(1, limited, elapsed=7) is None
    assert policy.delay_before(5, limited, elapsed=0) is None
    permanent = api_error_for(1011, 400, "bad csr")
    assert policy.delay_before(1, permanent, elapsed=0) is None


def test_backoff_grows_but_stays_under_its_ceiling() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=1, max_delay=8, total_seconds=1e9)
    error = api_error_for(1100, 500, "db")
    for attempt in range(1, 10):
        delay = policy.delay_before(attempt, error, elapsed=0)
        assert delay is not None
        assert 0 <= delay <= min(8, 2 ** (attempt - 1))


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (10000, 403, AuthenticationError),
        (9106, 400, AuthenticationError),
        (1001, 401, AuthenticationError),
        (1200, 500, RetryableAPIError),
        (None, 503, RetryableAPIError),
        (1004, 400, PermanentAPIError),
    ],
)
def test_codes_are_classified_in_one_place(
    code: int | None, status: int, kind: type[Exception]
) -> None:
    assert isinstance(api_error_for(code, status, "m"), kind)


async def test_token_bucket_waits_once_the_burst_is_spent() -> None:
    bucket = TokenBucket(20, 1.0, burst=2)
    assert await bucket.acquire() == 0
    assert await bucket.acquire() == 0
    waited = await bucket.acquire()
    assert 0 < waited <= 0.1


def test_rate_limiters_keep_one_bucket_per_credential() -> None:
    limiters = RateLimiters()
    one = Credential.api_token("one").fingerprint
    two = Credential.api_token("two").fingerprint
    assert limiters.for_credential(one) is limiters.for_credential(one)
    assert limiters.for_credential(one) is not limiters.for_credential(two)


def test_credentials_are_stripped_and_checked() -> None:
    assert Credential.api_token(b"  abc123\n").value == "abc123"
    assert Credential.api_token("tok").headers() == {"Authorization": "Bearer tok"}
    key = Credential.service_key("v1.0-abc\n")
    assert key.headers() == {"X-Auth-User-Service-Key": "v1.0-abc"}
    with pytest.raises(ConfigurationError):
        Credential.api_token("\n")
    with pytest.raises(ConfigurationError):
        Credential.service_key("not-a-key")
    with pytest.raises(ConfigurationError):
        Credential.api_token("two words")
