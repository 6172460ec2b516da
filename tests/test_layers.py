"""Import contract of DESIGN.md: model <- geo/network <- kernels/state <- engine/rules <- batch/cli;
viz -> trace, model. Checked on the source (AST), so it holds for modules not yet imported."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

ALLOWED: dict[str, set[str]] = {
    "model": {"model"},
    "geo": {"model", "geo"},
    "network": {"model", "geo", "network"},
    "kernels": {"kernels"},
    "state": {"model", "geo", "network", "kernels", "state"},
    "trace": {"model", "trace"},
    "rules": {"model", "geo", "network", "kernels", "state", "rules"},
    "engine": {"model", "geo", "network", "kernels", "state", "trace", "rules", "engine"},
    "report": {"model", "geo", "network", "kernels", "state", "trace", "rules", "report"},
    "importers": {"model", "geo", "network", "importers"},
    "batch": {
        "model",
        "geo",
        "network",
        "kernels",
        "state",
        "trace",
        "rules",
        "engine",
        "report",
        "batch",
    },
    "commands": {
        "model",
        "geo",
        "network",
        "kernels",
        "state",
        "trace",
        "rules",
        "engine",
        "report",
        "batch",
        "commands",
        "importers",
        "viz",
    },
    "cli": {"commands", "model"},
}
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "model": {"simpy", "numba", "pygame", "networkx", "pyproj", "viz"},
    "kernels": {"simpy", "pygame", "networkx", "shapely", "pydantic"},
    "viz": {"simpy", "numba"},
}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _layer_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    if rel.parts[0] == "viz":
        return "viz"
    if len(rel.parts) == 2:  # sim/cli.py, sim/__init__.py
        return "cli" if rel.stem == "cli" else "root"
    return rel.parts[1]


def violations(root: Path = ROOT) -> list[str]:
    problems = []
    for path in sorted([*(root / "sim").rglob("*.py"), *(root / "viz").rglob("*.py")]):
        layer = _layer_of(path, root)
        if layer == "root":
            continue
        for module, line in _imports(path):
            top, *rest = module.split(".")
            where = f"{path.relative_to(root)}:{line}: {layer} imports {module}"
            if layer == "viz":
                if (
                    top == "sim" and rest and rest[0] not in {"model", "trace"}
                ) or top in FORBIDDEN_THIRD_PARTY["viz"]:
                    problems.append(where)
                continue
            if top in FORBIDDEN_THIRD_PARTY.get(layer, set()):
                problems.append(where)
            if top == "viz" and layer not in {"commands", "cli"}:
                problems.append(where)
            if top == "sim" and rest and rest[0] not in ALLOWED.get(layer, set()):
                problems.append(where)
    return problems


def test_layer_rule_holds() -> None:
    assert violations() == []


def test_layer_checker_catches_a_violation(tmp_path: Path) -> None:
    (tmp_path / "sim" / "model").mkdir(parents=True)
    (tmp_path / "sim" / "engine").mkdir(parents=True)
    (tmp_path / "viz").mkdir()
    (tmp_path / "sim" / "model" / "bad.py").write_text("from sim.engine import run\nimport numba\n")
    (tmp_path / "viz" / "bad.py").write_text(
        "import simpy\nfrom sim.engine.core import x\nfrom sim.trace import r\n"
    )
    found = violations(tmp_path)
    assert len(found) == 4, found
