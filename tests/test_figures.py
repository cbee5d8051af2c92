"""Figures: each is drawn from a small simulated comparison and checked for what it shows (axes and units,
series, and plotted values equal to the data), independently recomputed here from the tables."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from scipy import stats

import sim
from sim.config import parse_scenario
from sim.core.model import flatten_kpis
from sim.presentation import figures as F

ROOT = Path(__file__).resolve().parent.parent
SETUPS = ("decentral", "central")
REPS = 3


@pytest.fixture(scope="module")
def data() -> dict:
    """Two setups x 3 replications of 3 measured days (common seeds), as tidy rows, plus one event log."""
    kpis, tables, events = [], defaultdict(list), []
    for name in SETUPS:
        scenario = sim.load_scenario(ROOT / "configs" / f"{name}.yaml", ["run.days=3", "run.warmup_days=1"])
        for rep in range(REPS):
            log = None
            if name == "central" and rep == 0:
                def log(s, e, who, what, detail):
                    events.append({"start_minute": s, "end_minute": e, "secretary": who, "activity": what,
                                   "detail": detail})
            result = sim.run_replication(scenario, seed=100 + rep, event_log=log)
            for k, v in flatten_kpis(result.kpi).items():
                kpis.append({"setup": name, "replication": rep, "seed": 100 + rep, "kpi": k, "value": v})
            for table, rows in result.tables.items():
                tables[table] += [{"setup": name, "replication": rep, **row} for row in rows]
    return {"kpis": kpis, "tables": dict(tables), "events": events}


def t_interval(values):
    xs = np.array([v for v in values if v is not None], dtype=float)
    half = stats.t.ppf(0.975, len(xs) - 1) * xs.std(ddof=1) / math.sqrt(len(xs))
    return xs.mean(), xs.mean() - half, xs.mean() + half


def logit_interval(values):
    """An independent oracle of the share interval: Student-t on the logit scale by the delta method."""
    xs = np.array([v for v in values if v is not None], dtype=float)
    m = xs.mean()
    half = stats.t.ppf(0.975, len(xs) - 1) * xs.std(ddof=1) / math.sqrt(len(xs)) / (m * (1 - m))
    logit = math.log(m / (1 - m))
    return m, 1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half)))


def by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


# ------------------------------------------------------------------------------------------------ helpers
def test_mean_ci_is_the_student_t_interval():
    m, lo, hi = t_interval([0.5, 0.7, 0.9, 0.4])
    got = F.mean_ci([0.5, 0.7, 0.9, 0.4, None, ""])
    assert got["n"] == 4
    assert got["mean"] == pytest.approx(m) and got["ci_low"] == pytest.approx(lo)
    assert got["ci_high"] == pytest.approx(hi)
    one = F.mean_ci([0.3])
    assert one["mean"] == 0.3 and math.isnan(one["ci_low"])


def test_figures_take_data_frames_too(data):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(data["tables"]["per_hour"])
    a = F.hourly_profile(frame).axes[0]
    b = F.hourly_profile(data["tables"]["per_hour"]).axes[0]
    assert [p.get_height() for p in a.patches] == [p.get_height() for p in b.patches]


def test_save_writes_png_and_svg(data, tmp_path):
    fig = F.hourly_profile(data["tables"]["per_hour"])
    paths = F.save(fig, tmp_path, "hourly")
    assert [p.name for p in paths] == ["hourly.png", "hourly.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]
    assert not list(tmp_path.glob(".*"))  # no temporary files left


# -------------------------------------------------------------------------------------- service level
def sweep_rows():
    """A tiny sweep: the central setup with 2, 3 and 4 secretaries in a round-the-clock M/M/c queue."""
    rows = []
    for c in (2, 3, 4):
        scenario = parse_scenario({
            "name": "mmc", "run": {"days": 2, "warmup_days": 1},
            "calendar": {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                         "open": "00:00", "close": "24:00"},
            "organisation": {"setup": "central", "departments": [{"name": "D", "staff": 1, "cluster": "C"}],
                             "secretaries": [{"name": f"S{i}", "departments": ["D"], "start": "00:00",
                                              "end": "24:00", "lunch_minutes": 0} for i in range(c)]},
            "absence": {"sickness": {"share": 0}, "leave": {"days_per_year": 0}},
            "demand": {"calls": {"per_staff_per_day": 1.5 * 1440,
                                 "profile": {"start": "00:00", "slot_minutes": 60, "weights": [1] * 24},
                                 "talk_minutes": {"dist": "exponential", "mean": 1.0},
                                 "custom_share": 0, "callback_share": 0},
                       "tasks": {"email": {"per_staff_per_day": 100, "work_minutes": {"dist": "exponential",
                                                                                     "mean": 1.0},
                                           "norm_working_hours": 1}}},
        })
        for rep in range(REPS):
            kpi = flatten_kpis(sim.run_replication(scenario, seed=rep).kpi)
            for k, v in kpi.items():
                rows.append({"setup": "mmc", "secretaries": c, "replication": rep, "kpi": k, "value": v})
    return rows


def test_service_level_curve_draws_means_bands_and_norms():
    rows = sweep_rows()
    fig = F.service_level_curve(rows, "secretaries")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "secretaries (headcount)"
    assert "%" in ax.get_ylabel() and "95% CI" in ax.get_ylabel()
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    # default KPIs: reachability and each back-office type's service level (phone is reachability again)
    # (no call-backs in this case: an unmeasured service level draws no line)
    assert {g for g in lines if g.startswith("line:")} == {"line:reachability", "line:service_level.email"}
    for kpi in ("reachability", "service_level.email"):
        line = lines[f"line:{kpi}"]
        assert list(line.get_xdata()) == [2, 3, 4]
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            values = [r["value"] for r in rows if r["kpi"] == kpi and r["secretaries"] == x]
            assert y == pytest.approx(100 * np.mean(values))
    # more servers, better service: the curve rises (M/M/c at load 1.5)
    reach = lines["line:reachability"].get_ydata()
    assert reach[0] < reach[1] < reach[2]
    # norm lines at the cited targets
    assert lines["norm:reachability"].get_ydata()[0] == pytest.approx(80)
    assert lines["norm:service_level.email"].get_ydata()[0] == pytest.approx(85)
    # a band per KPI with intervals, within 0-100%
    bands = [c for c in ax.collections if isinstance(c, PolyCollection) and
             c.get_gid() == "band:reachability"]
    assert len(bands) == 1
    verts = bands[0].get_paths()[0].vertices
    assert verts[:, 1].min() >= 0 and verts[:, 1].max() <= 100
    _, lo, hi = logit_interval([r["value"] for r in rows
                                if r["kpi"] == "reachability" and r["secretaries"] == 2])
    ys_at_2 = verts[np.isclose(verts[:, 0], 2), 1]
    assert ys_at_2.min() == pytest.approx(100 * lo)
    assert ys_at_2.max() == pytest.approx(100 * hi)


def test_service_level_curve_accepts_summaries_and_rejects_bad_input():
    rows = [{"fte": f, "kpi": "reachability", "mean": m, "ci_low": m - 0.05, "ci_high": m + 0.05}
            for f, m in ((10, 0.6), (11, 0.75), (12, 0.85))]
    line = F.service_level_curve(rows, "fte").axes[0].get_lines()[0]
    assert list(line.get_ydata()) == pytest.approx([60, 75, 85])
    with pytest.raises(ValueError, match="no column 'staff'"):
        F.service_level_curve(rows, "staff")
    with pytest.raises(ValueError, match="no KPI coverage"):
        F.service_level_curve(rows, "fte", kpis=["coverage"])


# --------------------------------------------------------------------------------------------- by hour
def test_hourly_profile_bars_are_the_hourly_means(data):
    fig = F.hourly_profile(data["tables"]["per_hour"])
    rows = [r for r in data["tables"]["per_hour"] if r["offered"]]  # hours with after-hours calls only: no bar
    top, middle, bottom = fig.axes[:3]
    assert "reachability" in top.get_ylabel() and "%" in top.get_ylabel()
    assert "all callers" in middle.get_ylabel() and "abandoned" in bottom.get_ylabel()
    assert bottom.get_xlabel() == "hour of the day the call arrived"
    hours = sorted({r["hour"] for r in rows})
    assert [t.get_text() for t in bottom.get_xticklabels()] == [f"{h:02d}:00" for h in hours]
    for setup in SETUPS:
        bars = by_gid(top.patches, f"reachability:{setup}")
        waits = by_gid(middle.patches, f"wait_all_seconds:{setup}")
        (asa,) = by_gid(middle.get_lines(), f"asa_seconds:{setup}")
        gave_up = by_gid(bottom.patches, f"abandoned_share:{setup}")
        mine = [r for r in rows if r["setup"] == setup]
        setup_hours = sorted({r["hour"] for r in mine})
        assert len(bars) == len(waits) == len(gave_up) == len(setup_hours)
        for j, (bar, wait, h) in enumerate(zip(bars, waits, setup_hours, strict=True)):
            at = [r for r in mine if r["hour"] == h]
            assert bar.get_height() == pytest.approx(100 * np.mean([r["reachability"] for r in at]))
            everyone = [r["wait_all_seconds"] for r in at if r["wait_all_seconds"] is not None]
            assert wait.get_height() == pytest.approx(np.mean(everyone) if everyone else 0, nan_ok=True)
            answered = [r["asa_seconds"] for r in at if r["asa_seconds"] is not None]
            assert asa.get_ydata()[j] == pytest.approx(np.mean(answered) if answered else math.nan, nan_ok=True)
            assert gave_up[j].get_height() == pytest.approx(
                100 * np.mean([r["abandoned"] / r["offered"] for r in at]))
    assert by_gid(top.get_lines(), "norm")[0].get_ydata()[0] == pytest.approx(80)
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["norm 80%", *SETUPS]


# ------------------------------------------------------------------------------------------------ ECDF
def test_wait_ecdf_shows_every_caller_and_working_hour_lead_times(data):
    rows = data["tables"]["time_histograms"]
    fig = F.wait_ecdf(rows, norms_minutes={"phone_wait": 20 / 60, "email:working": 17 * 60})
    working = [t for t in dict.fromkeys(r["type"] for r in rows) if t.endswith(":working")]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 1 + len(working)  # calls, then each type's lead time in working hours
    calls = visible[0]
    assert calls.get_title() == "call wait: all callers" and calls.get_xscale() == "log"
    assert by_gid(calls.get_lines(), "norm:phone_wait")[0].get_xdata()[0] == pytest.approx(20)
    for setup in SETUPS:
        mine = [r for r in rows if r["setup"] == setup]
        answered = sum(r["count"] for r in mine if r["type"] == "phone_wait")
        total = answered + sum(r["count"] for r in mine if r["type"] == "phone_abandoned_wait")
        (everyone,) = by_gid(calls.get_lines(), f"ecdf:phone:all callers:{setup}")
        (ans,) = by_gid(calls.get_lines(), f"ecdf:phone:answered:{setup}")
        assert everyone.get_ydata()[-1] == pytest.approx(100)  # every caller waited some finite time
        assert ans.get_ydata()[-1] == pytest.approx(100 * answered / total)  # the rest gave up
    email = next(ax for ax in visible if ax.get_title() == "lead time: email")
    assert email.get_xscale() == "log" and email.get_xlabel() == "working hours (log)"
    assert by_gid(email.get_lines(), "norm:email:working")[0].get_xdata()[0] == pytest.approx(17)
    for setup in SETUPS:
        (line,) = by_gid(email.get_lines(), f"ecdf:email:working:{setup}")
        per_rep = defaultdict(lambda: defaultdict(float))
        for r in rows:
            if r["type"] == "email:working" and r["setup"] == setup:
                per_rep[r["replication"]][r["upper_minutes"]] += r["count"]
        xs = sorted({x for acc in per_rep.values() for x in acc})
        curves = [np.cumsum([acc.get(x, 0) for x in xs]) / sum(acc.values()) for acc in per_rep.values()]
        assert list(line.get_xdata()[1:]) == pytest.approx([x / 60 for x in xs])
        assert list(line.get_ydata()[1:]) == pytest.approx(list(100 * np.mean(curves, axis=0)))
        (band,) = by_gid(email.collections, f"band:email:working:{setup}")
        ys = band.get_paths()[0].vertices[:, 1]
        assert ys.min() >= 0 and ys.max() <= 100  # a band across replications, inside 0-100%
    wall = F.wait_ecdf(rows, types=["email"])
    assert wall.axes[0].get_xlabel() == "wall-clock hours (log)"


# ------------------------------------------------------------------------------------------- heat map
def test_utilisation_heatmap_cells_are_busy_over_present(data):
    rows = data["tables"]["utilisation_by_hour"]
    fig = F.utilisation_heatmap(rows)
    axes = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in axes] == [f"Utilisation by hour: {s}" for s in SETUPS]
    assert fig.axes[-1].get_ylabel() == "utilisation (% of present time busy)"  # the colour bar
    for ax, setup in zip(axes, SETUPS, strict=True):
        mine = [r for r in rows if r["setup"] == setup]
        grid = ax.get_images()[0].get_array()
        names = [t.get_text() for t in ax.get_yticklabels()]
        secretaries = list(dict.fromkeys(r["secretary"] for r in mine))
        clusters = list(dict.fromkeys(r["cluster"] for r in mine))
        assert sorted(names) == sorted(secretaries + [f"{c} (cluster)" for c in clusters])
        assert names[-len(clusters):] == [f"{c} (cluster)" for c in clusters]
        hours = [int(t.get_text()[:2]) for t in ax.get_xticklabels()]
        for i, name in enumerate(names):
            cluster = name[:-len(" (cluster)")] if name.endswith(" (cluster)") else None
            own = [r for r in mine if (r["cluster"] == cluster if cluster else r["secretary"] == name)]
            by_hour = {h: sum(r["present_minutes"] for r in own if r["hour"] == h) for h in hours}
            for j, h in enumerate(hours):
                cell = [r for r in own if r["hour"] == h]
                present = by_hour[h]
                if present < 0.05 * max(by_hour.values()):  # hardly present that hour: left white
                    assert np.ma.is_masked(grid[i, j]) or math.isnan(grid[i, j])
                else:
                    assert grid[i, j] == pytest.approx(100 * sum(r["busy_minutes"] for r in cell) / present)


def test_utilisation_matrix_leaves_hours_with_hardly_any_presence_white():
    rows = [{"secretary": "A", "cluster": "C", "hour": h, "present_minutes": 60, "busy_minutes": 30}
            for h in range(9, 17)]
    rows.append({"secretary": "A", "cluster": "C", "hour": 17, "present_minutes": 2, "busy_minutes": 2})
    rows.append({"secretary": "B", "cluster": "C", "hour": 9, "present_minutes": 60, "busy_minutes": 45})
    names, hours, grid = F.utilisation_matrix(rows)
    assert names == ["A", "B", "C (cluster)"] and hours == list(range(9, 18))
    assert list(grid[0, :8]) == [0.5] * 8 and np.isnan(grid[0, 8])  # 2 minutes finishing a call at 17:00
    assert grid[1, 0] == 0.75 and np.isnan(grid[1, 1:]).all()
    assert grid[2, 0] == pytest.approx(75 / 120) and grid[2, 1] == 0.5 and np.isnan(grid[2, 8])
    assert F.utilisation_matrix(rows, min_presence=0)[2][0, 8] == 1.0


# ------------------------------------------------------------------------------------------ departments
def test_department_view_shows_levels_and_paired_changes(data):
    rows = data["tables"]["per_department"]
    fig = F.department_view(rows)
    assert len(fig.axes) == 6  # 3 metrics x (levels, change from decentral)
    depts = list(dict.fromkeys(r["department"] for r in rows))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == depts
    assert fig.axes[0].get_xlabel() == "replaceability (%)"
    assert fig.axes[4].get_xlabel() == "change vs decentral (pp)"
    for col, metric in enumerate(F.DEPARTMENT_METRICS):
        top, diff = fig.axes[col], fig.axes[3 + col]
        for setup in SETUPS:
            bars = by_gid(top.patches, f"{metric}:{setup}")
            assert len(bars) == len(depts)
            for bar, dept in zip(bars, depts, strict=True):
                values = [r[metric] for r in rows if r["setup"] == setup and r["department"] == dept
                          and r[metric] is not None]
                assert bar.get_width() == pytest.approx(100 * np.mean(values) if values else 0, nan_ok=True)
        changes = by_gid(diff.patches, f"diff:{metric}:central")
        for bar, dept in zip(changes, depts, strict=True):
            per_rep = {(r["setup"], r["replication"]): r[metric] for r in rows if r["department"] == dept}
            d = [per_rep["central", i] - per_rep["decentral", i] for i in range(REPS)
                 if per_rep["central", i] is not None and per_rep["decentral", i] is not None]
            expected = 100 * np.mean(d) if d else 0.0
            assert bar.get_width() == pytest.approx(expected)
            assert to_hex(bar.get_facecolor()) == (F.GAIN if expected >= 0 else F.LOSS).lower()
    # the central pool covers every department all the time: no department loses coverage
    assert all(b.get_width() >= 0 for b in by_gid(fig.axes[4].patches, "diff:coverage:central"))


def test_department_view_of_one_setup_has_no_change_row(data):
    rows = [r for r in data["tables"]["per_department"] if r["setup"] == "central"]
    assert len(F.department_view(rows).axes) == 3
    with pytest.raises(ValueError, match="no setup 'x'"):
        F.department_view(rows, baseline="x")


# ---------------------------------------------------------------------------------------- comparison
def test_setup_comparison_draws_intervals_and_paired_differences(data):
    rows = data["kpis"]
    fig = F.setup_comparison(rows)
    left, right = fig.axes
    kpis = [k for k in F.DEFAULT_COMPARE_KPIS if any(r["kpi"] == k for r in rows)]
    assert [t.get_text() for t in left.get_yticklabels()] == [F.kpi_label(k) for k in kpis]
    assert "95% CI" in left.get_xlabel() and "percentage points" in right.get_xlabel()
    assert [t.get_text() for t in left.get_legend().get_texts()] == list(SETUPS)
    for setup in SETUPS:
        line = next(c for c in left.containers if c.get_label() == setup).lines[0]
        for x, kpi in zip(line.get_xdata(), kpis, strict=True):
            assert x == pytest.approx(100 * t_interval([r["value"] for r in rows
                                                        if r["setup"] == setup and r["kpi"] == kpi])[0])
    container = next(c for c in right.containers if c.get_label() == "central - decentral")
    diff = container.lines[0]
    segments = container.lines[2][0].get_segments()
    for x, seg, kpi in zip(diff.get_xdata(), segments, kpis, strict=True):
        per = {(r["setup"], r["replication"]): r["value"] for r in rows if r["kpi"] == kpi}
        d = [per["central", i] - per["decentral", i] for i in range(REPS)]
        m, lo, hi = t_interval(d)
        assert x == pytest.approx(100 * m)
        assert seg[0][0] == pytest.approx(max(-100, 100 * lo))
        assert seg[1][0] == pytest.approx(min(100, 100 * hi))


def test_setup_comparison_refuses_kpis_that_are_not_shares(data):
    with pytest.raises(ValueError, match="not a share: asa_seconds"):
        F.setup_comparison(data["kpis"], kpis=["reachability", "asa_seconds"])


# ------------------------------------------------------------------------------------------ day in life
def test_event_log_covers_every_secretary_to_the_end(data):
    """Regression: an absence still running at the end of the run was missing from the event log."""
    spans = defaultdict(list)
    for e in data["events"]:
        spans[e["secretary"]].append((e["start_minute"], e["end_minute"]))
    end = max(e for v in spans.values() for _, e in v)
    assert len(spans) == 15
    for iv in spans.values():
        iv.sort()
        assert iv[0][0] == 0 and iv[-1][1] == end
        assert all(a[1] == pytest.approx(b[0]) for a, b in zip(iv, iv[1:], strict=False))


def test_day_in_the_life_draws_what_each_secretary_did(data):
    events = data["events"]
    day = F.default_day(events)
    fig = F.day_in_the_life(events, day)
    ax = fig.axes[0]
    names = list(dict.fromkeys(e["secretary"] for e in events))
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert ax.get_xlabel() == "time of day (h)" and ax.get_ylabel() == "secretary"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(F.ACTIVITY_COLOURS)
    lo, hi = day * 1440, (day + 1) * 1440
    for name in names:
        drawn = defaultdict(float)
        for coll in ax.collections:
            gid = coll.get_gid() or ""
            if gid.startswith(f"{name}:"):
                category = gid.split(":", 1)[1]
                assert to_hex(coll.get_facecolor()[0]) == F.ACTIVITY_COLOURS[category].lower()
                drawn[category] += sum(p.get_extents().width for p in coll.get_paths())
        # the whole day is accounted for, and the call time drawn is the call time logged
        assert sum(drawn.values()) == pytest.approx(24.0)
        calls = sum(min(e["end_minute"], hi) - max(e["start_minute"], lo) for e in events
                    if e["secretary"] == name and e["activity"] == "call" and e["end_minute"] > lo
                    and e["start_minute"] < hi)
        assert drawn.get("call", 0.0) == pytest.approx(calls / 60)
    assert ax.get_xlim()[0] <= 8.5 and ax.get_xlim()[1] >= 17


def test_day_in_the_life_needs_a_working_day(data):
    with pytest.raises(ValueError, match="nobody worked on day 5"):  # day 5 is a Saturday
        F.day_in_the_life(data["events"], 5)


# ------------------------------------------------------------------------------------- SIPP per interval
def test_sipp_rows_and_figure_against_erlang(data):
    from sim.experiments.validate import sipp_rows
    from sim.theory import sipp_service_level

    scenario = sim.load_scenario(ROOT / "configs" / "central.yaml", ["run.days=3", "run.warmup_days=1"])
    rows = [r for r in data["tables"]["per_half_hour"] if r["setup"] == "central"]
    table = sipp_rows(rows, scenario)
    assert table and all(0 <= r["sipp_service_level"] <= 1 for r in table)
    first = table[0]
    mine = [r for r in rows if r["slot"] == first["slot"]]
    lam = sum(r["offered"] for r in mine) / len(mine) / 3 / 30
    present = sum(r["present_mean"] for r in mine) / len(mine)
    assert first["calls_per_hour"] == pytest.approx(60 * lam)
    assert first["present"] == pytest.approx(present)
    # the central config: lognormal talk, mean 3 min; exponential patience, mean 60 s; norm 20 s
    assert first["sipp_service_level"] == pytest.approx(sipp_service_level(present, lam, 1 / 3, 1.0, 1 / 3))
    assert 0 <= first["ci_low"] <= first["simulated"] <= first["ci_high"] <= 1
    fig = F.sipp_figure(table)
    top, bottom = fig.axes
    assert by_gid(bottom.get_lines(), "norm")[0].get_ydata()[0] == pytest.approx(80)
    (theory_line,) = by_gid(bottom.get_lines(), "sipp")
    assert list(theory_line.get_ydata()) == pytest.approx([100 * r["sipp_service_level"] for r in table])


def test_sipp_service_level_interpolates_fractional_staff():
    from sim.theory import erlang_c_service_level, sipp_service_level

    lam, mu, t = 1.0, 1 / 3, 1 / 3
    assert sipp_service_level(4, lam, mu, 0.0, t) == pytest.approx(erlang_c_service_level(4, lam, mu, t))
    mid = sipp_service_level(4.25, lam, mu, 0.0, t)
    assert mid == pytest.approx(0.75 * erlang_c_service_level(4, lam, mu, t) +
                                0.25 * erlang_c_service_level(5, lam, mu, t))
    assert sipp_service_level(2, lam, mu, 0.0, t) == 0.0  # unstable without abandonment
    assert sipp_service_level(3, 0.0, mu, 0.0, t) == 1.0


# --------------------------------------------------------------------------- read back: size, text, norms
def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_figures_read_back_fit_the_page_with_readable_text_and_norm_lines(data, tmp_path):
    from matplotlib.image import imread

    from sim.experiments.validate import sipp_rows

    scenario = sim.load_scenario(ROOT / "configs" / "central.yaml", ["run.days=3", "run.warmup_days=1"])
    tables = data["tables"]
    sweep_rows = [{**r, "policy": p, "load": x} for p in ("none", "pool") for x in (0.2, 0.4)
                  for r in data["kpis"] if r["setup"] == "central"]
    figures = {
        "hourly": (F.hourly_profile(tables["per_hour"]), "norm"),
        "ecdf": (F.wait_ecdf(tables["time_histograms"], norms_minutes={"phone_wait": 1 / 3,
                                                                       "email:working": 17 * 60}),
                 "norm:phone_wait"),
        "sipp": (F.sipp_figure(sipp_rows([r for r in tables["per_half_hour"] if r["setup"] == "central"],
                                         scenario)), "norm"),
        "sweep": (F.sweep_effects(sweep_rows, ["policy", "load"]), "norm:reachability"),
        "departments": (F.department_view(tables["per_department"]), None),
        "compare": (F.setup_comparison(data["kpis"]), None),
        "utilisation": (F.utilisation_heatmap(tables["utilisation_by_hour"]), None),
    }
    dpi = F.STYLE["savefig.dpi"]
    for name, (fig, norm_gid) in figures.items():
        small = [(t.get_text()[:30], t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 9]
        assert not small, (name, small)  # shown at its own size in the report, so 9 points on screen
        png, svg = F.save(fig, tmp_path, name, ("png", "svg"))
        height, width = imread(png).shape[:2]
        assert width <= F.PAGE_WIDTH * dpi + 1, (name, width)  # fits the report's column, never scaled down
        assert height <= 12 * dpi, (name, height)
        if norm_gid:
            assert f'id="{norm_gid}"' in svg.read_text(encoding="utf-8"), name  # the norm line is drawn


# ------------------------------------------------------------------------ the business case against today
def _case() -> dict:
    """A business case as ``summary.json`` holds it (only what the figures read), built by hand: central
    against today's decentral, two departments, a loss beyond the tolerance in A's continuity."""
    gain_loss = [
        {"department": "A", "kpi": "reachability", "today": 0.7, "new": 0.9, "better_points": 20.0,
         "tolerance_points": 3.0, "verdict": "gain"},
        {"department": "A", "kpi": "continuity", "today": 1.0, "new": 0.85, "better_points": -15.0,
         "tolerance_points": 1.0, "verdict": "loss"},
        {"department": "B", "kpi": "reachability", "today": 0.8, "new": 0.805, "better_points": 0.5,
         "tolerance_points": 2.0, "verdict": "same"},
        {"department": "B", "kpi": "calls_abandoned", "today": 0.1, "new": 0.12, "better_points": -2.0,
         "tolerance_points": 3.0, "verdict": "same"},
    ]

    def iv(mean: float) -> dict:
        return {"mean": mean, "ci_low": mean - 0.05, "ci_high": min(1.0, mean + 0.05), "n": 3}

    curve = [{"fte": f, "feasible": f >= 9.4, "reachability": iv(0.9 + 0.01 * i), "calls_abandoned": iv(0.05),
              "utilisation": iv(0.8 - 0.03 * i), "worst_department_margin": {"reachability": 0.01 * i,
                                                                           "continuity": -0.01 + 0.01 * i}}
             for i, f in enumerate((9.2, 10.4, 12.0))]
    return {"reference": "decentral", "baseline": "config", "today_fte": 12.0,
            "setups": {"decentral": {"fte": 12.0, "gain_loss": None, "service_curve": None},
                       "central": {"fte": 9.4, "gain_loss": gain_loss, "service_curve": curve}}}


def test_gain_loss_figure_shows_each_department_s_change_against_today():
    fig = F.gain_loss_figure(_case())
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "central (recommended, 9.4 FTE) against today (decentral, 12.0 FTE)"
    image = next(im for im in ax.get_images() if im.get_gid() == "gain_loss:central")
    grid = image.get_array()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
        "reachability", "calls abandoned", "continuity"]
    assert grid[0, 0] == 20.0 and grid[0, 2] == -15.0 and grid[1, 1] == -2.0 and np.ma.is_masked(grid[0, 1])
    low, high = image.get_clim()
    assert low == -high == -20.0  # symmetric: white is no change
    assert image.get_cmap()(0.0)[0] > image.get_cmap()(0.0)[2]  # worse is red
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert texts["cell:central:A:continuity"] == "-15.0!" and texts["cell:central:A:reachability"] == "+20.0+"
    assert texts["cell:central:B:calls_abandoned"] == "-2.0"  # within the tolerance: no mark
    framed = [p.get_gid() for p in ax.patches if p.get_gid()]
    assert framed == ["loss:central:A:continuity"]
    assert "1 of 2 departments worse than today" in ax.get_xlabel()


def test_service_curve_figure_marks_today_and_the_recommended_staffing():
    fig = F.service_curve_figure(_case(), {"reachability": 0.8, "utilisation": 0.85})
    sector, margins = fig.axes[0], fig.axes[1]
    reach = next(c for c in sector.containers if c.get_label() == "reachability [95%]")
    x, y = reach.lines[0].get_data()
    assert list(x) == [9.2, 10.4, 12.0] and list(y) == pytest.approx([90.0, 91.0, 92.0])
    lines = {li.get_gid(): li for li in sector.get_lines() if li.get_gid()}
    assert lines["today:central"].get_xdata()[0] == 12.0
    assert lines["recommended:central"].get_xdata()[0] == 9.4
    assert lines["norm:central:utilisation"].get_ydata()[0] == pytest.approx(85.0)
    worst = {li.get_gid(): li for li in margins.get_lines() if li.get_gid()}
    assert list(worst["margin:central:continuity"].get_ydata()) == pytest.approx([-1.0, 0.0, 1.0])
    assert "recommended:central" in worst and "today:central" in worst
    with pytest.raises(ValueError, match="no setup with a service curve"):
        F.service_curve_figure({"reference": "x", "setups": {"x": {"service_curve": None}}})
