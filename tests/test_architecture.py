"""The import graph of ``sim/`` follows the layers of ARCHITECTURE.md.

Two rules, both read from that document and checked against every import in ``sim/`` (also one inside a
function or under ``TYPE_CHECKING``):

- **layers**: each module belongs to one layer (``sim.core``, ``sim.experiments``, ...; the table "The layers"),
  and imports only from the layers that table lets its layer import;
- **order within a layer**: inside a layer, a module imports only modules listed above it in "The order of
  modules", so there is no cycle; each module is listed under the heading of its own layer.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sim"


def _section(title: str) -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert found, f"ARCHITECTURE.md has no section '## {title}'"
    return found.group(1)


def documented_layers() -> dict[str, tuple[list[str], set[str]]]:
    """layer -> (its packages or modules, the layers it may import), from the table "The layers"."""
    rows = [line for line in _section("The layers").splitlines() if line.startswith("| `")]
    assert rows, "ARCHITECTURE.md: the table of layers has no rows"
    layers: dict[str, tuple[list[str], set[str]]] = {}
    names = [row.split("|")[1].strip().strip("`") for row in rows]
    for name, row in zip(names, rows, strict=True):
        cells = [c.strip() for c in row.split("|")[1:-1]]
        members = re.findall(r"`(sim[\w.]*)`", cells[1])
        may = {w for w in re.findall(r"`(\w+)`", cells[-1]) if w in names}
        layers[name] = (members, may)
    return layers


def documented_order() -> list[tuple[str, str]]:
    """(heading, module) in the order of the block "The order of modules"."""
    block = re.search(r"```text\n(.*?)```", _section("The order of modules"), re.S)
    assert block, "ARCHITECTURE.md has no module order"
    out, heading = [], ""
    for line in block.group(1).splitlines():
        if line.startswith("#"):
            heading = line.lstrip("# ").split()[0].rstrip(":")
        elif line.strip():
            out.append((heading, line.strip()))
    return out


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def layer_of(module: str, layers: dict[str, tuple[list[str], set[str]]]) -> str | None:
    """The layer whose member is the longest prefix of ``module`` (``sim`` alone only as itself)."""
    best, length = None, -1
    for layer, (members, _) in layers.items():
        for m in members:
            fits = module == m or (m != "sim" and module.startswith(m + "."))
            if fits and len(m) > length:
                best, length = layer, len(m)
    return best


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


def test_every_module_has_one_layer_and_one_place_in_the_order() -> None:
    layers, order = documented_layers(), documented_order()
    names = [m for _, m in order]
    assert len(names) == len(set(names)), "a module is listed twice"
    assert set(names) == set(modules()), (
        f"not listed: {sorted(set(modules()) - set(names))}; listed but missing: {sorted(set(names) - set(modules()))}")
    assert not [m for m in modules() if layer_of(m, layers) is None], "modules in no layer"
    misplaced = [f"{m} is listed under '# {h}' but belongs to {layer_of(m, layers)}" for h, m in order
                 if layer_of(m, layers) != h]
    assert not misplaced, "\n".join(misplaced)


def test_every_layer_is_a_folder_or_a_leaf() -> None:
    """The tree shows the layers: a layer is a package (a folder), or leaves at the top of ``sim``."""
    for layer, (members, _) in documented_layers().items():
        for m in members:
            path = ROOT.joinpath(*m.split("."))
            assert (path / "__init__.py").exists() or path.with_suffix(".py").exists(), f"{layer}: no {m}"


def test_imports_respect_the_layers_and_the_order_within_a_layer() -> None:
    layers, order = documented_layers(), documented_order()
    rank = {m: i for i, (_, m) in enumerate(order)}
    mods = modules()
    wrong = []
    for m, path in mods.items():
        own = layer_of(m, layers)
        assert own is not None
        for t in sorted(imports(m, path, set(mods))):
            target = layer_of(t, layers)
            if target not in layers[own][1]:
                wrong.append(f"{m} ({own}) imports {t} ({target}); {own} may import {sorted(layers[own][1])}")
            elif target == own and rank[t] >= rank[m]:
                wrong.append(f"{m} imports {t}, listed below it in its layer")
    assert not wrong, "imports against ARCHITECTURE.md:\n" + "\n".join(wrong)


LAYERS = {"leaves": (["sim.kpis"], set()), "core": (["sim.core"], {"core"}),
          "experiments": (["sim.experiments"], {"core", "experiments"})}


@pytest.mark.parametrize(("module", "expected"), [("sim.core.model", "core"), ("sim.kpis", "leaves"),
                                                   ("sim.experiments", "experiments"), ("sim", None),
                                                   ("sim.kpis_extra", None)])
def test_the_checker_places_a_module_in_its_layer(module: str, expected: str | None) -> None:
    assert layer_of(module, LAYERS) == expected


def test_the_checker_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    """The checker itself: a lazy import inside a function is found, relative imports are resolved."""
    src = tmp_path / "mod.py"
    src.write_text("def f():\n    from sim.core import model\n    from .stats import summarize\n")
    known = {"sim", "sim.core", "sim.core.model", "sim.experiments.stats", "sim.experiments.output"}
    assert imports("sim.experiments.output", src, known) == {"sim.core.model", "sim.experiments.stats"}
