"""``sim compare`` and ``sim sweep`` end to end: the JSON, the output folder, bad options."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import CONFIGS

from sim.cli import main

SHORT = ["--days", "2", "--set", "run.warmup_days=1", "-r", "2", "--workers", "1"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_compare_json_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    configs = [str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml")]
    code, stdout, err = run(["compare", *configs, *SHORT, "--json", "--out", str(out)], capsys)
    assert code == 0, err
    data = json.loads(stdout)
    assert set(data["setups"]) == {"decentral", "central"} and list(data["differences"]) == ["central"]
    assert data["replications"] == 2 and data["seed"] == 1 and data["out"] == str(out)
    for k in ("mean", "ci_low", "ci_high", "sd", "n"):
        assert k in data["setups"]["central"]["reachability"]
    assert {"mean", "ci_low", "ci_high", "significant"} <= set(data["differences"]["central"]["reachability"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["days"] == 2 and manifest["replications"] == 2
    assert [c["name"] for c in manifest["configs"]] == ["decentral", "central"]
    assert all(len(c["config_hash"]) == 16 for c in manifest["configs"])
    with open(out / "kpis.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["setup", "replication", "seed", "kpi", "value"]
    assert len(rows) == 2 * 2 * len(data["setups"]["central"])
    with open(out / "tables" / "per_secretary.csv") as fh:
        sec = list(csv.DictReader(fh))
    assert list(sec[0])[:3] == ["setup", "replication", "secretary"] and len(sec) == 2 * 2 * 15
    saved = json.loads((out / "summary.json").read_text())
    saved["out"] = str(out)
    assert saved == data


def test_compare_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configs = [str(CONFIGS / "central.yaml"), str(CONFIGS / "central_hnw.yaml")]
    code, stdout, _ = run(["compare", *configs, *SHORT, "--out", str(tmp_path / "c")], capsys)
    assert code == 0
    assert "central_hnw - central" in stdout and "reachability" in stdout and "2 replications" in stdout


def test_sweep_writes_a_tidy_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sw"
    vary = ["--vary", "dispatch.exchange.policy=none,pool", "--vary", "dispatch.custom_penalty=1,2"]
    argv = ["sweep", str(CONFIGS / "central.yaml"), *vary, *SHORT, "--json", "--out", str(out)]
    code, stdout, err = run(argv, capsys)
    assert code == 0, err
    data = json.loads(stdout)
    grid = [{"dispatch.exchange.policy": p, "dispatch.custom_penalty": c}
            for p in ("none", "pool") for c in (1, 2)]
    assert [s["setting"] for s in data["settings"]] == grid
    with open(out / "kpis.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:5] == ["setup", "dispatch.exchange.policy", "dispatch.custom_penalty",
                                 "replication", "seed"]
    n_kpis = len(data["settings"][0]["kpis"])
    assert len(rows) == 4 * 2 * n_kpis
    assert json.loads((out / "manifest.json").read_text())["kind"] == "sweep"


@pytest.mark.parametrize("argv", [
    ["compare", str(CONFIGS / "central.yaml"), "--precision", "reachability"],
    ["compare", str(CONFIGS / "central.yaml"), "--precision", "reachability=-1"],
    ["sweep", str(CONFIGS / "central.yaml"), "--vary", "dispatch.exchange.policy"],
    ["sweep", str(CONFIGS / "central.yaml"), "--vary", "dispatch.no_such_field=1,2"],
    ["staff", str(CONFIGS / "central.yaml"), "--target", "reachability=high"],
    ["compare", str(CONFIGS / "no_such.yaml")],
])
def test_bad_options_exit_2(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*argv, "--out", str(tmp_path / "x"), "--days", "1", "-r", "2", "--workers", "1"],
                       capsys)
    assert code == 2
    assert err.startswith("sim: error:") or "Error" in err
