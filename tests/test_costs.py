"""The finance department's cost questions: the move's cash flow over the years (attrition or redundancy),
payback and net present value computed by hand, the note for a setup without cost figures, and the cost
parameters of ``sim sensitivity``: their tornado bars are the cost formula at the base staffings, they run no
search and no replication, and their break-even value is exact."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import CONFIGS
from support.staffing import small_blocks, small_data, small_pool_data

from sim.config import ConfigError, load_scenario, parse_scenario
from sim.decisions.business import CostModel, business_case, cash_flow, cash_flows, cost_notes
from sim.decisions.sensitivity import Comparison, cost_break_even, parameters, sensitivity
from sim.experiments.experiment import session
from sim.experiments.store import ResultStore

#: today 12 FTE, the setup 9 FTE, 62,000 per FTE, no manager or coordination, 100,000 reorganisation once,
#: attrition 10% a year, 3% discount, 5 years
HAND = CostModel(62000.0, 0.0, 90000.0, 0.0, 100000.0, 0.0, 0.0, horizon_years=5, discount_rate=0.03,
                 attrition_rate=0.10)


def test_cash_flow_under_attrition_by_hand() -> None:
    """12 x 10% = 1.2 FTE leave a year, not replaced: the setup has 10.8, 9.6, then 9.0 FTE (8.4 would be below
    its 9), so it saves 1.2, 2.4, 3.0, 3.0, 3.0 FTE x 62,000 = 74,400, 148,800, 186,000 x 3 a year against
    today's 12 x 62,000 = 744,000. Cumulative: -100,000, -25,600, 123,200, ...: payback in year 2, at
    1 + 25,600 / 148,800 = 1.172 years. NPV at 3%: -100,000 + 74,400 / 1.03 + 148,800 / 1.03^2
    + 186,000 x (1.03^-3 + 1.03^-4 + 1.03^-5) = -100,000 + 72,233.01 + 140,258.27 + 170,216.35 + 165,258.59
    + 160,445.23 = 608,411.45."""
    cf = cash_flow(HAND, HAND, 12.0, 9.0, "attrition")
    rows = cf["rows"]
    assert [r["year"] for r in rows] == [0, 1, 2, 3, 4, 5]
    assert rows[0]["one_off"] == 100000 and rows[0]["net_saving"] == -100000 and rows[0]["cost_setup"] is None
    assert [r["fte_setup"] for r in rows[1:]] == pytest.approx([10.8, 9.6, 9.0, 9.0, 9.0])
    assert [r["cost_today"] for r in rows[1:]] == pytest.approx([744000] * 5)
    assert [r["net_saving"] for r in rows[1:]] == pytest.approx([74400, 148800, 186000, 186000, 186000])
    assert [r["cumulative"] for r in rows] == pytest.approx([-100000, -25600, 123200, 309200, 495200, 681200])
    assert rows[2]["discounted"] == pytest.approx(148800 / 1.03 ** 2)
    assert cf["payback_years"] == pytest.approx(1 + 25600 / 148800) and cf["payback_within_horizon"]
    assert cf["npv"] == pytest.approx(608411.45, abs=0.01)
    assert cf["redundancy_cost"] == 0 and cf["surplus_fte"] == 3.0


def test_cash_flow_under_redundancy_by_hand() -> None:
    """The 3 FTE surplus made redundant at one year's cost each (the default, 62,000): year 0 costs 100,000 +
    186,000 = 286,000, then the full 186,000 a year. Cumulative -286,000, -100,000, 86,000: payback at
    1 + 100,000 / 186,000 = 1.538 years. NPV: -286,000 + 186,000 x annuity(3%, 5) = -286,000 + 186,000 x
    4.579707 = 565,825.54."""
    cf = cash_flow(HAND, HAND, 12.0, 9.0, "redundancy")
    assert cf["redundancy_cost"] == pytest.approx(186000)
    assert [r["net_saving"] for r in cf["rows"]] == pytest.approx([-286000] + [186000] * 5)
    assert cf["payback_years"] == pytest.approx(1 + 100000 / 186000)
    assert cf["npv"] == pytest.approx(-286000 + 186000 * (1 - 1.03 ** -5) / 0.03)
    assert cf["npv"] == pytest.approx(565825.54, abs=0.01)
    # a stated redundancy cost per FTE; both reductions and the chosen one together
    both = cash_flows(replace(HAND, redundancy_per_fte=30000.0), HAND, 12.0, 9.0)
    assert both["chosen"] == "attrition" and both["redundancy"]["rows"][0]["one_off"] == pytest.approx(190000)
    assert both["attrition"]["npv"] == pytest.approx(608411.45, abs=0.01)
    with pytest.raises(ConfigError):
        cash_flow(HAND, HAND, 12.0, 9.0, "early retirement")


def test_payback_after_the_horizon_none_without_saving_and_zero_without_one_off() -> None:
    slow = replace(HAND, horizon_years=1, reorganisation=300000.0)  # -300,000 then 74,400 in year 1
    cf = cash_flow(slow, slow, 12.0, 9.0, "attrition")
    assert not cf["payback_within_horizon"] and cf["payback_years"] == pytest.approx(1 + 225600 / 74400)
    assert cash_flow(HAND, HAND, 12.0, 13.0)["payback_years"] is None  # needs more staff: never pays back
    free = cash_flow(replace(HAND, reorganisation=0.0), HAND, 12.0, 9.0)
    assert free["payback_years"] == 0.0


def test_new_cost_keys_are_read_from_the_config() -> None:
    s = load_scenario(CONFIGS / "central.yaml", [
        "costs.horizon_years=10", "costs.discount_rate=0.04", "costs.reduction=redundancy",
        "costs.attrition_rate=0.05", "costs.redundancy_cost_per_fte=40000", "costs.telephony_once=25000"])
    c = CostModel.of(s)
    assert (c.horizon_years, c.discount_rate, c.reduction, c.attrition_rate, c.redundancy_cost) == \
        (10, 0.04, "redundancy", 0.05, 40000)
    assert c.one_off(10.0)["telephony"] == 25000 and c.one_off(10.0)["total"] == 50000 + 15000 + 25000
    default = CostModel.of(load_scenario(CONFIGS / "central.yaml"))
    assert default.reduction == "attrition" and default.discount_rate == 0.0225 and default.horizon_years == 5
    assert default.redundancy_cost == default.per_fte  # one year's cost per FTE
    with pytest.raises(ConfigError):
        load_scenario(CONFIGS / "central.yaml", ["costs.reduction=firing"])


def test_a_setup_without_cost_figures_is_said_not_silently_zero() -> None:
    bare = parse_scenario(small_data())
    pool = small_pool_data()
    pool["costs"] = {"manager_fte": 0.5, "reorganisation_once": 20000}
    priced = parse_scenario(pool)
    notes = cost_notes([("small", bare), ("small_pool", priced)])
    assert notes == ["small: no manager, coordination or one-off costs set (costs: section missing): today's "
                     "yearly cost counts the secretaries only"]
    notes = cost_notes([("small", bare), ("small_pool", parse_scenario(small_pool_data()))])
    assert len(notes) == 2 and notes[1].startswith("small_pool: no manager") and "payback counts no one-off" \
        in notes[1]
    zero = small_pool_data()
    zero["costs"] = {"manager_fte": 0}
    assert "(all at zero in costs:)" in cost_notes([("a", bare), ("z", parse_scenario(zero))])[1]


def test_business_case_rows_carry_the_cash_flow_and_the_notes() -> None:
    cases = small_blocks("calls_abandoned=off", 1)
    case = business_case(cases, "config")
    assert len(case["cost_notes"]) == 2  # neither small config sets any cost figure
    assert case["setups"]["small"]["cash_flow"] is None  # today's organisation does not move
    row = case["setups"]["small_pool"]
    ref = cases[0]
    expected = cash_flows(CostModel.of(cases[1].scenario), CostModel.of(ref.scenario), ref.config.fte, row["fte"])
    assert row["cash_flow"] == expected and row["cash_flow"]["chosen"] == "attrition"


def _cost_params() -> list:
    return parameters(["manager_fte", "coordination", "cost_per_fte", "reorganisation"])


def test_cost_parameters_run_no_search_and_no_replication() -> None:
    """After the base point, a point that moves only cost figures runs no search and no replication; a point
    that moves a cost figure next to a simulated parameter reuses that parameter's search (a Morris step)."""
    by = {p.name: p for p in parameters(["manager_fte", "coordination", "cost_per_fte", "reorganisation", "talk"])}
    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    store = ResultStore.open(None, "costs-nosim", "sensitivity")
    with session(store, workers=1) as runner:
        cmp = Comparison(ref, alt, runner, 2, 1, targets=("calls_abandoned=off",))
        base = cmp.base()
        ran, searches = runner.ran, cmp.searches
        for name, v in (("manager_fte", 1.0), ("coordination", 0.05), ("cost_per_fte", 70000.0),
                        ("reorganisation", 150000.0)):
            pt = cmp.point([(by[name], v)], name, v)
            assert pt.fte == base.fte and pt.cost["reference"] == base.cost["reference"]
        assert (runner.ran, cmp.searches) == (ran, searches)
        talk = cmp.point([(by["talk"], 1.25)])
        ran, searches = runner.ran, cmp.searches
        both = cmp.point([(by["talk"], 1.25), (by["manager_fte"], 1.0)])
        assert (runner.ran, cmp.searches) == (ran, searches) and both.fte == talk.fte
        assert both.cost["alternative"] == pytest.approx(talk.cost["alternative"] + 90000)


