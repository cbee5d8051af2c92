"""``sim staff``: the least FTE at which every service norm holds, and with several configs the business case
(:mod:`sim.decisions.staffing`, :mod:`sim.decisions.business`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli.common import load, scenario_options
from sim.cli.experiments import CountingExecutor, experiment_options, refresh_report
from sim.cli.experiments import emit_json as _emit_json
from sim.cli.experiments import executor_note as _executor_note
from sim.cli.preflight import check_experiment
from sim.config import ConfigError
from sim.decisions.studies import cash_flow_rows
from sim.experiments.experiment import DEFAULT_REPLICATIONS
from sim.experiments.output import choose_out_dir


# ----------------------------------------------------------------------------------------------- staff
@click.command()
@click.argument("configs", nargs=-1, required=True, type=str)
@scenario_options
@experiment_options(precision=False)
@click.option("--target", "targets", multiple=True, metavar="KPI=VALUE",
              help="A service norm: KPI=V or KPI>=V (at least), KPI<=V (at most), KPI=off (none); "
                   "DEPARTMENT:KPI<=V for one department (reachability, abandoned, tasks, continuity, meetings); "
                   "'today': no worse than today's service (the first config as staffed), per department and "
                   "KPI; 'both': today's service and the fixed norms. Defaults (norms.basis: norms): "
                   "reachability>=0.8, calls_abandoned<=0.05, service_level.<type>>=0.85 for every type.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="Of the intervals of the least FTE and the saving; with norms.rule=confident, a norm holds "
                   "when this two-sided t-interval of the KPI lies on its side of the target.")
@click.option("--baseline", type=click.Choice(["config", "least"]), default="config", show_default=True,
              help="What the saving is measured against: the first config's staffing as it is today (config), "
                   "or the first setup at its own least staffing (least: a hypothetical organisation).")
@click.option("--fte-precision", "fte_precision", type=click.FloatRange(0.0, None, min_open=True), default=None,
              help="Add blocks of replications until each setup's least FTE is known to +- this (95%); default "
                   "one secretary-day (0.2 FTE in a 36-hour week).")
@click.option("--blocks", type=str, default=None, metavar="MIN[:MAX]",
              help="Independent blocks of replications the search runs on (default 5:8); 1 = one search.")
@click.option("--waterfall/--no-waterfall", "with_waterfall", default=True, show_default=True,
              help="Where the saving comes from (sim.decisions.waterfall): pooling at today's occupancy, shrinkage, "
                   "the occupancy ceiling, the custom-work penalty, coordination, manager, one-off costs; three "
                   "more least-staffing searches per alternative on block 0 (against today's staffing only).")
def staff(configs: tuple[str, ...], overrides: tuple[str, ...], seed: int | None, days: int | None,
          out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
          scheduler: str | None, batch_size: int | None, targets: tuple[str, ...], confidence: float,
          baseline: str, fte_precision: float | None, blocks: str | None, with_waterfall: bool) -> None:
    """The least FTE at which every service norm holds (norms.rule: on its estimate, by default), and its
    spread over clusters or departments; with several CONFIGS, the business case: each setup's cost and saving
    against the first (--baseline), with intervals from independent blocks of replications."""
    from sim.decisions.business import MAX_BLOCKS, MIN_BLOCKS
    from sim.decisions.studies import staff_case

    scenarios = [load(c, overrides, days, seed) for c in configs]
    check_experiment(scenarios, targets=targets, scheduler=scheduler)
    lo, hi = parse_blocks(blocks, MIN_BLOCKS, MAX_BLOCKS)  # every option checked before a file is written
    if fte_precision is not None and not 0 < fte_precision < float("inf"):
        raise ConfigError("--fte-precision", f"{fte_precision}: a positive number of FTE is needed")
    n = replications or DEFAULT_REPLICATIONS
    base = scenarios[0].run.seed if seed is None else seed
    folder = out if out is not None else choose_out_dir(None, "staff-" + "-".join(s.name for s in scenarios),
                                                         overwrite)
    executor = CountingExecutor(workers, scheduler, batch_size)
    try:
        result = staff_case(scenarios, n, seed, targets=targets, confidence=confidence, baseline=baseline,
                            precision=fte_precision, min_blocks=lo, max_blocks=hi, waterfall=with_waterfall,
                            out=folder, overwrite=overwrite, executor=executor,
                            progress=False if as_json else None, config_paths=configs)
    finally:
        executor.close()
    refresh_report(folder, quiet=as_json)
    summary = result.summary()
    if as_json:
        _emit_json(summary, folder)
        return
    from sim.decisions.business import headline

    click.echo("the answer:")
    for line in headline(summary["business_case"]) or ["(one setup: no comparison; see its least staffing below)"]:
        click.echo("  " + line)
    click.echo("")
    _print_staff(summary)
    click.echo(f"\n{n} replications per candidate and block ({summary['business_case'].get('blocks', 1)} "
               f"blocks), seed {base}, {_executor_note(workers, scheduler)} ({executor.ran} run now); every "
               f"candidate in trail.csv; results in {folder}/")


def parse_blocks(text: str | None, lo: int, hi: int) -> tuple[int, int]:
    """``--blocks MIN[:MAX]``."""
    if text is None:
        return lo, hi
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        raise ConfigError("--blocks", f"{text!r}: expected MIN or MIN:MAX, whole numbers") from None
    a, b = (parts[0], parts[0]) if len(parts) == 1 else (parts[0], parts[1]) if len(parts) == 2 else (0, 0)
    if not 1 <= a <= b <= 50:
        raise ConfigError("--blocks", f"{text!r}: need 1 <= MIN <= MAX <= 50")
    return a, b


def _print_staff(summary: dict[str, Any]) -> None:
    conf = summary["confidence"]
    for name, st in summary["setups"].items():
        cfg, least = st["config"], st["least"]
        meets = "meets" if cfg["meets_norms"] else "misses"
        click.echo(f"{name}: config {cfg['fte']:.1f} FTE ({meets} the norms) -> least {least['fte']:.1f} FTE "
                   f"that meets them ({st['evaluations']} staffings simulated)")
        for g, spread in least["spread"].items():
            people = ", ".join(f"{p} ({len(d)}d)" for p, d in spread["secretaries"].items())
            click.echo(f"    {g:<22}{spread['fte']:5.1f} FTE  {people}")
        click.echo(f"    {'norm':<34}{'target':>10}{'estimate':>10}{f'{100 * conf:g}% interval':>20}{'holds':>7}")
        for kpi, nrm in least["norms"].items():
            if nrm.get("department"):
                continue  # per-department norms: the worst department is shown with the business case
            est = "-" if nrm["mean"] is None else f"{100 * nrm['mean']:.1f}%"
            iv = "-" if nrm["ci_low"] is None else \
                f"[{100 * nrm['ci_low']:.1f}%, {100 * nrm['ci_high']:.1f}%]"
            holds = "-" if nrm["holds"] is None else ("yes" if nrm["holds"] else "NO")
            click.echo(f"    {kpi:<34}{nrm['op'] + ' ' + format(100 * nrm['value'], '.0f') + '%':>10}{est:>10}"
                       f"{iv:>20}{holds:>7}")
        click.echo(f"    ({summary['rule']})")
    _print_case(summary["business_case"])  # sim staff always makes the business case over blocks


def _print_case(case: dict[str, Any]) -> None:
    """The business case over blocks (sim.decisions.business): headline, costs, binding norms, departments."""
    from sim.decisions.business import fmt_iv, headline

    click.echo(f"\nbusiness case against {case['reference']}: {case['baseline_meaning']}; {case['blocks']} "
               f"independent blocks (least FTE: mean [95% interval] over blocks; saving paired by block):")
    for line in headline(case):
        click.echo("  " + line)
    click.echo(f"\n    {'setup':<16}{'config FTE':>11}{'least FTE [95%]':>22}{'euro/year':>11}{'saving [95%]':>24}"
               f"{'payback':>9}{'recommended':>12}{'euro/year':>11}{'saving':>8}")
    for name, row in case["setups"].items():
        fte, saving = fmt_iv(row["fte_least"]), fmt_iv(row["saving_share_ci"], pct=True)
        pb = row["payback_years"]
        payback = "-" if pb is None else f"{pb:.1f} y"
        rec = f"{row['fte']:.1f}" + ("" if row["recommended_confirmed"] else "?")
        rs = row.get("saving_share_recommended")
        click.echo(f"    {name:<16}{row['fte_config']:>11.1f}{fte:>22}{row['cost_per_year_least']:>11,.0f}"
                   f"{saving:>24}{payback:>9}{rec:>12}{row['cost_per_year']:>11,.0f}"
                   + ("       -" if rs is None else f"{100 * rs:>7.1f}%"))
    click.echo("    (saving on each block's least FTE: euro/year is the mean of their costs; recommended: the block "
               "answer nearest the mean, judged on the replications of all blocks together, with a day added "
               "where a group broke a norm there, ? = still not met, and its own cost and saving)")
    for name, row in case["setups"].items():
        p = row.get("precision")
        if p and not p["reached"]:
            click.echo(f"    {name}: precision NOT reached: least FTE known to +-{p['half_width']:.2f} after "
                       f"{len(row['fte_blocks'])} blocks, asked +-{p['fte']:.2f} (more blocks: --blocks MIN:MAX)")
    _print_cash_flow(case)
    _print_waterfall(case)
    for name, row in case["setups"].items():
        binding = ", ".join(f"{k} ({n}x)" for k, n in list(row["binding_norms"].items())[:4]) or "none found"
        click.echo(f"\n{name}: binding norms (what stopped the search: broken by one day less): {binding}")
        margins = {k: m for k, m in row["margins"].items() if m is not None and ":" not in k}
        click.echo("    margins at the recommended staffing: " + ", ".join(
            f"{k} {m:+.3f}" for k, m in sorted(margins.items(), key=lambda kv: kv[1])))
        worst = row["worst_department"]
        if worst:
            click.echo(f"    worst department: {worst['department']} ({worst['kpi']} margin {worst['margin']:+.3f})")
    today = case.get("today")
    if today:
        click.echo(f"\ntoday's service: {case['reference']} as staffed ({case['today_fte']:.1f} FTE), over "
                   f"{today['replications']} replications; 'no worse than today' allows a KPI to fall "
                   f"{100 * today['tolerance']:.0f} point or today's own interval, whichever is larger")
    for name, row in case["setups"].items():
        if row.get("gain_loss"):
            _print_gain_loss(name, row["gain_loss"])
        if row.get("service_curve"):
            _print_curve(name, row["service_curve"], case["today_fte"])
        if row.get("roster") and row.get("saving_share") is not None:
            _print_roster(name, row["roster"], row["fte"])


def _print_waterfall(case: dict[str, Any]) -> None:
    """Per alternative, where the saving comes from (sim.decisions.waterfall), step by step."""
    from sim.decisions.waterfall import table

    for name, row in case["setups"].items():
        wf = row.get("waterfall")
        if not wf:
            continue
        click.echo(f"\n{name}: where the saving comes from (steps in this order, each a least-staffing search on "
                   f"block 0 or a cost; they add up to the reported saving; {wf['seconds']:.0f} s):")
        for line in table(wf):
            click.echo(line)
        occ = wf.get("today_occupancy")
        if occ is not None and wf.get("occupancy_max") is not None:
            click.echo(f"    (today's occupancy {100 * occ:.1f}% on block 0; the ceiling "
                       f"{100 * wf['occupancy_max']:.0f}% is a policy ASSUMPTION, not an efficiency of the setup)")


def _money(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"


def _print_cash_flow(case: dict[str, Any]) -> None:
    """The cost notes (a setup whose costs are all at zero), and per setup the move's cash flow year by year
    under the config's reduction, with payback and NPV under both."""
    for note in case.get("cost_notes") or []:
        click.echo(f"    note: {note}")
    for name, row in case["setups"].items():
        flows = row.get("cash_flow")
        if not flows:
            continue
        cf = flows[flows["chosen"]]
        pace = f"attrition {100 * cf['attrition_rate']:g}%/year" if cf["reduction"] == "attrition" else \
            f"redundancy ({_money(cf['redundancy_cost'])} once)"
        click.echo(f"\n{name}: cash flow of the move from today's {cf['rows'][0]['fte_today']:.1f} FTE to "
                   f"{row['fte']:.1f} FTE ({pace}, chosen; discount {100 * cf['discount_rate']:g}%/year; euro):")
        click.echo(f"    {'year':>4}{'FTE':>7}{'one-off':>12}{'net saving':>13}{'cumulative':>13}"
                   f"{'discounted':>13}{'cum. disc.':>13}")
        for r in cf["rows"]:
            fte = "-" if r["fte_setup"] is None else f"{r['fte_setup']:.1f}"
            click.echo(f"    {r['year']:>4}{fte:>7}{_money(r['one_off']):>12}{_money(r['net_saving']):>13}"
                       f"{_money(r['cumulative']):>13}{_money(r['discounted']):>13}"
                       f"{_money(r['cumulative_discounted']):>13}")
        for k in ("attrition", "redundancy"):
            f = flows[k]
            pb = f["payback_years"]
            payback = "never" if pb is None else f"{pb:.1f} y" + ("" if f["payback_within_horizon"] else
                                                                  " (after the horizon)")
            click.echo(f"    {k + (' (chosen)' if k == flows['chosen'] else ''):<22}payback {payback}, NPV over "
                       f"{f['horizon_years']} years {_money(f['npv'])}"
                       + (f", redundancy cost {_money(f['redundancy_cost'])}" if k == "redundancy" else ""))
        click.echo("    (payback here: when the cumulative net saving turns positive; in the table above: the "
                   "one-off cost over the full yearly saving)")


