"""What ``sim roster`` writes: the roster as a ``secretaries_file`` spreadsheet that ``sim run`` reads back, a
config that points at it, the coverage per half hour against the requirement (CSV; the figure of it is
:mod:`sim.presentation.figures.roster`'s), the rounds and the norms' margins on fresh seeds."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sim.config import Scenario
from sim.decisions.rostering.requirements import SLOT, Requirements
from sim.decisions.rostering.search import Judged, Round
from sim.decisions.rostering.solver import Roster
from sim.experiments.output import atomic_open, atomic_path

#: The spreadsheet's columns: those of sim/config/roster_io.py first (read back), then HR's (ignored on reading).
COLUMNS = ["name", "departments", "cluster", "days", "start", "end", "lunch_start", "lunch_minutes",
           "hours_today", "hours_new", "change_hours", "status"]


def roster_rows(roster: Roster) -> list[dict[str, Any]]:
    rows = []
    for a in roster.assignments:
        if a.person.new and not a.days:
            continue
        spec = next((s for s in roster.secretaries() if s.name == a.person.name), None)
        rows.append({
            "name": a.person.name, "departments": "; ".join(a.person.departments),
            "cluster": a.person.cluster or "", "days": ", ".join(a.days),
            "start": spec.start if spec else "", "end": spec.end if spec else "",
            "lunch_start": spec.lunch_start if spec else "", "lunch_minutes": f"{spec.lunch_minutes:g}" if spec else "",
            "hours_today": round(a.person.today_hours, 2), "hours_new": round(a.hours, 2),
            "change_hours": round(a.hours - a.person.today_hours, 2), "status": a.status})
    return rows


#: What sim roster writes into its folder: --overwrite removes these first.
ROSTER_FILES = ("roster.csv", "roster_changes.csv", "roster.xlsx", "roster.yaml", "coverage.csv", "coverage.png",
                "margins.csv", "rounds.csv", "summary.json")


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """``rows`` as ``path``, header first (also with no rows), written then renamed into place."""
    cols = columns or (list(rows[0]) if rows else [])
    with atomic_open(path.parent, path.name) as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def write_roster(out: Path, scenario: Scenario, roster: Roster) -> list[Path]:
    """``roster.csv`` (and ``roster.xlsx`` with openpyxl) in the secretaries_file format, and ``roster.yaml``,
    the config with its secretaries read from ``roster.csv`` (runs as it is: ``sim run roster.yaml``)."""
    rows = roster_rows(roster)
    working = [r for r in rows if r["days"]]
    paths = [out / "roster.csv"]
    write_csv(paths[0], working, COLUMNS)
    write_csv(out / "roster_changes.csv", rows, COLUMNS)  # also who leaves
    try:
        import openpyxl
    except ImportError:
        pass
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Secretaries"
        ws.append(COLUMNS)
        for r in working:
            ws.append([r[c] for c in COLUMNS])
        with atomic_path(out, "roster.xlsx") as tmp:
            wb.save(tmp)
        paths.append(out / "roster.xlsx")
    from sim.experiments.output import write_yaml

    data = scenario.model_dump(mode="json")
    data["organisation"].pop("secretaries")
    data["organisation"]["secretaries_file"] = "roster.csv"
    data["name"] = f"{scenario.name}-roster"
    write_yaml(out, "roster.yaml", data)
    paths.append(out / "roster.yaml")
    return paths


def coverage_rows(roster: Roster, req: Requirements, theory: Requirements) -> list[dict[str, Any]]:
    rows = []
    for g, by_day in roster.coverage.items():
        for d, minutes in by_day.items():
            for k, s in enumerate(req.slots):
                rows.append({"group": g, "day": d, "slot": s, "start": f"{s * SLOT // 60:02d}:{s * SLOT % 60:02d}",
                             "required_theory": theory.need[g][k], "required": req.need[g][k],
                             "present": round(minutes[k] / SLOT, 3),
                             "calls_per_hour": round(theory.calls_per_hour[g][k], 3)})
    return rows


def margin_rows(judged: Judged, today: Judged | None = None) -> list[dict[str, Any]]:
    """Every norm's estimate and margin (the roster's; today's roster's on the same seeds beside it)."""
    rows = []
    for key, m in judged.margins.items():
        s = judged.summaries.get(key)
        rows.append({"norm": key, "estimate": None if s is None else s.mean, "margin": m,
                     "today_margin": None if today is None else today.margins.get(key)})
    return rows


def round_rows(rounds: list[Round]) -> list[dict[str, Any]]:
    return [r.row() for r in rounds]


__all__ = ["COLUMNS", "ROSTER_FILES", "coverage_rows", "margin_rows", "roster_rows", "round_rows",
           "write_roster"]
