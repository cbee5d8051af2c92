"""The shareable report: one self-contained HTML page from a results folder.

A results folder is what ``sim run --out`` writes (one replication: ``summary.json``, ``config.resolved.yaml``
and the CSV tables) or what an experiment writes (``sim compare``, ``sim sweep``, ``sim staff``:
``manifest.json``, ``summary.json``, the tidy ``kpis.csv`` and ``tables/<table>.csv``). :func:`load_results`
reads either into one :class:`Results` of plain data; :func:`figures_for` draws the figures that fit it
(:mod:`sim.presentation.figures`); :func:`render_html` writes the page: what was compared, the KPIs with their 95%
intervals, the figures, the setups' assumptions (key numbers, and which come from a cited source and which are
assumed), and how the numbers were obtained (seeds, replications, days, version, config hashes).

The page needs no network: styles are inline and figures are embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from sim.config import ConfigError, Scenario, clock_minutes
from sim.core.costs import cost_per_fte
from sim.decisions.business import fmt_iv, headline
from sim.experiments.results import Results, load_results, read_csv
from sim.experiments.sipp import sipp_rows
from sim.kpis import TABLE_KPIS, fmt, fmt_interval, kpi_info, norms_note
from sim.presentation import figures as F
from sim.version import __version__

# ------------------------------------------------------------------------------------------------ reading
# The folder is read by sim.experiments.results, the module that writes it: one reader for report, plot and export.


# ------------------------------------------------------------------------------------------- assumptions
@dataclass(frozen=True)
class KeyNumber:
    """One input worth showing, how to read it from a scenario, and the source that supports it (if any)."""

    label: str
    unit: str
    get: Callable[[Scenario], Any]
    source: str = ""
    supported: Callable[[Scenario, Any], bool] | None = None  # value within what the source supports
    role: str = "input"  # "input", "setup" (what is compared) or "sector" (the sector as modelled)
    #: the config field it reads (``("norms", "occupancy_max")``): its schema description is the source note
    path: tuple[str, ...] = ()
    #: the names in a config's ``uncertainty`` section that state this input's uncertainty (sim uncertainty)
    uncertain: tuple[str, ...] = ()

    def status(self, sc: Scenario) -> tuple[Any, str]:
        value = self.get(sc)
        if self.role == "setup":
            return value, "the setup compared"
        if self.role == "sector":
            return value, "the sector as modelled (assumed)"
        if self.supported is None or value is None:
            described = field_description(self.path)  # the schema's own note where it states an assumption
            return value, "assumed" + (f": {described}" if "assum" in described.lower() else "")
        return value, ("cited: " + self.source) if self.supported(sc, value) else \
            f"assumed (the source, {self.source}, does not support this value)"


def field_description(path: Sequence[str]) -> str:
    """The schema's description of the config field at ``path`` (it says ASSUMPTION or names its source)."""
    model: Any = Scenario
    for i, name in enumerate(path):
        fields = getattr(model, "model_fields", {})
        if name not in fields:
            return ""
        info = fields[name]
        if i == len(path) - 1:
            return str(info.description or "")
        ann = info.annotation
        model = ann if hasattr(ann, "model_fields") else next(
            (a for a in getattr(ann, "__args__", ()) if hasattr(a, "model_fields")), None)
    return ""


def _work_minutes(sc: Scenario) -> str:
    return ", ".join(f"{k} {t.work_minutes.mean:g}" for k, t in sc.demand.tasks.items()) or "none"


def _open_hours(sc: Scenario) -> float:
    return (clock_minutes(sc.calendar.close) - clock_minutes(sc.calendar.open)) / 60


def _task(name: str, attr: str) -> Callable[[Scenario], Any]:
    def get(sc: Scenario) -> Any:
        task = sc.demand.tasks.get(name)
        return None if task is None else getattr(task, attr)
    return get


def _staff(sc: Scenario) -> int:
    return sum(d.staff for d in sc.organisation.departments)


KEY_NUMBERS: list[KeyNumber] = [
    KeyNumber("setup", "", lambda s: s.organisation.setup, role="setup"),
    KeyNumber("task exchange between clusters", "", lambda s: "none (decentralised)"
              if s.organisation.setup == "decentralised" else
              f"{s.dispatch.exchange.policy}, {s.dispatch.exchange.topology}", role="setup"),
    KeyNumber("departments", "", lambda s: len(s.organisation.departments), role="sector"),
    KeyNumber("staff served", "people", _staff, role="sector"),
    KeyNumber("secretaries", "people", lambda s: len(s.organisation.secretaries), role="sector"),
    KeyNumber("staffing", "FTE", lambda s: round(s.fte(), 2), role="sector"),
    KeyNumber("cost of one FTE", "euro/year", cost_per_fte,
              path=("organisation", "cost_per_fte_per_year"), uncertain=("cost_per_fte",)),
    KeyNumber("occupancy ceiling (norm)", "share of present time busy", lambda s: s.norms.occupancy_max,
              path=("norms", "occupancy_max"), uncertain=("occupancy",)),
    KeyNumber("shrinkage", "share of working time", lambda s: s.absence.shrinkage.share,
              path=("absence", "shrinkage", "share"), uncertain=("shrinkage",)),
    KeyNumber("manager", "FTE", lambda s: s.costs.manager_fte, path=("costs", "manager_fte"),
              uncertain=("manager_fte",)),
    KeyNumber("manager cost", "euro/FTE/year", lambda s: s.costs.manager_cost_per_fte_per_year,
              path=("costs", "manager_cost_per_fte_per_year")),
    KeyNumber("coordination overhead", "share of secretaries' cost", lambda s: s.costs.coordination_share,
              path=("costs", "coordination_share"), uncertain=("coordination",)),
    KeyNumber("reorganisation, once", "euro", lambda s: s.costs.reorganisation_once,
              path=("costs", "reorganisation_once"), uncertain=("reorganisation",)),
    KeyNumber("training, once", "euro per FTE kept", lambda s: s.costs.training_per_fte_once,
              path=("costs", "training_per_fte_once")),
    KeyNumber("tools and telephony, once", "euro", lambda s: s.costs.tools_once + s.costs.telephony_once,
              path=("costs", "tools_once")),
    KeyNumber("horizon of the cash flow", "years", lambda s: s.costs.horizon_years,
              path=("costs", "horizon_years")),
    KeyNumber("work times (mean)", "min per task", _work_minutes, uncertain=("work",)),
    KeyNumber("opening hours", "", lambda s: f"{s.calendar.open}\u2011{s.calendar.close}", role="sector"),
    KeyNumber("calls", "per staff member per day", lambda s: s.demand.calls.per_staff_per_day,
              path=("demand", "calls", "per_staff_per_day"), uncertain=("demand", "demand.calls.per_staff_per_day")),
    KeyNumber("talk time (mean)", "min", lambda s: s.demand.calls.talk_minutes.mean,
              path=("demand", "calls", "talk_minutes"), uncertain=("talk", "demand.calls.talk_minutes.mean")),
    KeyNumber("caller patience (mean)", "s",
              lambda s: None if s.demand.calls.patience_seconds is None
              else s.demand.calls.patience_seconds.mean, path=("demand", "calls", "patience_seconds"),
              uncertain=("patience", "demand.calls.patience_seconds.mean")),
    KeyNumber("phone norm: answered within", "s", lambda s: s.demand.calls.norm_seconds,
              "Katwijk 20 s, VNG charter 25 s, Tilburg and Laren 30 s", lambda s, v: 20 <= v <= 30),
    KeyNumber("custom work (maatwerk) in calls", "share", lambda s: s.demand.calls.custom_share,
              "the source article: 30-40% custom work", lambda s, v: 0.3 <= v <= 0.4),
    KeyNumber("custom work done by someone else takes", "x", lambda s: s.dispatch.custom_penalty,
              path=("dispatch", "custom_penalty"), uncertain=("custom_penalty",)),
    KeyNumber("e-mail", "per staff member per day", _task("email", "per_staff_per_day"),
              uncertain=("demand", "demand.tasks.email.per_staff_per_day")),
    KeyNumber("e-mail norm", "working hours", _task("email", "norm_working_hours"),
              "Tilburg (2020): e-mail within 2 working days",
              lambda s, v: abs(v - 2 * _open_hours(s)) < 1e-6),
    KeyNumber("call-back norm", "working hours", lambda s: s.demand.calls.callback_norm_working_hours,
              "Katwijk: call back within 24 h", lambda s, v: v <= _open_hours(s) + 1e-6),
    KeyNumber("legacy work (printing, card indexes)", "per staff member per day",
              _task("legacy", "per_staff_per_day")),
    KeyNumber("minute-writing time", "min per meeting hour",
              lambda s: None if s.demand.meetings is None
              else s.demand.meetings.writing_minutes_per_meeting_hour),
    KeyNumber("staff working independent of place and time", "share",
              lambda s: s.hnw.flexible_share if s.hnw is not None and s.hnw.flexible_share is not None
              else s.demand.flexible_share),
    KeyNumber("sick leave", "share of working days", lambda s: s.absence.sickness.share,
              "A&O fonds Gemeenten Personeelsmonitor: 5.6-6.7% (2016-2023), most municipalities 5-8%",
              lambda s, v: 0.05 <= v <= 0.08, uncertain=("sickness",)),
    KeyNumber("sick reports", "per FTE per year", lambda s: s.absence.sickness.episodes_per_fte_year,
              "about 1.7 per employee per year (2004)", lambda s, v: 1.0 <= v <= 1.7),
    KeyNumber("leave", "days per year", lambda s: s.absence.leave.days_per_year),
    KeyNumber("HNW multipliers", "x volume",
              lambda s: ", ".join(f"{k} {v:g}" for k, v in s.hnw.multipliers.items())
              if s.hnw is not None and s.hnw.multipliers else "none"),
]


