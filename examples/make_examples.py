"""Regenerate the example telephony export and task log from a simulated request log.

    python examples/make_examples.py

They imitate what a phone system and a mail system export (Dutch column names, day-month-year dates, a
semicolon as separator, talk time as h:mm:ss), so that `sim calibrate` can be tried with a column mapping: see
examples/README.md. The numbers are simulated from configs/central.yaml (10 working days, seed 3), not real.
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


def dutch(when: str) -> str:
    return datetime.strptime(when, TIME_FORMAT).strftime("%d-%m-%Y %H:%M:%S") if when else ""


def hms(minutes: str) -> str:
    if not minutes:
        return ""
    s = round(float(minutes) * 60)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def main() -> None:
    scenario = load_scenario(HERE.parent / "configs" / "central.yaml", ["run.days=8", "run.warmup_days=2",
                                                                         "run.seed=3"])
    buf = io.StringIO()
    run_replication(scenario, request_log=RequestLog(scenario, buf))
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    with (HERE / "telephony_export.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Begintijd", "Wachtrij", "Wachttijd (s)", "Gespreksduur", "Resultaat", "Beller"])
        for r in rows:
            if r["kind"] != "call":
                continue
            outcome = "Voicemail" if r["callback"] == "1" else OUTCOME[r["outcome"]]
            w.writerow([dutch(r["arrival"]), r["department"], str(round(float(r["wait_seconds"] or 0))),
                        hms(r["duration_minutes"]), outcome, "extern" if r["caller"] == "external" else "intern"])
    with (HERE / "task_log.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Aangemaakt", "Afgehandeld", "Soort", "Afdeling", "Behandeltijd (min)"])
        for r in rows:
            if r["kind"] != "task" or r["type"] in ("callback", "minutes"):
                continue
            work = f"{float(r['duration_minutes']):.1f}".replace(".", ",") if r["duration_minutes"] else ""
            w.writerow([dutch(r["arrival"]), dutch(r["end"]), r["type"], r["department"], work])


if __name__ == "__main__":
    main()
