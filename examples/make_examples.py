"""Regenerate the example telephony export, task log and type mapping from a simulated request log.

    python examples/make_examples.py

They imitate what a phone system and a mail system export: Dutch column names, day-month-year dates, a
semicolon as separator, the wait as h:mm:ss, talk time as mm:ss, work time in minutes with a decimal comma, and
the mail system's own labels for the task types (mapped by task_types.csv). The numbers are simulated from
configs/decentral.yaml (the sector as it is today, decentralised) with Dutch public holidays (the secretariat
closed on Easter Monday, 21 April, and open on Good Friday, 18 April, as most municipalities are) and Mondays
busier than Fridays (a weekday profile), over 14 working days from Monday 7 April 2025 (seed 3), not real.
Like a real export they hold no warm-up: the model runs 10 working days before 7 April, which are left out.

It also writes roster.xlsx (with openpyxl): the sector's departments and secretaries as `sim init --roster`
lays them out, for `organisation.departments_file` / `secretaries_file`.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from sim import load_scenario, run_replication
from sim.config import Scenario
from sim.data.request_log import TIME_FORMAT, RequestLog

HERE = Path(__file__).resolve().parent
OUTCOME = {"answered": "Beantwoord", "abandoned": "Opgehangen", "after_hours": "Buiten openingstijd",
           "open_at_end": "In wachtrij"}
#: The mail system's labels for the config's task types (task_types.csv maps them back)
LABELS = {"email": "E-mail", "post": "Post", "crm": "CRM", "custom": "Maatwerk", "legacy": "Archief",
          "coordination": "Coördinatie"}
WEEKDAY_PROFILE = "{mon: 1.15, tue: 1.05, wed: 1.0, thu: 0.95, fri: 0.85}"  # Monday 35% over Friday (ASSUMPTION)


def dutch(when: str) -> str:
    return datetime.strptime(when, TIME_FORMAT).strftime("%d-%m-%Y %H:%M:%S") if when else ""


def hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def mmss(minutes: str) -> str:
    if not minutes:
        return ""
    s = round(float(minutes) * 60)
    return f"{s // 60}:{s % 60:02d}"


def main() -> None:
    scenario = load_scenario(HERE.parent / "configs" / "decentral.yaml",
                             ["run.days=14", "run.warmup_days=10", "run.seed=3", "calendar.start_date=2025-03-24",
                              "calendar.holidays=NL", "calendar.open_on=[2025-04-18]",
                              f"demand.weekday_profile={WEEKDAY_PROFILE}"])
    buf = io.StringIO()
    run_replication(scenario, request_log=RequestLog(scenario, buf))
    rows = [r for r in csv.DictReader(io.StringIO(buf.getvalue())) if r["warmup"] == "0"]
    with (HERE / "telephony_export.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Begintijd", "Wachtrij", "Wachttijd", "Gespreksduur", "Resultaat", "Beller"])
        for r in rows:
            if r["kind"] != "call":
                continue
            outcome = "Voicemail" if r["callback"] == "1" else OUTCOME[r["outcome"]]
            w.writerow([dutch(r["arrival"]), r["department"], hms(float(r["wait_seconds"] or 0)),
                        mmss(r["duration_minutes"]), outcome, "extern" if r["caller"] == "external" else "intern"])
    with (HERE / "task_log.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Aangemaakt", "Afgehandeld", "Soort", "Afdeling", "Behandeltijd (min)"])
        for r in rows:
            if r["kind"] != "task" or r["type"] in ("callback", "minutes"):
                continue
            work = f"{float(r['duration_minutes']):.1f}".replace(".", ",") if r["duration_minutes"] else ""
            w.writerow([dutch(r["arrival"]), dutch(r["end"]), LABELS.get(r["type"], r["type"]), r["department"],
                        work])
    with (HERE / "task_types.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Soort", "type"])
        w.writerows([label, name] for name, label in LABELS.items())
    roster(scenario)


def roster(scenario: Scenario) -> None:
    """The sector's roster as a workbook: sheets Departments and Secretaries, the columns sim init writes."""
    from openpyxl import Workbook

    org = scenario.organisation
    book = Workbook()
    deps = book.active
    deps.title = "Departments"
    deps.append(["name", "staff", "cluster", "demand_factor"])
    for d in org.departments:
        deps.append([d.name, d.staff, d.cluster or "", d.demand_factor])
    secs = book.create_sheet("Secretaries")
    secs.append(["name", "departments", "days", "start", "end", "lunch_start", "lunch_minutes"])
    for s in org.secretaries:
        secs.append([s.name, ";".join(s.departments), ",".join(s.days or scenario.calendar.working_days),
                     s.start or "", s.end or "", s.lunch_start or "", s.lunch_minutes])
    book.save(HERE / "roster.xlsx")


if __name__ == "__main__":
    main()
