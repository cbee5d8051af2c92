"""The code checks the README promises, run by the test suite so that CI enforces them: ``ruff check .``
(lint and import order, notebooks included) and ``mypy sim`` (types), at the versions pinned in the ``test``
extra of pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def _tool(name: str) -> list[str]:
    if shutil.which(name) is None and not (ROOT / ".venv" / "bin" / name).exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' brings the pinned version")
    return [sys.executable, "-m", name]


def test_ruff_is_clean() -> None:
    done = subprocess.run([*_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_mypy_is_clean() -> None:
    done = subprocess.run([*_tool("mypy"), "sim"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
