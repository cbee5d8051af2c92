"""``sim sensitivity --morris``: the Morris design is reproducible and of the stated size, a parameter that
cannot change anything has no effect while demand has one, the command writes its files and resumes without
running anything again, and without SALib it fails in one line."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT
from support.staffing import small_data, small_pool_data

from sim.cli import main
from sim.config import ConfigError, parse_scenario
from sim.decisions.screening import design, screening
from sim.decisions.sensitivity import parameters
from sim.experiments.experiment import session
from sim.experiments.store import ResultStore

needs_salib = pytest.mark.skipif(importlib.util.find_spec("SALib") is None,
                                 reason="SALib is not installed (the screening extra)")


@needs_salib
def test_design_is_reproducible_and_has_r_times_k_plus_1_points() -> None:
    params = parameters(["demand", "talk", "shrinkage"])
    x = design(params, trajectories=3, levels=4, seed=7)
    assert x.shape == (3 * (3 + 1), 3)
    assert np.array_equal(x, design(params, trajectories=3, levels=4, seed=7))  # same seed, same points
    assert not np.array_equal(x, design(params, trajectories=3, levels=4, seed=8))
    for j, p in enumerate(params):  # on the 4-level grid of each range
        lo, hi = min(p.values), max(p.values)
        assert set(np.round((x[:, j] - lo) / (hi - lo) * 3, 3)) <= {0.0, 1.0, 2.0, 3.0}
    steps = np.count_nonzero(np.diff(x.reshape(3, 4, 3), axis=1), axis=2)
    assert (steps == 1).all()  # one parameter moves per step of a trajectory
    with pytest.raises(ConfigError):
        design(params, trajectories=1)
    with pytest.raises(ConfigError):
        design(params, trajectories=2, levels=3)


@needs_salib
def test_a_parameter_that_changes_nothing_has_no_effect_and_demand_has_one() -> None:
    """With the occupancy ceiling switched off as a norm, its value changes no simulation and no judgement:
    on common random numbers every one of its elementary effects is exactly 0. Demand moves the staffing."""
    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    store = ResultStore.open(None, "morris", "sensitivity")
    with session(store, workers=1) as runner:
        res = screening(ref, alt, runner, 3, 3, params=parameters(["occupancy", "demand"]), trajectories=2,
                        targets=("calls_abandoned=off", "utilisation=off"))
    assert res["design_points"] == 2 * 3 == len(res["points"])
    by = {r["parameter"]: r for r in res["parameters"]}
    occ, demand = by["occupancy"], by["demand"]
    assert occ["mu_star"] == 0 and occ["mu"] == 0 and occ["sigma"] == 0
    assert occ["fte_reference"]["mu_star"] == 0 and occ["fte_alternative"]["mu_star"] == 0
    assert demand["mu_star"] > 0
    assert demand["fte_reference"]["mu_star"] > 0 or demand["fte_alternative"]["mu_star"] > 0
    assert [r["parameter"] for r in res["parameters"]] == ["demand", "occupancy"]  # ranked by mu*


@needs_salib
def test_morris_command_writes_its_files_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "small.yaml", tmp_path / "pool.yaml"
    a.write_text(yaml.safe_dump(small_data()))
    b.write_text(yaml.safe_dump(small_pool_data()))
    out = tmp_path / "morris"
    args = ["sensitivity", str(a), str(b), "-r", "2", "--days", "3", "-w", "1", "--param", "occupancy",
            "--param", "demand", "--target", "calls_abandoned=off", "--morris", "2", "--out", str(out)]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    first = capsys.readouterr().out
    assert "Morris screening" in first and "6 points" in first
    summary = json.loads((out / "summary.json").read_text())
    morris = summary["morris"]
    assert morris["trajectories"] == 2 and morris["levels"] == 4 and morris["design_points"] == 6
    assert {r["parameter"] for r in morris["parameters"]} == {"occupancy", "demand"}
    with (out / "morris.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["parameter"] for r in rows if r["output"] == "saving"] == [r["parameter"] for r in morris["parameters"]]
    assert {"mu", "mu_star", "sigma", "mu_star_conf"} <= set(rows[0])
    assert (out / "morris.png").stat().st_size > 10_000 and (out / "morris_design.csv").exists()
    assert "(0 run now)" not in first
    with pytest.raises(SystemExit) as exc:
        main(args)  # resumes: nothing runs again, the same answer
    assert exc.value.code == 0
    assert "(0 run now)" in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["morris"] == morris
    with pytest.raises(SystemExit) as exc:  # another design is another experiment: not resumed from this one
        main([*args[:-4], "--morris", "3", "--out", str(out)])
    assert exc.value.code == 2
    assert "another experiment" in capsys.readouterr().err


def test_without_salib_the_command_fails_in_one_line(tmp_path: Path) -> None:
    a = tmp_path / "small.yaml"
    a.write_text(yaml.safe_dump(small_data()))
    out = tmp_path / "none"
    code = ("import sys; sys.modules['SALib'] = None; from sim.cli import main; "
            f"main(['sensitivity', {str(a)!r}, {str(a)!r}, '--morris', '2', '--out', {str(out)!r}])")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SALib" in lines[0] and "pip install" in lines[0] and "screening" in lines[0]
    assert not out.exists()  # refused before anything ran or was written