def test_cost_tornado_bars_are_the_cost_formula_at_the_base_staffings_and_break_even_is_exact() -> None:
    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    store = ResultStore.open(None, "costs-tornado", "sensitivity")
    with session(store, workers=1) as runner:
        base_only = sensitivity(ref, alt, runner, 2, 1, params=[], targets=("calls_abandoned=off",),
                                baseline="config")
        ran = runner.ran
        res = sensitivity(ref, alt, runner, 2, 1, params=_cost_params(), targets=("calls_abandoned=off",),
                          baseline="config")
        assert runner.ran == ran  # nothing simulated beyond the base's
    base = res["base"]
    assert base == base_only["base"]
    f, c_ref = base["fte"]["alternative"], base["cost_per_year"]["reference"]
    costs = CostModel.of(alt)
    field = {"manager_fte": "manager_fte", "coordination": "coordination_share", "cost_per_fte": "per_fte",
             "reorganisation": "reorganisation"}
    rows = {r["parameter"]: r for r in res["parameters"]}
    for name, r in rows.items():
        assert r["cost_only"] and r["setups"] == ["alternative"]
        for pt in r["points"]:
            assert pt["fte"] == base["fte"]  # the base's least staffings
            at = replace(costs, **{field[name]: pt["value"]})
            assert pt["saving"] == pytest.approx(1 - at.yearly(f)["total"] / c_ref)
            assert pt["payback_years"] == pytest.approx(
                at.one_off(f)["total"] / (c_ref - at.yearly(f)["total"])) if c_ref > at.yearly(f)["total"] \
                else pt["payback_years"] is None
    assert rows["reorganisation"]["swing"] == 0 and rows["reorganisation"]["break_even"] is None
    assert rows["reorganisation"]["payback_high"] > rows["reorganisation"]["payback_low"]
    # break-even: the saving is exactly 15% at the value solved from the cost formula
    for name in ("manager_fte", "coordination", "cost_per_fte"):
        exact = rows[name]["break_even_exact"]
        assert exact == pytest.approx(cost_break_even(field[name], costs, f, c_ref))
        at = replace(costs, **{field[name]: exact})
        assert 1 - at.yearly(f)["total"] / c_ref == pytest.approx(0.15)
        lo, hi = rows[name]["low"], rows[name]["high"]
        assert rows[name]["break_even"] == (exact if lo <= exact <= hi else None)
    # by hand: manager FTE m at which f x p + m x 90,000 = 0.85 x today's cost
    assert rows["manager_fte"]["break_even_exact"] == pytest.approx((0.85 * c_ref - f * costs.per_fte) / 90000)
    assert cost_break_even("reorganisation", costs, f, c_ref) is None


