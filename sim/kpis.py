"""The KPI vocabulary, declared once: what each KPI means, its range, its unit, which way is better, its norm.

Commands, intervals, figures and reports read this table instead of keeping their own lists of labels,
units, directions and norms. KPIs are named as flattened in ``kpis.csv`` (``service_level.email``); a family
(``service_level``, ``lead_time_mean_hours``, ...) is declared once and its members inherit from it.

``scale`` decides how an interval over replications is formed (:func:`sim.stats.summarize_kpi`):

- ``share``: a fraction in [0, 1]; a logit-scale interval, which cannot leave [0, 1];
- ``positive``: a non-negative quantity, often skewed (durations, rates, counts); a log-scale interval,
  which cannot go below 0;
- ``real``: anything else; the plain Student-t interval.

Norms are the defaults of ``sim staff`` (sources in :mod:`sim.staffing`): reachability at least 80% (the
call-centre "80% within 20 s"), at most 5% abandoned calls (Tilburg 2018), every back-office type at least
85% within its norm time (Tilburg 2020, e-mail within 2 working days).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scale = Literal["share", "positive", "real"]
Better = Literal["higher", "lower", ""]


@dataclass(frozen=True)
class KPI:
    """One KPI (or a family, with ``member`` filled in by :func:`kpi_info`)."""

    name: str
    label: str
    scale: Scale
    better: Better
    definition: str
    unit: str = ""
    norm: float | None = None  # the default norm (a share), with ``better`` saying which side is good

    @property
    def norm_text(self) -> str:
        if self.norm is None:
            return ""
        op = ">=" if self.better == "higher" else "<="
        value = f"{100 * self.norm:g}%" if self.scale == "share" else f"{self.norm:g}"
        return f"{op} {value}"

    @property
    def better_text(self) -> str:
        return {"higher": "higher is better", "lower": "lower is better"}.get(self.better, "")


_K = KPI
#: Single KPIs, in the order a table shows them.
KPIS: dict[str, KPI] = {k.name: k for k in [
    _K("reachability", "reachability (calls within norm)", "share", "higher",
       "calls answered within the phone norm / calls offered while the line is open", norm=0.80),
    _K("calls_answered", "calls answered", "share", "higher", "calls answered / calls offered"),
    _K("calls_abandoned", "calls abandoned", "share", "lower",
       "calls whose caller hung up before an answer / calls offered", norm=0.05),
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
       "busy time (calls, tasks, meetings) / present time; neither high nor low is simply better"),
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

#: Families: ``<family>.<member>`` (a request type or a cluster).
FAMILIES: dict[str, KPI] = {k.name: k for k in [
    _K("service_level", "service level", "share", "higher",
       "requests done within their norm / (done + still open past their norm at the end)", norm=0.85),
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
    norm = fam.norm
    if head == "service_level" and member == "phone":
        norm = KPIS["reachability"].norm
    label = f"{fam.label.replace(' (', f' {member} (', 1)}" if "(" in fam.label else f"{fam.label} {member}"
    if head == "service_level":
        label = f"service level: {member}"
    return KPI(name, label, fam.scale, fam.better, fam.definition, fam.unit, norm)


def scale_of(name: str) -> Scale:
    return kpi_info(name).scale


__all__ = ["KPI", "KPIS", "FAMILIES", "kpi_info", "scale_of"]