_SHORT = {"reachability": "reach", "calls_abandoned": "aband", "tasks_within_norm": "tasks",
          "continuity": "contin", "meetings_with_minutes": "minutes"}


def _print_gain_loss(name: str, rows: list[dict[str, Any]]) -> None:
    """Department by department, KPI by KPI, the change against today in points (+: better, whatever the
    KPI's direction), a loss beyond the tolerance marked with '!' and a gain with '+'."""
    kpis = [k for k in _SHORT if any(r["kpi"] == k for r in rows)]
    by = {(r["department"], r["kpi"]): r for r in rows}
    depts = list(dict.fromkeys(r["department"] for r in rows))
    click.echo(f"\n{name} against today, per department (points, + = better; ! = worse than today beyond the "
               f"tolerance, + = better beyond it):")
    click.echo("    " + f"{'department':<22}" + "".join(f"{_SHORT[k] + ' today':>15}{'change':>8}" for k in kpis))
    for d in depts:
        cells = ""
        for k in kpis:
            r = by.get((d, k))
            if r is None:
                cells += f"{'-':>15}{'':>8}"
                continue
            mark = {"loss": "!", "gain": "+"}.get(r["verdict"], " ")
            cells += f"{100 * r['today']:>14.1f}%{r['better_points']:>+7.1f}{mark}"
        click.echo(f"    {d:<22}{cells}")
    for k in kpis:
        lose = [d for d in depts if by.get((d, k), {}).get("verdict") == "loss"]
        gain = [d for d in depts if by.get((d, k), {}).get("verdict") == "gain"]
        click.echo(f"    {k}: " + "; ".join(
            part for part in (f"{len(lose)} lose ({', '.join(lose)})" if lose else "",
                              f"{len(gain)} gain" + (f" ({', '.join(gain)})" if len(gain) < len(depts) else "")
                              if gain else "",
                              f"{len(depts) - len(lose) - len(gain)} the same" if len(lose) + len(gain) < len(depts)
                              else "") if part))