def test_cost_parameters_in_the_morris_design_cost_no_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Morris screening takes the same registry: a step that moves only a cost figure reuses the search of
    the point before it (searches: the start, the base and one per demand value of the design), the one-off
    cost has no effect on the saving, and the manager's effect is the cost formula's: against today's fixed
    cost, a whole range (0 to 1 FTE) of manager costs 90,000 / today's cost, at every point alike."""
    pytest.importorskip("SALib")
    import sim.decisions.sensitivity as sens
    from sim.decisions.screening import screening

    calls = []
    real = sens.least

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0].name)
        return real(*args, **kwargs)

    monkeypatch.setattr(sens, "least", counted)
    ref, alt = parse_scenario(small_data()), parse_scenario(small_pool_data())
    store = ResultStore.open(None, "costs-morris", "sensitivity")
    with session(store, workers=1) as runner:
        res = screening(ref, alt, runner, 2, 3, params=parameters(["demand", "manager_fte", "reorganisation"]),
                        trajectories=2, targets=("calls_abandoned=off",), baseline="config")
    demand_values = {pt["values"]["demand"] for pt in res["points"]}
    assert len(calls) == 2 + len(demand_values) < res["design_points"]
    by = {r["parameter"]: r for r in res["parameters"]}
    assert by["reorganisation"]["mu_star"] == 0 and by["reorganisation"]["sigma"] == 0
    today = res["points"][0]["cost_per_year"]["reference"]
    assert by["manager_fte"]["mu"] == pytest.approx(-90000 / today)
    assert by["manager_fte"]["sigma"] == pytest.approx(0, abs=1e-12)


