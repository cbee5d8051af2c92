"""The schema of a config file: a whole scenario (:class:`Scenario`), made of the sections of :mod:`sim.config.models`
(import them from there, or from :mod:`sim.config`), the checks that span sections (:mod:`sim.config.checks`), the
built-in demand, and the JSON Schema of the format for editors (:func:`json_schema`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.config.checks import (
    check_hnw,
    check_norms_possible,
    check_request_types,
    check_secretaries,
    check_uncertainty,
    check_work,
)
from sim.config.models import (
    HNW,
    Absence,
    Calendar,
    Costs,
    Demand,
    Dispatch,
    Model,
    Norms,
    OrganisationSpec,
    RosterRules,
    Run,
    StaffingRules,
    UncertainInput,
)
from sim.config.reading import parse_yaml
from sim.defaults import SECTOR_DEMAND_YAML


class Scenario(Model):
    """A whole scenario: one config file."""

    name: str = "scenario"
    description: str = ""
    run: Run = Run()
    calendar: Calendar = Calendar()
    organisation: OrganisationSpec
    dispatch: Dispatch = Dispatch()
    absence: Absence = Absence()
    demand: Demand = Field(
        default_factory=lambda: Demand.model_validate(sector_demand()),
        description="default: the built-in sector demand (configs/base/sector.yaml's); `base: sector` in this "
        "section merges what is given over it",
    )
    hnw: HNW | None = None
    norms: Norms = Norms()
    costs: Costs = Costs()
    staffing: StaffingRules = StaffingRules()
    roster_rules: RosterRules = RosterRules()
    uncertainty: dict[str, UncertainInput] = Field(
        default_factory=dict,
        description="the inputs' stated uncertainty (sim uncertainty), by parameter name or dotted path; changes "
        "no simulation. In a config that extends another, 'name: null' withdraws an inherited entry (a calibrated "
        "config replaces an assumed range by its measured standard error)",
    )

    @field_validator("uncertainty", mode="before")
    @classmethod
    def _withdrawn(cls, value: Any) -> Any:
        """``name: null`` withdraws an entry inherited through ``extends``."""
        return {k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        check_secretaries(self.calendar, self.organisation)
        check_norms_possible(self.demand, self.calendar)
        check_work(self.run, self.calendar, self.organisation, self.absence, self.demand, self.hnw)
        check_request_types(self.organisation, self.demand)
        check_uncertainty(self.uncertainty, self)
        check_hnw(self.hnw, self.demand)
        return self

    # -- derived figures -------------------------------------------------------------------------------------
    def secretary_hours_per_week(self, i: int) -> float:
        cal = self.calendar
        sec = self.organisation.secretaries[i]
        return len(sec.weekdays(cal)) * sec.working_minutes_per_day(cal) / 60.0

    def fte(self) -> float:
        """Total FTE: present hours per week over the full-time week."""
        hours = sum(self.secretary_hours_per_week(i) for i in range(len(self.organisation.secretaries)))
        return hours / self.calendar.full_time_hours_per_week


def sector_demand() -> dict[str, Any]:
    """The built-in demand section as plain data (that of ``configs/base/sector.yaml``; :mod:`sim.defaults`)."""
    data: dict[str, Any] = parse_yaml(SECTOR_DEMAND_YAML)
    return data


#: Keys of ``organisation`` that name a spreadsheet with the departments or the secretaries (CSV or XLSX, relative
#: to the config file; read by :mod:`sim.config.roster_io` when the config is loaded, with ``*_sheet`` for XLSX).
ROSTER_FILE_KEYS = ("departments_file", "secretaries_file")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the config format, for editors."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sim scenario"
    # keys resolved when a config is loaded, before validation: the built-in demand and roster spreadsheets
    defs = schema.get("$defs", {})
    if "Demand" in defs:
        defs["Demand"]["properties"]["base"] = {
            "enum": ["sector"], "description": "merge this section over the built-in sector demand"}
        defs["Demand"].pop("required", None)
    if "OrganisationSpec" in defs:
        for key in ROSTER_FILE_KEYS:
            what = key.split("_")[0]
            defs["OrganisationSpec"]["properties"][key] = {
                "type": "string", "description": f"CSV or XLSX file with the {what}, relative to this config"}
            defs["OrganisationSpec"]["properties"][key.replace("_file", "_sheet")] = {
                "type": "string", "description": f"sheet of the {what} file (XLSX; default: the first)"}
        defs["OrganisationSpec"]["required"] = ["setup"]
    return schema


__all__ = ["ROSTER_FILE_KEYS", "Scenario", "json_schema", "sector_demand"]
