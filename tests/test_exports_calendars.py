"""Exports as they come (issue #25): durations in every format phone and ticket systems write, task labels that
nearly match the config's types, public holidays and closing days, Weibull patience.

The exports are generated here from known parameters (not simulated), so that what calibration recovers can be
checked against the truth within its standard errors."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.calibrate import known_demand

from sim.config import ConfigError, Dist, parse_scenario
from sim.core.streams import Sampler, Stream
from sim.data.calibration import (
    calibrate,
    fit_patience,
    near_type,
    parse_mapping,
    read_calls,
    read_table,
    read_tasks,
)
from sim.data.durations import DurationError, parse_durations

Z = 3.5
TALK_MEAN, TALK_CV, PATIENCE = 4.0, 1.2, 60.0
DEPTS = ["Noord", "Oost", "Zuid"]


def working_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() < 5]


def make_calls(days: list[date], per_day: int = 150, seed: int = 1) -> list[dict[str, Any]]:
    """Calls with known talk times (lognormal) and patience (exponential): a caller abandons when her patience
    runs out before the wait she would have had (exponential, mean 40 s)."""
    rng = np.random.default_rng(seed)
    sigma = math.sqrt(math.log1p(TALK_CV**2))
    mu = math.log(TALK_MEAN) - sigma**2 / 2
    rows = []
    for d in days:
        n = rng.poisson(per_day)
        clock = np.sort(rng.uniform(8.5 * 60, 17 * 60, n))
        patience = rng.exponential(PATIENCE, n)
        offered = rng.exponential(40.0, n)
        talk = np.exp(mu + sigma * rng.standard_normal(n))
        for c, p, w, t, dept in zip(clock, patience, offered, talk, rng.choice(DEPTS, n), strict=True):
            answered = w <= p
            rows.append({"when": datetime(d.year, d.month, d.day) + timedelta(minutes=float(c)),
                         "dept": str(dept), "wait": round(float(w if answered else p)),
                         "talk": round(float(t) * 60) if answered else None, "answered": bool(answered)})
    return rows


def fmt(seconds: int | None, style: str) -> Any:
    if seconds is None:
        return ""
    if style == "seconds":
        return str(seconds)
    if style == "minutes":
        return f"{seconds / 60:.4f}".replace(".", ",")  # a decimal comma
    if style == "mm:ss":
        return f"{seconds // 60}:{seconds % 60:02d}"
    if style == "h:mm:ss":
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if style == "excel":
        return repr(seconds / 86400)
    raise AssertionError(style)


HEADERS = {"seconds": ("Wachttijd (s)", "Gespreksduur (s)"), "minutes": ("Wachttijd (min)", "Gespreksduur (min)"),
           "mm:ss": ("Wachttijd", "Gespreksduur"), "h:mm:ss": ("Wachttijd", "Gespreksduur"),
           "excel": ("Wachttijd", "Gespreksduur")}
MAPPING = ["calls.timestamp=Begintijd", "calls.department=Wachtrij", "calls.outcome=Resultaat",
           "calls.answered=Beantwoord", "calls.abandoned=Opgehangen"]


def write_export(path: Path, rows: list[dict[str, Any]], style: str, when: str = "dutch") -> list[str]:
    wait_col, talk_col = HEADERS[style]
    lines = [f"Begintijd;Wachtrij;{wait_col};{talk_col};Resultaat"]
    for r in rows:
        stamp = r["when"].strftime("%d-%m-%Y %H:%M:%S") if when == "dutch" else \
            repr((r["when"] - datetime(1899, 12, 30)).total_seconds() / 86400)
        lines.append(";".join([stamp, r["dept"], fmt(r["wait"], style), fmt(r["talk"], style),
                               "Beantwoord" if r["answered"] else "Opgehangen"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*MAPPING, f"calls.wait={wait_col}", f"calls.talk={talk_col}"]


def scenario(**calendar: Any) -> Any:
    data = known_demand(days=20)
    if calendar:
        data["calendar"] = calendar
    return parse_scenario(data)


@pytest.mark.parametrize(("style", "when"), [("seconds", "dutch"), ("minutes", "dutch"), ("mm:ss", "dutch"),
                                             ("h:mm:ss", "dutch"), ("excel", "excel")])
def test_every_duration_format_recovers_talk_time_and_patience(tmp_path: Path, style: str, when: str) -> None:
    rows = make_calls(working_days(date(2025, 1, 6), date(2025, 1, 31)))
    path = tmp_path / f"export-{style.replace(':', '')}.csv"
    mapping = write_export(path, rows, style, when)
    calls = read_calls(read_table(path), parse_mapping(mapping)[0])
    cal = calibrate(scenario(), calls, None)
    talk = next(f for f in cal.fits["talk_minutes"] if f.family == "lognormal")
    assert abs(talk.mean - TALK_MEAN) <= Z * talk.se_mean, (style, talk)
    assert abs(talk.cv - TALK_CV) <= Z * talk.se_cv, (style, talk)
    patience = next(f for f in cal.fits["patience_seconds"] if f.family == "exponential")
    assert abs(patience.mean - PATIENCE) <= Z * patience.se_mean, (style, patience)
    assert cal.days == 20 and not cal.warnings, cal.warnings
    wait_col = HEADERS[style][0]
    assert f"calls: {wait_col}" in cal.units  # the unit read is stated
    assert cal.units[f"calls: {wait_col}"].startswith({"seconds": "seconds", "minutes": "minutes", "mm:ss": "mm:ss",
                                                       "h:mm:ss": "h:mm:ss", "excel": "Excel"}[style])


def test_a_wait_in_h_mm_ss_is_read_in_seconds(tmp_path: Path) -> None:
    """The bug of #25: 0:01:25 was read as 1.4 s (minutes where seconds were meant)."""
    path = tmp_path / "export.csv"
    path.write_text("Begintijd;Wachttijd;Gespreksduur;Resultaat\n06-01-2025 09:00:00;0:01:25;0:03:10;Beantwoord\n"
                    "06-01-2025 09:01:00;0:00:40;;Opgehangen\n")
    calls = read_calls(read_table(path), parse_mapping(["calls.timestamp=Begintijd", "calls.wait=Wachttijd",
                                                        "calls.talk=Gespreksduur", "calls.outcome=Resultaat",
                                                        "calls.answered=Beantwoord", "calls.abandoned=Opgehangen"])[0])
    assert list(calls.wait) == [85.0, 40.0]
    assert calls.talk[0] == pytest.approx(3 + 10 / 60)


