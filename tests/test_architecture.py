"""The import graph of ``sim/`` follows the order of modules in ARCHITECTURE.md: every import (also one inside
a function) goes to a module listed above the importer, so there is no cycle and no upward import."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sim"


def documented_order() -> list[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    block = re.search(r"## The order of modules.*?```text\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no module order"
    return [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``sim`` that ``name`` imports (``from sim import x`` counts as ``sim.x`` when that is a
    module, else as the package ``sim``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def test_every_module_is_placed_in_the_documented_order() -> None:
    order = documented_order()
    assert len(order) == len(set(order)), "a module is listed twice"
    assert set(order) == set(modules()), (
        f"not listed: {sorted(set(modules()) - set(order))}; listed but missing: {sorted(set(order) - set(modules()))}")


def test_imports_only_go_down_the_documented_order() -> None:
    order = documented_order()
    rank = {m: i for i, m in enumerate(order)}
    mods = modules()
    upward = [f"{m} imports {t}" for m, p in mods.items() for t in sorted(imports(m, p, set(mods)))
              if rank[t] >= rank[m]]
    assert not upward, "imports that go up (or sideways) the order in ARCHITECTURE.md:\n" + "\n".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a lazy import inside a function is found, relative imports are resolved."""
    src = tmp_path / "mod.py"
    src.write_text("def f():\n    from sim.core import model\n    from .stats import summarize\n")
    known = {"sim", "sim.core.model", "sim.experiments.stats", "sim.experiments.output"}
    assert imports("sim.experiments.output", src, known) == {"sim.core.model", "sim.experiments.stats"}
