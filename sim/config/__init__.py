"""Scenario configuration: the schema of a config file, loading it, and overriding fields.

A config file (YAML) describes one scenario; loading it gives an immutable, validated
:class:`~sim.config.schema.Scenario`, the only input of the model. The package has one module per job, each
importing only those above it in this list:

- :mod:`sim.config.errors`: :class:`ConfigError`, and the rewriting of pydantic's errors into one line that
  names the file and the field;
- :mod:`sim.config.reading`: reading a YAML file safely (plain data only, size and alias guards);
- :mod:`sim.config.models`: the sections of a config as pydantic models, each checking its own fields;
- :mod:`sim.config.checks`: the checks that span sections (hours against the calendar, the work guard, names);
- :mod:`sim.config.schema`: the whole :class:`~sim.config.schema.Scenario` (sections, cross-checks, derived
  figures), the built-in demand and the JSON Schema;
- :mod:`sim.config.hashing`: the config hash that names what a result was simulated from;
- :mod:`sim.config.network`: the routing network derived from a scenario (groups, who may serve whom);
- :mod:`sim.config.lunches`: lunch planning for the secretaries whose config gives no lunch;
- :mod:`sim.config.overrides`: ``--set PATH=VALUE`` on the raw config;
- :mod:`sim.config.loading`: ``extends``, roster spreadsheets, the built-in demand, validation, then
  lunch planning and the checks across the routing network once a scenario is valid.

Everything a caller needs is importable from ``sim.config`` itself (``from sim.config import load_scenario,
Scenario, ConfigError``).
"""

from sim.config.errors import ConfigError, OptionError, format_validation_error, one_line, option
from sim.config.hashing import config_hash
from sim.config.loading import (
    load_data,
    load_raw,
    load_scenario,
    parse_extending,
    parse_scenario,
    with_demand_defaults,
)
from sim.config.lunches import LUNCH_STEP_MINUTES, plan_lunches
from sim.config.models import (
    FLAT_PROFILE,
    HNW,
    MAX_DAYS,
    MAX_EXPECTED_REQUESTS,
    MAX_PROFILE_SLOTS,
    MAX_RATE_PER_STAFF_PER_DAY,
    MINUTES_PER_DAY,
    OFFICE_PROFILE,
    RESERVED_TYPES,
    WEEKDAYS,
    Absence,
    Calendar,
    CallsSpec,
    Clock,
    Costs,
    Cover,
    Demand,
    Department,
    Dispatch,
    Dist,
    Exchange,
    Forwarding,
    Leave,
    MeetingsSpec,
    Model,
    Norms,
    OrganisationSpec,
    Profile,
    ProfileChoice,
    RosterRules,
    Run,
    SecretarySpec,
    Shrinkage,
    Sickness,
    StaffingRules,
    TaskType,
    Weekday,
    clock_minutes,
    resolve_profile,
    spread_profile,
    spread_slots,
)
from sim.config.network import Network, competence_gaps, may_serve
from sim.config.overrides import apply_overrides, overridden_part
from sim.config.reading import MAX_CONFIG_BYTES, MAX_YAML_VALUES, parse_yaml, plain_data, read_yaml
from sim.config.schema import ROSTER_FILE_KEYS, Scenario, json_schema, sector_demand

__all__ = [
    "FLAT_PROFILE", "HNW", "MINUTES_PER_DAY", "spread_profile",
    "spread_slots", "LUNCH_STEP_MINUTES", "MAX_CONFIG_BYTES", "MAX_DAYS", "MAX_EXPECTED_REQUESTS",
    "MAX_PROFILE_SLOTS", "MAX_RATE_PER_STAFF_PER_DAY", "MAX_YAML_VALUES", "OFFICE_PROFILE", "RESERVED_TYPES",
    "ROSTER_FILE_KEYS", "WEEKDAYS", "Absence", "OptionError", "option",
    "Calendar", "CallsSpec", "Clock", "ConfigError", "Costs", "Cover",
    "Demand", "Department", "Dispatch", "Dist", "Exchange", "Forwarding", "Leave", "MeetingsSpec", "Model", "Norms",
    "OrganisationSpec", "Profile", "ProfileChoice", "RosterRules", "Run", "Scenario", "SecretarySpec", "Shrinkage",
    "Sickness", "StaffingRules", "TaskType", "Weekday", "apply_overrides", "clock_minutes", "config_hash",
    "format_validation_error", "json_schema", "load_data", "load_raw", "load_scenario", "overridden_part",
    "parse_extending", "may_serve", "Network", "competence_gaps", "one_line", "parse_scenario",
    "parse_yaml", "plain_data", "read_yaml", "resolve_profile", "sector_demand", "plan_lunches",
    "with_demand_defaults",
]
