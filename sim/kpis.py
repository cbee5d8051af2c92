"""The KPI vocabulary, declared once: what each KPI means, its range, its unit, which way is better, its norm.

Commands, intervals, figures and reports read this table instead of keeping their own lists of labels,
units, directions and norms. KPIs are named as flattened in ``kpis.csv`` (``service_level.email``); a family
(``service_level``, ``lead_time_mean_hours``, ...) is declared once and its members inherit from it.

``scale`` decides how an interval over replications is formed (:func:`sim.experiments.stats.summarize_kpi`):

- ``share``: a fraction in [0, 1]; a logit-scale interval, which cannot leave [0, 1];
- ``positive``: a non-negative quantity, often skewed (durations, rates, counts); a log-scale interval,
  which cannot go below 0;
- ``real``: anything else; the plain Student-t interval.

``kind`` says what a value is for a reader: a ``share`` (printed in percent), a ``duration`` (seconds or hours,
its unit in the label) or a ``count`` (requests, calls per day, FTE, euro: any other amount). :func:`fmt` and
:func:`fmt_interval` are the one way a KPI's value is written, in tables, reports and figures.

Norms are the defaults of ``sim staff``, the schema's defaults of the config's ``norms`` section
(:class:`sim.config.Norms`), each with its field and its source (:data:`NORM_SOURCES`): reachability at least
80% (the call-centre "80% within 20 s"), at most 5% abandoned calls (Tilburg 2018), every back-office type at
least 85% within its norm time (Tilburg 2020, e-mail within 2 working days), utilisation at most 85% (an
ASSUMPTION: the workforce-management occupancy ceiling). A config may set other norms; ``sim staff`` judges a
staffing by the config's, and this table gives the defaults that tables and figures show.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Scale = Literal["share", "positive", "real"]
Better = Literal["higher", "lower", ""]
Kind = Literal["share", "duration", "count"]

#: The default norms' config fields and sources (from the schema's descriptions, :class:`sim.config.Norms`).
NORM_SOURCES: dict[str, tuple[str, str]] = {
    "reachability": ("norms.reachability_min",
                     'the call-centre convention "80% within 20 s"; Katwijk 20 s, VNG charter 25 s'),
    "calls_abandoned": ("norms.abandoned_max", "Tilburg budget 2018"),
    "service_level": ("norms.service_level_min",
                      "Tilburg budget 2020: e-mail within 2 working days; applied to every type: ASSUMPTION"),
    "utilisation": ("norms.occupancy_max",
                    "ASSUMPTION: the workforce-management convention of planning for 80-85% occupancy"),
}


@dataclass(frozen=True)
class KPI:
    """One KPI (or a family, with ``member`` filled in by :func:`kpi_info`)."""

    name: str
    label: str
    scale: Scale
    better: Better
    definition: str
    unit: str = ""
    norm: float | None = None  # the default norm, at least (better "higher") or at most (otherwise) this
    norm_field: str = ""  # the config field that sets the norm (``norms.reachability_min``)
    norm_source: str = ""  # where the default comes from

    @property
    def kind(self) -> Kind:
        if self.scale == "share":
            return "share"
        return "duration" if self.unit in ("s", "min", "h") else "count"

    @property
    def norm_op(self) -> str:
        """``>=`` or ``<=``: the side of the norm that is good ("" without a norm)."""
        if self.norm is None:
            return ""
        return ">=" if self.better == "higher" else "<="

    @property
    def norm_text(self) -> str:
        if self.norm is None:
            return ""
        value = f"{100 * self.norm:g}%" if self.scale == "share" else f"{self.norm:g}"
        return f"{self.norm_op} {value}"

    @property
    def better_text(self) -> str:
        return {"higher": "higher is better", "lower": "lower is better"}.get(self.better, "")


def _norm(kpi: str, value: float) -> dict[str, Any]:
    field, source = NORM_SOURCES[kpi]
    return {"norm": value, "norm_field": field, "norm_source": source}


_K = KPI
#: Single KPIs, in the order a table shows them.
KPIS: dict[str, KPI] = {k.name: k for k in [
    _K("reachability", "reachability (calls within norm)", "share", "higher",
       "calls answered within the phone norm / calls offered while the line is open", **_norm("reachability", 0.80)),
    _K("calls_answered", "calls answered", "share", "higher", "calls answered / calls offered"),
    _K("calls_abandoned", "calls abandoned", "share", "lower",
       "calls whose caller hung up before an answer / calls offered", **_norm("calls_abandoned", 0.05)),
    _K("asa_seconds", "average speed of answer (s)", "positive", "lower",
       "mean wait of the answered calls (it leaves out the callers who gave up)", "s"),
    _K("wait_all_seconds", "mean wait, all callers (s)", "positive", "lower",
       "mean wait of every caller, answered or abandoned (an abandoned caller's wait is her time until she "
       "hung up)", "s"),
    _K("calls_offered_per_day", "calls offered per day", "positive", "", "measured calls per working day"),
    _K("calls_after_hours_share", "calls outside opening hours", "share", "lower",
       "calls arriving while the line is closed / all calls"),
    _K("reachability_all_callers", "reachability, after-hours callers included", "share", "higher",
       "calls answered within the phone norm / all calls, those made while the line is closed counted as not "
       "reached (a setup cannot look better by moving callers out of the line's hours)"),
    _K("continuity", "continuity (custom work by own secretary)", "share", "higher",
       "custom requests handled by the department's own secretary (minutes: the one who took them) / custom "
       "requests handled: the cost side of pooling"),
    _K("continuity_all", "continuity (all work by own secretary)", "share", "higher",
       "requests handled by the department's own secretary / requests handled"),
    _K("custom_share_requests", "custom share (count)", "share", "",
       "custom (maatwerk) requests / measured requests (the article: 30-40% custom)"),
    _K("custom_share_work", "custom share (work time)", "share", "",
       "busy time on custom calls and tasks / busy time on calls and tasks"),
    _K("replaceability", "replaceability", "share", "higher",
       "of the requests arriving while none of their department's own secretaries is present, the share "
       "handled within its norm"),
    _K("coverage", "coverage (all departments)", "share", "higher",
       "share of opening time in which every department has a present secretary who may serve it"),
    _K("coverage_min_department", "coverage, worst department", "share", "higher",
       "the worst-covered department's share of opening time with someone present to serve it"),
    _K("utilisation", "utilisation", "share", "",
       "busy time (calls, tasks, meetings) / present time; neither high nor low is simply better (the norm is a "
       "ceiling: people busier than that for long burn out)", **_norm("utilisation", 0.85)),
    _K("interruptions_per_hour", "interruptions per present hour", "positive", "lower",
       "back-office tasks interrupted by a call, per present hour"),
    _K("meetings_uncovered", "meetings without minute-taker", "share", "lower",
       "meetings without minutes (nobody could take them, or the one it waited for could not join before it "
       "ended) / meetings"),
    _K("within_norm", "requests within norm", "share", "higher",
       "a department's requests of all kinds handled within their norm / its requests"),
    _K("abandoned", "calls abandoned", "share", "lower", "calls abandoned / calls offered (a table's column)"),
    _K("fte", "staff (FTE)", "positive", "lower", "present hours per week / full-time hours per week", "FTE"),
    _K("cost_per_year", "cost per year (euro)", "positive", "lower", "FTE x cost of one FTE per year", "euro"),
]}

#: The KPIs a table shows, in order (``sim run``, ``sim compare``, the report); every one is in ``summary.csv``.
TABLE_KPIS: tuple[str, ...] = (
    "reachability", "reachability_all_callers", "calls_after_hours_share", "calls_answered", "calls_abandoned",
    "asa_seconds", "wait_all_seconds", "replaceability", "coverage", "coverage_min_department", "continuity",
    "continuity_all", "custom_share_requests", "custom_share_work", "utilisation", "interruptions_per_hour",
    "meetings_uncovered", "fte", "cost_per_year",
)

#: Families: ``<family>.<member>`` (a request type or a cluster).
FAMILIES: dict[str, KPI] = {k.name: k for k in [
    _K("service_level", "service level", "share", "higher",
       "requests done within their norm / (done + still open past their norm at the end)",
       **_norm("service_level", 0.85)),
    _K("lead_time_mean_hours", "mean lead time (h)", "positive", "lower",
       "mean wall-clock hours from arrival to done", "h"),
    _K("lead_time_p90_hours", "90% lead time (h)", "positive", "lower",
       "90th percentile of the wall-clock hours from arrival to done", "h"),
    _K("lead_time_mean_working_hours", "mean lead time (working h)", "positive", "lower",
       "mean working hours (the norms' unit: opening hours on working days) from arrival to done", "h"),
    _K("lead_time_p90_working_hours", "90% lead time (working h)", "positive", "lower",
       "90th percentile of the working hours from arrival to done", "h"),
    _K("backlog_end_of_day", "backlog at closing", "positive", "lower",
       "open requests at closing time, averaged over the measured days"),
    _K("utilisation_by_cluster", "utilisation", "share", "", "busy time / present time in one cluster"),
]}


def kpi_info(name: str) -> KPI:
    """The declaration of ``name`` (a member of a family gets the family's, with its own name and label).
    An unknown name is a ``real`` KPI with no direction, labelled after its name."""
    if name in KPIS:
        return KPIS[name]
    head, _, member = name.partition(".")
    fam = FAMILIES.get(head)
    if fam is None:
        return KPI(name, name.replace("_", " "), "real", "", "")
    norm = (fam.norm, fam.norm_field, fam.norm_source)
    if head == "service_level" and member == "phone":
        reach = KPIS["reachability"]
        norm = (reach.norm, reach.norm_field, reach.norm_source)
    label = f"{fam.label.replace(' (', f' {member} (', 1)}" if "(" in fam.label else f"{fam.label} {member}"
    if head == "service_level":
        label = f"service level: {member}"
    return KPI(name, label, fam.scale, fam.better, fam.definition, fam.unit, *norm)


def scale_of(name: str) -> Scale:
    return kpi_info(name).scale



# ---------------------------------------------------------------------------------------------- numbers
def fmt(name: str, value: Any, *, diff: bool = False, missing: str = "-") -> str:
    """A KPI's value as every table and report writes it: a share in percent with one decimal (a difference
    of shares in percentage points, ``+1.2 pp``), any other number with two decimals, or none from 1,000 on
    (``744,000``). ``diff`` signs a difference; a missing or non-finite value is ``missing``."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return missing
    if value is None or not math.isfinite(value):
        return missing
    if kpi_info(name).scale == "share":
        return f"{100 * value:+.1f} pp" if diff else f"{100 * value:.1f}%"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    return "+" + text if diff and value >= 0 else text


