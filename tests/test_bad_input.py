"""Bad input through the real command line: one clear line, exit code 2, nothing written, nothing executed.

Every case below is a config file (or a ``--set``/option) that is wrong in one way. Each goes through
``sim.cli.main`` -- the function behind the ``sim`` command -- as ``sim run CASE.yaml --out OUT``, and must
give exit code 2, nothing on stdout, exactly one line on stderr that names the file, the field path and what
is wrong (and what is allowed, where that is short), no traceback, and no output folder. A sample also runs
in a real subprocess (``python -m sim``); the slow suite runs every case that way.

No shares in the schema have to add up to one (day-profile weights are relative, HNW multipliers are
factors), so shares are checked for their range only.
"""

from __future__ import annotations

import copy
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONFIGS, ROOT
from support.bad_input import BASE, BASE_TEXT, run_forked, tree

from sim.cli import main

Change = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Change:
    """Set a dotted path (list items by index) in the config."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def drop(path: str) -> Change:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[int(last) if isinstance(node, list) else last]
    return change


def both(*changes: Change) -> Change:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)
    return change


@dataclass(frozen=True)
class Bad:
    """One bad input: a change to the valid config, or a whole file, plus command-line arguments."""

    id: str
    expect: tuple[str, ...]  # fragments of the one line: the field path, what is wrong, what is allowed
    change: Change | None = None
    text: str | bytes | None = None  # the whole file instead of a change
    args: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # more files next to it (bases it extends)
    names: str | None = "{id}.yaml"  # the file the message must name; None: no file is involved

    def write(self, folder: Path) -> Path:
        for name, text in self.files.items():
            (folder / name).write_text(text, encoding="utf-8")
        path = folder / f"{self.id}.yaml"
        if isinstance(self.text, bytes):
            path.write_bytes(self.text)
        elif self.text is not None:
            path.write_text(self.text, encoding="utf-8")
        else:
            data = copy.deepcopy(BASE)
            if self.change is not None:
                self.change(data)
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path


LOL = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True))

CASES: list[Bad] = [
    # ---- the file itself: syntax, emptiness, shape, safety
    Bad("yaml_syntax", ("YAML syntax error at line 4", "expected ',' or ']'", "from line 3"),
        text="name: x\nrun:\n  days: [1, 2\norganisation: {}\n"),
    Bad("yaml_tab", ("YAML syntax error", "line 2"), text="name: x\n\trun: {days: 1}\n"),
    Bad("yaml_duplicate_key", ("line 3", "'tasks' appears twice"),
        text="demand:\n  tasks: {}\n  tasks: {}\n"),
    Bad("python_object_apply", ("line 1", "!!python/object/apply:os.system", "not allowed", "plain data"),
        text="name: !!python/object/apply:os.system ['echo pwned > {marker}']\n"),
    Bad("python_object_new", ("!!python/object/new:subprocess.Popen", "not allowed"),
        text="run: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"),
    Bad("python_name", ("!!python/name:os.system", "not allowed"), text="name: !!python/name:os.system\n"),
    Bad("empty_file", ("the file is empty",), text=""),
    Bad("comments_only", ("the file is empty",), text="# a config to be written\n"),
    Bad("top_level_list", ("top level must be a mapping", "not list"), text="- run\n- demand\n"),
    Bad("top_level_scalar", ("top level must be a mapping", "not str"), text="just some words\n"),
    Bad("alias_bomb", ("aliases expand", "1,000,000 values"), text=LOL),
    Bad("recursive_alias", ("an alias refers to itself",), text="name: &a [*a]\n"),
    Bad("not_utf8", ("cannot be read", "utf-8"), text=b"name: caf\xe9\n"),
    # ---- extends
    Bad("extends_cycle", ("extends", "cycle", "extends_cycle.yaml -> other.yaml -> extends_cycle.yaml"),
        text="extends: other.yaml\n", files={"other.yaml": "extends: extends_cycle.yaml\n"},
        names="other.yaml"),
    Bad("extends_itself", ("extends", "cycle"), text="extends: extends_itself.yaml\nname: x\n"),
    Bad("extends_missing_base", ("extends", "no such file: nowhere/base.yaml"),
        text="extends: nowhere/base.yaml\nname: x\n"),
    Bad("extends_not_a_name", ("extends", "must name a config file"), text="extends: [a.yaml, b.yaml]\n"),
    Bad("extends_bad_base", ("line 1", "YAML syntax error"), text="extends: broken.yaml\n",
        files={"broken.yaml": "run: {days: 1\n"}, names="broken.yaml"),
    # ---- wrong types
    Bad("days_not_a_number", ("run.days", "valid integer", "'many'"), put("run.days", "many")),
    Bad("days_fraction", ("run.days", "valid integer", "2.5"), put("run.days", 2.5)),
    Bad("section_is_a_number", ("run", "mapping with fields days, warmup_days, seed", "got 5"),
        put("run", 5)),
    Bad("dist_is_a_number", ("demand.calls.talk_minutes", "mapping with fields dist, mean, cv", "got 3"),
        put("demand.calls.talk_minutes", 3)),
    Bad("tasks_is_a_list", ("demand.tasks", "mapping", "got ['email']"), put("demand.tasks", ["email"])),
    Bad("days_is_a_word", ("calendar.working_days", "must be a list", "'mon'"),
        put("calendar.working_days", "mon")),
    Bad("bool_is_a_word", ("demand.tasks.email.flexible_only", "boolean", "'perhaps'"),
        put("demand.tasks.email.flexible_only", "perhaps")),
    Bad("name_is_a_number", ("name", "valid string", "got 5"), put("name", 5)),
    Bad("clock_is_a_number", ("calendar.open", "830 is not a clock time", "in quotes"),
        put("calendar.open", 830)),
    Bad("clock_out_of_range", ("calendar.close", "'25:00' is not a clock time", "00:00 to 24:00"),
        put("calendar.close", "25:00")),
    Bad("setup_misspelt", ("organisation.setup", "'decentralised' or 'central'", "'centralised'"),
        put("organisation.setup", "centralised")),
    Bad("weekday_misspelt", ("organisation.secretaries[1].days[0]", "'mon', 'tue'", "'monday'"),
        put("organisation.secretaries.1.days", ["monday"])),
    Bad("dist_unknown", ("demand.calls.talk_minutes.dist", "'exponential', 'lognormal'", "'poisson'"),
        put("demand.calls.talk_minutes.dist", "poisson")),
    Bad("policy_unknown", ("dispatch.exchange.policy", "'none', 'idle', 'overflow' or 'pool'"),
        put("dispatch.exchange.policy", "share")),
    Bad("profile_name_unknown", ("demand.calls.profile", "'office' or 'flat'", "'weekly'"),
        put("demand.calls.profile", "weekly")),
    Bad("profile_wrong_type", ("demand.calls.profile", "'office' or 'flat', or a mapping with fields start"),
        put("demand.calls.profile", 7)),
    # ---- rates and durations that must be positive
    Bad("days_zero", ("run.days", "greater than or equal to 1", "got 0"), put("run.days", 0)),
    Bad("rate_negative", ("demand.calls.per_staff_per_day", "greater than or equal to 0", "-1"),
        put("demand.calls.per_staff_per_day", -1)),
    Bad("talk_time_zero", ("demand.calls.talk_minutes.mean", "greater than 0"),
        put("demand.calls.talk_minutes.mean", 0)),
    Bad("patience_negative", ("demand.calls.patience_seconds.mean", "greater than 0"),
        put("demand.calls.patience_seconds.mean", -60)),
    Bad("work_time_negative", ("demand.tasks.email.work_minutes.mean", "greater than 0"),
        put("demand.tasks.email.work_minutes.mean", -5)),
    Bad("norm_zero", ("demand.tasks.post.norm_working_hours", "greater than 0"),
        put("demand.tasks.post.norm_working_hours", 0)),
    Bad("phone_norm_zero", ("demand.calls.norm_seconds", "greater than 0"),
        put("demand.calls.norm_seconds", 0)),
    Bad("slot_zero", ("demand.calls.profile.slot_minutes", "greater than 0"),
        put("demand.calls.profile", {"slot_minutes": 0, "weights": [1]})),
    Bad("staff_zero", ("organisation.departments[0].staff", "greater than or equal to 1"),
        put("organisation.departments.0.staff", 0)),
    Bad("lunch_negative", ("organisation.secretaries[0].lunch_minutes", "greater than or equal to 0"),
        put("organisation.secretaries.0.lunch_minutes", -30)),
    Bad("episodes_zero", ("absence.sickness.episodes_per_fte_year", "greater than 0"),
        put("absence", {"sickness": {"episodes_per_fte_year": 0}})),
    Bad("leave_block_zero", ("absence.leave.block_days", "greater than or equal to 1"),
        put("absence", {"leave": {"block_days": 0}})),
    Bad("weights_negative", ("demand.calls.profile.weights[1]", "greater than or equal to 0"),
        put("demand.calls.profile", {"weights": [1, -1]})),
    Bad("weights_all_zero", ("demand.calls.profile.weights", "at least one weight must be positive"),
        put("demand.calls.profile", {"weights": [0, 0]})),
    Bad("profile_past_midnight", ("demand.calls.profile.weights", "runs past midnight"),
        put("demand.calls.profile", {"start": "23:00", "slot_minutes": 60, "weights": [1, 1]})),
    Bad("uniform_cv_too_big", ("demand.calls.talk_minutes.cv", "uniform", "negative values"),
        put("demand.calls.talk_minutes", {"dist": "uniform", "mean": 3, "cv": 0.9})),
    # ---- shares out of range
    Bad("share_above_one", ("demand.calls.external_share", "less than or equal to 1", "1.5"),
        put("demand.calls.external_share", 1.5)),
    Bad("share_negative", ("demand.tasks.email.custom_share", "greater than or equal to 0", "-0.1"),
        put("demand.tasks.email.custom_share", -0.1)),
    Bad("sickness_share_one", ("absence.sickness.share", "less than 1"),
        put("absence", {"sickness": {"share": 1}})),
    Bad("flexible_share_above_one", ("demand.flexible_share", "less than or equal to 1"),
        put("demand.flexible_share", 2)),
    Bad("hnw_spread_share_above_one", ("hnw.spread_share", "less than or equal to 1"),
        put("hnw", {"spread_share": 1.2})),
    Bad("hnw_multiplier_negative", ("hnw.multipliers.email", "greater than or equal to 0"),
        put("hnw", {"multipliers": {"email": -0.5}})),
    # ---- unknown fields, with a hint
    Bad("unknown_section", ("organization", "unknown field", "did you mean 'organisation'", "allowed: name,"),
        put("organization", {})),
    Bad("unknown_field_calls", ("demand.calls.talk_minute", "did you mean 'talk_minutes'"),
        put("demand.calls.talk_minute", {"mean": 3})),
    Bad("unknown_field_task", ("demand.tasks.email.norm_hours", "did you mean 'norm_working_hours'"),
        put("demand.tasks.email.norm_hours", 17)),
    Bad("unknown_field_capitalised_task", ("demand.tasks.Mail.work_minute", "did you mean 'work_minutes'"),
        put("demand.tasks.Mail",
            {"per_staff_per_day": 1, "work_minute": {"mean": 1}, "norm_working_hours": 9})),
    Bad("unknown_field_secretary", ("organisation.secretaries[0].lunch", "did you mean 'lunch_start'"),
        put("organisation.secretaries.0.lunch", 30)),
    Bad("unknown_field_exchange", ("dispatch.exchange.polcy", "did you mean 'policy'"),
        put("dispatch.exchange.polcy", "idle")),
    Bad("unknown_field_profile", ("demand.calls.profile.wieghts", "did you mean 'weights'"),
        put("demand.calls.profile", {"wieghts": [1]})),
    Bad("missing_required", ("organisation", "required field is missing"), drop("organisation")),
    Bad("missing_required_nested", ("demand.calls.talk_minutes", "required field is missing"),
        drop("demand.calls.talk_minutes")),
    # ---- references to things that do not exist
    Bad("unknown_department", ("organisation.secretaries[0].departments", "unknown department 'Finace'",
                               "did you mean 'Finance'", "known: Finance, Legal"),
        put("organisation.secretaries.0.departments", ["Finace"])),
    Bad("unknown_cluster", ("organisation.secretaries[1].cluster", "unknown cluster 'Sout'",
                            "did you mean 'South'"), put("organisation.secretaries.1.cluster", "Sout")),
    Bad("department_without_cluster", ("organisation.departments[1].cluster", "needs a cluster"),
        put("organisation.departments.1.cluster", None)),
    Bad("department_unserved", ("organisation.departments", "no secretary serves Legal"),
        put("organisation.secretaries", [BASE["organisation"]["secretaries"][0]])),
    Bad("department_twice", ("organisation.departments[1].name", "'Finance' is defined twice"),
        put("organisation.departments.1.name", "Finance")),
    Bad("secretary_twice", ("organisation.secretaries[1].name", "'Anna' is defined twice"),
        put("organisation.secretaries.1.name", "Anna")),
    Bad("two_clusters_no_home", ("organisation.secretaries[0].cluster", "name her home cluster"),
        put("organisation.secretaries.0.departments", ["Finance", "Legal"])),
    Bad("cover_unknown_department", ("organisation.cover[0].by", "unknown department 'Legl'",
                                     "did you mean 'Legal'"),
        put("organisation.cover", [{"department": "Finance", "by": "Legl"}])),
    Bad("cover_itself", ("organisation.cover[0].by", "cannot cover itself"),
        put("organisation.cover", [{"department": "Legal", "by": "Legal"}])),
    Bad("competence_unknown_type", ("organisation.secretaries[1].competences[1]", "unknown request type",
                                    "did you mean 'email'"),
        put("organisation.secretaries.1.competences", ["phone", "emial"])),
    Bad("competence_nobody", ("organisation.secretaries", "nobody who may serve Legal", "'minutes'"),
        both(put("dispatch.exchange.policy", "none"),
             put("organisation.secretaries.1.competences", ["phone", "callback", "email", "post"]))),
    Bad("hnw_unknown_type", ("hnw.multipliers.emial", "unknown request type", "did you mean 'email'"),
        put("hnw", {"multipliers": {"emial": 0.5}})),
    Bad("task_name_reserved", ("demand.tasks.phone", "reserved"),
        put("demand.tasks.phone",
            {"per_staff_per_day": 1, "work_minutes": {"mean": 1}, "norm_working_hours": 9})),
    Bad("task_name_bad", ("demand.tasks.e-mail", "letters, digits and _"),
        put("demand.tasks.e-mail",
            {"per_staff_per_day": 1, "work_minutes": {"mean": 1}, "norm_working_hours": 9})),
    # ---- a secretary with no working hours
    Bad("hours_start_is_end", ("organisation.secretaries[0].end", "09:00 is not after start 09:00"),
        both(put("organisation.secretaries.0.start", "09:00"),
             put("organisation.secretaries.0.end", "09:00"))),
    Bad("hours_end_before_start", ("organisation.secretaries[0].end", "is not after start"),
        both(put("organisation.secretaries.0.start", "14:00"),
             put("organisation.secretaries.0.end", "10:00"))),
    Bad("days_not_in_calendar", ("organisation.secretaries[1].days", "none of the calendar's working days"),
        put("organisation.secretaries.1.days", ["sat", "sun"])),
    Bad("lunch_eats_the_day", ("organisation.secretaries[0]", "no working hours left after lunch"),
        both(put("organisation.secretaries.0.start", "12:00"), put("organisation.secretaries.0.end", "12:30"),
             put("organisation.secretaries.0.lunch_start", "12:00"))),
    Bad("lunch_outside_hours", ("organisation.secretaries[0].lunch_start", "falls outside her hours"),
        put("organisation.secretaries.0.lunch_start", "07:00")),
    Bad("hours_outside_opening", ("organisation.secretaries[0]", "entirely outside the opening hours"),
        both(put("organisation.secretaries.0.start", "18:00"), put("organisation.secretaries.0.end", "22:00"),
             put("organisation.secretaries.0.lunch_minutes", 0))),
    Bad("calendar_close_before_open", ("calendar.close", "08:00 is not after open 17:00"),
        both(put("calendar.open", "17:00"), put("calendar.close", "08:00"))),
    Bad("calendar_no_days", ("calendar.working_days", "at least 1 item"), put("calendar.working_days", [])),
    Bad("calendar_day_twice", ("calendar.working_days", "listed twice"),
        put("calendar.working_days", ["mon", "mon"])),
    # ---- norms that cannot be met by construction, and impossible arrival patterns
    Bad("norm_below_fixed_work", ("demand.tasks.email.norm_working_hours", "the norm cannot be met"),
        put("demand.tasks.email.work_minutes", {"dist": "deterministic", "mean": 1200, "cv": 0})),
    Bad("minutes_norm_below_writing", ("demand.meetings.norm_working_hours", "shorter than the fixed"),
        put("demand.meetings.norm_working_hours", 0.5)),
    Bad("meetings_outside_opening", ("demand.meetings.earliest_start", "within opening hours"),
        put("demand.meetings.earliest_start", "07:00")),
    Bad("meetings_window_reversed", ("demand.meetings.latest_start", "before earliest_start"),
        both(put("demand.meetings.earliest_start", "15:00"), put("demand.meetings.latest_start", "10:00"))),
    Bad("batches_without_times", ("demand.tasks.post.batch_times", "at least one delivery time"),
        put("demand.tasks.post.batch_times", [])),
    # ---- huge numbers that would run for ever
    Bad("horizon_too_long", ("run.days", "less than or equal to 2610", "1000000000"), put("run.days", 10**9)),
    Bad("horizon_with_warmup_too_long", ("run", "days + warmup_days = 2700", "at most 2610"),
        both(put("run.days", 2600), put("run.warmup_days", 100))),
    Bad("rate_absurd", ("demand.calls.per_staff_per_day", "less than or equal to 1000000"),
        put("demand.calls.per_staff_per_day", 1e7)),
    Bad("requests_for_hours", ("demand", "requests over 2600 days", "at most 2e+08"),
        both(put("run.days", 2600), put("organisation.departments.0.staff", 100_000),
             put("demand.calls.per_staff_per_day", 5))),
    # ---- --set overrides and options
    Bad("set_unknown_path", ("run.dayz", "unknown field", "did you mean 'days'"),
        args=("--set", "run.dayz=3")),
    Bad("set_unknown_section", ("foo", "unknown field", "allowed: name,"), args=("--set", "foo.bar=1")),
    Bad("set_bad_value", ("run.days", "valid integer", "'abc'"), args=("--set", "run.days=abc")),
    Bad("set_value_not_yaml", ("run.days", "not valid YAML"), args=("--set", "run.days=[1,")),
    Bad("set_index_out_of_range", ("organisation.secretaries.5", "index 5 out of range", "2 items"),
        args=("--set", "organisation.secretaries.5.start=09:00")),
    Bad("set_negative_index_out_of_range", ("organisation.departments.-3", "index -3 out of range"),
        args=("--set", "organisation.departments.-3.staff=4")),
    Bad("set_unknown_name", ("organisation.secretaries.Ana", "no item named 'Ana'", "did you mean 'Anna'"),
        args=("--set", "organisation.secretaries.Ana.start=09:00")),
    Bad("set_without_equals", ("--set 'run.days'", "expected dotted.path=value"), args=("--set", "run.days")),
    Bad("set_empty_path", ("empty field name",), args=("--set", "run..days=3")),
    Bad("set_into_a_value", ("run.days.x", "run.days is a value, not a section"),
        args=("--set", "run.days.x=3")),
    Bad("set_python_tag", ("name", "not valid YAML"),
        args=("--set", "name=!!python/object/apply:os.system [ls]")),
    Bad("set_days_out_of_range", ("run.days", "less than or equal to 2610"),
        args=("--set", "run.days=99999")),
    Bad("option_days_zero", ("--days", "0 is not in the range", "sim run --help"),
        args=("--days", "0"), names=None),
    Bad("option_seed_negative", ("--seed", "-1 is not in the range"), args=("--seed", "-1"), names=None),
    Bad("option_unknown", ("No such option", "--sed"), args=("--sed", "3"), names=None),
]


def _ids() -> list[str]:
    return [c.id for c in CASES]


def test_the_table_is_big_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len(set(_ids())) == len(CASES)


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``sim ARGV`` in this process, through the entry point behind the ``sim`` command."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


def run_process(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``python -m sim ARGV`` in a real process."""
    proc = subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stdout, proc.stderr