def describe_uncertainty(name: str, u: Any) -> str:
    """One declared uncertainty in words: ``work: triangular x0.85..1.15 (mode 1)``."""
    factor = u.relative or "." not in name and name not in ("occupancy", "shrinkage", "sickness", "cost_per_fte",
                                                              "manager_fte", "coordination", "reorganisation",
                                                              "custom_penalty")
    x = "x" if factor else ""
    span = "95% within " if u.distribution in ("normal", "lognormal") else ""
    mode = f" (mode {x}{u.mode:g})" if u.mode is not None else ""
    return f"{name}: {u.distribution}, {span}{x}{u.low:g}..{x}{u.high:g}{mode}"


def uncertainty_of(key: KeyNumber, configs: Mapping[str, Scenario]) -> tuple[str, str]:
    """The stated uncertainty of ``key`` in the configs (their ``uncertainty`` sections) and its source."""
    found: dict[str, Any] = {}
    for sc in configs.values():
        for name in key.uncertain:
            if name in sc.uncertainty:
                found.setdefault(name, sc.uncertainty[name])
    if not found:
        return "none stated", ""
    return ("; ".join(describe_uncertainty(n, u) for n, u in found.items()),
            "; ".join(dict.fromkeys(u.source for u in found.values())))


def assumption_rows(configs: Mapping[str, Scenario]) -> list[dict[str, Any]]:
    """One row per key number: its value in each setup, whether it differs between setups, its status and its
    stated uncertainty (``uncertainty:`` sections); then one row per declared uncertain input that no key number
    shows."""
    rows = []
    shown = {n for k in KEY_NUMBERS for n in k.uncertain}
    for key in KEY_NUMBERS:
        values = {}
        statuses = []
        for name, sc in configs.items():
            value, status = key.status(sc)
            values[name] = value
            statuses.append(status)
        distinct = list(dict.fromkeys(statuses))
        status = distinct[0] if len(distinct) == 1 else "; ".join(f"{n}: {s}" for n, s in
                                                                 zip(configs, statuses, strict=True))
        differs = len({json.dumps(v, default=str) for v in values.values()}) > 1
        spread, source = uncertainty_of(key, configs) if key.role == "input" else ("", "")
        rows.append({"label": key.label, "unit": key.unit, "values": values, "differs": differs,
                     "status": status, "uncertainty": spread, "uncertainty_source": source})
    other: dict[str, Any] = {}
    for sc in configs.values():
        for name, u in sc.uncertainty.items():
            if name not in shown:
                other.setdefault(name, u)
    for name, u in other.items():
        rows.append({"label": name, "unit": "", "values": {n: _read_path(sc, name) for n, sc in configs.items()},
                     "differs": False, "status": "declared uncertain",
                     "uncertainty": describe_uncertainty(name, u), "uncertainty_source": u.source})
    return rows


def _read_path(sc: Scenario, name: str) -> Any:
    """The value at a dotted path of ``sc`` (a parameter name: ``None``, it is a factor)."""
    node: Any = sc.model_dump(mode="json")
    for part in name.split(".") if "." in name else ():
        node = node.get(part) if isinstance(node, dict) else None
    return node if "." in name and not isinstance(node, dict | list) else None


# ------------------------------------------------------------------------------------------------- KPIs


#: With more units than this, the KPI table turns: one row per unit, the headline KPIs as columns.
MAX_COLUMNS = 6
HEADLINE_KPIS = ("reachability", "calls_abandoned", "replaceability", "coverage", "utilisation",
                 "service_level.email", "fte")


def table_kpis(present: Sequence[str]) -> list[str]:
    """The KPIs to tabulate: the headline ones, then each request type's service level and mean lead time."""
    head = [k for k in TABLE_KPIS if k in present]
    types = [k for k in present if k.startswith("service_level.") and k != "service_level.phone"]
    leads = [k for k in present if k.startswith(("lead_time_mean_working_hours.", "lead_time_mean_hours."))]
    return head[:-2] + types + leads + head[-2:] if len(head) >= 2 else head + types + leads


def significant(s: Mapping[str, Any]) -> bool:
    """A difference whose interval excludes zero."""
    low, high = F.num(s.get("ci_low")), F.num(s.get("ci_high"))
    return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)


def unit_label(settings: Sequence[str], unit: Sequence[Any], many_setups: bool) -> str:
    setup, *values = unit
    if list(settings) == ["staffing", "fte"]:  # a staffing search: the config's and the least staffing
        role = {"config": "as staffed in its config", "least": "recommended"}.get(str(values[0]), str(values[0]))
        return f"{setup}, {role} ({F.num(values[1]):.1f} FTE)"
    parts = [f"{short_setting(c)}={v}" for c, v in zip(settings, values, strict=True)]
    if many_setups or not parts:
        parts.insert(0, str(setup))
    return ", ".join(parts)


def short_setting(column: str) -> str:
    return column.rsplit(".", 1)[-1] if "." in column else column


def kpi_summary(res: Results) -> tuple[list[str], list[dict[str, Any]]]:
    """The units' labels and, per KPI, each unit's mean and 95% CI (from the tidy KPI rows)."""
    units = res.units()
    by = ["setup", *res.settings]
    summary = F.summarise(res.kpis, [*by, "kpi"], "value")
    index = {(tuple(s[c] for c in by), s["kpi"]): s for s in summary}
    many = len({u[0] for u in units}) > 1
    labels = [unit_label(res.settings, u, many) for u in units]
    present = list(dict.fromkeys(str(r["kpi"]) for r in res.kpis))
    rows = [{"kpi": k, "cells": [index.get((u, k), {}) for u in units]} for k in table_kpis(present)]
    return labels, rows