def _print_roster(name: str, rows: list[dict[str, Any]], fte: float) -> None:
    """The recommended roster as HR reads it: per secretary today's and the new days and hours."""
    click.echo(f"\n{name}: the recommended roster ({fte:.1f} FTE) against today, per secretary (roster.csv):")
    click.echo(f"    {'secretary':<14}{'group':<12}{'days today':<22}{'days new':<22}{'h/week':>7}{'new':>7}"
               f"{'change':>8}  status")
    for r in rows:
        click.echo(f"    {r['name']:<14}{r['group']:<12}{r['days_today'] or '-':<22}{r['days_new'] or '-':<22}"
                   f"{r['hours_per_week_today']:>7.1f}{r['hours_per_week_new']:>7.1f}{r['change_hours']:>+8.1f}  "
                   f"{r['status']}")
    changed = [r for r in rows if r["status"] != "kept"]
    click.echo(f"    {len(changed)} of {len(rows)} contracts change; "
               f"{sum(r['status'] == 'leaves' for r in rows)} leave, {sum(r['status'] == 'new hire' for r in rows)} "
               f"new hires")


def _print_curve(name: str, rows: list[dict[str, Any]], today_fte: float) -> None:
    """What each FTE buys, from the recommended staffing up to today's."""
    from sim.decisions.business import fmt_iv

    click.echo(f"\n{name}: what each FTE buys (recommended staffing up to today's {today_fte:.1f} FTE, block 0's "
               f"replications; worst department's margin per norm, points):")
    kpis = [k for k in _SHORT if any(k in r["worst_department_margin"] for r in rows)]
    click.echo(f"    {'FTE':>6}{'meets':>7}{'reachability [95%]':>24}{'occupancy [95%]':>24}"
               + "".join(f"{_SHORT[k]:>9}" for k in kpis))
    for r in rows:
        worst = r["worst_department_margin"]
        cells = "".join(f"{100 * worst[k]:>+9.1f}" if k in worst else f"{'-':>9}" for k in kpis)
        click.echo(f"    {r['fte']:>6.1f}{'yes' if r['feasible'] else 'no':>7}"
                   f"{fmt_iv(r['reachability'], 1, pct=True):>24}{fmt_iv(r['utilisation'], 1, pct=True):>24}{cells}")


__all__ = ["parse_blocks", "staff", "cash_flow_rows"]
