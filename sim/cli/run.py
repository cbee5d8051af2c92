"""``sim run``: simulate a config once and print its KPIs, with their norms and which way is better.

Writes ``summary.json``, one CSV per table and the resolved config to the output folder (``--event-log``: also
what each secretary did, and one row per request); ``--json`` prints the result instead.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from sim.cli.common import load, scenario_options
from sim.config import ConfigError, Scenario
from sim.core.model import Result, run_replication
from sim.data.request_log import RequestLog, write_parquet
from sim.experiments.output import (
    atomic_open,
    claim_folder,
    is_same_run,
    to_json,
    write_csv,
    write_json,
    write_text,
    write_yaml,
)
from sim.kpis import TABLE_KPIS, fmt, kpi_info, norms_note


def kpi_table(kpi: dict[str, Any]) -> str:
    """The single-run table: each KPI with its norm and which way is better (labels, norms and numbers from
    :mod:`sim.kpis`)."""
    lines = [f"{'KPI':<52}{'value':>10}  {'norm':<8}{'better':<7}", "-" * 77]
    for key in TABLE_KPIS:
        if key not in kpi:
            continue
        info = kpi_info(key)
        lines.append(f"{info.label:<52}{fmt(key, kpi.get(key)):>10}  {info.norm_text:<8}{info.better:<7}")
    lines.append("")
    lines.append("request type    within norm  norm   mean lead h  p90 lead h  mean lead  p90 lead  backlog/day")
    lines.append("                (higher)            wall-clock   wall-clock  working h  working h (lower)")
    lines.append("-" * 95)
    for name, share in kpi["service_level"].items():
        values = [(kpi.get(family) or {}).get(name) for family in LEAD_COLUMNS]
        lead, p90, wmean, wp90, backlog = (fmt(f"{family}.{name}", v) for family, v in
                                           zip(LEAD_COLUMNS, values, strict=True))
        norm = kpi_info(f"service_level.{name}").norm_text
        lines.append(f"{name:<16}{fmt(f'service_level.{name}', share):>11}  {norm:<6}{lead:>11}{p90:>12}"
                     f"{wmean:>11}{wp90:>10}{backlog:>13}")
    lines.append("")
    lines.append(norms_note(110))
    lines.append("Task norms count working hours; a mean lead time can exceed its p90 when a few requests wait "
                 "overnight or\nover a weekend.")
    return "\n".join(lines)


#: The columns of the request-type table after the service level: KPI families, one member per type.
LEAD_COLUMNS = ("lead_time_mean_hours", "lead_time_p90_hours", "lead_time_mean_working_hours",
                "lead_time_p90_working_hours", "backlog_end_of_day")


def write_run(out: Path, scenario: Scenario, result: Result) -> None:
    """summary.json, one CSV per table, and the resolved config."""
    summary = result.to_dict()
    summary.pop("tables")
    write_json(out, "summary.json", summary)
    for name, rows in result.tables.items():
        write_csv(out, f"{name}.csv", rows)
    write_yaml(out, "config.resolved.yaml", scenario.model_dump(mode="json"))


@click.command()
@click.argument("config", type=str)
@scenario_options
@click.option("--event-log", is_flag=True, help="Also write events.csv (what each secretary did, when) and "
              "requests.csv (one row per call, task and meeting, with real dates; also requests.parquet with pyarrow).")
@click.option("--measured", "measured_file", type=click.Path(path_type=Path), default=None,
              help="Today's KPIs measured in the logs (measured.csv of sim calibrate): print and write "
                   "(measured_vs_simulated.csv) the simulated value beside each, with intervals, and flag what "
                   "differs. The model's figures come from --measured-replications runs over the log's own window "
                   "(its dates and number of working days).")
@click.option("--measured-replications", type=click.IntRange(40, None), default=60, show_default=True,
              help="Runs of the log's window behind the comparison with --measured.")
def run(config: str, overrides: tuple[str, ...], seed: int | None, days: int | None, out: Path | None,
        overwrite: bool, as_json: bool, event_log: bool, measured_file: Path | None,
        measured_replications: int) -> None:
    """Simulate CONFIG once and report its KPIs."""
    scenario = load(config, overrides, days, seed)
    measured = None
    if measured_file is not None:
        from sim.data.measured import read_measured

        measured = read_measured(measured_file)
    # --json prints the result; it writes a folder only when --out asks for one. The folder is held from here
    # until the command ends, so that two runs into one folder cannot mix their files
    folder = None if as_json and out is None and not event_log else click.get_current_context().with_resource(
        claim_folder(out, scenario.name, overwrite, reuse=lambda path: is_same_run(path, scenario)))
    log = io.StringIO()
    logger = None
    if event_log:
        writer = csv.writer(log, lineterminator="\n")  # quoted: names may hold commas or quotes
        writer.writerow(["start_minute", "end_minute", "secretary", "activity", "detail"])

        def logger(start: float, end: float, who: str, what: str, detail: str) -> None:
            writer.writerow([f"{start:.4f}", f"{end:.4f}", who, what, detail])

    if event_log and folder is not None:
        with atomic_open(folder, "requests.csv") as fh:  # streamed: one row per request as it ends
            result = run_replication(scenario, event_log=logger, request_log=RequestLog(scenario, fh))
        write_parquet(folder / "requests.csv", folder / "requests.parquet")
    else:
        result = run_replication(scenario, event_log=logger)
    if folder is not None:
        write_run(folder, scenario, result)
        if event_log:
            write_text(folder, "events.csv", log.getvalue())
        else:  # from the earlier run this one replaces
            for stale in ("events.csv", "requests.csv", "requests.parquet"):
                if (folder / stale).exists():
                    (folder / stale).unlink()
        if (folder / "report.html").exists():  # a report of the run this one replaces: bring it up to date
            from sim.cli.report import refresh_report  # matplotlib: only when there is a report

            refresh_report(folder, quiet=as_json)
    if as_json:
        data = result.to_dict()
        data.pop("tables")
        data["out"] = None if folder is None else str(folder)
        click.echo(json.dumps(json.loads(to_json(data))))
        return
    click.echo(f"{scenario.name}: {scenario.organisation.setup}, {scenario.run.days} working days "
               f"(+{scenario.run.warmup_days} warm-up), seed {result.seed}, config {result.config_hash}")
    click.echo(kpi_table(result.kpi))
    if measured is not None:
        from sim.data.measured import compare, flag_counts, log_window, window_samples

        window = log_window(measured)
        if window is None:
            raise ConfigError(str(measured_file), "has no log window (first, days): written by an older sim "
                                                  "calibrate; calibrate again")
        samples = window_samples(scenario, window[0], window[1], measured_replications, result.seed)
        rows = compare(measured, samples)
        counts = flag_counts(rows, samples)
        if folder is not None:
            write_csv(folder, "measured_vs_simulated.csv", rows)
        click.echo("\n" + measured_table(rows, counts, window[1]))
    click.echo(f"\n{result.events:,} events in {result.wall_seconds:.2f} s; results in {folder}/")


def measured_table(rows: list[dict[str, Any]], counts: dict[str, float], days: int) -> str:
    """Measured beside the model: the overall rows, every row outside the model's 95% range, and whether there
    are more of those than chance gives."""
    reps = max((r["replications"] for r in rows), default=0)
    lines = [f"today (measured over {days} working days) against the model ({reps} runs of the same days)",
             f"{'':<44}{'measured':>9}{'model':>8} {'95% of the runs':>16}  flag", "-" * 90]
    shown = [r for r in rows if r["scope"] == "all" or r["flag"] == "outside 95%"]
    for r in shown:
        name = r["kpi"] if r["scope"] == "all" else f"{r['kpi']} ({r['scope']} {r['group']})"
        sim_text = "-" if r["simulated"] is None else f"{r['simulated']:.1%}"
        rng = "" if r["simulated_low"] is None else f"{r['simulated_low']:.1%}-{r['simulated_high']:.1%}"
        lines.append(f"{name[:44]:<44}{r['measured']:>9.1%}{sim_text:>8} {rng:>16}  {r['flag']}")
    c = counts
    verdict = "more than the model's own runs show: the model does not reproduce today" if c["p_global"] <= 0.05 \
        else "no more than the model's own runs show"
    lines.append(f"{c['outside']} of {c['compared']} measured figures lie outside the range of 95% of the model's "
                 f"runs over the same {days} days; a log drawn from the model itself has {c['expected']:.1f} such "
                 f"figures on average (95% of its runs at most {c['q95']:.0f}): {verdict} (p = {c['p_global']:.2f}). "
                 "Short logs are noisy: absence spans days, and a department with one secretary has a bad fortnight "
                 "when she is away.")
    return "\n".join(lines)


__all__ = ["kpi_table", "measured_table", "run", "write_run"]
