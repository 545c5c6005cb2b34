"""A real local Kubernetes control plane for the tests and the demo.

etcd, kube-apiserver and kube-controller-manager, built from their published Go
modules by ``make tools`` (``hack/build-tools.sh``), run as child processes on
loopback, with cert-manager's CertificateRequest and Certificate CRDs installed::

    with LocalCluster(Path(".cluster")) as cluster:
        ...  # cluster.kubeconfig, cluster.server

or from a shell: ``python -m origin_ca_operator.localcluster up --dir DIR`` and
``... down --dir DIR``.

Modules: ``cluster`` (the orchestration), ``components`` (command lines),
``pki`` (keys and certificates), ``kubeconfig``, ``crds``, ``apiclient`` (the
launcher's own small HTTP client), ``process`` (child processes), ``tools``
(where the binaries are), ``command`` (the command line). Its errors are in
:mod:`origin_ca_operator.errors`.
"""

from origin_ca_operator.errors import (
    ComponentFailedError,
    LocalClusterError,
    ToolsNotBuiltError,
)
from origin_ca_operator.localcluster.cluster import LocalCluster
from origin_ca_operator.localcluster.tools import Tools, find_tools

__all__ = [
    "ComponentFailedError",
    "LocalCluster",
    "LocalClusterError",
    "Tools",
    "ToolsNotBuiltError",
    "find_tools",
]
