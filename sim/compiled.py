"""Which build of the model runs: compiled by mypyc, or pure Python.

``pip install`` compiles the modules that run once per simulated event (:data:`HOT_MODULES`) with mypyc when
the machine has a C compiler (see ``setup.py``). The compiled modules are the same source, so they give
exactly the same results for the same seed, three to four times as fast (one simulated year of the shipped
central and decentral configs; ``benchmarks/README.md``). They are used only when all of them can be
trusted; otherwise every hot module is loaded from its ``.py`` source (all or none: compiled code expects
compiled classes):

- ``SIM_PURE_PYTHON=1`` in the environment asks for pure Python;
- a source changed after the build (someone edits an editable install): the compiled modules would run old
  code, so they are set aside with a warning until the next ``pip install -e .``;
- nothing was compiled: there is nothing to choose.

This module is imported by ``sim/__init__.py`` before any hot module, and imports nothing from ``sim``.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

#: The modules ``setup.py`` compiles (keep in step with it), by their dotted names.
HOT_MODULES = ("sim.core.calendar", "sim.core.streams", "sim.core.entities", "sim.core.demand", "sim.core.organisation",
               "sim.core.dispatch", "sim.core.metrics", "sim.core.model")
#: Written by a successful build: the SHA-256 of each compiled source.
STAMP = "_compiled.json"

_PACKAGE = Path(__file__).resolve().parent


def _path(name: str, suffix: str = ".py") -> Path:
    """Where module ``name`` (dotted, ``sim.x.y``) lives: ``sim/x/y.py``, or its extension with ``suffix``."""
    *folders, last = name.split(".")
    return _PACKAGE.parent.joinpath(*folders) / f"{last}{suffix}"


def _has_extension(name: str) -> bool:
    return any(_path(name, suffix).exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _digest(name: str) -> str:
    return hashlib.sha256(_path(name).read_bytes()).hexdigest()


def _decide(built: list[str]) -> tuple[bool, str]:
    """(use the compiled modules?, why), given the hot modules that have a compiled extension."""
    if not built:
        return False, "not compiled (pure Python)"
    if os.environ.get("SIM_PURE_PYTHON"):
        return False, "compiled modules set aside: SIM_PURE_PYTHON is set"
    try:
        recorded = json.loads((_PACKAGE / STAMP).read_text())
    except (OSError, ValueError):
        recorded = {}
    changed = [name for name in HOT_MODULES if recorded.get(name) != _digest(name) or name not in built]
    if changed:
        files = ", ".join(name.replace(".", "/") + ".py" for name in changed)
        return False, (f"compiled modules set aside: {files} changed since "
                       "the build or was not compiled; rebuild with `pip install -e .`")
    return True, "compiled by mypyc"


class _PureFinder:
    """Finds the hot modules' ``.py`` sources, ahead of the compiled extensions next to them."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname not in HOT_MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, _path(fullname))


_BUILT = [name for name in HOT_MODULES if _has_extension(name)]
COMPILED, REASON = _decide(_BUILT)
if not COMPILED and _BUILT:
    sys.meta_path.insert(0, _PureFinder())  # type: ignore[arg-type]
    if not os.environ.get("SIM_PURE_PYTHON"):
        warnings.warn(f"sim: {REASON}", RuntimeWarning, stacklevel=2)


def build() -> str:
    """One line for manifests and ``sim --version``: which build runs."""
    return "mypyc" if COMPILED else "python"


__all__ = ["COMPILED", "HOT_MODULES", "REASON", "build"]
