"""Build: compile the model's hot modules with mypyc when this machine can.

Everything else about the package is in ``pyproject.toml``. This file only adds the compiled build of the
modules that run once per simulated event (``sim.compiled.HOT_MODULES``): mypyc turns their typed Python into
a C extension, which runs the same code three to four times as fast and gives exactly the same results.

Compiling is best effort. Without a C compiler, without the Python headers, when mypy finds a type error, or
with ``SIM_PURE_PYTHON=1`` set, the build goes on without the extension and ``sim`` runs as pure Python, with
a warning in pip's log. A successful build writes ``sim/_compiled.json``, the digest of each compiled source;
at import, :mod:`sim.compiled` uses the compiled modules only while every source still matches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
#: Keep in step with sim.compiled.HOT_MODULES (a test checks it): dotted module names.
HOT_MODULES = ("sim.core.calendar", "sim.core.streams", "sim.core.entities", "sim.core.demand", "sim.core.organisation",
               "sim.core.dispatch", "sim.core.metrics", "sim.core.model")
SOURCES = [name.replace(".", "/") + ".py" for name in HOT_MODULES]


def digests() -> dict[str, str]:
    return {name: hashlib.sha256((ROOT / (name.replace(".", "/") + ".py")).read_bytes()).hexdigest()
            for name in HOT_MODULES}


def remove_built() -> None:
    """Remove the compiled modules an earlier editable build left next to the sources, and the stamp."""
    for name in (*HOT_MODULES, "sim._native__mypyc"):
        for suffix in EXTENSION_SUFFIXES:
            (ROOT / (name.replace(".", "/") + suffix)).unlink(missing_ok=True)
    (ROOT / "sim" / "_compiled.json").unlink(missing_ok=True)


def warn(message: str) -> None:
    print(f"warning: sim: {message}; sim will run as pure Python (same results, a third to a quarter of the speed)",
          file=sys.stderr)


class OptionalBuildExt(build_ext):
    """Builds the mypyc extension; on any failure removes what it built, so the package stays pure Python."""

    def run(self) -> None:
        if not self.extensions:
            return
        compiled = digests()
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers, a compile error: fall back, never fail the install
            warn(f"compiling the hot modules failed ({exc})")
            for ext in self.extensions:  # in the build folder and, for an editable install, in the sources
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            remove_built()
            return
        # next to the built modules (a wheel) and, for an editable install, next to the sources
        folders = {Path(self.get_ext_fullpath("sim.compiled")).parent}  # the stamp sits beside sim/compiled.py
        if self.inplace or getattr(self, "editable_mode", False):
            folders.add(ROOT / "sim")
        for folder in folders:
            (folder / "_compiled.json").write_text(json.dumps(compiled, indent=1, sort_keys=True) + "\n")


def extensions() -> list:
    if os.environ.get("SIM_PURE_PYTHON"):
        remove_built()  # or an earlier editable build would still be used
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        warn("mypyc is not available")
        return []
    try:
        # one shared library inside the package (sim/_native__mypyc...so), not a top-level module that an
        # editable install could not find; -O2 builds faster than -O3 and ran no slower in paired runs
        return mypycify(SOURCES, opt_level="2", group_name="sim._native")
    except BaseException as exc:  # mypycify exits on a type error
        warn(f"mypyc could not translate the hot modules ({exc!r})")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