def prepare(case: Bad, folder: Path) -> tuple[list[str], Path, Path]:
    marker = folder / "marker"
    if isinstance(case.text, str):
        case = Bad(case.id, case.expect, text=case.text.replace("{marker}", str(marker)), args=case.args,
                   files=case.files, names=case.names)
    path = case.write(folder)
    out = folder / "out"
    return ["run", str(path), "--out", str(out), *case.args], out, marker


def check_one_line(case: Bad, code: int, out: str, err: str, folder: Path) -> None:
    assert code == 2, (code, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith("sim: error: ")
    if case.names is not None:
        name = case.names.format(id=case.id)
        assert f"{name}: " in line, line
    for fragment in case.expect:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert len(line) < 400


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_bad_input_gives_one_clear_line(case: Bad, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    argv, out, marker = prepare(case, tmp_path)
    code, stdout, err = run_main(argv, capsys)
    check_one_line(case, code, stdout, err, tmp_path)
    assert not out.exists(), "a bad input must not create the output folder"
    assert not marker.exists(), "nothing in a config is executed"


#: A sample run in a real process in CI; the slow suite runs every case that way.
SAMPLE = ["yaml_syntax", "python_object_apply", "unknown_field_task", "set_index_out_of_range",
          "option_days_zero"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SAMPLE], ids=lambda c: c.id)
def test_bad_input_in_a_real_process(case: Bad, tmp_path: Path) -> None:
    argv, out, marker = prepare(case, tmp_path)
    code, stdout, err = run_process(argv, tmp_path)
    check_one_line(case, code, stdout, err, tmp_path)
    assert not out.exists() and not marker.exists()


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.id not in SAMPLE], ids=lambda c: c.id)
def test_every_bad_input_in_a_real_process(case: Bad, tmp_path: Path) -> None:
    test_bad_input_in_a_real_process(case, tmp_path)


