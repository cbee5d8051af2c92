"""The report's assumptions: the key inputs of a setup, how to read each from a scenario, and the public source
that supports its value (if any), with the uncertainty the configs state for it (``uncertainty:`` sections).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.config import Scenario, clock_minutes
from sim.core.costs import cost_per_fte


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