def test_one_price_per_fte_for_the_kpi_the_business_case_and_the_roster() -> None:
    """``costs.cost_per_fte_per_year``, where set, prices a run's KPI ``cost_per_year``, the business case and
    the roster's paid hour alike (one cost model, sim.core.costs); unset, the organisation's figure does."""
    from sim.core.costs import cost_per_fte, cost_per_hour, yearly_cost_of_hours
    from sim.core.model import run_replication

    short = ["run.days=1", "run.warmup_days=0"]
    plain = load_scenario(CONFIGS / "central.yaml", short)
    priced = load_scenario(CONFIGS / "central.yaml", [*short, "costs.cost_per_fte_per_year=50000"])
    assert cost_per_fte(plain) == 62000 and cost_per_fte(priced) == 50000
    kpi = run_replication(priced, 1).kpi
    assert kpi["cost_per_year"] == pytest.approx(kpi["fte"] * 50000)
    assert CostModel.of(priced).yearly(10.0)["secretaries"] == pytest.approx(500000)
    week = priced.calendar.full_time_hours_per_week
    assert cost_per_hour(priced) == pytest.approx(50000 / (52 * week))
    assert yearly_cost_of_hours(priced, week) == pytest.approx(50000)  # a full-time week for a year: one FTE
    hourly = load_scenario(CONFIGS / "central.yaml", [*short, "roster_rules.cost_per_hour=40"])
    assert yearly_cost_of_hours(hourly, 10.0) == pytest.approx(10 * 40 * 52)