def test_base_config_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cases are bad because of their one change, not because the base is."""
    path = Bad("base", ()).write(tmp_path)
    code, out, err = run_main(["check", str(path)], capsys)
    assert code == 0 and "valid" in out and err == ""


@pytest.mark.parametrize("argv, expect", [
    (["check", "nowhere.yaml"], "nowhere.yaml: no such file"),
    (["check", "."], ".: is a folder, not a config file"),
    (["run", "nowhere.yaml"], "nowhere.yaml: no such file"),
])
def test_missing_file_and_folder(argv: list[str], expect: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(argv, capsys)
    assert code == 2 and out == "" and err == f"sim: error: {expect}\n"
    assert list(tmp_path.iterdir()) == []


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", [["run"], ["compare", "-r", "2", "-w", "1"],
                                     ["sweep", "-r", "2", "-w", "1", "--vary", "run.seed=1,2"]],
                         ids=lambda c: c[0])
def test_full_output_folder_is_not_overwritten(command: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = Bad("base", ()).write(tmp_path)
    out = tmp_path / "results"
    out.mkdir()
    (out / "summary.json").write_text('{"precious": true}\n')
    (out / "sub").mkdir()
    (out / "sub" / "notes.txt").write_text("keep me\n")
    before = _snapshot(out)
    code, stdout, err = run_main([command[0], str(config), *command[1:], "--out", str(out)], capsys)
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and "the output folder is not empty" in err and "--overwrite" in err
    assert _snapshot(out) == before


def test_output_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Bad("base", ()).write(tmp_path)
    target = tmp_path / "taken.txt"
    target.write_text("mine\n")
    code, _, err = run_main(["run", str(config), "--out", str(target)], capsys)
    assert code == 2 and "names a file, not a folder" in err and err.count("\n") == 1
    assert target.read_text() == "mine\n"


def test_overwrite_writes_only_inside_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --overwrite the run replaces its own files and leaves the rest of the folder alone."""
    config = Bad("base", ()).write(tmp_path)
    out = tmp_path / "results"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    outside = _snapshot(tmp_path)
    code, _, err = run_main(["run", str(config), "--out", str(out), "--overwrite"], capsys)
    assert code == 0, err
    assert (out / "notes.txt").read_text() == "keep me\n" and (out / "summary.json").exists()
    after = _snapshot(tmp_path)
    changed = {k for k in after if after.get(k) != outside.get(k)}
    assert all(k.startswith("results/") for k in changed)


