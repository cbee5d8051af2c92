"""The compiled build (mypyc, see setup.py and sim.compiled): same results as pure Python, and never stale.

pip compiles the hot modules when the machine has a C compiler. These tests check that the compiled and the
pure Python model give identical results for the same seed, that a compiler on the machine really produced a
compiled build (a silent fallback would only show as a slower model), and that a compiled module whose source
changed after the build is set aside rather than run.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED

import sim
from sim import compiled
from sim.config import load_scenario
from sim.core.model import run_replication

DAYS = 5
SEED = 11


def _result(path: Path) -> dict:
    scen = load_scenario(path)
    scen = scen.model_copy(update={"run": scen.run.model_copy(update={"days": DAYS, "warmup_days": 2})})
    log: list = []
    out = run_replication(scen, SEED, event_log=lambda *row: log.append(list(row))).to_dict()
    out.pop("wall_seconds")
    out["event_log"] = log
    return json.loads(json.dumps(out, default=str))  # tuples -> lists, as the other side sees them


def _in_subprocess(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_hot_module_lists_agree() -> None:
    tree = ast.parse((ROOT / "setup.py").read_text())
    listed = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") == "HOT_MODULES" for t in node.targets))
    assert tuple(listed) == compiled.HOT_MODULES


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_pure_python_gives_the_same_results(path: Path, tmp_path: Path) -> None:
    if not compiled.COMPILED:
        pytest.skip(f"this build is pure Python ({compiled.REASON}): nothing compiled to compare with")
    here = _result(path)
    code = ("import json, sys; sys.path.insert(0, 'tests'); from test_compiled import _result; "
            "import sim.core.dispatch; assert sim.core.dispatch.__file__.endswith('.py'), sim.core.dispatch.__file__; "
            f"print(json.dumps(_result(__import__('pathlib').Path({str(path)!r}))))")
    done = _in_subprocess(code, {"SIM_PURE_PYTHON": "1"}, ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == here
    assert here["events"] > 1000


def _can_compile() -> bool:
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return headers.exists() and any(shutil.which(cc) for cc in ("cc", "gcc", "clang"))


def test_a_machine_with_a_compiler_runs_the_compiled_build() -> None:
    """With a compiler on the machine the compiled build runs, every hot module from its extension; pure Python
    only when asked for or while the sources are edited (a silent fallback would only show as a slower model)."""
    if not _can_compile():
        pytest.skip("no C compiler or Python headers here: nothing could have been compiled")
    if not compiled.COMPILED:
        assert "SIM_PURE_PYTHON" in compiled.REASON or "changed since the build" in compiled.REASON, (
            f"a C compiler is present but sim runs as pure Python: {compiled.REASON}; see pip's log of the install")
        return
    assert compiled.build() == "mypyc"
    for name in compiled.HOT_MODULES:
        module = importlib.import_module(name)
        assert module.__file__ is not None and not module.__file__.endswith(".py"), module.__file__


def test_a_changed_source_sets_the_compiled_build_aside(tmp_path: Path) -> None:
    if not compiled.COMPILED:
        pytest.skip(f"nothing compiled to set aside here ({compiled.REASON})")
    package = Path(sim.__file__).parent
    copy = tmp_path / "sim"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    probe = "import warnings, sim.core.dispatch; print(sim.compiled.COMPILED, sim.core.dispatch.__file__)"
    done = _in_subprocess(probe, {"PYTHONPATH": str(tmp_path)}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "True" and not done.stdout.split()[1].endswith(".py")

    with (tmp_path / "sim/core/metrics.py").open("a") as f:
        f.write("\n# an edit after the build\n")
    done = _in_subprocess(probe, {"PYTHONPATH": str(tmp_path)}, tmp_path)
    assert done.returncode == 0, done.stderr
    flag, module = done.stdout.split()
    assert flag == "False" and module == str(tmp_path / "sim/core/dispatch.py")
    assert "sim/core/metrics.py changed since the build" in done.stderr
