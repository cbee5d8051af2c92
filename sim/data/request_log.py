"""The request log: one row per request (call, task, meeting) with real dates, as a process-mining tool or
Ciw's records would expect.

``sim run --event-log`` writes it as ``requests.csv`` (and ``requests.parquet`` where pyarrow is installed)
beside ``events.csv``. The model delivers each request once, as its outcome becomes final (see
:class:`sim.core.metrics.RequestSink`), and :class:`RequestLog` writes it at once, so the log streams to disk and
memory does not grow with the horizon. Its columns are the ones ``sim calibrate`` reads by default, so a
simulated log round-trips through calibration.

Columns (:data:`COLUMNS`):

- ``id``: the row's number, in the order the outcomes became final (not the order of arrival);
- ``kind``: ``call``, ``task`` or ``meeting``; ``type``: ``phone``, ``callback``, a task type, ``minutes``, or
  ``meeting``; ``department``, its ``cluster`` (empty when decentralised), ``caller`` (``internal`` or
  ``external``, calls only), ``custom`` (1 for custom work, maatwerk);
- ``arrival``, ``start`` (answered, or first worked on; for a meeting, when the minute-taker began), ``end``
  (the conversation or the work finished; the moment an unanswered caller hung up): date-times
  ``YYYY-MM-DD HH:MM:SS`` counted from ``calendar.start_date`` (the model's day 0, a Monday);
- ``wait_seconds``: from arrival to start (answered calls, tasks), to hanging up (abandoned calls), or to the
  end of the run (still waiting: a right-censored wait); 0 for calls after hours;
- ``duration_minutes``: talk time of an answered call, minutes worked on a task (all its pieces between
  interruptions, at the pace of whoever did them), length of a meeting;
- ``secretary``: who answered the call, finished the task or took the minutes;
- ``outcome``: ``answered``, ``abandoned``, ``after_hours`` (the line was closed), ``done``, ``held``,
  ``uncovered`` (a meeting nobody could take the minutes of) or ``open_at_end``;
- ``callback``: 1 when an unanswered caller left a voicemail, which became a ``callback`` task (its own row);
- ``due``: a task's norm as a date-time; ``warmup``: 1 for requests that arrived during the warm-up (they are
  not measured in the KPIs).
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from sim.config import Scenario
from sim.core.calendar import WorkCalendar
from sim.core.entities import Call, Task

COLUMNS: tuple[str, ...] = (
    "id", "kind", "type", "department", "cluster", "caller", "custom", "arrival", "start", "end", "wait_seconds",
    "duration_minutes", "secretary", "outcome", "callback", "due", "warmup",
)
#: The date-time columns, and their format (seconds; Excel and pandas read it as it is).
TIME_COLUMNS: tuple[str, ...] = ("arrival", "start", "end", "due")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class RequestLog:
    """Writes one CSV row per request to ``out`` as the model delivers it (a :class:`sim.core.metrics.RequestSink`)."""

    def __init__(self, scenario: Scenario, out: TextIO) -> None:
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(COLUMNS)
        self.origin = datetime.combine(scenario.calendar.start_date, time())
        org = scenario.organisation
        self.depts = [d.name for d in org.departments]
        self.clusters = [(d.cluster or "") if org.setup == "central" else "" for d in org.departments]
        self.secretaries = [s.name for s in org.secretaries]
        self.types = scenario.demand.type_names()
        cal = WorkCalendar.from_config(scenario.calendar, scenario.run.days, scenario.run.warmup_days)
        self.t0 = cal.horizon()[0]
        self.rows = 0
        self._dates: dict[int, str] = {}

    def when(self, t: float) -> str:
        """The date-time of model minute ``t`` (empty for a moment that never came)."""
        if not math.isfinite(t) or t < 0:
            return ""
        day, sec = divmod(round(t * 60), 86_400)
        prefix = self._dates.get(day)
        if prefix is None:  # the date's text once a day, not strftime on every row
            prefix = self._dates[day] = (self.origin + timedelta(days=day)).strftime("%Y-%m-%d ")
        return f"{prefix}{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"

    def _write(self, kind: str, type_: str, dept: int, caller: str, custom: bool, arrival: float, start: float,
               end: float, wait_minutes: float | None, duration: float | None, sec: int, outcome: str,
               callback: bool, due: float) -> None:
        self.rows += 1
        self.writer.writerow((
            self.rows, kind, type_, self.depts[dept], self.clusters[dept], caller, int(custom), self.when(arrival),
            self.when(start), self.when(end), "" if wait_minutes is None else f"{60 * wait_minutes:.3f}",
            "" if duration is None else f"{duration:.4f}", self.secretaries[sec] if sec >= 0 else "", outcome,
            int(callback), self.when(due), int(arrival < self.t0),
        ))

    def call(self, call: Call, outcome: str, t: float, sec: int) -> None:
        caller = "external" if call.external else "internal"
        if outcome == "answered":
            self._write("call", "phone", call.dept, caller, call.custom, call.arrival, t, call.end,
                        max(0.0, t - call.arrival), call.end - t, sec, outcome, False, math.inf)
        elif outcome == "open_at_end":  # still waiting when the run ended: a censored wait
            self._write("call", "phone", call.dept, caller, call.custom, call.arrival, math.inf, math.inf,
                        t - call.arrival, None, -1, outcome, False, math.inf)
        else:  # abandoned, or after hours; the caller may have left a voicemail (a call-back task)
            self._write("call", "phone", call.dept, caller, call.custom, call.arrival, math.inf, t,
                        max(0.0, t - call.arrival), None, -1, outcome, call.callback, math.inf)

    def task(self, task: Task, outcome: str, t: float) -> None:
        started = math.isfinite(task.start)
        done = outcome == "done"
        self._write("task", self.types[task.type], task.dept, "", task.custom, task.arrival, task.start,
                    t if done else math.inf, (task.start - task.arrival) if started else None,
                    task.busy if done else None, task.by if done else -1, outcome, False, task.due)

    def meeting(self, dept: int, start: float, join: float, end: float, sec: int, outcome: str) -> None:
        """A meeting: ``held`` (with minutes; ``sec`` joined at ``join``, possibly after a call), ``missed`` (the
        minute-taker it waited for could not join before ``end``) or ``uncovered`` (nobody could)."""
        held = outcome == "held"
        self._write("meeting", "meeting", dept, "", False, start, join if held else math.inf,
                    end if held else math.inf, (join - start) if held else None, (end - join) if held else None,
                    sec if held else -1, outcome, False, math.inf)


def write_parquet(csv_path: str | Path, parquet_path: str | Path) -> bool:
    """Copy a request log from CSV to Parquet, with typed columns; False (and nothing written) without
    pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    except ImportError:
        return False
    types = {name: pa.string() for name in COLUMNS}
    types.update({name: pa.timestamp("s") for name in TIME_COLUMNS})
    types.update({"id": pa.int64(), "custom": pa.int8(), "callback": pa.int8(), "warmup": pa.int8(),
                  "wait_seconds": pa.float64(), "duration_minutes": pa.float64()})
    table = pacsv.read_csv(
        str(csv_path),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                             timestamp_parsers=[TIME_FORMAT]),
    )
    tmp = Path(str(parquet_path) + ".tmp")
    pq.write_table(table, str(tmp))
    tmp.replace(parquet_path)
    return True


__all__ = ["COLUMNS", "RequestLog", "TIME_COLUMNS", "TIME_FORMAT", "write_parquet"]
