"""A kind cluster driven through the command line: kind, kubectl, helm, docker.

Every command runs with the cluster's own kubeconfig, and a failing command
fails the test with what the command printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from origin_ca_operator.localcluster import ToolsNotBuiltError, find_tools

T = TypeVar("T")


def helm_binary() -> str | None:
    """The helm of the local tools (``make tools``), else one on PATH."""
    try:
        return str(find_tools().binary("helm"))
    except ToolsNotBuiltError:
        return shutil.which("helm")


def missing_prerequisites() -> list[str]:
    """What this machine lacks to run the kind tests; empty when nothing."""
    missing = []
    if shutil.which("docker") is None:
        missing.append("docker on PATH")
    else:
        try:
            info = subprocess.run(
                ["docker", "info"], capture_output=True, timeout=60, check=False
            )
            if info.returncode != 0:
                missing.append("a running Docker engine (`docker info` failed)")
        except subprocess.TimeoutExpired:
            missing.append("a responsive Docker engine (`docker info` timed out)")
    for tool in ("kind", "kubectl"):
        if shutil.which(tool) is None:
            missing.append(f"{tool} on PATH")
    if helm_binary() is None:
        missing.append("helm (`make tools` builds one, or put helm on PATH)")
    return missing


class KindCluster:
    """One kind cluster, its kubeconfig, and the commands run against it."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.kubeconfig = directory / "kubeconfig"
        self.helm = helm_binary() or "helm"

    def run(self, *command: str, stdin: str | None = None, timeout: float = 600) -> str:
        """Run a command with KUBECONFIG set; its output."""
        environment = dict(os.environ, KUBECONFIG=str(self.kubeconfig))
        completed = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(
                f"`{' '.join(command)}` exited {completed.returncode}:\n"
                f"{completed.stdout}\n{completed.stderr}"
            )
        return completed.stdout

    def kubectl(self, *arguments: str, stdin: str | None = None) -> str:
        """kubectl against this cluster."""
        return self.run("kubectl", *arguments, stdin=stdin)

    def create(self) -> None:
        """Create the cluster and wait for its node."""
        self.run(
            "kind",
            "create",
            "cluster",
            "--name",
            self.name,
            "--kubeconfig",
            str(self.kubeconfig),
            "--wait",
            "180s",
        )

    def delete(self) -> None:
        """Delete the cluster."""
        self.run("kind", "delete", "cluster", "--name", self.name)

    def load_image(self, image: str) -> None:
        """Copy a local Docker image onto the cluster's node."""
        self.run("kind", "load", "docker-image", image, "--name", self.name)

    def apply(self, *manifests: dict[str, Any]) -> None:
        """kubectl apply these objects."""
        text = yaml.safe_dump_all(manifests)
        self.kubectl("apply", "-f", "-", stdin=text)

    def get(self, kind: str, name: str, namespace: str | None = None) -> Any:
        """An object as JSON."""
        scope = ["--namespace", namespace] if namespace else []
        return json.loads(self.kubectl("get", kind, name, *scope, "-o", "json"))

    def wait_for(
        self,
        condition: str,
        target: str,
        namespace: str | None = None,
        timeout: str = "300s",
    ) -> None:
        """kubectl wait --for=CONDITION TARGET."""
        scope = ["--namespace", namespace] if namespace else []
        self.kubectl(
            "wait", f"--for={condition}", target, *scope, f"--timeout={timeout}"
        )

    def diagnostics(self, namespaces: Sequence[str]) -> str:
        """What to look at when something did not happen: objects and logs."""
        parts = []
        for command in (
            [
                "get",
                "originissuers,certificates,certificaterequests",
                "-A",
                "-o",
                "wide",
            ],
            ["get", "clusteroriginissuers", "-o", "wide"],
            *(["get", "events", "-n", namespace] for namespace in namespaces),
            ["logs", "-n", "origin-ca-system", "deployment/origin-ca-operator"],
            ["logs", "-n", "cert-manager", "deployment/cert-manager", "--tail=80"],
            ["logs", "-n", "origin-ca-emulator", "deployment/origin-ca-emulator"],
        ):
            try:
                parts.append(f"$ kubectl {' '.join(command)}\n{self.kubectl(*command)}")
            except AssertionError as error:
                parts.append(str(error))
        return "\n".join(parts)


def retry(work: Callable[[], T], what: str, within: float = 180) -> T:
    """Run ``work`` until it stops raising AssertionError; fail after ``within``."""
    deadline = time.monotonic() + within
    while True:
        try:
            return work()
        except AssertionError as error:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: still failing after {within:.0f}s"
                ) from (error)
            time.sleep(3)