def test_a_name_cannot_steer_the_default_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The default folder comes from the scenario's name, which is data: it cannot climb out of results/."""
    config = Bad("escape", (), put("name", "../../escape")).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["run", str(config)], capsys)
    assert code == 0, err
    made = [p for p in tmp_path.rglob("summary.json")]
    assert len(made) == 1 and made[0].parent.parent == tmp_path / "results"


# ============================================================================== round two (issue 17)
# Hostile inputs of every class the second robustness round found, each run through the real ``sim`` in its
# own process: exit code 2, one line on stderr naming the right file or option and field, no traceback, and
# not a single file written (the folder holds exactly what the test put there).


def text_with(old: str, new: str, count: int = 1) -> str:
    assert old in BASE_TEXT, old
    return BASE_TEXT.replace(old, new, count)


def calls_profile(profile: str) -> str:
    return text_with("    patience_seconds:", f"    profile: {profile}\n    patience_seconds:")


@dataclass(frozen=True)
class Hostile:
    """A hostile case: a config text (the valid base if None), more files, and the command line after the
    config (``{cfg}`` is replaced by the config's path; the default: ``run CONFIG --out out``)."""

    id: str
    klass: str  # which class of the issue it belongs to
    expect: tuple[str, ...]
    text: str | bytes | None = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    argv: tuple[str, ...] = ("run", "{cfg}", "--out", "out")
    names: str | None = "{id}.yaml"


