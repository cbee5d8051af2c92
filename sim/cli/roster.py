"""``sim roster``: the least-cost roster within HR's rules (``roster_rules``) that meets the norms, by CP-SAT on
requirements from queueing theory corrected by simulation (:mod:`sim.decisions.rostering`)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from sim.cli.common import load, scenario_options
from sim.core.costs import yearly_cost_of_hours
from sim.decisions.rostering import MAX_ROUNDS
from sim.experiments.output import claim_folder, clear_files, to_json, write_json


@click.command("roster")
@click.argument("config", type=click.Path(dir_okay=False))
@scenario_options
@click.option("--replications", "-r", type=click.IntRange(2, 1000), default=4, show_default=True,
              help="Replications per roster (and again on fresh seeds to confirm).")
@click.option("--target", "specs", multiple=True, metavar="SPEC",
              help="Norms as in sim staff: 'today', 'both', 'KPI>=V', 'KPI=off' (repeatable).")
@click.option("--today", "today_config", type=click.Path(dir_okay=False), default=None, metavar="CONFIG",
              help="Today's organisation, whose service --target today asks for, and whose roster the cost is "
                   "compared with (default: CONFIG as staffed). For a business case: the config sim staff "
                   "gets first, e.g. configs/decentral.yaml.")
@click.option("--keep", "keeps", multiple=True, metavar="NAME.days=[..]|NAME.start=HH:MM",
              help="Fix a person's days or start (repeatable); the cost of the fixing is reported.")
@click.option("--max-rounds", type=click.IntRange(1, 50), default=MAX_ROUNDS, show_default=True,
              help="Rosters to try before stopping.")
@click.option("--time-limit", type=click.FloatRange(1, 3600), default=30.0, show_default=True,
              help="Seconds per CP-SAT solve.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Processes for the replications, and CP-SAT's threads.")
@click.pass_context
def roster(ctx: click.Context, config: str, overrides: tuple[str, ...], seed: int | None, days: int | None,
           out: Path | None, overwrite: bool, as_json: bool, replications: int, specs: tuple[str, ...],
           today_config: str | None, keeps: tuple[str, ...], max_rounds: int, time_limit: float, workers: int) -> None:
    """The least-cost roster for CONFIG within its roster_rules that meets the norms, proven by simulation.

    Requirements per half hour and group come from Erlang C (SIPP); CP-SAT finds the least-cost roster covering
    them; the roster is simulated and, where a norm fails, the requirement grows where the shortfall is, until
    a roster meets every norm on fresh seeds. Writes roster.csv (the secretaries_file format), roster.yaml
    (runs as it is), coverage.csv/.png, rounds.csv, margins.csv, summary.json. Exit 1 if no roster met the
    norms; exit 2 without OR-Tools.
    """
    try:
        from ortools.sat.python import cp_model  # noqa: F401
    except ImportError:
        click.echo("sim: error: sim roster needs OR-Tools: pip install 'secretariat-sim[roster]' "
                   "(or pip install ortools)", err=True)
        ctx.exit(2)
    from sim.config import ConfigError
    from sim.decisions.rostering import output
    from sim.decisions.rostering.search import RosterSearch
    from sim.decisions.rostering.solver import merge_keeps, parse_keep, solve, today_hours
    from sim.decisions.staffing.norms import target_basis
    from sim.experiments.experiment import session
    from sim.experiments.store import ResultStore
    from sim.presentation.figures.roster import coverage_figure

    scenario = load(config, overrides, days, seed)
    today_scenario = load(today_config, overrides, days, seed) if today_config else None
    fixed = merge_keeps([parse_keep(k) for k in keeps])  # a bad one: an OptionError naming keep
    # held from before the search to the last file: a second sim roster into this folder is refused at once, and
    # --overwrite removes an earlier roster's files only when this one's are written
    folder = ctx.with_resource(claim_folder(out, f"roster-{scenario.name}", overwrite, clear=None))

    def say(msg: str) -> None:
        click.echo(msg, err=True)

    t0 = time.perf_counter()
    store = ResultStore.open(None, "roster", "roster")
    with session(store, workers=workers, progress=False) as runner:
        search = RosterSearch(scenario, runner, replications=replications, specs=specs, keeps=fixed,
                              max_rounds=max_rounds, time_limit=time_limit, workers=workers, log=say,
                              today_scenario=today_scenario)
        try:
            best = search.run()
        except ValueError as exc:  # the rules allow no shift (one past midnight)
            raise ConfigError(config, str(exc)) from exc
        today = search.today()
    assert search.theory is not None and search.requirements is not None
    final = best or (search.rounds[-1] if search.rounds else None)
    if overwrite:  # nothing of an earlier roster (its roster.csv when this search found none) is taken for this one's
        clear_files(folder, output.ROSTER_FILES)
    summary: dict[str, object] = {"kind": "roster", "config": config, "setup": scenario.name,
                                  "targets": list(specs), "basis": target_basis(scenario, specs),
                                  "met": best is not None,
                                  "rounds": output.round_rows(search.rounds), "max_rounds": max_rounds,
                                  "replications": replications}
    week = scenario.calendar.full_time_hours_per_week
    today_org = today_scenario or scenario
    t_hours = today_hours(today_org)
    # today's organisation's hours and cost (at this config's rate, as the roster is costed); the norms the
    # config as staffed breaks on the fresh seeds (its margins are margins.csv's today_margin)
    summary["today"] = {"setup": today_org.name, "hours_per_week": t_hours, "fte": t_hours / week,
                        "cost_per_year": yearly_cost_of_hours(scenario, t_hours)}
    config_hours = today_hours(scenario)
    summary["config_as_staffed"] = {"fte": config_hours / week, "failing_on_fresh_seeds": today.failing}
    # the search starts from theory, not from the config's own roster: when that roster already meets every norm
    # on the fresh seeds for fewer hours, it is the better answer, and the command must say so
    summary["config_is_cheaper"] = bool(final is not None and not today.failing
                                        and config_hours < final.roster.hours - 1e-9)
    if final is not None:
        r = final.roster
        summary["roster"] = {"hours_per_week": r.hours, "fte": r.hours / week,
                             "cost_per_year": yearly_cost_of_hours(scenario, r.hours),
                             "solver": r.status, "gap_hours": r.gap_hours, "changes": r.changes,
                             "solve_seconds": r.seconds}
        staff = staff_answer(folder.parent, scenario.name)
        if staff is not None:  # priced as the roster is (per hour), so the two compare
            staff["cost_per_year"] = yearly_cost_of_hours(scenario, float(staff["fte"]) * week)  # type: ignore[arg-type]
            summary["staff"] = staff
        first = search.rounds[0]
        summary["sipp_only"] = {"hours_per_week": first.roster.hours,
                                "failing": first.judged[-1].failing if not first.judged[-1].feasible else [],
                                "margins": first.judged[0].margins}
        output.write_roster(folder, scenario, r)
        output.write_csv(folder / "coverage.csv", output.coverage_rows(r, search.requirements, search.theory))
        coverage_figure(folder / "coverage.png", r, search.requirements, search.theory)
        judged = final.judged[-1]
        summary["margins"] = {"seeds": judged.seeds, "norms": output.margin_rows(judged, today)}
        output.write_csv(folder / "margins.csv", output.margin_rows(judged, today))
        if fixed:
            free = solve(scenario, search.requirements, (), time_limit, workers)
            if free is not None:
                summary["keep"] = {"keeps": list(keeps), "hours_with": r.hours, "hours_without": free.hours,
                                   "cost_per_year_of_keeping": yearly_cost_of_hours(scenario, r.hours - free.hours)}
    output.write_csv(folder / "rounds.csv", output.round_rows(search.rounds))
    summary["seconds"] = time.perf_counter() - t0
    write_json(folder, "summary.json", summary)
    if as_json:
        click.echo(to_json(summary), nl=False)
    else:
        click.echo(text(summary, folder))
    if best is None:
        ctx.exit(1)


def staff_answer(folder: Path, setup: str) -> dict[str, object] | None:
    """``sim staff``'s answer for ``setup`` when ``folder`` (the one above the roster's) is a ``sim staff``
    results folder: its least FTE (mean and interval); the caller prices it as the roster is priced (the business
    case's manager and coordination are left out of both)."""
    from sim.config import ConfigError
    from sim.experiments.results import read_json

    path = folder / "summary.json"
    if not path.exists():
        return None
    try:  # the results folders' one guarded reader; a folder that is not a staff result gives nothing
        case = read_json(path).get("business_case") or {}
        least = (case.get("setups") or {}).get(setup, {}).get("fte_least") or {}
        fte = float(least["mean"])
        low, high = (None if least.get(k) is None else float(least[k]) for k in ("ci_low", "ci_high"))
    except (ConfigError, ValueError, AttributeError, KeyError, TypeError):
        return None
    return {"folder": str(folder), "fte": fte, "fte_low": low, "fte_high": high, "cost_per_year": None}


def text(s: dict, folder: Path) -> str:  # type: ignore[type-arg]
    lines = []
    today = s["today"]
    if "roster" in s:
        r = s["roster"]
        verdict = "meets every norm on fresh seeds" if s["met"] else \
            f"NOT confirmed after {len(s['rounds'])} rounds (max {s['max_rounds']})"
        lines.append(f"{s['setup']}: roster of {r['fte']:.2f} FTE ({r['hours_per_week']:.1f} h/week, "
                     f"{r['cost_per_year']:,.0f} a year) against today's {today['fte']:.2f} FTE ({today['setup']}, "
                     f"{today['cost_per_year']:,.0f}): {r['cost_per_year'] - today['cost_per_year']:+,.0f} a year; "
                     f"{verdict}")
        if s.get("staff"):
            st = s["staff"]
            iv = f" [{st['fte_low']:.2f}, {st['fte_high']:.2f}]" if st["fte_low"] is not None else ""
            lines.append(f"sim staff's answer ({st['folder']}): {st['fte']:.2f} FTE{iv}, {st['cost_per_year']:,.0f} "
                         "a year in whole secretary-days along the demand-proportional path; the roster: "
                         f"{r['fte'] - st['fte']:+.2f} FTE, {r['cost_per_year'] - st['cost_per_year']:+,.0f} a year")
        if s.get("config_is_cheaper"):
            lines.append(f"NOTE: the config's own roster ({s['config_as_staffed']['fte']:.2f} FTE) also meets every "
                         "norm on the fresh seeds and costs less: keep it; the optimiser did not beat it")
        if s.get("targets"):
            on_today = s.get("basis") in ("today", "both")
            lines.append(f"norms: {', '.join(s['targets'])}"
                         + (f" (today's service: {today['setup']} as staffed)" if on_today else ""))
        lines.append(f"solver: {r['solver'].lower()}" + (f", gap {r['gap_hours']:.1f} h" if r["gap_hours"] else "")
                     + f"; {r['changes']} changes against today's days and starts")
        sipp = s["sipp_only"]
        lines.append(f"SIPP requirements alone: {sipp['hours_per_week']:.1f} h/week, "
                     + (f"missed {', '.join(sipp['failing'])}" if sipp["failing"] else "met every norm"))
    else:
        lines.append(f"{s['setup']}: no roster within roster_rules covers the requirements")
    lines.append("")
    lines.append(f"{'round':>5}  {'h/week':>7}  {'solver':<8} {'seeds':<6} {'meets':<5}  worst norm (margin); added")
    for row in s["rounds"]:  # type: ignore[attr-defined]
        margin = "" if row["worst_margin"] is None else f"{row['worst_margin']:+.3f}"
        lines.append(f"{row['round']:>5}  {row['hours']:>7.1f}  {row['solver'].lower():<8} {row['seeds']:<6} "
                     f"{'yes' if row['meets_norms'] else 'no':<5}  {row['worst_norm']} ({margin})"
                     + (f"; {row['added']}" if row["added"] else ""))
    if "keep" in s:
        k = s["keep"]
        lines.append("")
        lines.append(f"keeping {', '.join(k['keeps'])}: {k['hours_with']:.1f} h/week against "
                     f"{k['hours_without']:.1f} without: {k['cost_per_year_of_keeping']:+,.0f} a year")
    lines.append("")
    lines.append(f"wrote {folder}/roster.csv (sim run {folder}/roster.yaml), coverage.png, rounds.csv, margins.csv "
                 f"({s['seconds']:.0f} s)")
    return "\n".join(lines)


__all__ = ["roster"]