def test_ambiguous_or_mixed_duration_columns_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(DurationError, match=r"plain numbers without a unit.*--map calls.wait_unit=seconds"):
        parse_durations(["85", "4"], "Wachttijd")
    with pytest.raises(DurationError, match="mixes clock times"):
        parse_durations(["0:01:25", "85"], "Wachttijd")
    assert parse_durations(["85", "4"], "Wachttijd", "seconds")[0].tolist() == [85.0, 4.0]
    assert parse_durations(["1:30"], "Duur", "h:mm")[0].tolist() == [5400.0]
    path = tmp_path / "export.csv"
    path.write_text("arrival;wachttijd;outcome\n2025-01-06 09:00:00;12;answered\n")
    with pytest.raises(ConfigError, match=r"export.csv: column 'wachttijd': .*--map calls.wait_unit"):
        read_calls(read_table(path), parse_mapping(["calls.wait=wachttijd"])[0])


def test_implausible_times_are_warned_about(tmp_path: Path) -> None:
    """Talk times in seconds under a header that says minutes: a mean of 4 hours is flagged."""
    rows = make_calls(working_days(date(2025, 1, 6), date(2025, 1, 10)), per_day=60)
    path = tmp_path / "export.csv"
    mapping = write_export(path, rows, "seconds")
    path.write_text(path.read_text().replace("Gespreksduur (s)", "Gespreksduur (min)"))
    mapping = [m.replace("Gespreksduur (s)", "Gespreksduur (min)") for m in mapping]
    cal = calibrate(scenario(), read_calls(read_table(path), parse_mapping(mapping)[0]), None)
    assert any("talk time" in w and "over 2 h" in w for w in cal.warnings), cal.warnings


