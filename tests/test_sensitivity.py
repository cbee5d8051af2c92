"""``sim sensitivity``: break-even arithmetic, the parameters' effect on a config, and a small end-to-end run
that is stored and resumes without running anything again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support.staffing import small_data, small_pool_data

from sim.cli import main
from sim.config import ConfigError, parse_scenario
from sim.decisions.sensitivity import PARAMETERS, break_even, grid, parameters, sim_key, varied


def test_break_even_interpolates_the_crossing_of_15_percent() -> None:
    assert break_even([0.5, 1.0, 2.0], [0.05, 0.25, 0.30]) == pytest.approx(0.5 + 0.5 * 0.10 / 0.20)
    assert break_even([0.5, 1.0, 2.0], [0.30, 0.20, 0.10]) == pytest.approx(1.5)
    assert break_even([0.5, 1.0, 2.0], [0.30, 0.25, 0.20]) is None  # stays above: not within range


def test_scaling_what_the_config_does_not_set_is_an_error() -> None:
    """A parameter that scales a number the config leaves unset (no patience: nobody hangs up) names it rather
    than change nothing."""
    data = small_data()
    data.setdefault("demand", {}).setdefault("calls", {})["patience_seconds"] = None
    s = parse_scenario(data)
    assert s.demand.calls.patience_seconds is None
    patience = next(p for p in PARAMETERS if p.name == "patience")
    with pytest.raises(ConfigError, match=r"demand\.calls\.patience_seconds\.mean: not set"):
        varied(s, patience, 2.0)


def test_parameters_change_both_the_config_and_only_what_they_name() -> None:
    s = parse_scenario(small_data())
    by = {p.name: p for p in PARAMETERS}
    talk = varied(s, by["talk"], 1.25)
    assert talk.demand.calls.talk_minutes.mean == pytest.approx(1.25 * s.demand.calls.talk_minutes.mean)
    assert sim_key(talk) != sim_key(s)
    strict = varied(s, by["occupancy"], 0.8)
    assert strict.norms.occupancy_max == 0.8 and sim_key(strict) == sim_key(s)  # a norm: same simulation
    assert grid(by["shrinkage"], 5) == [0.0, 0.066667, 0.1, 0.133333, 0.2]  # ends, base, 2 evenly between
    assert [p.values for p in parameters(["patience=0.25,4"])] == [(0.25, 4.0)]
    with pytest.raises(ConfigError):
        parameters(["patients"])


def test_sensitivity_command_writes_tornado_and_a_rerun_gives_the_same_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "small.yaml", tmp_path / "pool.yaml"
    a.write_text(yaml.safe_dump(small_data()))
    b.write_text(yaml.safe_dump(small_pool_data()))
    out = tmp_path / "sens"
    args = ["sensitivity", str(a), str(b), "-r", "2", "--days", "2", "-w", "1", "--param", "occupancy",
            "--param", "talk", "--target", "calls_abandoned=off", "--out", str(out), "--json"]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    first = json.loads(capsys.readouterr().out)
    assert {r["parameter"] for r in first["parameters"]} == {"occupancy", "talk"}
    for r in first["parameters"]:
        assert len(r["points"]) == 3 and r["swing"] >= 0
    assert (out / "tornado.png").stat().st_size > 10_000 and (out / "sensitivity.csv").exists()
    with pytest.raises(SystemExit):
        main(args)  # the same command again, into the same folder: the same answer
    again = json.loads(capsys.readouterr().out)
    assert again["parameters"] == first["parameters"]


def test_baseline_config_prices_the_reference_as_staffed_today() -> None:
    """With --baseline config the reference is not searched: at every point it costs what its config's staff
    cost (a norm or a simulated parameter does not change it), and the saving follows the alternative's least
    FTE alone."""
    from sim.decisions.business import CostModel
    from sim.decisions.sensitivity import sensitivity
    from sim.decisions.staffing import Staffing
    from sim.experiments.experiment import session
    from sim.experiments.store import ResultStore

    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    today = Staffing.of(ref).fte(ref)
    store = ResultStore.open(None, "sens-config", "sensitivity")
    with session(store, workers=1) as runner:
        res = sensitivity(ref, alt, runner, 2, 1, params=parameters(["occupancy", "talk"]),
                          targets=("calls_abandoned=off",), baseline="config")
    assert res["baseline"] == "config"
    for r in res["parameters"]:
        for pt in r["points"]:
            assert pt["fte"]["reference"] == pytest.approx(today)
            assert pt["binding"]["reference"] == []
            cost = CostModel.of(alt).yearly(pt["fte"]["alternative"])["total"]
            assert pt["saving"] == pytest.approx(1 - cost / CostModel.of(ref).yearly(today)["total"])
    with pytest.raises(ConfigError):
        sensitivity(ref, alt, None, 2, 1, baseline="today")  # type: ignore[arg-type]


def test_a_parameter_that_changes_nothing_gives_exactly_the_base_saving() -> None:
    """Every point, the base too, is searched from the same start: the HNW effects of configs without HNW and
    the abandoned-call norm when --target switches it off leave both least staffings, and the saving, exactly
    as at the config's values (a base searched from the config and the other points from elsewhere had put
    them half a point off)."""
    from sim.decisions.sensitivity import sensitivity
    from sim.experiments.experiment import session
    from sim.experiments.store import ResultStore

    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    store = ResultStore.open(None, "sens-nothing", "sensitivity")
    with session(store, workers=1) as runner:
        res = sensitivity(ref, alt, runner, 2, 1, params=parameters(["hnw", "abandoned"]),
                          targets=("calls_abandoned=off",))
    base = res["base"]
    for r in res["parameters"]:
        for pt in r["points"]:
            assert pt["saving"] == base["saving"] and pt["fte"] == base["fte"], (r["parameter"], pt["value"])


def test_a_sensitivity_from_python_writes_a_complete_folder_and_draws_only_when_asked(tmp_path: Path) -> None:
    """``studies.sensitivity(out=...)`` from Python writes a complete folder that the report reads as it reads
    the command's (summary, table, the manifest finished); the decisions layer draws nothing unless given the
    presentation's figures."""
    from sim.decisions.studies import sensitivity
    from sim.presentation.figures import SENSITIVITY_FIGURES
    from sim.presentation.report.load import sensitivity_result

    def small(data: dict) -> object:  # type: ignore[type-arg]
        data.setdefault("run", {}).update(days=2)
        return parse_scenario(data)

    ref, alt = small(small_data()), small(small_pool_data())
    kwargs = {"params": ["occupancy"], "targets": ["calls_abandoned=off"], "workers": 1}
    plain = sensitivity(ref, alt, 2, out=tmp_path / "plain", **kwargs)  # type: ignore[arg-type]
    drawn = sensitivity(ref, alt, 2, out=tmp_path / "drawn", figures=SENSITIVITY_FIGURES,  # type: ignore[arg-type]
                        **kwargs)
    assert json.loads(json.dumps(plain)) == json.loads(json.dumps(drawn))  # the same seeds, the same answer
    for name in ("plain", "drawn"):
        folder = tmp_path / name
        found = sensitivity_result(folder)
        assert found is not None and found[0]["base"] == json.loads(json.dumps(plain))["base"]
        assert json.loads((folder / "manifest.json").read_text())["finished"]
        assert (folder / "sensitivity.csv").exists() and (folder / "summary.json").exists()
    assert not (tmp_path / "plain" / "tornado.png").exists()
    assert (tmp_path / "drawn" / "tornado.png").stat().st_size > 10_000