SPIKE = "{start: '00:00', slot_minutes: 0.017, weights: [" + ",".join(["0"] * 79_999) + ", 1]}"
HUGE_PROFILE = "{start: '00:00', slot_minutes: 0.01, weights: [" + ",".join(["1"] * 90_000) + "]}"
STAFF = ("staff", "{cfg}", "-r", "2", "-w", "1", "--days", "1", "--out", "out")
COMPARE = ("compare", "{cfg}", "-r", "2", "-w", "1", "--days", "1", "--out", "out")
SWEEP = ("sweep", "{cfg}", "-r", "2", "-w", "1", "--days", "1", "--vary", "run.seed=1,2", "--out", "out")

HOSTILE: list[Hostile] = [
    # ---- values that are not plain data (they broke hashing, JSON and resuming)
    Hostile("set_in_description", "types", ("description", "a set (!!set) is not allowed", "plain data"),
            text_with("name: tiny", "name: tiny\ndescription: !!set {a, b}"),
            argv=("run", "{cfg}", "--days", "1", "--seed", "4", "--out", "out")),
    Hostile("set_as_working_days", "types", ("calendar.working_days", "a set"),
            text_with("  working_days:\n  - mon\n  - tue\n  - wed\n  - thu\n  - fri\n",
                      "  working_days: !!set {mon, tue}\n")),
    Hostile("binary_name", "types", ("name: a binary value (!!binary)",),
            text_with("name: tiny", "name: !!binary aGk=")),
    Hostile("ordered_map", "types", ("hnw[0]: an ordered map",), BASE_TEXT + "hnw: !!omap [{spread_hours: 1}]\n"),
    Hostile("timestamp_as_days", "types", ("run.days", "valid integer", "'2024-05-01'"),
            text_with("days: 2", "days: !!timestamp 2024-05-01")),
    Hostile("bad_timestamp", "types", ("a value cannot be read",),
            text_with("name: tiny", "name: !!timestamp 2024-13-45")),
    Hostile("date_as_seed", "types", ("run.seed", "valid integer", "'2024-05-01'"),
            text_with("seed: 3", "seed: 2024-05-01")),
    Hostile("set_value_is_a_set", "types", ("description", "a set"),
            argv=("run", "{cfg}", "--set", "description=!!set {a}", "--out", "out")),
    Hostile("set_value_is_binary", "types", ("name", "a binary value"),
            argv=("run", "{cfg}", "--set", "name=!!binary aGk=", "--out", "out")),
    # ---- control characters
    Hostile("nul_in_file", "control", ("line 1", "control character '\\x00'"),
            text_with("name: tiny", "name: ti\x00ny")),
    Hostile("bell_in_comment", "control", ("line 1", "control character '\\x07'"), "# ring \x07\n" + BASE_TEXT),
    Hostile("line_separator", "control", ("control character '\\u2028'",), text_with("name: tiny", "name: ti\u2028ny")),
    Hostile("c1_control", "control", ("control character '\\x85'",), text_with("name: tiny", "name: ti\x85ny")),
    Hostile("escaped_nul_in_name", "control", ("name: the control character '\\x00'",),
            text_with("name: tiny", 'name: "ti\\x00ny"')),
    Hostile("newline_in_secretary", "control", ("organisation.secretaries[0].name", "'\\n'"),
            text_with("name: Anna", 'name: "An\\nna"')),
    Hostile("tab_in_department", "control", ("organisation.departments[1].name", "'\\t'"),
            text_with("name: Legal", 'name: "Le\\tgal"')),
    Hostile("newline_in_key", "control", ("the control character '\\n'",),
            text_with("  tasks:\n", '  tasks:\n    "e\\nmail": {per_staff_per_day: 1}\n')),
    Hostile("newline_in_set_path", "control", ("run.da\\nys", "unknown field"),
            argv=("run", "{cfg}", "--set", "run.da\nys=3", "--out", "out")),
    # ---- strict booleans and integers
    Hostile("days_yes", "strict", ("run.days", "valid integer", "True"), text_with("days: 2", "days: yes")),
    Hostile("days_true_by_set", "strict", ("run.days", "valid integer", "True"),
            argv=("run", "{cfg}", "--set", "run.days=true", "--out", "out")),
    Hostile("seed_no", "strict", ("run.seed", "valid integer", "False"), text_with("seed: 3", "seed: no")),
    Hostile("staff_float", "strict", ("organisation.departments[0].staff", "valid integer", "20.0"),
            text_with("staff: 20", "staff: 20.0")),
    Hostile("days_quoted", "strict", ("run.days", "valid integer", "'2'"), text_with("days: 2", "days: '2'")),
    Hostile("flag_is_one", "strict", ("demand.tasks.email.flexible_only", "valid boolean", "got 1"),
            text_with("norm_working_hours: 17\n", "norm_working_hours: 17\n      flexible_only: 1\n")),
    # ---- numbers that are infinite, not a number, or too big
    Hostile("weights_inf", "finite", ("demand.calls.profile.weights[1]", "finite number"),
            calls_profile("{weights: [1, .inf]}")),
    Hostile("weights_nan", "finite", ("demand.calls.profile.weights[0]", "finite number"),
            calls_profile("{weights: [.nan, 1]}")),
    Hostile("weights_sum_overflows", "finite", ("demand.calls.profile.weights", "sum is too big"),
            calls_profile("{weights: [1e308, 1e308]}")),
    Hostile("weight_overflows", "finite", ("demand.calls.profile.weights[0]", "finite number"),
            calls_profile("{weights: [1e400]}")),
    Hostile("cost_inf", "finite", ("organisation.cost_per_fte_per_year", "finite number"),
            text_with("  setup: central", "  setup: central\n  cost_per_fte_per_year: .inf")),
    Hostile("cost_huge_integer", "finite", ("organisation.cost_per_fte_per_year", "valid number"),
            text_with("  setup: central", "  setup: central\n  cost_per_fte_per_year: 1" + "0" * 400)),
    Hostile("patience_nan", "finite", ("demand.calls.patience_seconds.mean", "finite number"),
            text_with("mean: 60", "mean: .nan")),
    Hostile("rate_minus_inf_by_set", "finite", ("demand.calls.per_staff_per_day", "finite number"),
            argv=("run", "{cfg}", "--set", "demand.calls.per_staff_per_day=-.inf", "--out", "out")),
    # ---- memory and time: the work guard counts what the generators will really draw
    Hostile("tiny_slot_with_spread", "bounded", ("hnw.spread_hours", "slots", "at most 86,400"),
            calls_profile("{start: '08:00', slot_minutes: 0.000001, weights: [1]}")
            + "hnw: {spread_hours: 8, spread_share: 0.5}\n"),
    Hostile("profile_too_many_slots", "bounded", ("demand.calls.profile.weights", "90,000 slots", "at most 86,400"),
            calls_profile(HUGE_PROFILE)),
    Hostile("spike_profile_bypass", "bounded", ("demand", "draws of each day profile", "at most 2e+08"),
            calls_profile(SPIKE).replace("days: 2\n", "days: 2600\n", 1)),
    Hostile("hnw_multiplier_bypass", "bounded", ("demand", "HNW multipliers", "at most 2e+08"),
            text_with("staff: 20", "staff: 100000").replace("days: 2\n", "days: 1500\n", 1)
            + "hnw: {multipliers: {calls: 100, email: 100}}\n"),
    Hostile("file_too_big", "bounded", ("is 1.5 MB", "at most 1 MB"), BASE_TEXT + "#" + "x" * (3 * 2**19)),
    Hostile("extends_dev_zero", "bounded", ("/dev/zero: is not a regular file",), "extends: /dev/zero\n",
            names="/dev/zero"),
    Hostile("extends_a_folder", "bounded", ("is a folder, not a config file",), "extends: sub\n",
            files={"sub/keep.txt": "x"}, names="sub"),
    Hostile("extends_big_base", "bounded", ("big.yaml: is 1.5 MB",), "extends: big.yaml\n",
            files={"big.yaml": "#" + "x" * (3 * 2**19)}, names="big.yaml"),
    Hostile("extends_binary_base", "bounded", ("bin.yaml: line 1", "control character"), "extends: bin.yaml\n",
            files={"bin.yaml": b"name: \x00\x01\x02\n"}, names="bin.yaml"),
    # ---- option values checked before any work (they were checked after the run, or ignored)
    Hostile("target_misspelt", "options", ("--target", "unknown KPI 'reachabilty'", "did you mean 'reachability'"),
            argv=(*STAFF, "--target", "reachabilty>=0.8"), names=None),
    Hostile("target_off_misspelt", "options", ("--target", "unknown KPI 'service_level.emial'"),
            argv=(*STAFF, "--target", "service_level.emial=off"), names=None),
    Hostile("target_infinite", "options", ("--target", "finite"),
            argv=(*STAFF, "--target", "reachability>=inf"), names=None),
    Hostile("precision_misspelt", "options", ("--precision", "unknown KPI 'reachabilty'"),
            argv=(*COMPARE, "--precision", "reachabilty=0.1"), names=None),
    Hostile("precision_not_a_number", "options", ("--precision", "expected KPI=RELATIVE_HALF_WIDTH"),
            argv=(*COMPARE, "--precision", "reachability=abc"), names=None),
    Hostile("precision_infinite", "options", ("--precision", "finite"),
            argv=(*COMPARE, "--precision", "reachability=inf"), names=None),
    Hostile("sweep_kpi_misspelt", "options", ("--kpi", "unknown KPI 'utilisaton'", "did you mean 'utilisation'"),
            argv=(*SWEEP, "--kpi", "utilisaton"), names=None),
    Hostile("sweep_precision_misspelt", "options", ("--precision", "unknown KPI"),
            argv=(*SWEEP, "--precision", "coverag=0.1"), names=None),
    Hostile("scheduler_not_an_address", "options", ("--scheduler", "is not an address"),
            argv=(*COMPARE, "--scheduler", "not an address!"), names=None),
    Hostile("scheduler_unknown_protocol", "options", ("--scheduler", "unknown protocol 'http'"),
            argv=(*COMPARE, "--scheduler", "http://127.0.0.1:8786"), names=None),
    Hostile("scheduler_unreachable", "options", ("--scheduler", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
            argv=(*COMPARE, "--scheduler", "tcp://127.0.0.1:9"), names=None),
    Hostile("scheduler_port", "options", ("--scheduler", "port must be 1 to 65535"),
            argv=(*COMPARE, "--scheduler", "tcp://127.0.0.1:99999"), names=None),
    # ---- output paths that cannot be written (found before the simulation, not after it)
    Hostile("out_under_a_file", "paths", ("afile is a file, not a folder",),
            files={"afile": "mine\n"}, argv=("run", "{cfg}", "--out", "afile/sub"), names=None),
    Hostile("out_under_proc", "paths", ("/proc/sim-robustness/out", "cannot be written"),
            argv=("run", "{cfg}", "--out", "/proc/sim-robustness/out"), names=None),
    Hostile("out_name_too_long", "paths", ("--out: the name is 300 bytes long", "255"),
            argv=("run", "{cfg}", "--out", "x" * 300), names=None),
    Hostile("out_under_dev_null", "paths", ("/dev/null is a file, not a folder",),
            argv=(*COMPARE[:-1], "/dev/null/out"), names=None),
    Hostile("results_is_a_file", "paths", ("results: is a file, not a folder for results",),
            files={"results": "mine\n"}, argv=("run", "{cfg}"), names=None),
    Hostile("experiment_results_is_a_file", "paths", ("results: is a file",),
            files={"results": "mine\n"}, argv=COMPARE[:-2], names=None),
]


def write_hostile(case: Hostile, folder: Path) -> list[str]:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    config = folder / f"{case.id}.yaml"
    text = BASE_TEXT if case.text is None else case.text
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_bytes(text.encode("utf-8"))
    return [a.replace("{cfg}", config.name) for a in case.argv]


def test_round_two_cases_are_many_and_distinct() -> None:
    assert len(HOSTILE) >= 40
    assert len({c.id for c in HOSTILE}) == len(HOSTILE)
    assert not {c.id for c in HOSTILE} & {c.id for c in CASES}


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_input_in_a_real_process(case: Hostile, tmp_path: Path) -> None:
    check_hostile(case, tmp_path, run_forked)


#: A sample through a fresh interpreter (``python -m sim``) in CI; the slow suite runs every case that way.
HOSTILE_SAMPLE = ["set_in_description", "days_yes", "weights_inf", "extends_dev_zero", "target_misspelt",
                  "out_under_a_file"]


@pytest.mark.parametrize("case", [c for c in HOSTILE if c.id in HOSTILE_SAMPLE], ids=lambda c: c.id)
def test_hostile_input_in_a_fresh_interpreter(case: Hostile, tmp_path: Path) -> None:
    check_hostile(case, tmp_path, run_process)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in HOSTILE if c.id not in HOSTILE_SAMPLE], ids=lambda c: c.id)