# ------------------------------------------------------------------------------------------------ types
def write_tasks(path: Path, labels: list[str], days: list[date], per_day: int = 20) -> None:
    rng = np.random.default_rng(2)
    lines = ["Aangemaakt;Soort;Afdeling;Behandeltijd (min)"]
    for d in days:
        for _ in range(per_day):
            when = datetime(d.year, d.month, d.day, 9) + timedelta(minutes=float(rng.uniform(0, 420)))
            lines.append(f"{when:%d-%m-%Y %H:%M};{rng.choice(labels)};{rng.choice(DEPTS)};"
                         f"{rng.exponential(6):.1f}".replace(".", ","))
    path.write_text("\n".join(lines) + "\n")


def test_task_labels_that_nearly_match_a_type_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    write_tasks(path, ["E-mail", "Post", "email", "CRM"], working_days(date(2025, 1, 6), date(2025, 1, 10)))
    base = ["tasks.created=Aangemaakt", "tasks.type=Soort", "tasks.department=Afdeling",
            "tasks.work=Behandeltijd (min)"]
    sc = parse_scenario({**known_demand(5), "demand": {**known_demand(5)["demand"], "tasks": {
        **known_demand(5)["demand"]["tasks"], "crm": {"per_staff_per_day": 0.1, "work_minutes": {"mean": 10},
                 "norm_working_hours": 17}}}})
    tasks = read_tasks(read_table(path), parse_mapping(base)[1])
    with pytest.raises(ConfigError, match=r"'CRM' \(did you mean 'crm'\? --map tasks.type.CRM=crm\).*"
                                          r"'E-mail' \(did you mean 'email'\?.*'Post' \(did you mean 'post'"):
        calibrate(sc, None, tasks)
    mapped = base + ["tasks.type.E-mail=email", "tasks.type.Post=post", "tasks.type.CRM=crm"]
    cal = calibrate(sc, None, read_tasks(read_table(path), parse_mapping(mapped)[1]))
    assert set(cal.demand["tasks"]) == {"email", "post", "crm"}  # nothing added beside them
    n = {k: cal.estimate(f"demand.tasks.{k}.per_staff_per_day").n for k in ("email", "post", "crm")}
    assert n["email"] > 1.5 * n["post"]  # E-mail and email together
    assert near_type("E-mails", ["email"]) == "email" and near_type("Brief", ["email", "post"]) is None


# ------------------------------------------------------------------------------------------------ calendars
def test_easter_and_a_closing_day_are_left_out_of_the_rates(tmp_path: Path) -> None:
    pytest.importorskip("holidays")
    days = working_days(date(2025, 4, 7), date(2025, 4, 30))
    closed = {date(2025, 4, 21), date(2025, 4, 24)}  # Easter Monday, and the municipality's own closing day
    rows = make_calls([d for d in days if d not in closed], per_day=150, seed=4)
    path = tmp_path / "export.csv"
    mapping = write_export(path, rows, "h:mm:ss")
    calls = read_calls(read_table(path), parse_mapping(mapping)[0])
    cal = calibrate(scenario(holidays="NL", closed=["2025-04-24"]), calls, None)
    assert set(cal.left_out) == closed, cal.left_out
    assert "Easter Monday" in cal.left_out[date(2025, 4, 21)]
    # Good Friday is a public holiday in the package, but the logs show the secretariat open: counted as open
    assert any("2025-04-18" in n and "counted as open" in n for n in cal.notes)
    assert cal.days == len(days) - 2 and not cal.warnings
    volume = sum(d["staff"] * d["demand_factor"] for d in cal.departments)  # with the calibrated factors
    rate = cal.estimate("demand.calls.per_staff_per_day")
    per_day = rate.value * volume  # the calls per working day the model would get
    assert abs(per_day - 150) <= Z * math.sqrt(150 / cal.days) + 0.01 * 150, per_day
    # without the calendar: the empty days are found and named, with a loud warning
    plain = calibrate(scenario(), calls, None)
    assert set(plain.left_out) == closed
    assert any("2025-04-21" in w and "Easter Monday" in w and "calendar.holidays: NL" in w for w in plain.warnings)
    assert any("2025-04-24" in w and "calendar.closed" in w for w in plain.warnings)


