"""The local demo, and the pieces it shares with the tests.

``python -m origin_ca_operator.demo`` (``make demo``) starts the local control
plane, the Origin CA emulator and the operator, issues one certificate through
a CertificateRequest, prints what was issued, and stops everything.
:class:`OperatorProcess` runs ``origin-ca-operator run`` as a child process;
:func:`install_issuer_crds` installs our CRDs from ``deploy/crds``.
"""

from origin_ca_operator.demo.operatorprocess import OperatorProcess
from origin_ca_operator.demo.setup import CRD_DIRECTORY, install_issuer_crds

__all__ = ["CRD_DIRECTORY", "OperatorProcess", "install_issuer_crds"]
