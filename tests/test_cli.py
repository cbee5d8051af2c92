"""The command line, through the real entry point: output, JSON, overrides and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONFIGS, ROOT

SHORT = ["--days", "3", "--set", "run.warmup_days=1"]


def sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_run_json_has_the_promised_fields(tmp_path: Path) -> None:
    out = tmp_path / "r"
    proc = sim("run", str(CONFIGS / "central.yaml"), *SHORT, "--json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    kpi = data["kpi"]
    for key in ("reachability", "calls_answered", "calls_abandoned", "replaceability", "coverage",
                "utilisation", "fte", "cost_per_year"):
        assert key in kpi
    for key in ("reachability", "calls_answered", "calls_abandoned", "replaceability", "coverage", "utilisation"):
        assert kpi[key] is None or 0 <= kpi[key] <= 1
    assert set(kpi["service_level"]) == {"phone", "callback", "email", "post", "crm", "custom", "legacy",
                                         "coordination", "minutes"}
    assert data["seed"] == 1 and len(data["config_hash"]) == 16
    assert kpi["fte"] == pytest.approx(12.0) and kpi["cost_per_year"] == pytest.approx(12 * 62000)
    written = {p.name for p in out.iterdir()}
    assert {"summary.json", "per_hour.csv", "per_department.csv", "per_secretary.csv", "per_type.csv",
            "config.resolved.yaml"} <= written
    assert json.loads((out / "summary.json").read_text())["kpi"] == kpi


def test_run_prints_a_table_and_seed_changes_the_numbers(tmp_path: Path) -> None:
    a = sim("run", str(CONFIGS / "decentral.yaml"), *SHORT, "--out", str(tmp_path / "a"))
    assert a.returncode == 0, a.stderr
    assert "reachability" in a.stdout and "replaceability" in a.stdout and "email" in a.stdout
    j1 = json.loads(sim("run", str(CONFIGS / "decentral.yaml"), *SHORT, "--json", "--seed", "2",
                        "--out", str(tmp_path / "b")).stdout)
    j2 = json.loads(sim("run", str(CONFIGS / "decentral.yaml"), *SHORT, "--json", "--seed", "2",
                        "--out", str(tmp_path / "c")).stdout)
    j3 = json.loads(sim("run", str(CONFIGS / "decentral.yaml"), *SHORT, "--json", "--seed", "3",
                        "--out", str(tmp_path / "d")).stdout)
    assert j1["kpi"] == j2["kpi"] != j3["kpi"]
    assert j1["seed"] == 2


def test_set_overrides_a_field(tmp_path: Path) -> None:
    proc = sim("run", str(CONFIGS / "central.yaml"), *SHORT, "--json", "--out", str(tmp_path / "r"),
               "--set", "organisation.cost_per_fte_per_year=50000")
    assert json.loads(proc.stdout)["kpi"]["cost_per_year"] == pytest.approx(12 * 50000)


def test_event_log_is_written(tmp_path: Path) -> None:
    proc = sim("run", str(CONFIGS / "central.yaml"), *SHORT, "--event-log", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr
    lines = (tmp_path / "r" / "events.csv").read_text().splitlines()
    assert lines[0] == "start_minute,end_minute,secretary,activity,detail"
    assert len(lines) > 100


@pytest.mark.parametrize("args, field", [
    (["run", "configs/missing.yaml"], "no such file"),
    (["run", "configs/central.yaml", "--set", "run.dayz=3"], "run.dayz"),
    (["run", "configs/central.yaml", "--set", "demand.calls.talk_minutes.mean=-1"], "demand.calls.talk_minutes.mean"),
    (["run", "configs/central.yaml", "--set", "organisation.secretaries.Zed.start=09:00"], "Zed"),
    (["run", "configs/central.yaml", "--set", "novalue"], "dotted.path=value"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], field: str) -> None:
    proc = sim(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert field in lines[0]
    assert "Traceback" not in proc.stderr


def test_refuses_to_overwrite_a_results_folder(tmp_path: Path) -> None:
    out = tmp_path / "r"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    proc = sim("run", str(CONFIGS / "central.yaml"), *SHORT, "--out", str(out))
    assert proc.returncode == 2 and "--overwrite" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "precious"


def test_default_out_folder_is_fresh(tmp_path: Path) -> None:
    for _ in range(2):
        assert sim("run", str(CONFIGS / "central.yaml"), *SHORT, cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["central", "central-2"]


def test_schema_and_check() -> None:
    schema = json.loads(sim("schema").stdout)
    assert "organisation" in schema["properties"]
    proc = sim("check", "configs/central.yaml")
    assert proc.returncode == 0 and "12.00 FTE" in proc.stdout


def _imported_by(*args: str) -> set[str]:
    """The modules a fresh `sim ARGS` has imported when it is done."""
    code = ("import sys\nfrom sim.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert "Usage" in proc.stdout or "valid" in proc.stdout, proc.stdout + proc.stderr
    return set(proc.stderr.split())


@pytest.mark.parametrize("args", [["--help"], ["check", str(CONFIGS / "central.yaml")]])
def test_help_and_check_do_not_import_the_simulation_or_plotting(args: list[str]) -> None:
    """Commands are imported when run: listing them, or checking a config, imports no model, matplotlib, scipy
    or pandas (they took about 3 s to start before)."""
    modules = _imported_by(*args)
    heavy = {"matplotlib", "scipy", "pandas", "sim.core.model", "sim.core.dispatch", "sim.core.metrics",
             "sim.experiments.experiment", "sim.presentation.figures", "sim.presentation.report",
             "sim.experiments.stats"}
    assert not heavy & modules
    assert not any(m.startswith("sim.cli.") and m != "sim.cli.check" and m != "sim.cli.common" for m in modules)


def test_the_listed_summaries_are_the_commands_own() -> None:
    """`sim --help` lists summaries from sim.cli.COMMANDS without importing the commands; they must be what
    the commands' own help says, at any width."""
    import click

    from sim.cli import COMMANDS, cli, import_commands

    commands = {c.name: c for c in import_commands()}
    assert set(commands) == set(COMMANDS)
    for name, (_, summary) in COMMANDS.items():
        listed = click.Command(name, help=summary)
        for width in (40, 63, 80, 200):
            assert listed.get_short_help_str(width) == commands[name].get_short_help_str(width), name
    ctx = click.Context(cli)
    assert sorted(cli.list_commands(ctx)) == sorted(COMMANDS)
