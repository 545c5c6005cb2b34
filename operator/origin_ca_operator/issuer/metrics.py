"""Prometheus metrics of the operator, in a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

PREFIX = "origin_ca_operator"


class Metrics:
    """Counters and histograms; also the API client's observer."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests_signed = Counter(
            f"{PREFIX}_requests_signed",
            "Certificate requests signed, by kind of request.",
            ["kind"],
            registry=self.registry,
        )
        self.requests_failed = Counter(
            f"{PREFIX}_requests_failed",
            "Certificate requests marked failed or denied, by kind and reason.",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.api_calls = Counter(
            f"{PREFIX}_cloudflare_api_calls",
            "Origin CA API calls, by endpoint and outcome (ok or error code).",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.api_latency = Histogram(
            f"{PREFIX}_cloudflare_api_latency_seconds",
            "Latency of Origin CA API calls, by endpoint.",
            ["endpoint"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.api_retries = Counter(
            f"{PREFIX}_cloudflare_api_retries",
            "Origin CA API calls retried, by endpoint and outcome.",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.rate_limiter_wait_seconds = Counter(
            f"{PREFIX}_rate_limiter_wait_seconds",
            "Seconds spent waiting on the client-side rate limiter.",
            registry=self.registry,
        )
        self.request_retries = Counter(
            f"{PREFIX}_request_retries_scheduled",
            "Signing attempts scheduled again after a passing failure.",
            ["kind"],
            registry=self.registry,
        )
        self.issuers_ready = Gauge(
            f"{PREFIX}_issuers_ready",
            "Issuers by readiness.",
            ["ready"],
            registry=self.registry,
        )

    def api_call(self, endpoint: str, outcome: str, seconds: float) -> None:
        """Count one API exchange and its latency."""
        self.api_calls.labels(endpoint, outcome).inc()
        self.api_latency.labels(endpoint).observe(seconds)

    def api_retry(self, endpoint: str, outcome: str) -> None:
        """Count one retry inside the API client."""
        self.api_retries.labels(endpoint, outcome).inc()

    def rate_limit_wait(self, seconds: float) -> None:
        """Add time spent waiting for the rate limiter."""
        self.rate_limiter_wait_seconds.inc(seconds)
