"""One replication: scenario + seed -> result, as plain data.

This is the single entry point of the simulation; replications, comparisons, sweeps, staffing searches and
parallel runs all compose :func:`run_replication`. It builds the SimPy environment from the scenario (the
organisation, the roster of every secretary, the demand processes, the dispatcher), runs it to the end of the
horizon and returns a :class:`Result`. It reads no files; an optional event log is a callable the caller
provides.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import simpy

from sim.config import Scenario, config_hash
from sim.core.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.core.costs import cost_per_fte
from sim.core.demand import DemandBuilder, apply_hnw
from sim.core.dispatch import Dispatcher, EventLog
from sim.core.kpi_tables import build_accounting, build_kpis, build_tables, flatten_kpis
from sim.core.metrics import Collector, RequestSink
from sim.core.organisation import Organisation, roster
from sim.core.streams import Streams

#: A script of requests: given the environment, the dispatcher (``call_arrives``, ``task_arrives``,
#: ``meeting_starts``) and the calendar, a SimPy process that delivers requests at chosen moments.
Script = Callable[[simpy.Environment, Dispatcher, WorkCalendar], Generator[simpy.Event, Any, None]]


@dataclass
class Result:
    """What one replication produced: KPIs, tables, and how it was obtained."""

    scenario: str
    seed: int
    config_hash: str
    days: int
    kpi: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    accounting: dict[str, Any]
    events: int
    wall_seconds: float = field(default=0.0, compare=False)

    def frame(self, table: str) -> Any:
        """One of this run's tables as a pandas DataFrame (``pip install 'secretariat-sim[frames]'``):
        ``per_hour``, ``per_department``, ... (the keys of ``tables``), or ``kpi`` (one row per KPI)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Result.frame needs pandas: pip install 'secretariat-sim[frames]'") from None
        if table == "kpi":
            return pd.DataFrame([{"kpi": k, "value": v} for k, v in flatten_kpis(self.kpi).items()])
        if table not in self.tables:
            raise KeyError(f"no table {table!r}; the tables are: kpi, {', '.join(self.tables)}")
        return pd.DataFrame(self.tables[table])

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "seed": self.seed, "config_hash": self.config_hash, "days": self.days,
            "kpi": self.kpi, "accounting": self.accounting, "events": self.events,
            "wall_seconds": self.wall_seconds, "tables": self.tables,
        }


def run_replication(scenario: Scenario, seed: int | None = None, *, event_log: EventLog | None = None,
                    request_log: RequestSink | None = None, script: Script | None = None) -> Result:
    """Simulate ``scenario`` once with ``seed`` (default: the config's) and return its result.

    ``event_log`` receives every interval of every secretary's day; ``request_log`` every request (see
    :class:`sim.data.request_log.RequestLog`). Neither changes the results. ``script`` replaces the demand processes
    by a given sequence of requests (a replayed trace, or a test's scenario with a known outcome)."""
    started = time.perf_counter()
    seed = scenario.run.seed if seed is None else seed
    cal = WorkCalendar.from_config(scenario.calendar, scenario.run.days, scenario.run.warmup_days)
    t0, t_end = cal.horizon()
    demand = apply_hnw(scenario.demand, scenario.hnw)
    type_names = demand.type_names()
    minutes_type = type_names.index("minutes") if demand.meetings is not None else -1

    env = simpy.Environment()
    streams = Streams(seed)
    org = Organisation(scenario)
    metrics = Collector(org, cal, type_names, demand.calls.norm_seconds / 60.0, t0, t_end, request_log)
    meetings = demand.meetings
    dispatcher = Dispatcher(
        env, org, scenario.dispatch, cal, metrics, type_names,
        callback_norm_minutes=demand.calls.callback_norm_working_hours * 60,
        writing_per_minute=(meetings.writing_minutes_per_meeting_hour / 60) if meetings else 0.0,
        minutes_norm_minutes=(meetings.norm_working_hours * 60) if meetings else 0.0,
        minutes_type=minutes_type, log=event_log, forwarding=scenario.organisation.forwarding,
    )
    for i, sec in enumerate(org.secretaries):
        env.process(roster(env, scenario, i, sec, cal, streams[f"absence/{sec.name}"], dispatcher,
                           streams[f"shrinkage/{sec.name}"]))
    volume = [d.staff * d.demand_factor for d in scenario.organisation.departments]
    days = cal.working_days()
    if script is None:
        DemandBuilder(env, demand, org.dept_names, volume, days, len(cal.weekdays), streams, cal, dispatcher).start()
    else:  # a given sequence of requests instead of the demand processes (tests, replayed traces)
        env.process(script(env, dispatcher, cal))
    env.process(_day_ends(env, cal, metrics, days.from_(cal.warmup_days)))
    env.run(until=t_end)

    dispatcher.close()
    metrics.finish(env.now, dispatcher.open_requests())
    clusters: dict[str, list[int]] = {}
    for sec in org.secretaries:
        clusters.setdefault(sec.cluster, []).append(sec.index)
    kpi = build_kpis(metrics, scenario.fte(), cost_per_fte(scenario), clusters)
    waiting = sum(1 for r in dispatcher.open_requests() if not hasattr(r, "type") and r.measured)
    events = events_scheduled(env)
    return Result(
        scenario=scenario.name, seed=seed, config_hash=config_hash(scenario), days=scenario.run.days,
        kpi=kpi, tables=build_tables(metrics), accounting=build_accounting(metrics, waiting), events=events,
        wall_seconds=time.perf_counter() - started,
    )


def events_scheduled(env: simpy.Environment) -> int:
    """How many events SimPy has scheduled in ``env`` (``Result.events``; the benchmarks' events per second).

    The one place the model reads a private SimPy attribute: SimPy keeps no public count, only the id counter
    that ``schedule`` draws from (``_eid``, an ``itertools.count``; reading it takes one id, harmless after the
    run). Counting in an ``Environment`` subclass's ``schedule`` would be public, but would add a Python call to
    every event of every run for a figure only the benchmarks use. Without the counter (another SimPy) it is 0.
    """
    counter = getattr(env, "_eid", None)
    return next(counter) if counter is not None else 0


def _day_ends(env: simpy.Environment, cal: WorkCalendar, metrics: Collector, days: Iterable[int]) -> Any:
    """At closing time of each measured working day, record the backlog."""
    for day in days:
        yield env.timeout(day * MINUTES_PER_DAY + cal.close_minute - env.now)
        metrics.day_end()


__all__ = ["Result", "events_scheduled", "flatten_kpis", "run_replication"]