def _has_interval(s: Mapping[str, Any]) -> bool:
    mean, low, high = (_number(s.get(k)) for k in ("mean", "ci_low", "ci_high"))
    return math.isfinite(low) and math.isfinite(high) and high - low > 1e-9 * max(1.0, abs(mean))


def _number(value: Any) -> float:
    try:
        return math.nan if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return math.nan


def fmt_interval(name: str, s: Mapping[str, Any], *, diff: bool = False, missing: str = "-") -> str:
    """``mean [low, high]`` of a summary (``mean``, ``ci_low``, ``ci_high``) in the KPI's unit; the interval is
    left out when there is none or it has no width (a KPI that did not vary). A difference of shares in
    percentage points: ``+1.2 pp [+0.5, +2.0]``."""
    mean = _number(s.get("mean"))
    text = fmt(name, mean, diff=diff, missing=missing)
    if not math.isfinite(mean) or not _has_interval(s):
        return text
    low, high = _number(s.get("ci_low")), _number(s.get("ci_high"))
    if diff and kpi_info(name).scale == "share":
        return f"{text} [{100 * low:+.1f}, {100 * high:+.1f}]"
    return f"{text} [{fmt(name, low, missing=missing)}, {fmt(name, high, missing=missing)}]"


def fmt_plus_minus(name: str, s: Mapping[str, Any], missing: str = "-") -> str:
    """``mean ±half-width`` of a summary (the half-width of a share in points, without the %)."""
    mean = _number(s.get("mean"))
    text = fmt(name, mean, missing=missing)
    if not math.isfinite(mean) or not _has_interval(s):
        return text
    half = (_number(s["ci_high"]) - _number(s["ci_low"])) / 2
    return f"{text} ±{fmt(name, half).rstrip('%')}"


def norms_note(width: int | None = None) -> str:
    """The default norms and their sources in one sentence (wrapped at ``width``), for tables and reports."""
    parts = []
    for name in NORM_SOURCES:
        info = kpi_info(name) if name in KPIS else FAMILIES[name]
        what = "service level of each back-office type" if name == "service_level" else name.replace("_", " ")
        parts.append(f"{what} {info.norm_text} ({info.norm_field}; {info.norm_source})")
    text = "Norms: the defaults of `sim staff` (a config's norms section may set others): " + "; ".join(parts) + "."
    return text if width is None else textwrap.fill(text, width, break_on_hyphens=False)

__all__ = ["KPI", "KPIS", "FAMILIES", "NORM_SOURCES", "TABLE_KPIS", "fmt", "fmt_interval", "fmt_plus_minus",
           "kpi_info", "norms_note", "scale_of"]
