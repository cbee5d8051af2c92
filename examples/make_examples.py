"""Regenerate the example telephony export, task log and type mapping from a simulated request log.

    python examples/make_examples.py

They imitate what a phone system and a mail system export: Dutch column names, day-month-year dates, a
semicolon as separator, the wait as h:mm:ss, talk time as mm:ss, work time in minutes with a decimal comma, and
the mail system's own labels for the task types (mapped by task_types.csv). The numbers are simulated from
configs/decentral.yaml (the sector as it is today, decentralised) over 15 working days from Monday 7 April 2025
(seed 3), not real. Easter Monday (21 April) is a public holiday: its rows are removed, as a closed
secretariat would have none; Good Friday (18 April) stays open, as in most municipalities.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from sim import load_scenario, run_replication
from sim.request_log import TIME_FORMAT, RequestLog

HERE = Path(__file__).resolve().parent
OUTCOME = {"answered": "Beantwoord", "abandoned": "Opgehangen", "after_hours": "Buiten openingstijd",
           "open_at_end": "In wachtrij"}
#: The mail system's labels for the config's task types (task_types.csv maps them back)
LABELS = {"email": "E-mail", "post": "Post", "crm": "CRM", "custom": "Maatwerk", "legacy": "Archief",
          "coordination": "Coördinatie"}
CLOSED = "21-04-2025"  # Easter Monday


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
                             ["run.days=13", "run.warmup_days=2", "run.seed=3", "calendar.start_date=2025-04-07"])
    buf = io.StringIO()
    run_replication(scenario, request_log=RequestLog(scenario, buf))
    rows = [r for r in csv.DictReader(io.StringIO(buf.getvalue())) if not dutch(r["arrival"]).startswith(CLOSED)]
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


if __name__ == "__main__":
    main()
