"""``make demo``: one certificate issued end to end on this machine.

Local control plane, Origin CA emulator and operator; a token Secret, an
OriginIssuer and a CertificateRequest; approval as cert-manager's approver would
give it; then what was issued, and how to look at it. Everything stops on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

from origin_ca_operator.demo.scenario import DEMO_HOSTNAMES, run_scenario
from origin_ca_operator.emulator import EmulatorConfig, EmulatorThread
from origin_ca_operator.localcluster import LocalCluster, LocalClusterError

ZONE = "example.com"


def main() -> int:
    """Run the demo in ``--dir`` (default ``.demo``)."""
    parser = argparse.ArgumentParser(prog="python -m origin_ca_operator.demo")
    parser.add_argument("--dir", type=Path, default=Path(".demo"))
    args = parser.parse_args()
    directory: Path = args.dir.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(30)

    print("Starting the local control plane (etcd, kube-apiserver, controllers)...")
    try:
        with (
            LocalCluster(directory / "cluster") as cluster,
            EmulatorThread(
                EmulatorConfig(
                    zones=[ZONE],
                    tokens={token: None},
                    state_dir=directory / "emulator",
                )
            ) as emulator,
        ):
            print(f"Origin CA emulator at {emulator.base_url}")
            return asyncio.run(
                run_scenario(cluster.kubeconfig, emulator, token, directory)
            )
    except LocalClusterError as error:
        print(f"The local control plane did not start: {error}", file=sys.stderr)
        return 1
    finally:
        print("Stopped the operator, the emulator and the control plane.")


if __name__ == "__main__":
    print(f"Demo hostnames: {', '.join(DEMO_HOSTNAMES)}")
    sys.exit(main())
