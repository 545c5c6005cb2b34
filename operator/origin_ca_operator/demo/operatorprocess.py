"""``origin-ca-operator run`` as a child process, for the demo and the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

STARTUP_SECONDS = 60


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OperatorProcess:
    """Start, stop and restart the operator; its output goes to ``log_path``."""

    def __init__(
        self,
        *,
        kubeconfig: Path,
        api_base_url: str,
        root_certificates: Path,
        cluster_resource_namespace: str,
        log_path: Path,
        extra_arguments: Sequence[str] = (),
    ) -> None:
        self.log_path = log_path
        self.health_port = free_port()
        self.metrics_port = free_port()
        self.arguments = [
            "--kubeconfig",
            str(kubeconfig),
            "--api-base-url",
            api_base_url,
            "--root-certificates",
            str(root_certificates),
            "--cluster-resource-namespace",
            cluster_resource_namespace,
            "--health-address",
            f"127.0.0.1:{self.health_port}",
            "--metrics-address",
            f"127.0.0.1:{self.metrics_port}",
            *extra_arguments,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start and wait until the liveness endpoint answers."""
        command = [sys.executable, "-m", "origin_ca_operator", "run", *self.arguments]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ)
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        url = f"http://127.0.0.1:{self.health_port}/healthz"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the operator exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the operator never became healthy:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop gracefully, or kill after 20 seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop, then start again."""
        self.stop()
        self.start()

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self.process.pid if self.process is not None else None

    def metrics(self) -> str:
        """The Prometheus exposition text."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:
            text: str = answer.read().decode()
            return text

    def log_tail(self, lines: int = 80) -> str:
        """The end of the operator's log."""
        if not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])