def test_without_the_holidays_package_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from sim.core.closures import public_holidays

    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "holidays":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ConfigError, match=r"calendar.holidays: 'NL' needs the holidays package: pip install"):
        public_holidays("NL", [2025])


# ------------------------------------------------------------------------------------------------ patience
def test_weibull_patience_is_recovered_and_chosen_by_aic() -> None:
    rng = np.random.default_rng(7)
    k, scale = 1.6, 90.0
    patience = rng.weibull(k, 6000) * scale
    wait = rng.exponential(50.0, 6000)
    abandoned = patience < wait
    fits = fit_patience(patience[abandoned], wait[~abandoned])
    best = fits[0]
    assert best.family == "weibull", [(f.family, f.aic) for f in fits]
    mean = scale * math.gamma(1 + 1 / k)
    cv = math.sqrt(math.gamma(1 + 2 / k) / math.gamma(1 + 1 / k) ** 2 - 1)
    assert abs(best.mean - mean) <= Z * best.se_mean, best
    assert abs(best.cv - cv) <= Z * best.se_cv, best
    assert all(f.se_mean is not None and f.se_mean > 0 for f in fits)
    # the model draws Weibull patience with the calibrated mean and cv
    sampler = Sampler(Dist(dist="weibull", mean=best.mean, cv=best.cv), Stream(1, "test"))
    draws = np.array([sampler.draw() for _ in range(40_000)])
    assert abs(draws.mean() - best.mean) <= 4 * draws.std() / math.sqrt(len(draws))
    assert abs(draws.std() / draws.mean() - best.cv) < 0.02


# ------------------------------------------------------------------------------------------------ weekday profile
def test_a_weekday_profile_is_simulated_and_recovered(tmp_path: Path) -> None:
    import io

    from sim import run_replication
    from sim.data.request_log import RequestLog

    true = {"mon": 1.3, "tue": 1.1, "wed": 1.0, "thu": 0.9, "fri": 0.7}
    data = known_demand(days=30)
    data["demand"]["weekday_profile"] = true
    sc = parse_scenario(data)
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as fh:
        run_replication(sc, request_log=RequestLog(sc, fh))
    table = read_table(path)
    calls_map, tasks_map = parse_mapping([])
    cal = calibrate(parse_scenario(known_demand(days=30)), read_calls(table, calls_map), read_tasks(table, tasks_map))
    got = cal.demand["weekday_profile"]
    per = cal.weekday["calls"]["per_weekday"]
    for w, f in true.items():
        se = f / math.sqrt(per[w]["per_day"] * per[w]["days"])
        assert abs(got[w] - f) <= Z * se + 0.005, (w, got[w], f, se)
    # a profile of ones takes the same random numbers as none: results identical
    flat = known_demand(days=3)
    ones = known_demand(days=3)
    ones["demand"]["weekday_profile"] = dict.fromkeys(true, 1.0)
    a, b = io.StringIO(), io.StringIO()
    sa, sb = parse_scenario(flat), parse_scenario(ones)
    run_replication(sa, request_log=RequestLog(sa, a))
    run_replication(sb, request_log=RequestLog(sb, b))
    assert a.getvalue() == b.getvalue()