def difference_summary(res: Results, baseline: str | None = None,
                       ) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Paired differences (each setup minus ``baseline``, default the first) per KPI, for a comparison."""
    setups = res.setups
    baseline = baseline or setups[0]
    present = list(dict.fromkeys(str(r["kpi"]) for r in res.kpis))
    kpis = table_kpis(present)
    diffs = F.paired_differences([r for r in res.kpis if r["kpi"] in kpis], ["kpi"], "value", baseline)
    index = {(d["setup"], d["kpi"]): d for d in diffs}
    others = [s for s in setups if s != baseline]
    rows = [{"kpi": k, "cells": [index.get((s, k), {}) for s in others]} for k in kpis]
    return baseline, others, rows


# ---------------------------------------------------------------------------------------------- figures
@dataclass
class NamedFigure:
    name: str
    title: str
    caption: str
    figure: Figure


FIGURE_KINDS = ("waterfall", "gain-loss", "service-curve", "compare", "service-level", "hourly", "sipp", "ecdf",
                "utilisation",
                "departments", "day")
#: Figures the business-case section shows (the others go under *Figures*).
BUSINESS_FIGURES = ("gain_loss", "service_curve")
#: Figures of the first screen (named ``waterfall_<setup>``), before the business case's other figures.
FIRST_SCREEN = "waterfall"


def type_norms_minutes(sc: Scenario | None) -> dict[str, float]:
    """Norm lines of the ECDF figure, in minutes: the phone norm (``phone_wait``) and each type's norm in
    working time (``<type>:working``)."""
    if sc is None:
        return {}
    d = sc.demand
    out = {"phone_wait": d.calls.norm_seconds / 60, "callback:working": d.calls.callback_norm_working_hours * 60}
    for name, task in d.tasks.items():
        out[f"{name}:working"] = task.norm_working_hours * 60
    if d.meetings is not None:
        out["minutes:working"] = d.meetings.norm_working_hours * 60
    return out


def _relabel(rows: Iterable[Mapping[str, Any]], settings: Sequence[str], many: bool) -> list[dict[str, Any]]:
    """Fold the setting columns into ``setup`` so that each unit of a sweep draws as its own series."""
    out = []
    for row in rows:
        unit = (row.get("setup"), *(row.get(c) for c in settings))
        out.append({**row, "setup": unit_label(settings, unit, many)})
    return out


def figures_for(res: Results, kinds: Sequence[str] | None = None, day: int | None = None,
                x: str | None = None, baseline: str | None = None) -> list[NamedFigure]:
    """The figures that fit the results (or only ``kinds``), with titles and captions for the report."""
    want = set(kinds or FIGURE_KINDS)
    unknown = want - set(FIGURE_KINDS)
    if unknown:
        raise ConfigError("sim plot", f"unknown figure {', '.join(sorted(unknown))}; "
                                      f"choose from {', '.join(FIGURE_KINDS)}")
    out: list[NamedFigure] = []

    def add(make: Callable[[], NamedFigure]) -> None:
        with contextlib.suppress(F.NoData):  # nothing to draw (no calls: no SIPP figure): the figure is left out
            out.append(make())
    setups = res.setups
    many_units = len(res.units()) > 1
    tables = res.tables
    if res.settings:
        many = len(setups) > 1
        if len(res.units()) <= 6:
            tables = {k: _relabel(v, res.settings, many) for k, v in tables.items()}
        else:  # too many settings to draw side by side: the first factor's settings, the others held at their
            # first value, so the figures compare one thing at a time (not the first and last, which differ in
            # every factor)
            first = res.units()[0]
            keep = [u for u in res.units() if u[0] == first[0] and u[2:] == first[2:]][:6]

            def kept(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
                return [r for r in rows if (r.get("setup"), *(r.get(c) for c in res.settings)) in keep]

            tables = {k: _relabel(kept(v), res.settings, many) for k, v in tables.items()}
    n_rep = len({r.get("replication") for r in res.kpis})
    reps = f"{n_rep} replication{'s' if n_rep != 1 else ''}"

    case = res.summary.get("business_case") or {} if res.kind == "staff" else {}
    alternatives = [n for n, r in (case.get("setups") or {}).items() if r.get("gain_loss")]
    for name, row in (case.get("setups") or {}).items():
        wf = row.get("waterfall")
        if "waterfall" not in want or not wf:
            continue
        out.append(NamedFigure(
            f"waterfall_{name}", f"Where the saving of {name} comes from",
            f"From today's yearly cost ({wf['reference']} as staffed, {F.num(wf['today_fte']):.1f} FTE) to "
            f"{name}'s at its least staffing ({F.num(row['fte_least']['mean']):.1f} FTE, the mean over the "
            f"business case's blocks), in this order: pooling at today's occupancy "
            f"({_pct_text(wf.get('today_occupancy'))}, no custom-work penalty), what pooling gains on "
            f"shrinkage ({_pct_text(wf.get('shrinkage'))}), the occupancy ceiling raised to "
            f"{_pct_text(wf.get('occupancy_max'))} (a policy assumption), the custom-work penalty "
            f"(x{F.num(wf.get('custom_penalty')):g}), coordination and the manager; each FTE step a "
            "least-staffing search on block 0. The steps add up to the reported yearly saving; below it, the "
            f"one-off costs spread over {wf['horizon_years']} years. waterfall.csv has every step.",
            F.waterfall_figure(case, name)))
    if "gain-loss" in want and alternatives:
        today = case.get("today") or {}
        tol = F.num(today.get("tolerance"))
        add(lambda: NamedFigure(
            "gain_loss", "Who gains and who loses against today",
            "Each department's service at the recommended staffing of "
            + ", ".join(alternatives) + f" against today's ({case.get('reference')} as staffed, "
            f"{F.num(case.get('today_fte')):.1f} FTE, measured over {today.get('replications', '?')} "
            "replications), KPI by KPI, in points: + better, − worse, whatever the KPI's direction (fewer "
            "abandoned calls is better). Red cells are worse; framed cells marked ! are worse than today beyond "
            "the tolerance of 'no worse than today' (the larger of "
            + (f"{100 * tol:.0f} point" if math.isfinite(tol) else "the tolerance")
            + " and today's own 95% interval); + marks a gain beyond it.",
            F.gain_loss_figure(case)))
    if "service-curve" in want and any((case.get("setups") or {}).get(n, {}).get("service_curve")
                                       for n in alternatives):
        targets = staff_targets(res)
        add(lambda: NamedFigure(
            "service_curve", "What each FTE buys",
            "From each alternative's recommended staffing up to today's FTE, days added along the search's "
            "path, every staffing judged on block 0's replications: left, the sector's reachability and "
            "occupancy (share of present time busy) with 95% intervals, thin dotted lines the norms "
            f"(reachability {_pct_text(targets.get('reachability'))} or more, occupancy at most "
            f"{_pct_text(targets.get('utilisation'))}); right, per norm the margin of the department closest to "
            "breaking it, in points (below 0 it breaks). Dashed: today's FTE; dotted: the recommended FTE; "
            "hollow markers: a staffing that breaks a norm.",
            F.service_curve_figure(case, targets)))
    if "service-level" in want and res.kind == "sweep" and res.settings and x is None:
        add(lambda: NamedFigure(
            "service_level", "The sweep, one factor at a time",
            "One row per KPI, one column per swept setting. Within a column only that setting changes along "
            "the x axis; each series holds the other settings fixed at the value its legend gives, so every "
            f"comparison changes one thing at a time. Means over {reps} with 95% intervals (logit scale for "
            "shares, log scale for waits); categorical settings are points, numeric ones joined by lines; "
            f"dashed: the norms ({norms_caption(res)}).",
            F.sweep_effects(res.kpis, res.settings)))
    elif "service-level" in want and (res.settings or x):
        out.append(_service_level_figure(res, x, reps))
    if "compare" in want and many_units and not res.settings:
        add(lambda: NamedFigure(
            "compare", "The setups compared",
            f"Left: each KPI per setup, mean over {reps} with a 95% confidence interval. Right: the paired "
            f"difference from {baseline or setups[0]} per replication (same seeds, so the same calls and "
            "mail), in percentage points; an interval that excludes 0 is a real difference.",
            F.setup_comparison(res.kpis, baseline=baseline)))
    if "departments" in want and tables.get("per_department"):
        two = len(F.setups_of(tables["per_department"])) > 1
        add(lambda: NamedFigure(
            "departments", "Per department: winners and losers" if two else "Per department",
            "Replaceability (requests handled within norm while the department's own secretaries are all "
            "absent), coverage (share of opening time someone who may serve the department is present) and "
            "the share of all its requests within norm" +
            (", and below each setup's paired change from the first (green gains, red loses)."
             if two else "."),
            F.department_view(tables["per_department"], baseline=baseline)))
    if "hourly" in want and tables.get("per_hour"):
        add(lambda: NamedFigure(
            "hourly", "Reachability, waiting and abandonment by hour of the day",
            f"Calls grouped by the hour they arrived; bars are means over {reps} with 95% confidence "
            "intervals (logit scale for shares, log scale for waits, so inside what is possible). Top: "
            f"reachability, dashed the {_pct_text(norm_of(res, 'reachability'))} norm. Middle: the mean wait of "
            "all callers, those who gave up "
            "included (their wait is the time until they hung up); the black tick is the mean wait of the "
            "answered calls only (the speed of answer), which looks better the more callers give up. "
            "Bottom: the share of callers who gave up.",
            F.hourly_profile(tables["per_hour"], target=norm_of(res, "reachability"))))
    if "sipp" in want and tables.get("per_half_hour") and res.first_scenario() is not None:
        first_setup = F.setups_of(tables["per_half_hour"])[0]
        mine = [r for r in tables["per_half_hour"] if str(r.get("setup", "")) == first_setup]
        sc = res.first_scenario()
        assert sc is not None
        add(lambda: NamedFigure(
            "sipp", "Per half hour: stationary queueing theory (SIPP) against the simulation" +
            (f": {first_setup}" if first_setup else ""),
            "Staffing practice sizes each half hour with Erlang C/A on that half hour's load (the stationary "
            "independent period-by-period approximation, Green, Kolesar & Whitt 2007). Top: the offered load "
            "in Erlang (calls per hour x mean talk hours), the secretaries present and those on calls, means "
            "over days and replications. Bottom: the reachability SIPP predicts (Erlang A with the config's "
            "talk time and patience, everyone present a server, one pool) beside the simulated reachability "
            f"of calls arriving in that half hour (mean over {reps}, 95% interval). Where the black squares "
            "lie above the simulated points, the secretariat does worse than the theory: present secretaries "
            "in meetings, at the start of a task that a call cannot interrupt, or in another cluster's queue.",
            F.sipp_figure(sipp_rows(mine, sc))))
    if "ecdf" in want and tables.get("time_histograms"):
        working = any(str(r.get("type", "")).endswith(":working") for r in tables["time_histograms"])
        add(lambda: NamedFigure(
            "ecdf", "Distribution of waiting and lead times",
            "First panel: every caller's wait on a log scale in seconds; solid, the share of callers who "
            "were answered or hung up within x; dashed, the share answered within x; the gap at the right "
            "is the callers who gave up; dotted, the phone norm. Other panels: the share of each type's "
            "requests done within x " + (
                "working hours (opening hours on working days: the unit of the norms, dashed)"
                if working else "wall-clock hours (nights and weekends included)") +
            f", log scale. Lines are the mean over {reps} of each replication's distribution, bands 95% "
            "intervals across replications. A mean lead time can exceed the 90th percentile: the mean is "
            "pulled up by the few requests that wait overnight or over a weekend (or for a secretary back "
            "from leave), while 90% are done within the same day.",
            F.wait_ecdf(tables["time_histograms"], norms_minutes=type_norms_minutes(res.first_scenario()))))
    if "utilisation" in want and tables.get("utilisation_by_hour"):
        add(lambda: NamedFigure(
            "utilisation", "Utilisation by secretary, cluster and hour",
            "Busy time (calls, tasks, meetings) as a share of present time, per hour of the day, pooled over "
            "all measured days and replications; white: nobody present.",
            F.utilisation_heatmap(tables["utilisation_by_hour"])))
    if "day" in want and res.events:
        for setup in F.setups_of(res.events)[:3]:
            rows = [e for e in res.events if str(e.get("setup", "")) == setup]
            try:
                fig = F.day_in_the_life(rows, day)
            except F.NoData:
                continue  # nobody worked that day in this setup
            title = "A day in the life" + (f": {setup}" if setup else "")
            out.append(NamedFigure(
                f"day{'_' + setup if setup else ''}", title,
                "What each secretary did, minute by minute, on one simulated working day (from the event "
                "log).",
                fig))
    return out


def staff_targets(res: Results) -> dict[str, float]:
    """The norms of a staffing search ({kpi: target}, of its first setup)."""
    targets = res.summary.get("targets") or {}
    first: list[Any] = next(iter(targets.values()), []) if isinstance(targets, dict) else []
    return {str(t["kpi"]): float(t["value"]) for t in first
            if "kpi" in t and "value" in t and not t.get("department")}


def _pct_text(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.4g}%"


def norm_of(res: Results, kpi: str) -> float | None:
    """The sector norm of ``kpi`` this result was judged on: a staffing search's own target
    (``summary.json``'s ``targets``) where it has one, else the registry's default norm."""
    return staff_targets(res).get(kpi, kpi_info(kpi).norm)


def norms_caption(res: Results) -> str:
    """The sector norms in words (reachability, abandoned calls, e-mail), as this result states them."""
    parts = [f"reachability {_pct_text(norm_of(res, 'reachability'))} or more",
             f"at most {_pct_text(norm_of(res, 'calls_abandoned'))} of calls abandoned",
             f"{_pct_text(norm_of(res, 'service_level.email'))} of e-mail within its norm time"]
    return ", ".join(parts)


def _service_level_figure(res: Results, x: str | None, reps: str) -> NamedFigure:
    staffing = res.kind == "staff" and "fte" in res.settings
    column = x or ("fte" if staffing else res.settings[0])
    if staffing:
        targets = staff_targets(res)
        present = {str(r["kpi"]) for r in res.kpis}
        kpis = [k for k in targets if k in present and k != "service_level.phone"]
        fig = F.service_level_curve(res.kpis, column, kpis=kpis or None, targets=targets or None,
                                    x_label=F.PARAM_LABELS["fte"], y_label="share (%, mean and 95% CI)")
        return NamedFigure(
            "service_level", "Service levels against staffing",
            "Each setup at its configured staffing and at the least staffing that meets every norm; means "
            f"over {reps} with 95% intervals; dashed: the norms (calls abandoned must stay below its norm, "
            "the others above).", fig)
    others = [c for c in res.settings if c != column]  # each combination of the other settings: a panel
    rows = res.kpis if not others else _relabel(res.kpis, others, len(res.setups) > 1)
    fig = F.service_level_curve(rows, column, x_label=F.PARAM_LABELS.get(column, column))
    return NamedFigure(
        "service_level", f"Service levels against {short_setting(column)}",
        f"Reachability and the service level of each request type (share within its norm) as {column} "
        f"varies; lines are means over {reps}, bands 95% confidence intervals, dashed lines the norms "
        f"({norms_caption(res)}).", fig)


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(F.STYLE):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;
background:#fafafa;line-height:1.45}
main{max-width:1150px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:1.6em;margin-bottom:0.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:2em}
.lead{color:#555;margin-top:0}
table{border-collapse:collapse;margin:12px 0;font-size:0.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f4f8}td:first-child,th:first-child{text-align:left}
table{max-width:100%}.tw{overflow-x:auto;max-width:100%}.nb{white-space:nowrap}table.defs th{text-align:left}
td.text,td:first-child{text-align:left;white-space:normal}
tr.differs td{background:#fff7e0}
.note{color:#666;font-size:0.88em}.warn{color:#D55E00}
figure{margin:24px 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:0.9em;max-width:900px}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px;font-size:0.9em}
.cited{color:#0072B2}.assumed{color:#8a5a00}
.first{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}.first figure{margin:4px 0}
.first figure h3{display:none}.wfcol{flex:0 1 662px;max-width:100%}.wfcol figcaption{font-size:0.8em}
.side{flex:1 1 300px;font-size:0.9em;min-width:0}.side h3{margin:0.3em 0}
.side ul{padding-left:1.1em;margin:0.2em 0 0.6em}h2.answer{margin-top:0.6em}
.loss{color:#B03A00}.gain{color:#007A5A}ul.headline{font-size:1.08em;padding-left:1.2em}
ul.headline li{margin-bottom:0.4em}ul.headline code{word-break:break-all}ul.headline li.note{font-size:0.85em}
table.gl{font-size:0.82em}table.gl td{white-space:nowrap}table.roster th{text-align:left}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _nb(text: str) -> str:
    """``mean [low, high]`` as two unbreakable pieces: a narrow window wraps the interval under the mean
    instead of widening the table past the page."""
    mean, sep, interval = text.partition(" [")
    if not sep:
        return f'<span class="nb">{_e(text)}</span>'
    return f'<span class="nb">{_e(mean)}</span> <span class="nb">[{_e(interval)}</span>'



def _table(header: Sequence[str] | None, rows: Iterable[Sequence[str]], cls: Sequence[str] | None = None,
           text_cols: Sequence[int] = (), numbers: bool = False) -> str:
    """An HTML table of already escaped cells; ``text_cols`` are aligned left (numbers align right)."""
    head = ""
    if header is not None:
        head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>"
    body = []
    for i, row in enumerate(rows):
        klass = f' class="{cls[i]}"' if cls and cls[i] else ""
        tds = "".join(f'<td class="text">{c}</td>' if j in text_cols else f"<td>{c}</td>"
                      for j, c in enumerate(row))
        body.append(f"<tr{klass}>{tds}</tr>")
    klass = ' class="kpi"' if numbers else ""  # tables of numbers with intervals: never wrapped
    # wide tables scroll inside their box, never the page
    return f'<div class="tw"><table{klass}>{head}<tbody>{"".join(body)}</tbody></table></div>'


def _title(res: Results) -> str:
    setups = res.setups
    if res.kind == "run":
        return f"Simulation run: {setups[0]}"
    if res.kind == "compare":
        return "Comparison: " + " vs ".join(setups)
    if res.kind == "sweep":
        swept = ", ".join(short_setting(c) for c in res.settings) or "settings"
        return f"Sweep of {swept}: {', '.join(setups)}"
    return f"Staffing: {', '.join(setups)}"


def _kpi_section(res: Results, baseline: str | None = None) -> str:
    labels, rows = kpi_summary(res)
    n_rep = len({r.get("replication") for r in res.kpis})
    parts = ["<h2>Key figures</h2>"]
    if n_rep > 1:
        parts.append(f'<p class="note">Mean over {n_rep} replications with the 95% confidence interval in '
                     "brackets: on the logit scale for shares and the log scale for waits, lead times and "
                     "rates, so it never leaves what is possible (see <i>How the numbers were obtained</i>). "
                     "↑ higher is better, ↓ lower is better; the definitions and norms are below the table."
                     "</p>")
    else:
        parts.append('<p class="note">One replication: no confidence interval can be given. Use <code>sim '
                     "compare</code> with several replications for intervals.</p>")
    def show(kpi: str, cell: Mapping[str, Any]) -> str:
        return _nb(fmt_interval(kpi, cell, missing="–")) if cell else "–"

    if len(labels) <= MAX_COLUMNS:
        body = [[_e(F.kpi_label(r["kpi"])) + _arrow(r["kpi"])] + [show(r["kpi"], c) for c in r["cells"]]
                for r in rows]
        parts.append(_table(["KPI", *labels], body, numbers=True))
    else:  # many settings: one row each, the headline KPIs only
        shown = [r for r in rows if r["kpi"] in HEADLINE_KPIS]
        body = [[_e(label)] + [show(r["kpi"], r["cells"][i]) for r in shown]
                for i, label in enumerate(labels)]
        parts.append(_table(["setting", *[F.kpi_label(r["kpi"]) + _arrow(r["kpi"], html_=False) for r in shown]],
                            body, numbers=True))
        parts.append('<p class="note">The headline KPIs only; every KPI of every setting is in '
                     "<code>summary.csv</code> beside this page.</p>")
    if res.kind == "compare" and len(res.setups) > 1:
        baseline, others, diff_rows = difference_summary(res, baseline)
        parts.append(f"<h3>Paired differences from {_e(baseline)}</h3>")
        parts.append('<p class="note">Per replication both setups saw the same demand (common random '
                     "numbers); the mean difference and its 95% interval. Shares in percentage points (pp); "
                     "<b>bold</b>: the interval excludes 0, a real difference.</p>")
        def cell(kpi: str, c: Mapping[str, Any]) -> str:
            text = _nb(fmt_interval(kpi, c, diff=True, missing="–")) if c else "–"
            return f"<b>{text}</b>" if c and significant(c) else text

        body = [[_e(F.kpi_label(r["kpi"]))] + [cell(r["kpi"], c) for c in r["cells"]] for r in diff_rows]
        parts.append(_table(["KPI", *[f"{o} − {baseline}" for o in others]], body, numbers=True))
    parts.append(_definitions([r["kpi"] for r in rows], res))
    return "\n".join(parts)


def _arrow(kpi: str, html_: bool = True) -> str:
    """↑ (higher is better) or ↓ (lower is better) after a KPI's name, nothing where neither is."""
    better = kpi_info(kpi).better
    arrow = {"higher": "↑", "lower": "↓"}.get(better, "")
    if not arrow:
        return ""
    return f' <span title="{better} is better">{arrow}</span>' if html_ else f" {arrow}"


#: The config's norm field behind a KPI's sector norm, and its direction.
_NORM_FIELDS = {"reachability": ("reachability_min", ">="), "calls_abandoned": ("abandoned_max", "<="),
                "utilisation": ("occupancy_max", "<=")}


def result_norm(res: Results | None, kpi: str) -> tuple[str, float] | None:
    """The sector norm ``kpi`` was judged on here: a staffing search's own target, else the first config's
    ``norms`` section (``service_level_min`` for every back-office type), else the registry's default."""
    if res is not None:
        targets = res.summary.get("targets") or {}
        first: list[Any] = next(iter(targets.values()), []) if isinstance(targets, dict) else []
        for t in first:
            if isinstance(t, dict) and t.get("kpi") == kpi and not t.get("department") and "value" in t:
                return str(t.get("op") or (">=" if kpi_info(kpi).better == "higher" else "<=")), float(t["value"])
        sc = res.first_scenario()
        if sc is not None and res.kind != "staff":
            name, op = _NORM_FIELDS.get(kpi, ("service_level_min", ">=") if kpi.startswith("service_level.")
                                        and kpi != "service_level.phone" else (None, ""))
            if name is not None:
                value = getattr(sc.norms, name, None)
                return None if value is None else (op, float(value))
    info = kpi_info(kpi)
    if info.norm is None:
        return None
    return (">=" if info.better == "higher" else "<="), float(info.norm)


def _definitions(kpis: Sequence[str], res: Results | None = None) -> str:
    """What each KPI on the page means, its norm (this result's own: :func:`result_norm`) and which way is
    better: the page stands alone."""
    rows = []
    for kpi in kpis:
        info = kpi_info(kpi)
        norm = result_norm(res, kpi)
        text = "" if norm is None else f"{norm[0]} {_pct_text(norm[1])}"
        rows.append([_e(F.kpi_label(kpi)), _e(info.definition),
                     f'<span class="nb">{_e(text)}</span>' if text else "–",
                     _e(info.better_text) or "neither"])
    table = _table(["KPI", "definition", "norm", "better"], rows, text_cols=(1, 2, 3))
    return ("<h3>What the KPIs mean</h3>" + table.replace("<table>", '<table class="defs">', 1) +
            '<p class="note">Shares count only requests arriving after the warm-up. '
            + "The norm column gives the norms this result was judged on (a staffing search's own targets, else the "
            "config's norms section). " + _e(norms_note()).replace("`sim staff`", "<code>sim staff</code>")
            + " Lead times are given in wall-clock and in working hours; a mean lead time can lie above its 90th "
            "percentile when a few requests wait overnight, over a weekend or for a secretary back from leave: a "
            "long tail pulls the mean up while 90% are done sooner.</p>")


def _figure_html(nf: NamedFigure) -> str:
    data = base64.b64encode(figure_png(nf.figure)).decode("ascii")
    return (f'<figure id="fig-{_e(nf.name)}"><h3>{_e(nf.title)}</h3>'
            f'<img alt="{_e(nf.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(nf.caption)}</figcaption></figure>")


def _share(value: Any) -> str:
    v = F.num(value)
    return "–" if not math.isfinite(v) else f"{100 * v:.1f}%"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _days(value: Any) -> str:
    """``mon,tue,wed`` as ``mon–wed`` when the days run on, else ``mon,wed``."""
    days = [d.strip() for d in str(value or "").split(",") if d.strip()]
    if not days:
        return "–"
    idx = [WEEKDAYS.index(d) for d in days if d in WEEKDAYS]
    if len(idx) == len(days) and len(days) > 2 and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"{days[0]}–{days[-1]}"
    return ",".join(days)


def _points(value: Any) -> str:
    v = F.num(value)
    return "–" if not math.isfinite(v) else f"{v:+.1f}"


def gain_loss_table(case: Mapping[str, Any], name: str) -> str:
    """One alternative's departments x KPIs: today's share, the new one and the change in points; a loss
    beyond the tolerance in red and marked !, a gain beyond it in green."""
    rows_in = ((case.get("setups") or {}).get(name) or {}).get("gain_loss") or []
    depts = list(dict.fromkeys(str(g["department"]) for g in rows_in))
    kpis = [k for k in F.GAIN_LOSS_KPIS if any(g["kpi"] == k for g in rows_in)]
    kpis += list(dict.fromkeys(str(g["kpi"]) for g in rows_in if g["kpi"] not in kpis))
    cells = {(str(g["department"]), str(g["kpi"])): g for g in rows_in}
    body = []
    for d in depts:
        row = [_e(d)]
        for k in kpis:
            g = cells.get((d, k))
            if g is None:
                row.append("–")
                continue
            verdict = str(g.get("verdict"))
            change = _points(g.get("better_points")) + {"loss": "!", "gain": "+"}.get(verdict, "")
            klass = {"loss": "loss", "gain": "gain"}.get(verdict, "")
            text = (f'<span class="nb">{_e(_share(g.get("today")))} → {_e(_share(g.get("new")))}</span> '
                    f'<span class="nb {klass}">{"<b>" if klass == "loss" else ""}{_e(change)}'
                    f'{"</b>" if klass == "loss" else ""}</span>')
            row.append(text)
        body.append(row)
    header = ["department", *[F.GAIN_LOSS_KPIS.get(k, k).replace("\n", " ") + (" ↓" if k == "calls_abandoned" else " ↑")
                              for k in kpis]]
    return _table(header, body, numbers=True).replace('<table class="kpi">', '<table class="kpi gl">', 1)


ROSTER_COLUMNS = (("name", "secretary"), ("group", "group"), ("departments", "departments"),
                  ("days_today", "days today"), ("days_new", "days new"),
                  ("hours_per_week_today", "hours/week today"), ("hours_per_week_new", "hours/week new"),
                  ("change_hours", "change (hours)"), ("status", "status"))


def roster_table(rows_in: Sequence[Mapping[str, Any]]) -> str:
    """The recommended roster as HR reads it: each secretary's days and hours today and new, and her status."""
    body, classes = [], []
    for r in rows_in:
        cells = []
        for key, _ in ROSTER_COLUMNS:
            v = r.get(key)
            if key.startswith("hours") or key == "change_hours":
                x = F.num(v)
                text = "–" if not math.isfinite(x) else (f"{x:+.1f}" if key == "change_hours" else f"{x:.1f}")
                cells.append(_e(text))
            elif key.startswith("days"):
                cells.append(f'<span class="nb">{_e(_days(v))}</span>')
            else:
                cells.append(_e("–" if v in (None, "") else str(v).replace(",", ", ")))
        body.append(cells)
        classes.append("" if str(r.get("status")) == "kept" else "differs")
    table = _table([label for _, label in ROSTER_COLUMNS], body, classes, text_cols=(0, 1, 2, 3, 4, 8))
    return table.replace("<table>", '<table class="roster">', 1)


def _business_section(res: Results, figures: Sequence[NamedFigure]) -> str:
    """The answer against today, first on the page: the headline, who gains and who loses, what each FTE buys,
    the gain/loss table and the recommended roster; then the business-case table and the norms."""
    case = res.summary.get("business_case") or {}
    if not case.get("setups"):
        return ""
    parts = ['<h2 class="answer">Business case: the answer against today</h2>']
    lines = headline(case) if "baseline" in case else []
    if lines:
        parts.append('<ul class="headline" id="headline">' + "".join(f"<li>{_e(line)}</li>" for line in lines)
                     + '</ul><ul class="headline" id="inputs">' + _inputs_lines(res, case) + "</ul>"
                     + '<ul class="headline" id="roster">' + _roster_lines(res, case) + "</ul>")
    parts.append(_first_screen(res, case, figures))
    today = case.get("today") or {}
    if today:
        tol = F.num(today.get("tolerance"))
        parts.append(
            f'<p class="note">Today: {_e(today.get("setup") or case.get("reference"))} as staffed, '
            f"{F.num(case.get('today_fte')):.1f} FTE, its service measured over {_e(today.get('replications'))} "
            "replications. 'No worse than today' lets a KPI fall by "
            + (f"{100 * tol:.0f} point" if math.isfinite(tol) else "the tolerance")
            + " or today's own 95% interval, whichever is larger. Equal service meant: "
            + _e("; ".join(f"{n}: {b}" for n, b in (case.get("basis") or {}).items()) or "the norms")
            + ".</p>")
    desc = [f"<b>{_e(n)}</b>: {_e(sc.description)}" for n, sc in res.configs.items() if sc.description]
    if desc:
        parts.append('<p class="lead">' + "<br>".join(desc) + "</p>")
    for nf in figures:
        if nf.name in BUSINESS_FIGURES:
            parts.append(_figure_html(nf))
    for name, row in (case.get("setups") or {}).items():
        if row.get("gain_loss"):
            parts.append(f"<h3>{_e(F.staffing_label(case, name))}: per department</h3>")
            parts.append('<p class="note">Today → new, and the change in points (+ better); '
                         '<span class="loss"><b>red !</b></span>: worse than today beyond the tolerance, '
                         '<span class="gain">green +</span>: better beyond it.</p>')
            parts.append(gain_loss_table(case, name))
    for name, row in (case.get("setups") or {}).items():
        roster = row.get("roster") or []
        changed = [r for r in roster if str(r.get("status")) != "kept"]
        if not roster or name == case.get("reference"):  # today's roster: the baseline, not a proposal
            continue
        fte_today = sum(F.num(r.get("fte_today")) for r in roster if math.isfinite(F.num(r.get("fte_today"))))
        fte_new = sum(F.num(r.get("fte_new")) for r in roster if math.isfinite(F.num(r.get("fte_new"))))
        parts.append(f"<h3>{_e(name)}: the recommended roster ({fte_today:.1f} → {fte_new:.1f} FTE, "
                     f"{len(changed)} of {len(roster)} contracts change)</h3>")
        parts.append(roster_table(roster))
    parts.append(_staff_section(res))
    return "\n".join(parts)


def _first_screen(res: Results, case: Mapping[str, Any], figures: Sequence[NamedFigure]) -> str:
    """What a reader sees first at 1280 pixels: beside the headline, where the saving comes from (the
    waterfall), which departments gain or lose, and what would flip the answer."""
    left = "".join(_figure_html(nf) for nf in figures if nf.name.startswith(FIRST_SCREEN + "_"))
    if not left:
        left = ('<p class="note">Where the saving comes from: run <code>sim staff</code> against today\'s '
                "staffing with <code>--waterfall</code> (the default) for the waterfall.</p>")
    side = ['<div class="side">']
    for name, row in (case.get("setups") or {}).items():
        gl = row.get("gain_loss") or []
        if not gl:
            continue
        side.append(f"<h3>Who gains and who loses: {_e(name)}</h3><ul>")
        for kpi in dict.fromkeys(str(g["kpi"]) for g in gl):
            mine = [g for g in gl if g["kpi"] == kpi]
            bits = []
            for verdict, word, klass in (("loss", "lose", "loss"), ("gain", "gain", "gain")):
                who = [str(g["department"]) for g in mine if g.get("verdict") == verdict]
                if who:
                    bits.append(f'<span class="{klass}">{len(who)} {word}</span> ({_e(", ".join(who))})')
            same = sum(1 for g in mine if g.get("verdict") == "same")
            if same:
                bits.append(f"{same} the same")
            label = F.GAIN_LOSS_KPIS.get(kpi, kpi).replace("\n", " ")
            side.append(f"<li><b>{_e(label)}</b>: {'; '.join(bits)}</li>")
        side.append("</ul>")
    side.append("<h3>What would flip it</h3>")
    found = sensitivity_result(res.folder)
    if found is not None:
        sens, where = found
        rows = []
        for r in (sens.get("parameters") or [])[:4]:
            be = r.get("break_even")
            rows.append(f"<li>{_e(r.get('label'))} {_e(format(F.num(r.get('low')), 'g'))}–"
                        f"{_e(format(F.num(r.get('high')), 'g'))}: saving {_share(r.get('saving_low'))} to "
                        f"{_share(r.get('saving_high'))}; break-even "
                        + ("not within range" if be is None else _e(f"{F.num(be):.3g}")) + "</li>")
        side.append(f'<p class="note">The widest swings of the sensitivity run in <code>{_e(where)}</code> '
                    f"(one parameter at a time, saving of {_e(sens.get('alternative'))} against "
                    f"{_e(sens.get('reference'))}):</p><ul>" + "".join(rows) + "</ul>")
    else:
        configs = [str(e.get("path")) for e in res.manifest.get("configs", [])][:2]
        cmd = "sim sensitivity " + " ".join(configs) + " --baseline config --out " + str(res.folder / "sensitivity")
        side.append(f'<p class="note">No sensitivity run in this folder. To see which assumption would flip the '
                    f"answer (tornado and break-even values), run <code>{_e(cmd)}</code> and "
                    "<code>sim report</code> again.</p>")
    side.append("</div>")
    return f'<div class="first" id="first-screen"><div class="wfcol">{left}</div>{"".join(side)}</div>'


def sub_results(folder: Path, kind: str, field: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The results of ``kind`` (their summary.json, with ``field`` set) in ``folder`` and the folders one below
    it, in name order, with the folder each is in."""
    for path in [folder / "summary.json", *sorted(folder.glob("*/summary.json"))]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("kind") == kind and data.get(field):
            yield data, str(path.parent)


def sub_result(folder: Path, kind: str, field: str) -> tuple[dict[str, Any], str] | None:
    """The first result of ``kind`` (its summary.json, with ``field`` set) in ``folder`` or one folder below."""
    return next(sub_results(folder, kind, field), None)


def sensitivity_result(folder: Path) -> tuple[dict[str, Any], str] | None:
    """A ``sim sensitivity`` result in ``folder`` or one folder below it (its summary.json), if any."""
    return sub_result(folder, "sensitivity", "parameters")


def uncertainty_result(folder: Path) -> tuple[dict[str, Any], str] | None:
    """A ``sim uncertainty`` result in ``folder`` or one folder below it (its summary.json), if any."""
    return sub_result(folder, "uncertainty", "uncertainty")


def _inputs_lines(res: Results, case: Mapping[str, Any]) -> str:
    """The headline's second half, kept short for the first screen: the saving with the inputs' uncertainty
    and P(saving >= 15%), one line per setup, from a ``sim uncertainty`` run in the folder (its own
    summary.json's headline, verbatim; the least FTE and payback lines folded below), or what to run for it."""
    goal = 100 * F.num(case.get("article_saving"))
    found = uncertainty_result(res.folder)
    if found is None:
        configs = [str(e.get("path")) for e in res.manifest.get("configs", [])]
        targets = " ".join(f"--target {t}" for t in (res.manifest.get("target_specs") or []))
        cmd = " ".join(["sim uncertainty", *configs, targets, "--out", str(res.folder / "uncertainty")])
        return (f'<li class="note">These intervals cover the simulation\'s noise only, not the inputs\' uncertainty '
                f"(volumes, work times, occupancy ceiling, costs). <details><summary>For that interval and "
                f"P(saving &ge; {goal:.0f}%), run sim uncertainty</summary><code>{_e(' '.join(cmd.split()))}</code> "
                "and <code>sim report</code> again.</details></li>")
    data, where = found
    unc = data["uncertainty"]
    basis = ", ".join(unc.get("targets") or []) or "the configs' norms"
    lines = [str(line) for line in data.get("headline") or []]
    main = "".join(f"<li>{_e(line.strip())}</li>" for line in lines if not line.startswith(" "))
    more = "".join(f"<li>{_e(line.strip())}</li>" for line in lines if line.startswith(" "))
    return (main + f'<li class="note"><details><summary>With the inputs\' stated uncertainty: '
            f"{_e(len(unc.get('inputs') or []))} inputs, {_e(unc.get('points'))} input points (Latin hypercube, "
            f"common random numbers; targets: {_e(basis)}; <code>{_e(where)}</code>); least FTE and payback"
            f"</summary><ul>{more}</ul></details></li>")

def roster_results(folder: Path) -> list[tuple[dict[str, Any], str]]:
    """The ``sim roster`` results in ``folder``'s subfolders (their summary.json), one per setup, sorted."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for data, where in sub_results(folder, "roster", "setup"):
        found.setdefault(str(data["setup"]), (data, where))
    return [found[k] for k in sorted(found)]


def _roster_lines(res: Results, case: Mapping[str, Any]) -> str:
    """Beside the demand-proportional answer, what an optimised roster (``sim roster``: shifts, days and
    lunches by CP-SAT, corrected by simulation) needs, per setup whose roster run is in the folder; or, for the
    alternatives without one, the command that gives it."""
    rows = case.get("setups") or {}
    specs = [str(t) for t in (res.manifest.get("target_specs") or [])]
    lines, have = [], set()
    for data, where in roster_results(res.folder):
        name = str(data["setup"])
        have.add(name)
        r, today = data.get("roster") or {}, data.get("today") or {}
        if not r:
            lines.append(f"<li>{_e(name)}: no roster within its roster_rules covers the requirements "
                         f"(<code>{_e(where)}</code>)</li>")
            continue
        row = rows.get(name) or {}
        least = row.get("fte_least")
        beside = (f" against {_e(fmt_iv(least, 1))} FTE by the demand-proportional search above"
                  if isinstance(least, dict) and least.get("mean") is not None else "")
        verdict = ("meets every norm on fresh seeds" if data.get("met") else
                   f"NOT confirmed on fresh seeds after {len(data.get('rounds') or [])} rounds")
        targets = [str(t) for t in (data.get("targets") or [])]
        own = "the config's norms"
        differ = "" if sorted(targets) == sorted(specs) else (
            f"; NOTE: judged on other norms than this case ({', '.join(targets) or own} "
            f"against {', '.join(specs) or own})")
        today_org = str(today.get("setup") or name)
        if data.get("basis") in ("today", "both") and today_org != str(case.get("reference") or today_org):
            differ += f"; NOTE: today's service is {today_org}'s, not {case.get('reference')}'s as in this case"
        if data.get("config_is_cheaper"):
            differ += (f"; NOTE: {name} as staffed in its config "
                       f"({F.num((data.get('config_as_staffed') or {}).get('fte')):.2f} FTE) also meets every norm "
                       "and costs less: the optimiser did not beat it")
        lines.append(
            f"<li>{_e(name)} with an optimised roster (shifts, days and lunches chosen by <code>sim roster</code>) "
            f"needs {F.num(r.get('fte')):.2f} FTE{beside}; staff cost {F.num(r.get('cost_per_year')):,.0f} a year "
            f"against today's ({_e(today_org)}) {F.num(today.get('cost_per_year')):,.0f} "
            f"({F.num(today.get('fte')):.2f} FTE); "
            f"{verdict}, {len(data.get('rounds') or [])} rounds of simulate-and-correct{_e(differ)} "
            f"(<code>{_e(where)}</code>)</li>")
    missing = [n for n in rows if n != case.get("reference") and n not in have]
    if missing:
        configs = {str(e.get("name")): str(e.get("path")) for e in res.manifest.get("configs", [])}
        flags = " ".join(f"--target {t}" for t in specs)
        ref = str(case.get("reference") or "")
        if ref in configs and any(b in ("today", "both") for b in (case.get("basis") or {}).values()):
            flags = f"--today {configs[ref]} {flags}"
        cmds = [" ".join(["sim roster", configs.get(n, n), flags, "--out", str(res.folder / f"roster-{n}")])
                for n in missing]
        lines.append('<li class="note"><details><summary>The least FTE above adds and removes whole days in '
                     "proportion to demand; for the least-cost roster HR can implement (shifts, days, lunches), "
                     "run sim roster</summary>" + "<br>".join(f"<code>{_e(' '.join(c.split()))}</code>" for c in cmds)
                     + " and <code>sim report</code> again.</details></li>")
    return "".join(lines)


def _staff_section(res: Results) -> str:
    """The business case of a staffing search: least FTE and cost per setup, the saving against the
    reference, and the norms at the least staffing."""
    case = res.summary.get("business_case") or {}
    rows_in = case.get("setups") or {}
    if not rows_in:
        return ""
    ref = case.get("reference", "")
    goal = F.num(case.get("article_saving"))
    confidence = F.num(res.summary.get("confidence", 0.95))
    per_setup = [len(r.get("fte_blocks") or []) for r in rows_in.values()]
    blocks = (f"{min(per_setup)}" if min(per_setup) == max(per_setup) else f"{min(per_setup)} to {max(per_setup)}") \
        if per_setup and min(per_setup) > 0 else case.get("blocks")
    against = case.get("baseline_meaning") or f"{ref} at its least staffing"
    parts = ["<h3>Business case: cost and saving per setup</h3>"]
    parts.append(
        '<p class="note">The least staffing of each setup that meets every norm ('
        + _e(res.summary.get("rule") or "") + ")"
        + (f", found on {blocks} independent blocks of replications per setup (mean and {100 * confidence:.0f}% "
           "interval over the blocks; the saving is paired over the blocks both setups ran)" if blocks else "")
        + f"; its cost; and the saving against {_e(against)}."
        + (f" The source article expects a saving of at least {100 * goal:.0f}%." if math.isfinite(goal)
           else "") + "</p>")
    controlled = [n for n, on in (res.summary.get("control_variate") or {}).items() if on]
    if controlled:
        parts.append(
            '<p class="note">Each department\'s reachability and abandoned calls are judged with its coverage by '
            "the roster as a control variate (<code>norms.control_variate</code>; " + _e(", ".join(controlled))
            + "): the estimates of those norms below are corrected for how far the replications' absences fell "
            "from their exactly known expectation; the per-department tables show the plain shares.</p>")

    def yes(v: Any) -> str:
        return "–" if v is None else ("yes" if v else "no")

    def iv(s: Any, pct: bool = False) -> str:
        return "–" if not isinstance(s, dict) or s.get("mean") is None else _nb(fmt_iv(s, 1, pct))

    body = []
    for name, r in rows_in.items():
        share = F.num(r.get("saving_share"))
        saving = iv(r.get("saving_share_ci"), pct=True) if r.get("saving_share_ci") else (
            f"{100 * share:+.1f}%" if math.isfinite(share) else "–")
        binding = ", ".join(list(r.get("binding_norms") or {})[:2]) or "–"
        rec_saving = F.num(r.get("saving_share_recommended"))
        least_cost = F.num(r.get("cost_per_year_least", r.get("cost_per_year")))
        body.append([_e(name), f"{F.num(r.get('fte_config')):.1f}", yes(r.get("config_meets_norms")),
                     iv(r.get("fte_least")) if r.get("fte_least") else f"{F.num(r.get('fte')):.1f}",
                     f"{least_cost:,.0f}", saving, yes(r.get("meets_article_saving")),
                     f"<b>{F.num(r.get('fte')):.1f}</b>", f"{F.num(r.get('cost_per_year')):,.0f}",
                     f"{100 * rec_saving:.1f}%" if math.isfinite(rec_saving) else "–", _e(binding)])
    parts.append(_table(["setup", "FTE in config", "config meets norms", "least FTE [95%]", "euro/year (mean)",
                         f"saving vs {ref} [95%]", "reaches the article's saving", "recommended FTE",
                         "euro/year recommended", "saving recommended", "binding norms"],
                        body, numbers=True))
    parts.append('<p class="note">The saving is computed on each block\'s least FTE (euro/year (mean): the mean '
                 "of their costs, so that saving = 1 − cost / the baseline's cost); the recommended staffing is "
                 "one staffing judged on every block's replications together, what a roster would implement, "
                 "with its own cost and saving.</p>")
    for name, st in (res.summary.get("setups") or {}).items():
        least = st.get("least") if isinstance(st, dict) else None
        if not isinstance(least, dict) or not least.get("norms"):
            continue
        parts.append(f"<h4>{_e(name)}: the norms at {F.num(least.get('fte')):.1f} FTE (block 0's "
                     "replications)</h4>")
        norm_rows = []
        for kpi, n in least["norms"].items():
            summ = {"mean": n.get("mean"), "ci_low": n.get("ci_low"), "ci_high": n.get("ci_high")}
            if n.get("department"):  # a department's share (its per-department column): drawn like the KPI
                kpi = "service_level" if n.get("kpi") == "within_norm" else str(n.get("kpi"))
            target = f"{_e(n.get('op'))} {fmt(kpi, n.get('value'), missing='–')}"
            label = f"{n['department']}: {F.kpi_label(str(n.get('kpi')))}" if n.get("department") else F.kpi_label(kpi)
            norm_rows.append([_e(label), target, _nb(fmt_interval(kpi, summ, missing="–")),
                              yes(n.get("holds"))])
        parts.append(_table(["norm", "target", "estimate [95% interval]", "holds"], norm_rows, numbers=True))
    return "\n".join(parts)


def _assumption_section(res: Results) -> str:
    parts = ["<h2>Assumptions</h2>",
             '<p class="note">Key inputs of each setup. <span class="cited">Cited</span> numbers lie '
             'within what a public source supports; <span class="assumed">assumed</span> numbers come from '
             "no public source and should be varied (<code>sim sweep</code>). Rows where the setups differ "
             "are highlighted. The last column is the uncertainty each input carries in the configs' "
             "<code>uncertainty:</code> sections (its range, x for a factor of the value, and where the range "
             "comes from), which <code>sim uncertainty</code> propagates into the saving's interval.</p>"]
    for name, note in res.config_notes.items():
        parts.append(f'<p class="warn">{_e(name)}: {_e(note)}</p>')
    if res.settings and res.kind == "sweep":
        def values(column: str) -> str:
            return ", ".join(str(v) for v in dict.fromkeys(r.get(column) for r in res.kpis))

        varied = "; ".join(f"<code>{_e(c)}</code> = {_e(values(c))}" for c in res.settings)
        # the folder keeps each setup's resolved config as its first setting ran it (configs/<name>.yaml);
        # an older folder without it: the config file as it is, before the sweep's values
        shown = "its first setting" if (res.folder / "configs").is_dir() else "the config before the sweep"
        parts.append(f"<p>Varied in this sweep (the table shows {shown}): {varied}.</p>")
    if not res.configs:
        return "\n".join(parts)
    names = list(res.configs)
    rows, classes = [], []
    for row in assumption_rows(res.configs):
        status = row["status"]
        klass = "cited" if status.startswith("cited") else "assumed" if "assumed" in status else ""
        unit = f' <span class="note">({_e(row["unit"])})</span>' if row["unit"] else ""
        cells = [_e(row["label"]) + unit]
        cells += [_e(_fmt_input(row["values"][n])) for n in names]
        cells.append(f'<span class="{klass}">{_e(status)}</span>')
        spread = row.get("uncertainty") or ""
        cells.append(_e(spread) + (f'<br><span class="note">{_e(row["uncertainty_source"])}</span>'
                                   if row.get("uncertainty_source") else ""))
        rows.append(cells)
        classes.append("differs" if row["differs"] else "")
    parts.append(_table(["input", *names, "source", "stated uncertainty (sim uncertainty)"], rows, classes,
                        text_cols=(len(names) + 1, len(names) + 2)))
    return "\n".join(parts)


def _fmt_input(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _method_section(res: Results) -> str:
    m = res.manifest
    found: set[Any] = {r["seed"] for r in res.kpis if r.get("seed") is not None}
    seeds = sorted(found)
    n_rep = len({r.get("replication") for r in res.kpis})
    rows = [
        ["kind of result", _e(res.kind)],
        ["simulator version", _e(m.get("version") or __version__)],
        ["command", f"<code>{_e(m.get('command') or '(sim run)')}</code>"],
        ["replications", _e(m.get("replications", n_rep))],
        ["measured working days per replication", _e(m.get("days"))],
        ["warm-up working days (not measured)", _e(m.get("warmup_days"))],
        ["base seed", _e(m.get("seed"))],
        ["replication seeds", _e(", ".join(str(s) for s in seeds[:12]) + (" ..." if len(seeds) > 12 else ""))
         ],
        ["common random numbers", _e(res.summary.get("common_random_numbers", "n/a" if n_rep < 2 else "?"))],
        ["results folder", f"<code>{_e(res.folder)}</code>"],
        ["report made", _e(time.strftime("%Y-%m-%d %H:%M"))],
    ]
    for entry in m.get("configs", []):
        where = f"<code>{_e(entry.get('path'))}</code>, hash <code>{_e(entry.get('config_hash'))}</code>"
        rows.append([f"config {_e(entry.get('name'))}", where])
    units = m.get("units") or []
    if len({u.get("config_hash") for u in units}) > 1:
        rows.append(["config hash per unit", _e("; ".join(f"{u.get('key')}: {u.get('config_hash')}"
                                                          for u in units))])
    return ("<h2>How the numbers were obtained</h2>"
            '<p class="note">Each replication simulates the working days after a warm-up with its own '
            "seed; every setup runs on the same seeds, so setups are compared on the same calls, mail and "
            "absences. KPIs are defined in docs/METHODS.md (reachability, replaceability, coverage, service level "
            "per request type, utilisation).</p>" + _table(None, rows, text_cols=(1,)))


def render_html(res: Results, figures: Sequence[NamedFigure] | None = None,
                baseline: str | None = None) -> str:
    """The whole page as one string; differences against ``baseline`` (default: the first setup)."""
    figures = figures_for(res, baseline=baseline) if figures is None else figures
    body = [f"<h1>{_e(_title(res))}</h1>"]
    desc = [f"<b>{_e(n)}</b>: {_e(sc.description)}" for n, sc in res.configs.items() if sc.description]
    if desc and not (res.kind == "staff" and (res.summary.get("business_case") or {}).get("setups")):
        body.append('<p class="lead">' + "<br>".join(desc) + "</p>")
    if res.kind == "staff":  # the finance reader's answer first, before the long KPI table
        body.append(_business_section(res, figures))
        figures = [nf for nf in figures if nf.name not in BUSINESS_FIGURES
                   and not nf.name.startswith(FIRST_SCREEN + "_")]
    body.append(_kpi_section(res, baseline))
    if figures:
        body.append("<h2>Figures</h2>")
    for nf in figures:
        body.append(_figure_html(nf))
    body.append(_assumption_section(res))
    body.append(_method_section(res))
    head = ('<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(_title(res))}</title><style>{CSS}</style>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head>\n<body><main>\n' + "\n".join(body)
            + "\n</main></body></html>\n")


__all__ = ["KEY_NUMBERS", "NamedFigure", "Results", "assumption_rows", "figures_for", "kpi_summary",
           "load_results", "read_csv", "render_html"]
