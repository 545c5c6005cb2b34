"""Command lines of etcd, kube-apiserver and kube-controller-manager.

Pure functions from ports, paths and keys to argument lists; starting and
watching the processes is :mod:`origin_ca_operator.localcluster.cluster`'s job.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from origin_ca_operator.localcluster.pki import ClusterPKI

LOOPBACK = "127.0.0.1"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24"
# The default controllers, without those that approve and sign
# CertificateSigningRequests: signing requests is the operator's job, and a
# built-in signer must not race it. (The built-in ones only handle
# kubernetes.io/* signer names anyway.)
CONTROLLERS = (
    "*",
    "-certificatesigningrequest-signing-controller",
    "-certificatesigningrequest-approving-controller",
)


@dataclass(frozen=True)
class Ports:
    """The loopback ports the control plane listens on."""

    etcd_client: int
    etcd_peer: int
    apiserver: int

    @property
    def etcd_url(self) -> str:
        """Where the API server finds etcd."""
        return f"http://{LOOPBACK}:{self.etcd_client}"

    @property
    def server(self) -> str:
        """The API server's URL."""
        return f"https://{LOOPBACK}:{self.apiserver}"


def etcd_command(binary: Path, data_dir: Path, ports: Ports) -> list[str]:
    """A single-member etcd; fsync off, since the data dies with the cluster."""
    peer_url = f"http://{LOOPBACK}:{ports.etcd_peer}"
    return [
        str(binary),
        "--name=localcluster",
        f"--data-dir={data_dir}",
        f"--listen-client-urls={ports.etcd_url}",
        f"--advertise-client-urls={ports.etcd_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=localcluster={peer_url}",
        "--initial-cluster-state=new",
        "--unsafe-no-fsync",
        "--log-level=warn",
    ]


def apiserver_command(binary: Path, pki: ClusterPKI, ports: Ports) -> list[str]:
    """kube-apiserver with client certificates, RBAC and service account tokens."""
    return [
        str(binary),
        f"--etcd-servers={ports.etcd_url}",
        f"--bind-address={LOOPBACK}",
        f"--advertise-address={LOOPBACK}",
        f"--secure-port={ports.apiserver}",
        f"--tls-cert-file={pki.serving.certificate}",
        f"--tls-private-key-file={pki.serving.key}",
        f"--client-ca-file={pki.ca.certificate}",
        "--authorization-mode=Node,RBAC",
        f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
        f"--service-account-key-file={pki.service_account_public_key}",
        f"--service-account-signing-key-file={pki.service_account_private_key}",
        f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
        # The endpoints of the `kubernetes` Service may not be a loopback
        # address, and no pod here would use them anyway.
        "--endpoint-reconciler-type=none",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=1",
    ]


def controller_manager_command(
    binary: Path, pki: ClusterPKI, kubeconfig: Path
) -> list[str]:
    """kube-controller-manager running each controller as its own account."""
    return [
        str(binary),
        f"--kubeconfig={kubeconfig}",
        f"--controllers={','.join(CONTROLLERS)}",
        "--use-service-account-credentials=true",
        f"--service-account-private-key-file={pki.service_account_private_key}",
        f"--root-ca-file={pki.ca.certificate}",
        f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
        "--leader-elect=false",
        # No HTTPS endpoint: readiness is judged from what its controllers do.
        "--secure-port=0",
        "--profiling=false",
        "--v=1",
    ]