# ------------------------------------------------------------------------------------------------ export
def test_the_exported_workbook_is_excel_native(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import json

    from sim.data import export as export_module

    res = tmp_path / "run"
    res.mkdir()
    (res / "summary.json").write_text(json.dumps({"scenario": "x", "seed": 1, "kpi": {"reachability": 0.873,
                                                                                     "asa_seconds": 12.5}}))
    (res / "config.resolved.yaml").write_text("calendar:\n  start_date: 2026-01-05\n")
    (res / "requests.csv").write_text("id,department,arrival,postcode,note\n"
                                      "1,Noord,2026-01-05 09:15:00,0123,=1+1\n2,Oost,2026-01-06 10:00:00,3811,ok\n")
    (res / "per_department.csv").write_text("department,calls_offered,reachability\nNoord,28,0.95\nOost,3,1.0\n")
    (res / "events.csv").write_text("start_minute,end_minute,secretary,activity,detail\n"
                                    + "".join(f"{510 + 10 * i},{515 + 10 * i},Anna,call,{i}\n" for i in range(12)))
    monkeypatch.setattr(export_module, "MAX_ROWS", 10)  # so that the event sheet is cut
    export_module.export(res, tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    kpis = book["KPIs"]
    assert kpis["A2"].value == "reachability" and kpis["B2"].number_format == "0.0%"
    assert kpis["B3"].number_format == "General"  # seconds are not a share
    req = book["requests"]
    assert req["C2"].is_date and req["C2"].value == datetime(2026, 1, 5, 9, 15)
    assert req["D2"].value == "0123" and req["D2"].data_type == "s"  # the leading zero kept
    assert req["E2"].value == "=1+1" and req["E2"].data_type == "s"  # text, not a formula
    assert req.auto_filter.ref == "A1:E3" and req.freeze_panes == "A2"
    assert req.column_dimensions["C"].width >= 19
    assert book["per_department"]["C2"].number_format == "0.0%"
    events = book["events"]
    assert events["A1"].value == "start" and events["A2"].value == datetime(2026, 1, 5, 8, 30)
    assert events.max_row == 11  # cut to the (patched) limit, and said so
    notes = list(book["Notes"].iter_rows(values_only=True))
    assert any(r[0] == "events" and "2 of 12 rows cut" in r[1] for r in notes)
    about = list(book["About"].iter_rows(values_only=True))
    assert any(r[0] == "cut" for r in about), about


# ------------------------------------------------------------------------------------------------ today, measured
def test_measured_kpis_of_a_simulated_log_are_the_runs_own(tmp_path: Path) -> None:
    """The KPIs measured in a request log are defined as the model's: on the log of a run (its warm-up rows left
    out, as the model leaves them out; tasks still open past their norm when the log ends counted as late) they
    are that run's own KPIs."""
    from sim import run_replication
    from sim.data.measured import simulated
    from sim.data.request_log import RequestLog

    sc = parse_scenario(known_demand(days=20))
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as fh:
        result = run_replication(sc, request_log=RequestLog(sc, fh))
    table = read_table(path)
    calls_map, tasks_map = parse_mapping([])
    cal = calibrate(sc, read_calls(table, calls_map), read_tasks(table, tasks_map))
    assert cal.days == 22  # the rates count the warm-up's days too: demand all the same
    assert {r["days"] for r in cal.measured} == {20}  # today's service: the measured days only
    assert {r["scope"] for r in cal.measured} == {"all", "department", "hour"}
    run = simulated(result)
    for r in cal.measured:
        key = (r["scope"], r["group"], r["kpi"])
        value, n = run[key]
        # the department's tasks in the model include the minutes of its meetings, which a task log does not hold
        # (two a week here: a few percent of its tasks, all done in time); the log's times are in whole seconds, so
        # a call at 10:59:59.6 is logged in the 11:00 hour
        n_slack, slack = (0.05 * n, 0.05) if r["kpi"] == "tasks_within_norm" else \
            (2, 0.005) if r["scope"] == "hour" else (0, 1e-9)
        assert abs(r["n"] - n) <= n_slack and abs(r["measured"] - value) <= slack, (key, r, value, n)


def test_the_model_closes_on_holidays_and_closing_days_and_the_log_follows(tmp_path: Path) -> None:
    """calendar.holidays and calendar.closed in the simulation: no demand and no work on those days, the run
    still measures run.days working days, and the request log's dates skip them; calibrated with the same
    calendar, the log gives no warnings and the same number of working days."""
    pytest.importorskip("holidays")
    from sim import run_replication
    from sim.data.request_log import RequestLog

    data = known_demand(days=12)
    data["run"]["warmup_days"] = 1
    data["calendar"] = {"start_date": "2025-04-14", "holidays": "NL", "closed": ["2025-04-23"]}
    sc = parse_scenario(data)
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as fh:
        result = run_replication(sc, request_log=RequestLog(sc, fh))
    table = read_table(path)
    arrivals = {str(c)[:10] for c in table.cells(table.column("arrival")) if c}
    # Good Friday, Easter Monday and Liberation Day (NL, the package lists it in lustrum years), and our own day
    closed = {"2025-04-18", "2025-04-21", "2025-04-23", "2025-05-05"}
    assert not arrivals & closed, arrivals & closed
    assert max(arrivals) == "2025-05-06"  # 13 working days from 14 April, four days closed
    calls_map, tasks_map = parse_mapping([])
    cal = calibrate(sc, read_calls(table, calls_map), read_tasks(table, tasks_map))
    assert cal.days == 13 and not cal.warnings, (cal.days, cal.warnings)
    assert {str(d) for d in cal.left_out} == closed
    assert result.kpi["calls_offered_per_day"] > 0
    # open on Good Friday all the same (calendar.open_on): the model works it and calibration counts it
    data["calendar"]["open_on"] = ["2025-04-18"]
    sc = parse_scenario(data)
    with path.open("w", newline="") as fh:
        run_replication(sc, request_log=RequestLog(sc, fh))
    table = read_table(path)
    assert "2025-04-18" in {str(c)[:10] for c in table.cells(table.column("arrival")) if c}
    cal = calibrate(sc, read_calls(table, calls_map), read_tasks(table, tasks_map))
    # one day more worked: the run now ends on 2 May, before Liberation Day
    assert {str(d) for d in cal.left_out} == {"2025-04-21", "2025-04-23"} and cal.days == 13


def test_a_spreadsheet_export_with_time_cells_and_excel_fractions(tmp_path: Path) -> None:
    """An XLSX export as a phone system writes it: date-time cells, waits as time-formatted cells, talk times as
    Excel day fractions (numbers)."""
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import time

    rows = make_calls(working_days(date(2025, 1, 6), date(2025, 1, 24)), seed=9)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Begintijd", "Wachtrij", "Wachttijd", "Gespreksduur", "Resultaat"])
    for r in rows:
        w = r["wait"]
        ws.append([r["when"], r["dept"], time(w // 3600, w // 60 % 60, w % 60),
                   None if r["talk"] is None else r["talk"] / 86400, "Beantwoord" if r["answered"] else "Opgehangen"])
        ws.cell(ws.max_row, 3).number_format = "h:mm:ss"
    path = tmp_path / "export.xlsx"
    book.save(path)
    mapping = [*MAPPING, "calls.wait=Wachttijd", "calls.talk=Gespreksduur"]
    calls = read_calls(read_table(path), parse_mapping(mapping)[0])
    cal = calibrate(scenario(), calls, None)
    assert cal.units["calls: Wachttijd"] == "spreadsheet time cells"
    assert cal.units["calls: Gespreksduur"].startswith("Excel time fractions")
    talk = next(f for f in cal.fits["talk_minutes"] if f.family == "lognormal")
    patience = next(f for f in cal.fits["patience_seconds"] if f.family == "exponential")
    assert abs(talk.mean - TALK_MEAN) <= Z * talk.se_mean and abs(patience.mean - PATIENCE) <= Z * patience.se_mean


# ------------------------------------------------------------------------------------------------ the round trip
WEEKDAY_PROFILE = "{mon: 1.2, tue: 1.05, wed: 1.0, thu: 0.95, fri: 0.8}"


def _round_trip(tmp_path: Path, days: int, seed: int, windows: int) -> tuple[Any, dict[str, float], Any]:
    """Today simulated (the shipped decentral sector, a weekday profile, Dutch public holidays; its measured days
    from Monday 7 April 2025 over Easter) and logged; the log calibrated against the shipped config with the
    holidays set, as an analyst would; the calibrated config compared with the log over ``windows`` runs of the
    log's own days. Returns the calibration, the flag counts and the calibrated scenario."""
    from sim import load_scenario, run_replication
    from sim.data.calibration import calibrated_config
    from sim.data.measured import compare, flag_counts, log_window, window_samples
    from sim.data.request_log import RequestLog

    root = Path(__file__).resolve().parent.parent
    today = load_scenario(root / "configs" / "decentral.yaml", [
        f"run.days={days}", "run.warmup_days=10", "calendar.start_date=2025-03-24", "calendar.holidays=NL",
        f"demand.weekday_profile={WEEKDAY_PROFILE}"])
    log = tmp_path / "requests.csv"
    with log.open("w", newline="") as fh:
        run_replication(today, seed=seed, request_log=RequestLog(today, fh))
    analyst = load_scenario(root / "configs" / "decentral.yaml", ["calendar.holidays=NL"])
    table = read_table(log)
    calls_map, tasks_map = parse_mapping([])
    cal = calibrate(analyst, read_calls(table, calls_map), read_tasks(table, tasks_map))
    (tmp_path / "calibrated.yaml").write_text(calibrated_config(cal, root / "configs" / "decentral.yaml", tmp_path))
    model = load_scenario(tmp_path / "calibrated.yaml")
    first, n_days = log_window(cal.measured)
    samples = window_samples(model, first, n_days, windows, seed=1)
    rows = compare(cal.measured, samples)
    return cal, flag_counts(rows, samples), model


def test_round_trip_today_is_reproduced_within_the_models_own_spread(tmp_path: Path) -> None:
    """The round trip of issue 25: a 14-day log simulated from a config with a weekday profile and public
    holidays, calibrated, and simulated again over the log's own days (40 runs) agrees with what it was
    calibrated from.

    The criterion is one test of the whole comparison at once, at 5%: the number of measured figures outside
    the range of 95% of the model's runs (each figure's exact Monte Carlo rank test) is no larger than the
    model's own logs show, each of its runs taken in turn as the log and judged against the others (which
    holds every dependence between the 60-odd figures: answered and abandoned are complements, the hours make
    up the day; a binomial count would not). It passes if p_global > 0.05. A test that cannot fail proves
    nothing, so the same log against a model without one of Stedenbouw's two secretaries (a vacancy the config
    does not know of) must fail it. (Measured: a model with half again as many calls, or callers three times
    less patient, passes, and one whose secretaries are ill 25% of the time instead of 6% gives p = 0.10: in the
    decentral sector the phone is answered at once when its secretary is there and not at all when she is away,
    so service follows presence, not the load or patience; the comparison judges service, not volumes; and a
    fortnight is a short look at absence.)"""
    pytest.importorskip("holidays")
    cal, counts, model = _round_trip(tmp_path, days=14, seed=2, windows=40)
    # the calendar and the weekday profile reach the calibrated config
    assert model.calendar.holidays == "NL" and model.demand.weekday_profile is not None
    assert {r["days"] for r in cal.measured} == {14} and {r["first"] for r in cal.measured} == {"2025-04-07"}
    assert counts["compared"] >= 55
    assert counts["p_global"] > 0.05, counts

    from sim.data.measured import compare, flag_counts, log_window, window_samples

    data = model.model_dump(mode="json")
    data["organisation"]["secretaries"] = [x for x in data["organisation"]["secretaries"] if x["name"] != "Anna"]
    wrong_model = parse_scenario(data)
    first, n_days = log_window(cal.measured)
    samples = window_samples(wrong_model, first, n_days, 40, seed=1)
    wrong = flag_counts(compare(cal.measured, samples), samples)
    assert wrong["p_global"] <= 0.05 and wrong["outside"] > 3 * wrong["expected"], wrong


@pytest.mark.slow
@pytest.mark.parametrize("days,seed", [(14, 1), (14, 3), (14, 4), (60, 1), (60, 2)])
def test_round_trip_long_form(tmp_path: Path, days: int, seed: int) -> None:
    """The long form: more seeds, and a 60-day log (whose figures are precise enough to show a bias of the
    calibration that a fortnight hides), each judged by the same global test at 5% over 60 runs."""
    pytest.importorskip("holidays")
    _, counts, _ = _round_trip(tmp_path, days=days, seed=seed, windows=60)
    assert counts["p_global"] > 0.05, counts