def test_every_hostile_input_in_a_fresh_interpreter(case: Hostile, tmp_path: Path) -> None:
    check_hostile(case, tmp_path, run_process)


def check_hostile(case: Hostile, tmp_path: Path, runner: Callable[[list[str], Path], tuple[int, str, str]]) -> None:
    argv = write_hostile(case, tmp_path)
    before = tree(tmp_path)
    code, stdout, err = runner(argv, tmp_path)
    assert code == 2, (code, err)
    assert stdout == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith("sim: error: ")
    if case.names is not None:
        assert f"{case.names.format(id=case.id)}: " in line, line
    for fragment in case.expect:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert len(line) < 500
    assert tree(tmp_path) == before, "a refused command must not write a single file"


def test_the_library_names_no_flags_and_the_cli_words_them(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad argument from Python is an OptionError (a ConfigError) naming a neutral key, no flag; the same
    mistake on the command line prints the flag, from the CLI's one table (sim.cli.common.OPTION_FLAGS)."""
    import subprocess as sp

    from sim.cli.common import OPTION_FLAGS
    from sim.config import ConfigError, OptionError, load_scenario
    from sim.decisions.business import search_blocks
    from sim.decisions.staffing import staff

    scenario = load_scenario(CONFIGS / "central.yaml", ["run.days=1"])
    with pytest.raises(OptionError) as info:
        staff([scenario], replications=1)
    assert info.value.key == "replications" and "--" not in str(info.value)
    assert str(info.value) == "replications: at least 2 replications are needed for an interval"
    assert info.value.words(OPTION_FLAGS).startswith("--replications: at least 2")
    with pytest.raises(ConfigError) as bad_set:  # an override, from Python: no --set in the message
        load_scenario(CONFIGS / "central.yaml", ["run.days"])
    assert "--" not in str(bad_set.value) and "override 'run.days': expected dotted.path=value" in str(bad_set.value)
    with pytest.raises(ConfigError, match="^blocks: need 1 <= min"):
        search_blocks([], {}, 2, 1, 0.95, None, min_blocks=3, max_blocks=2)  # type: ignore[arg-type]
    # the library's source holds no ConfigError named by a flag
    out = sp.run(["grep", "-rnE", r'(ConfigError|OptionError)\(f?"--', "sim", "--exclude-dir=cli"], cwd=CONFIGS.parent,
                 capture_output=True, text=True)
    assert out.stdout == ""
