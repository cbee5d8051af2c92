"""Shared test fixtures.

Tests marked ``slow`` are long statistical runs: they are deselected unless ``--runslow`` is given, and each
has a short form in the regular suite. The ``runslow`` fixture tells a test which form it is running.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
SHIPPED = sorted(p for p in CONFIGS.glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="also run the long (slow) tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    keep, drop = [], []
    for item in items:
        (drop if "slow" in item.keywords else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def runslow(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--runslow"))


@pytest.fixture
def root() -> Path:
    return ROOT
