"""Where the control plane's binaries and CRDs are, and which versions they are.

``hack/build-tools.sh`` builds them into a cache folder outside the repository
whose name it derives from the pinned versions; this module asks the script for
that folder (``--print-dir``) rather than repeating its rules, and reads the copy
of ``hack/versions.env`` kept beside the binaries. ``ORIGIN_CA_TOOLS_DIR``
names a folder to use instead, for installs without the repository.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from origin_ca_operator.errors import ToolsNotBuiltError

logger = logging.getLogger(__name__)

TOOLS_DIR_VARIABLE = "ORIGIN_CA_TOOLS_DIR"
REPOSITORY = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = REPOSITORY / "hack" / "build-tools.sh"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "helm")
CRD_FILES = (
    "cert-manager.io_certificaterequests.yaml",
    "cert-manager.io_certificates.yaml",
)
HOW_TO_BUILD = "run `make tools` (hack/build-tools.sh) in the repository"


@dataclass(frozen=True)
class Tools:
    """The built binaries, the CRD files and the versions they were built from."""

    directory: Path
    versions: dict[str, str]

    def binary(self, name: str) -> Path:
        """Path of one of :data:`BINARIES`."""
        return self.directory / name

    @property
    def crd_files(self) -> list[Path]:
        """cert-manager's CertificateRequest and Certificate CRDs."""
        return [self.directory / "crds" / name for name in CRD_FILES]


def find_tools() -> Tools:
    """The tools folder for the pinned versions, checked to be complete."""
    override = os.environ.get(TOOLS_DIR_VARIABLE)
    directory = Path(override) if override else _cache_directory()
    missing = [
        str(path)
        for path in (
            *(directory / name for name in BINARIES),
            *(directory / "crds" / name for name in CRD_FILES),
        )
        if not path.is_file()
    ]
    if missing:
        raise ToolsNotBuiltError(
            f"the local control plane is not built ({', '.join(missing)} missing); "
            f"{HOW_TO_BUILD}"
        )
    tools = Tools(directory, read_versions(directory / "versions.env"))
    logger.debug("Control plane tools in %s: %s", directory, tools.versions)
    return tools


def read_versions(path: Path) -> dict[str, str]:
    """The ``KEY=value`` lines of a versions file; comments and blanks skipped."""
    versions: dict[str, str] = {}
    if not path.is_file():
        return versions
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, value = stripped.split("=", 1)
        versions[key.strip()] = value.strip().strip("\"'")
    return versions


def _cache_directory() -> Path:
    if not BUILD_SCRIPT.is_file():
        raise ToolsNotBuiltError(
            f"no {BUILD_SCRIPT} to locate the control plane tools; set "
            f"{TOOLS_DIR_VARIABLE} to a folder holding {', '.join(BINARIES)}"
        )
    try:
        completed = subprocess.run(
            ["bash", str(BUILD_SCRIPT), "--print-dir"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        raise ToolsNotBuiltError(
            f"cannot locate the control plane tools: {detail.strip()}; {HOW_TO_BUILD}"
        ) from error
    return Path(completed.stdout.strip())
