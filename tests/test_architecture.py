"""The layers of the package import only downwards.

Bottom to top: ``errors``; ``certificates`` (pure rules); ``cloudflare`` (API
client) and ``emulator``; ``kube`` (Kubernetes plumbing); ``issuer`` (the
operator); then ``demo``, ``localcluster`` and ``cli``, the outermost tools.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import origin_ca_operator

PACKAGE = Path(origin_ca_operator.__file__).parent
ROOT = "origin_ca_operator"

# What each part may import from the package, besides itself.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "certificates": {"errors"},
    "cloudflare": {"errors", "certificates", "__init__"},
    "emulator": {"errors", "certificates"},
    "kube": {"errors", "certificates"},
    "issuer": {"errors", "certificates", "cloudflare", "kube"},
    "localcluster": {"errors"},
    "demo": {
        "errors",
        "certificates",
        "kube",
        "emulator",
        "localcluster",
        "issuer",
    },
    "cli": {"__init__"},
    "__main__": {"cli"},
    "__init__": set(),
}
# Libraries kept out of layers that must not need them.
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "certificates": {"kopf", "httpx", "aiohttp", "kubernetes_asyncio"},
    "cloudflare": {"kopf", "kubernetes_asyncio", "aiohttp"},
    "emulator": {"kopf", "kubernetes_asyncio"},
    "kube": {"kopf", "httpx"},
}


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def own_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == ROOT:
                names = [f"{ROOT}.{alias.name}" for alias in node.names]
        found.update(names)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_lower_layers(path: Path) -> None:
    part = part_of(path)
    assert part in ALLOWED, f"{part} is a new part: place it in the layering"
    for module in own_imports(path):
        top = module.split(".")[0]
        assert top not in FORBIDDEN_LIBRARIES.get(part, set()), f"{path}: {module}"
        if top != ROOT:
            continue
        target = module.split(".")[1] if "." in module else "__init__"
        if target == "__version__":
            target = "__init__"
        assert target == part or target in ALLOWED[part], f"{path}: {module}"


def test_the_layering_rule_catches_an_upward_import(tmp_path: Path) -> None:
    upward = tmp_path / "bad.py"
    upward.write_text("from origin_ca_operator.issuer.handlers import build_registry\n")
    imported = own_imports(upward)
    assert "origin_ca_operator.issuer.handlers" in imported
    assert "issuer" not in ALLOWED["kube"]
