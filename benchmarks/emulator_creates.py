"""Benchmark: 1,000 concurrent certificate creates against the Origin CA emulator.

The emulator runs as a subprocess (``origin-ca-operator emulator``) on loopback,
so that its peak resident size can be read apart from the client's; with
``--in-process`` it shares this process and event loop instead. CSRs are made
before the clock starts (a few keys, reused), and the rate limit is raised out
of the way. Prints requests per second, p50 and p99 latency, failures, and the
emulator's peak RSS (Linux only).

    .venv/bin/python benchmarks/emulator_creates.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from origin_ca_operator.emulator import EmulatorConfig, RateLimit, start_emulator
from origin_ca_operator.emulator.config import TOKENS_ENV

TOKEN = "benchmark-token"
KEYS_PER_TYPE = 4


@dataclass
class Outcome:
    """What the run measured."""

    seconds: float
    latencies: list[float]
    failures: int
    peak_rss_kib: int | None


def make_csrs() -> list[str]:
    """A few PEM CSRs, RSA 2048 and P-256, made before anything is timed."""
    keys: list[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] = []
    for _ in range(KEYS_PER_TYPE):
        keys.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        keys.append(ec.generate_private_key(ec.SECP256R1()))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench.example.com")])
    return [
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
        for key in keys
    ]


def request_type_for(index: int, choice: str) -> str:
    """The request type of request ``index``: fixed, or alternating for mixed."""
    if choice == "mixed":
        return "origin-rsa" if index % 2 == 0 else "origin-ecc"
    return f"origin-{choice}"


@asynccontextmanager
async def emulator_subprocess(state_dir: Path) -> AsyncIterator[tuple[str, int]]:
    """Run the emulator command; yield its base URL and process id."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "origin_ca_operator", "emulator",
        "--listen", "127.0.0.1:0", "--state-dir", str(state_dir),
        "--rate-limit", "1000000000/1", "--log-level", "WARNING",
        env={**os.environ, TOKENS_ENV: TOKEN},
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    banner = b""
    while b"\n  state:" not in banner:
        line = await asyncio.wait_for(process.stderr.readline(), 120)
        if not line:
            raise RuntimeError(f"the emulator did not start:\n{banner.decode()}")
        banner += line
    found = re.search(rb"Origin CA emulator at (\S+)", banner)
    assert found is not None
    try:
        yield found.group(1).decode(), process.pid
    finally:
        process.terminate()
        await process.wait()


def peak_rss_kib(pid: int) -> int | None:
    """The peak resident size of a process in KiB, from /proc (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) if found else None


async def fire(
    base_url: str, bodies: list[dict[str, Any]], concurrency: int
) -> tuple[float, list[float], int]:
    """Send every create, at most ``concurrency`` in flight; time each one."""
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def create(body: dict[str, Any]) -> None:
            nonlocal failures
            async with limit:
                started = time.perf_counter()
                async with session.post(f"{base_url}/certificates", json=body) as reply:
                    answer = await reply.json()
                latencies.append(time.perf_counter() - started)
                if reply.status != 200 or not answer.get("success"):
                    failures += 1

        await create(bodies[0])  # warm up the connection pool and the server
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(create(body) for body in bodies))
        seconds = time.perf_counter() - started
    return seconds, latencies, failures


async def run(args: argparse.Namespace) -> Outcome:
    """Start the emulator, fire the creates, read the peak RSS."""
    csrs = make_csrs()
    bodies = [
        {
            "csr": csrs[index % len(csrs)],
            "hostnames": [f"h{index}.example.com", "*.example.com"],
            "request_type": request_type_for(index, args.request_type),
            "requested_validity": 90,
        }
        for index in range(args.requests)
    ]
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as state:
        if args.in_process:
            config = EmulatorConfig(
                tokens={TOKEN: None},
                state_dir=state,
                rate_limit=RateLimit(10**9, 1),
            )
            async with await start_emulator(config) as emulator:
                seconds, latencies, failures = await fire(
                    emulator.base_url, bodies, args.concurrency
                )
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return Outcome(seconds, latencies, failures, rss)
        async with emulator_subprocess(Path(state)) as (base_url, pid):
            seconds, latencies, failures = await fire(
                base_url, bodies, args.concurrency
            )
            return Outcome(seconds, latencies, failures, peak_rss_kib(pid))


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def report(args: argparse.Namespace, outcome: Outcome) -> None:
    """Print the figures."""
    where = "in-process" if args.in_process else "subprocess"
    print(
        f"{args.requests} creates ({args.request_type}), {args.concurrency} in "
        f"flight, emulator {where}, {os.cpu_count()} CPUs"
    )
    print(f"  requests/s  {args.requests / outcome.seconds:8.1f}")
    print(f"  wall        {outcome.seconds:8.2f} s")
    print(f"  p50         {percentile(outcome.latencies, 0.50) * 1000:8.1f} ms")
    print(f"  p99         {percentile(outcome.latencies, 0.99) * 1000:8.1f} ms")
    print(f"  failures    {outcome.failures:8d}")
    if outcome.peak_rss_kib is None:
        print("  peak RSS    not measurable here")
    else:
        scope = "whole process" if args.in_process else "emulator"
        print(f"  peak RSS    {outcome.peak_rss_kib / 1024:8.1f} MiB ({scope})")


def main() -> int:
    """Parse the flags, run, report; 1 if any create failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument(
        "--request-type", choices=["rsa", "ecc", "mixed"], default="mixed"
    )
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * args.concurrency + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    outcome = asyncio.run(run(args))
    report(args, outcome)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
