"""The launcher: clear errors, logs on failure, and no process left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from origin_ca_operator.localcluster import (
    ComponentFailedError,
    LocalCluster,
    Tools,
    ToolsNotBuiltError,
    find_tools,
)
from origin_ca_operator.localcluster.apiclient import AdminClient
from origin_ca_operator.localcluster.pki import KeyPair

LAUNCHER = [sys.executable, "-m", "origin_ca_operator.localcluster"]


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes whose arguments contain ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in arguments:
            found.append(arguments)
    return found


def test_missing_tools_say_how_to_build_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ORIGIN_CA_TOOLS_DIR", str(tmp_path))

    with pytest.raises(ToolsNotBuiltError, match="make tools"):
        find_tools()


@pytest.mark.cluster
def test_failing_component_shows_its_log_and_stops_the_others(tmp_path: Path) -> None:
    real = find_tools()
    fake = tmp_path / "tools"
    fake.mkdir()
    for name in ("etcd", "kube-controller-manager", "helm", "crds"):
        (fake / name).symlink_to(real.directory / name)
    apiserver = fake / "kube-apiserver"
    apiserver.write_text("#!/bin/sh\necho 'refusing to serve: test double'\nexit 3\n")
    apiserver.chmod(0o755)
    cluster = LocalCluster(tmp_path / "cluster", tools=Tools(fake, {}))

    with pytest.raises(ComponentFailedError) as failure:
        cluster.start()

    assert "kube-apiserver exited with status 3" in str(failure.value)
    assert "refusing to serve: test double" in str(failure.value)
    assert processes_mentioning(str(tmp_path)) == []


@pytest.mark.cluster
def test_up_serves_until_down_then_nothing_is_left(tmp_path: Path) -> None:
    directory = tmp_path / "cluster"

    try:
        subprocess.run(
            [*LAUNCHER, "up", "--dir", str(directory)], check=True, timeout=300
        )
        assert (directory / "kubeconfig").is_file()
        pki = directory / "pki"
        admin = AdminClient(
            _server_of(directory / "kubeconfig"),
            KeyPair(pki / "ca.crt", pki / "ca.key"),
            KeyPair(pki / "admin.crt", pki / "admin.key"),
        )
        assert admin.request("GET", "/readyz")[0] == 200
        assert len(processes_mentioning(str(directory))) >= 4
    finally:
        subprocess.run(
            [*LAUNCHER, "down", "--dir", str(directory)], check=True, timeout=120
        )

    assert processes_mentioning(str(directory)) == []
    assert not (directory / "kubeconfig").exists()


def _server_of(kubeconfig: Path) -> str:
    config = yaml.safe_load(kubeconfig.read_text())
    server: str = config["clusters"][0]["cluster"]["server"]
    return server
