"""The staffing search: norms, staffing moves that keep the organisation valid, and agreement with a
brute-force grid on a small case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import CONFIGS
from support.staffing import small_data

from sim.cli import main
from sim.config import ConfigError, Scenario, load_scenario, parse_scenario
from sim.core.costs import CostModel
from sim.decisions.staffing import (
    Evaluation,
    SetupStaffing,
    Staffing,
    StaffingSearch,
    Target,
    business_case,
    default_targets,
    parse_target,
    pooled_share,
    targets_for,
)
from sim.experiments.experiment import session
from sim.experiments.stats import Summary
from sim.experiments.store import ResultStore


def small() -> Scenario:
    return parse_scenario(small_data())


# ---------------------------------------------------------------------------------------------- norms
def test_default_norms_cover_every_request_type() -> None:
    s = load_scenario(CONFIGS / "central_hnw.yaml")
    kpis = {t.kpi: t for t in default_targets(s)}
    assert kpis["reachability"] == Target("reachability", ">=", 0.8)
    assert kpis["utilisation"] == Target("utilisation", "<=", 0.85)  # the occupancy ceiling (norms section)
    assert kpis["calls_abandoned"] == Target("calls_abandoned", "<=", 0.05)
    for t in ("callback", "email", "post", "crm", "custom", "legacy", "coordination", "minutes"):
        assert kpis[f"service_level.{t}"].value == 0.85
    assert "service_level.phone" not in kpis


def test_targets_parse_replace_and_switch_off() -> None:
    assert parse_target("reachability=0.7") == ("reachability", Target("reachability", ">=", 0.7))
    assert parse_target("calls_abandoned<=0.1")[1] == Target("calls_abandoned", "<=", 0.1)
    assert parse_target("x=off") == ("x", None)
    for bad in ("reachability", "reachability=high", "=0.5"):
        with pytest.raises(ConfigError):
            parse_target(bad)
    ts = targets_for(small(), ["reachability=0.9", "calls_abandoned=off", "utilisation<=0.7"])
    assert {t.kpi: t.value for t in ts if t.department is None} == {
        "reachability": 0.9, "service_level.callback": 0.85, "service_level.email": 0.85, "utilisation": 0.7}
    # every department gets the sector's call norms as overridden, and the service-level norm on its back-office
    # tasks (calls and tasks are separate norms)
    dept = {(t.department, t.kpi): t.value for t in ts if t.department is not None}
    assert dept == {("A", "reachability"): 0.9, ("A", "tasks_within_norm"): 0.85,
                    ("B", "reachability"): 0.9, ("B", "tasks_within_norm"): 0.85}
    # a department's own norm binds that department only, and replaces what it had
    ts = targets_for(small(), ["A:abandoned<=0.37", "B:reachability>=0.6"])
    dept = {(t.department, t.kpi): t.value for t in ts if t.department is not None}
    assert dept[("A", "calls_abandoned")] == 0.37 and dept[("B", "calls_abandoned")] == 0.05
    assert dept[("B", "reachability")] == 0.6 and dept[("A", "reachability")] == 0.8
    for bad in ("Nowhere:abandoned<=0.3", "A:utilisation<=0.3"):
        with pytest.raises(ConfigError):
            targets_for(small(), [bad])


def test_a_norm_holds_when_its_interval_is_on_the_right_side() -> None:
    at_least, at_most = Target("k", ">=", 0.8), Target("k", "<=", 0.05)
    assert at_least.margin(Summary(0.9, 0.1, 0.82, 0.98, 5)) == pytest.approx(0.02)
    assert at_least.margin(Summary(0.85, 0.1, 0.78, 0.92, 5)) == pytest.approx(-0.02)  # mean is not enough
    assert at_most.margin(Summary(0.03, 0.01, 0.02, 0.06, 5)) == pytest.approx(-0.01)
    assert at_least.margin(Summary(None, None, None, None, 0)) is None  # not measured: no norm
    assert at_least.margin(Summary(0.9, None, None, None, 1)) == float("-inf")  # one value: no confidence


# ---------------------------------------------------------------------------------------------- moves
def test_removing_days_shortens_the_longest_contract_and_keeps_everyone() -> None:
    s = load_scenario(CONFIGS / "decentral.yaml")
    st = Staffing.of(s)
    assert st.fte(s) == pytest.approx(12.0)
    # Stedenbouw: Anna full time, Bea mon-wed; Anna has the most days, and of hers mon-wed are the busiest,
    # latest first: Anna's wednesday
    one = st.remove_day(s, "Stedenbouw")
    assert one is not None
    assert {x.name: x.days for x in one.secretaries}["Anna"] == ["mon", "tue", "thu", "fri"]
    assert one.fte(s) == pytest.approx(12.0 - 0.2)
    cur = st
    for _ in range(4):  # Anna down to two days, Bea to two (min_contract_days); nobody leaves
        nxt = cur.remove_day(s, "Stedenbouw")
        assert nxt is not None
        cur = nxt
    assert cur.spread(s)["Stedenbouw"]["secretaries"] == {"Anna": ["mon", "thu"], "Bea": ["tue", "wed"]}
    assert cur.remove_day(s, "Stedenbouw") is None  # allow_leavers is false by default
    cur.apply(s)  # still a valid organisation
    leavers = s.model_copy(update={"staffing": s.staffing.model_copy(update={"allow_leavers": True})})
    gone = cur.remove_day(leavers, "Stedenbouw")  # now one may leave: Bea (ties: the last listed)
    assert gone is not None and gone.spread(s)["Stedenbouw"]["secretaries"] == {"Anna": ["mon", "thu"]}
    assert gone.remove_day(leavers, "Stedenbouw") is None  # the department keeps a secretary of its own


def test_adding_days_fills_part_timers_then_hires_on_the_missing_shift() -> None:
    s = load_scenario(CONFIGS / "decentral.yaml")
    st = Staffing.of(s)
    plus = st.add_day(s, "Stedenbouw")  # Bea works mon-wed: she gets thursday
    assert {x.name: x.days for x in plus.secretaries}["Bea"] == ["mon", "tue", "wed", "thu"]
    v = st.add_day(s, "Verkeer")  # Esther alone, full time, early shift: a newcomer on the late shift
    new = {x.name: x for x in v.secretaries}["Verkeer+1"]
    assert new.days == ["mon", "tue", "wed"] and new.departments == ["Verkeer"]  # staffing.new_hire_days
    assert (new.start, new.end) == ("09:18", "17:00")
    assert v.apply(s).fte() == pytest.approx(12.6)
    less = v.remove_day(s, "Verkeer")  # the newcomer goes first, down to two days, then she leaves
    assert less is not None and {x.name: x.days for x in less.secretaries}["Verkeer+1"] == ["mon", "tue"]
    again = less.remove_day(s, "Verkeer")
    assert again is not None and again.key() == st.key()


def test_moves_in_the_central_setup_stay_within_clusters() -> None:
    s = load_scenario(CONFIGS / "central.yaml")
    st = Staffing.of(s)
    spread = st.spread(s)
    assert set(spread) == {"Ruimte", "Beheer", "Projecten"}
    assert sum(g["fte"] for g in spread.values()) == pytest.approx(12.0)
    less = st.remove_day(s, "Beheer")
    assert less is not None
    assert less.spread(s)["Beheer"]["fte"] == pytest.approx(spread["Beheer"]["fte"] - 0.2)


# --------------------------------------------------------------------------------------------- search
def test_pooled_share_reproduces_the_kpi_of_one_replication() -> None:
    s = small()
    store = ResultStore.open(None, "t", "staff")
    with session(store, workers=1) as runner:
        search = StaffingSearch(s, targets_for(s), runner, 2, 1)
        search.evaluate([Staffing.of(s)], "config", 0)
        recs = store.records(tables=True)
    for kpi in ("reachability", "calls_abandoned", "service_level.email"):
        one = pooled_share(recs[:1], kpi)
        assert one is not None and one.mean == pytest.approx(recs[0].kpis[kpi], abs=1e-12)
    assert pooled_share(recs, "utilisation") is None


def test_search_agrees_with_a_brute_force_grid() -> None:
    """Every staffing of the small case that day-removals reach (10 x 10 grid), on the same seeds: the
    search finds the least FTE that meets the norms, and simulates far fewer staffings than the grid."""
    s = small()
    targets = targets_for(s, ["calls_abandoned=off"])
    store = ResultStore.open(None, "t", "staff")
    with session(store, workers=1) as runner:
        search = StaffingSearch(s, targets, runner, 4, 1)
        best = search.run()
        evaluated = len(search.evaluations)
        start = Staffing.of(s)
        grid = []
        for k_a in range(10):
            a: Staffing | None = start
            for _ in range(k_a):
                a = a.remove_day(s, "A") if a is not None else None
            for k_b in range(10):
                b = a
                for _ in range(k_b):
                    b = b.remove_day(s, "B") if b is not None else None
                if b is not None:
                    grid.append(b)
        evs = search.evaluate(grid, "grid", 0)
    feasible = [e.fte for e in evs if e.feasible]
    assert best.feasible
    assert best.fte == pytest.approx(min(feasible))
    assert evaluated < len(grid) / 3


def test_business_case_arithmetic() -> None:
    """The one-block business case from real search answers: each setup's config (not meeting the norms) and
    least staffing (meeting them), the saving against the first setup's least staffing and its own config,
    priced as ``sim staff`` prices them (central.yaml's costs: a 0.5 FTE manager at 90,000 and 2% coordination
    on top of the secretaries at 62,000; decentral.yaml: the secretaries only)."""
    today = load_scenario(CONFIGS / "decentral.yaml")
    scenario = load_scenario(CONFIGS / "central.yaml")
    staffing = Staffing.of(scenario)

    def answer(fte: float, feasible: bool) -> Evaluation:
        return Evaluation(staffing, "unit", fte, {}, {"reachability": 0.01 if feasible else -0.01})

    store = ResultStore.open(None, "t", "staff")
    with session(store, workers=1) as runner:
        search = StaffingSearch(scenario, targets_for(scenario, []), runner, 4, 1)
        case = business_case([SetupStaffing("dec", today, answer(12, False), answer(14, True), search),
                              SetupStaffing("cen", scenario, answer(12, False), answer(10, True), search)])
    row = case["setups"]["cen"]
    assert row["config_meets_norms"] is False and row["fte"] == 10
    assert row["saving_fte"] == 4 and row["saving_share"] == pytest.approx(4 / 14)
    cen_cost = 10 * 62000 * 1.02 + 0.5 * 90000
    assert row["cost_per_year"] == pytest.approx(cen_cost)
    assert row["cost_config"] == pytest.approx(12 * 62000 * 1.02 + 0.5 * 90000)
    assert case["setups"]["dec"]["cost_per_year"] == pytest.approx(14 * 62000)
    assert row["saving_euro"] == pytest.approx(14 * 62000 - cen_cost) and row["meets_article_saving"] is True
    # the same price as the business case over blocks (sim staff) gives this staffing
    assert row["cost_per_year"] == pytest.approx(CostModel.of(scenario).yearly(10)["total"])
    assert case["setups"]["dec"]["saving_share_vs_config"] == pytest.approx(-2 / 12)
    assert case["setups"]["dec"]["meets_article_saving"] is None  # the reference itself


def test_staff_command_writes_the_business_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "small.yaml"
    a.write_text(yaml.safe_dump(small_data()))
    data = small_data()
    data["name"] = "small_pool"
    data["organisation"]["setup"] = "central"
    data["dispatch"]["exchange"]["policy"] = "pool"
    b = tmp_path / "pool.yaml"
    b.write_text(yaml.safe_dump(data))
    out = tmp_path / "staff"
    with pytest.raises(SystemExit) as exc:
        main(["staff", str(a), str(b), "-r", "3", "--workers", "1", "--target", "calls_abandoned=off",
              "--out", str(out), "--json"])
    assert exc.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    case = summary["business_case"]
    assert case["reference"] == "small" and set(case["setups"]) == {"small", "small_pool"}
    for name, st in summary["setups"].items():
        assert st["least"]["meets_norms"] and st["least"]["fte"] <= st["config"]["fte"] + 1e-9, name
        assert all(n["holds"] is not False for n in st["least"]["norms"].values())
    # the pool serves both departments together: it needs no more staff than separate departments
    assert case["setups"]["small_pool"]["fte"] <= case["setups"]["small"]["fte"] + 1e-9
    written = {p.name for p in out.iterdir()}
    assert {"manifest.json", "summary.json", "kpis.csv", "summary.csv", "trail.csv", "results.sqlite",
            "tables"} <= written
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "staff" and manifest["replications"] == 3
    assert {u["staffing"] for u in manifest["units"]} <= {"config", "least"}
