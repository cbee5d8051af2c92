"""The cost model: what a staffing costs, in one place.

A secretary FTE costs ``costs.cost_per_fte_per_year`` a year, or, where a config does not set it,
``organisation.cost_per_fte_per_year`` (:func:`cost_per_fte`). A paid roster hour costs
``roster_rules.cost_per_hour``, or that FTE cost over :data:`WEEKS_PER_YEAR` full-time weeks
(:func:`cost_per_hour`). A setup's yearly cost (:class:`CostModel`) is its secretaries' FTE x cost per FTE, plus a
coordination overhead (a share of that), plus the manager (``manager_fte`` x manager cost); moving to a setup
costs once: the reorganisation, training per secretary FTE kept, tools (HNW) and telephony.

Every price in ``sim`` comes from here: the KPI ``cost_per_year`` of one run (:mod:`sim.core.kpi_tables`), the
single-search business case (:mod:`sim.decisions.staffing.result`), the business case over blocks
(:mod:`sim.decisions.business`), sensitivity, uncertainty, the waterfall and the roster's cost
(:mod:`sim.decisions.rostering`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config import Scenario

#: Weeks in a year of pay: a yearly cost is 52 weeks of a weekly one.
WEEKS_PER_YEAR = 52


def cost_per_fte(scenario: Scenario) -> float:
    """Employer's cost of a secretary FTE per year: ``costs.cost_per_fte_per_year``, else the organisation's."""
    per_fte = scenario.costs.cost_per_fte_per_year
    return scenario.organisation.cost_per_fte_per_year if per_fte is None else per_fte


def cost_per_fte_in(data: Mapping[str, Any]) -> Any:
    """:func:`cost_per_fte` read from a config's raw data (before validation; None where neither is set)."""
    per_fte = (data.get("costs") or {}).get("cost_per_fte_per_year")
    return per_fte if per_fte is not None else (data.get("organisation") or {}).get("cost_per_fte_per_year")


def cost_per_hour(scenario: Scenario) -> float:
    """Employer's cost of one paid roster hour: ``roster_rules.cost_per_hour``, else :func:`cost_per_fte` over
    :data:`WEEKS_PER_YEAR` full-time weeks."""
    rules = scenario.roster_rules
    if rules.cost_per_hour is not None:
        return rules.cost_per_hour
    return cost_per_fte(scenario) / (WEEKS_PER_YEAR * scenario.calendar.full_time_hours_per_week)


def yearly_cost_of_hours(scenario: Scenario, hours_per_week: float) -> float:
    """The yearly cost of ``hours_per_week`` paid roster hours a week."""
    return hours_per_week * cost_per_hour(scenario) * WEEKS_PER_YEAR


@dataclass(frozen=True)
class CostModel:
    """Yearly and one-off cost of a setup from its config's ``costs`` section, and how the move's FTE reduction
    is realised over time (:func:`sim.decisions.business.cash_flow`)."""

    per_fte: float
    manager_fte: float
    manager_per_fte: float
    coordination_share: float
    reorganisation: float
    training_per_fte: float
    tools: float
    telephony: float = 0.0
    horizon_years: int = 5
    discount_rate: float = 0.0225
    reduction: str = "attrition"
    attrition_rate: float = 0.08
    #: None: one year's cost of a secretary FTE (``per_fte``)
    redundancy_per_fte: float | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> CostModel:
        c = scenario.costs
        return cls(cost_per_fte(scenario), c.manager_fte, c.manager_cost_per_fte_per_year, c.coordination_share,
                   c.reorganisation_once, c.training_per_fte_once, c.tools_once, c.telephony_once,
                   c.horizon_years, c.discount_rate, c.reduction, c.attrition_rate, c.redundancy_cost_per_fte)

    def yearly(self, fte: float) -> dict[str, float]:
        secretaries = fte * self.per_fte
        coordination = self.coordination_share * secretaries
        manager = self.manager_fte * self.manager_per_fte
        return {"secretaries": secretaries, "coordination": coordination, "manager": manager,
                "total": secretaries + coordination + manager}

    def one_off(self, fte: float) -> dict[str, float]:
        training = self.training_per_fte * fte
        return {"reorganisation": self.reorganisation, "training": training, "tools": self.tools,
                "telephony": self.telephony,
                "total": self.reorganisation + training + self.tools + self.telephony}

    def solve(self, name: str, total: float, fte: float) -> float | None:
        """The value of the figure ``name`` (``manager_fte``, ``coordination_share`` or ``per_fte``) at which
        :meth:`yearly` at ``fte`` totals ``total``: ``total = fte x per_fte x (1 + coordination_share) +
        manager_fte x manager_per_fte`` solved for it. None where the total does not depend on it (a one-off
        figure, or a zero coefficient). The value may be negative (no value reaches ``total``)."""
        secretaries = fte * self.per_fte
        manager = self.manager_fte * self.manager_per_fte
        if name == "manager_fte":
            return None if self.manager_per_fte == 0 else \
                (total - secretaries * (1 + self.coordination_share)) / self.manager_per_fte
        if name == "coordination_share":
            return None if secretaries == 0 else (total - manager) / secretaries - 1
        if name == "per_fte":
            return None if fte == 0 else (total - manager) / (fte * (1 + self.coordination_share))
        return None

    @property
    def redundancy_cost(self) -> float:
        """One-off cost per FTE made redundant (default: one year's cost of a secretary FTE)."""
        return self.per_fte if self.redundancy_per_fte is None else self.redundancy_per_fte

    def unset(self) -> bool:
        """No manager, coordination or one-off cost set (all at their zero defaults): the secretaries only."""
        return not any((self.manager_fte, self.coordination_share, self.reorganisation, self.training_per_fte,
                        self.tools, self.telephony))


__all__ = ["WEEKS_PER_YEAR", "CostModel", "cost_per_fte", "cost_per_fte_in", "cost_per_hour",
           "yearly_cost_of_hours"]
