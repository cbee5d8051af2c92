"""Per-interval theory beside the simulation: SIPP rows (stationary independent period-by-period).

Each half hour of the simulated day is set beside the service level that Erlang A gives for its offered load and
the secretaries present (:func:`sim.theory.sipp_service_level`). The report's SIPP figure and ``sim validate``'s
check read the same rows from here; the module needs the formulas and the statistics, not the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim import theory
from sim.config import Scenario
from sim.experiments.stats import summarize_share


def dist_rate(dist: Any, per: float = 1.0) -> tuple[float, bool]:
    """1 / mean of a config distribution (in per-minute units after dividing by ``per``), and whether it is
    exponential (cv 1 counts: Erlang's formulas need the mean and, for waits, the exponential shape)."""
    mean = float(dist.mean) / per
    exponential = dist.dist == "exponential" or (getattr(dist, "cv", None) == 1.0 and dist.dist != "deterministic")
    return (1.0 / mean if mean > 0 else math.inf), bool(exponential)


def sipp_rows(per_half_hour: Sequence[dict[str, Any]], scenario: Scenario) -> list[dict[str, Any]]:
    """Per half hour of the day: the offered load, the secretaries present, and SIPP's predicted service
    level beside the simulated one with its 95% interval over replications.

    ``per_half_hour`` are rows of the ``per_half_hour`` table (one per slot and replication; a ``setup``
    column, if any, must hold one setup). The arrival rate of a slot is its simulated offered calls per
    minute (mean over days and replications), so the comparison isolates the staffing approximation from
    the demand; ``c`` is the mean number of secretaries present. SIPP treats the slot as a stationary
    Erlang A queue (Erlang C without patience) with the config's mean talk time and patience, and the whole
    secretariat as one pool of ``c`` servers that do nothing but calls (Green, Kolesar & Whitt 2007).
    """
    calls = scenario.demand.calls
    mu, _ = dist_rate(calls.talk_minutes)
    theta = 0.0
    if calls.patience_seconds is not None:
        theta, _ = dist_rate(calls.patience_seconds, per=60.0)
    t = calls.norm_seconds / 60.0
    days = max(1, scenario.run.days)
    by_slot: dict[int, list[dict[str, Any]]] = {}
    for row in per_half_hour:
        by_slot.setdefault(int(float(row["slot"])), []).append(row)
    out = []
    for slot in sorted(by_slot):
        rows = by_slot[slot]
        width = 30.0
        offered = [float(r["offered"]) for r in rows]
        lam = sum(offered) / len(rows) / days / width
        present = sum(float(r["present_mean"]) for r in rows) / len(rows)
        on_calls = sum(float(r.get("call_busy_mean") or 0.0) for r in rows) / len(rows)
        if lam <= 0:
            continue
        shares = [float(r["answered_within_norm"]) / float(r["offered"]) for r in rows if float(r["offered"]) > 0]
        sim = summarize_share(shares)
        theory_sl = theory.sipp_service_level(present, lam, mu, theta, t)
        out.append({
            "slot": slot, "start_minute": slot * 30, "calls_per_hour": 60 * lam, "offered_load": lam / mu,
            "present": present, "on_calls": on_calls, "sipp_service_level": theory_sl,
            "simulated": sim.mean, "ci_low": sim.ci_low, "ci_high": sim.ci_high, "n": sim.n,
            "difference": None if sim.mean is None else sim.mean - theory_sl,
        })
    return out


__all__ = ["dist_rate", "sipp_rows"]
