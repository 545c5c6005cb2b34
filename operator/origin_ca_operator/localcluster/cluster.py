"""A real Kubernetes control plane on loopback: etcd, API server, controllers.

:class:`LocalCluster` starts etcd, kube-apiserver and kube-controller-manager
from the binaries ``make tools`` builds, writes an admin kubeconfig, installs
cert-manager's CertificateRequest and Certificate CRDs, and returns once the
API answers ``/readyz``, the CRDs are Established and the controller manager
has done its first work. There is no kubelet and no scheduler: pods never run.

Everything lives in one folder::

    DIR/kubeconfig                    admin credentials (group system:masters)
    DIR/controller-manager.kubeconfig
    DIR/pki/                          CA, serving and client certificates
    DIR/etcd-data/                    removed on stop
    DIR/logs/<component>.log          kept after stop, shown on failure
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import logging
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from origin_ca_operator.errors import (
    ComponentFailedError,
    LocalClusterError,
)
from origin_ca_operator.localcluster import components
from origin_ca_operator.localcluster.apiclient import AdminClient
from origin_ca_operator.localcluster.crds import install_crds, is_established, load_crds
from origin_ca_operator.localcluster.kubeconfig import write_kubeconfig
from origin_ca_operator.localcluster.pki import ClusterPKI, create_cluster_pki
from origin_ca_operator.localcluster.process import Component, start_component
from origin_ca_operator.localcluster.tools import Tools, find_tools

logger = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 120.0
POLL_INTERVAL_SECONDS = 0.2
LOG_TAIL_LINES = 40
DEFAULT_SERVICE_ACCOUNT = "/api/v1/namespaces/default/serviceaccounts/default"


class LocalCluster:
    """A throwaway control plane whose files all live in ``directory``.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. A process
    that exits without calling :meth:`stop` still stops the components, through
    ``atexit`` or, when killed outright, through the kernel's parent-death signal
    (for clusters started from the main thread).
    """

    def __init__(
        self,
        directory: Path,
        *,
        tools: Tools | None = None,
        ready_timeout: float = READY_TIMEOUT_SECONDS,
    ) -> None:
        self.directory = directory.resolve()
        self.kubeconfig = self.directory / "kubeconfig"
        self.log_directory = self.directory / "logs"
        self.ready_timeout = ready_timeout
        self._tools = tools
        self._components: list[Component] = []
        self._ports: components.Ports | None = None

    @property
    def server(self) -> str:
        """The API server's URL, ``https://127.0.0.1:<port>``."""
        if self._ports is None:
            raise LocalClusterError("the local cluster has not been started")
        return self._ports.server

    @property
    def running(self) -> bool:
        """Whether every component started is still running."""
        return bool(self._components) and all(c.running for c in self._components)

    def start(self) -> None:
        """Start every component and return once the cluster is ready to use."""
        if self._components:
            raise LocalClusterError(f"the cluster in {self.directory} already runs")
        tools = self._tools or find_tools()
        began = time.monotonic()
        atexit.register(self.stop)
        try:
            self._start(tools)
        except BaseException:
            self.stop()
            raise
        logger.info(
            "Kubernetes %s ready at %s in %.1fs; kubeconfig %s",
            tools.versions.get("KUBERNETES_VERSION", "(unknown version)"),
            self.server,
            time.monotonic() - began,
            self.kubeconfig,
        )

    def stop(self) -> None:
        """Stop every component (newest first) and remove etcd's data."""
        atexit.unregister(self.stop)
        for component in reversed(self._components):
            component.stop()
        if self._components:
            logger.info("Stopped the local cluster in %s", self.directory)
        self._components.clear()
        shutil.rmtree(self.directory / "etcd-data", ignore_errors=True)
        self.kubeconfig.unlink(missing_ok=True)

    def log_tails(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of each component's log, one section per component."""
        return "\n".join(
            f"--- {c.describe_exit()}; last lines of {c.log} ---\n{c.log_tail(lines)}"
            for c in self._components
        )

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _start(self, tools: Tools) -> None:
        self._prepare_directory()
        pki = create_cluster_pki(self.directory / "pki")
        ports = self._ports = components.Ports(*_free_loopback_ports(3))
        deadline = time.monotonic() + self.ready_timeout

        data_dir = self.directory / "etcd-data"
        self._launch(
            "etcd", components.etcd_command(tools.binary("etcd"), data_dir, ports)
        )
        apiserver = tools.binary("kube-apiserver")
        self._launch(
            "kube-apiserver", components.apiserver_command(apiserver, pki, ports)
        )
        write_kubeconfig(self.kubeconfig, ports.server, pki.ca.certificate, pki.admin)
        client = AdminClient(ports.server, pki.ca, pki.admin)
        self._wait("the API server to be ready", lambda: _is_ready(client), deadline)

        crds = load_crds(tools.crd_files)
        install_crds(client, crds)
        names = [crd["metadata"]["name"] for crd in crds]
        self._wait(
            f"CRDs {', '.join(names)} to be Established",
            lambda: all(is_established(client, name) for name in names),
            deadline,
        )
        # Started once the CRDs are served, so that its garbage collector knows
        # them from its first discovery rather than from a later resync.
        self._start_controller_manager(tools, pki)
        self._wait(
            "the controller manager to create the default service account",
            lambda: client.get_json(DEFAULT_SERVICE_ACCOUNT)[0] == 200,
            deadline,
        )

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.directory / "etcd-data", ignore_errors=True)

    def _start_controller_manager(self, tools: Tools, pki: ClusterPKI) -> None:
        kubeconfig = self.directory / "controller-manager.kubeconfig"
        write_kubeconfig(
            kubeconfig, self.server, pki.ca.certificate, pki.controller_manager
        )
        binary = tools.binary("kube-controller-manager")
        command = components.controller_manager_command(binary, pki, kubeconfig)
        self._launch("kube-controller-manager", command)

    def _launch(self, name: str, command: list[str]) -> None:
        log = self.log_directory / f"{name}.log"
        self._components.append(start_component(name, command, log))

    def _wait(self, what: str, ready: Callable[[], bool], deadline: float) -> None:
        """Poll ``ready`` until true; fail at once should a component exit."""
        logger.debug("Waiting for %s", what)
        while True:
            for component in self._components:
                if not component.running:
                    raise ComponentFailedError(
                        f"{component.describe_exit()} while waiting for {what}\n"
                        f"{self.log_tails()}"
                    )
            with contextlib.suppress(OSError, http.client.HTTPException):
                if ready():
                    return
            if time.monotonic() > deadline:
                raise ComponentFailedError(
                    f"timed out after {self.ready_timeout:.0f}s waiting for {what}\n"
                    f"{self.log_tails()}"
                )
            time.sleep(POLL_INTERVAL_SECONDS)


def _is_ready(client: AdminClient) -> bool:
    status, _ = client.request("GET", "/readyz")
    return status == 200


def _free_loopback_ports(count: int) -> list[int]:
    """Ports free right now; held together so that they differ from each other."""
    with contextlib.ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            )
            sock.bind((components.LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
