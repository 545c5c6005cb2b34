"""Kubeconfig files for the local control plane, with credentials inlined.

The files embed the CA and the client certificate and key rather than pointing
at them, so that a copy keeps working wherever it is put.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

from origin_ca_operator.localcluster.pki import KeyPair

CONTEXT_NAME = "localcluster"


def write_kubeconfig(path: Path, server: str, ca: Path, client: KeyPair) -> None:
    """Write a kubeconfig for ``server`` authenticating with ``client``."""
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CONTEXT_NAME,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": _inline(ca),
                },
            }
        ],
        "users": [
            {
                "name": CONTEXT_NAME,
                "user": {
                    "client-certificate-data": _inline(client.certificate),
                    "client-key-data": _inline(client.key),
                },
            }
        ],
        "contexts": [
            {
                "name": CONTEXT_NAME,
                "context": {"cluster": CONTEXT_NAME, "user": CONTEXT_NAME},
            }
        ],
        "current-context": CONTEXT_NAME,
    }
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def _inline(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")
