"""The certificate rules stay a pure bottom layer: no higher layer, no network."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import origin_ca_operator.certificates as certificates

PACKAGE = Path(certificates.__file__).parent
ALLOWED_OWN_MODULES = ("origin_ca_operator.certificates", "origin_ca_operator.errors")
FORBIDDEN_LIBRARIES = {"kopf", "httpx", "aiohttp", "kubernetes_asyncio", "socket"}


def imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name} uses a relative import"
            modules.append(node.module or "")
    return modules


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_module_imports_no_higher_layer_and_no_io_library(path: Path) -> None:
    for module in imported_modules(path):
        if module.startswith("origin_ca_operator"):
            assert module.startswith(ALLOWED_OWN_MODULES), f"{path.name}: {module}"
        assert module.split(".")[0] not in FORBIDDEN_LIBRARIES, f"{path.name}: {module}"


def test_every_public_name_is_exported() -> None:
    for name in certificates.__all__:
        assert hasattr(certificates, name), name
