"""Why the local control plane could not be started.

::

    ConfigurationError                (origin_ca_operator.errors)
    └── LocalClusterError             the local control plane cannot run
        ├── ToolsNotBuiltError        binaries or CRDs missing: run ``make tools``
        └── ComponentFailedError      a component exited or never became ready
"""

from __future__ import annotations

from origin_ca_operator.errors import ConfigurationError


class LocalClusterError(ConfigurationError):
    """The local Kubernetes control plane could not be set up or run."""


class ToolsNotBuiltError(LocalClusterError):
    """A binary or CRD the control plane needs is not in the tools cache."""


class ComponentFailedError(LocalClusterError):
    """A component exited early or did not become ready in time."""
