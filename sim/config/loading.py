"""Loading a scenario: a config file, the file it ``extends``, its roster spreadsheets, the built-in demand and
``--set`` overrides, validated into one :class:`~sim.config.schema.Scenario`.

The order: read the file safely (:mod:`sim.config.reading`), merge it over the file it extends (recursively;
mappings key by key), read the spreadsheets it names (:mod:`sim.roster_io`), apply the overrides
(:mod:`sim.config.overrides`), merge the demand over the built-in one, and validate. Any problem is a
:class:`~sim.config.errors.ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.errors import ConfigError, format_validation_error
from sim.config.overrides import apply_overrides
from sim.config.reading import read_yaml
from sim.config.schema import ROSTER_FILE_KEYS, Scenario, sector_demand


def with_demand_defaults(data: dict[str, Any], source: str = "<config>") -> dict[str, Any]:
    """A config needs to give only what differs from the built-in demand: without a ``demand`` section it gets
    the built-in one, and ``demand: {base: sector, ...}`` merges what it gives over it (mappings key by key,
    as ``extends`` does). A ``demand`` section without ``base`` is taken as it is, whole."""
    if "demand" not in data:
        return {**data, "demand": sector_demand()}
    demand = data["demand"]
    if isinstance(demand, dict) and "base" in demand:
        if demand["base"] != "sector":
            raise ConfigError(source, f"unknown base {demand['base']!r}; the built-in demand is 'sector'",
                              "demand.base")
        rest = {k: v for k, v in demand.items() if k != "base"}
        return {**data, "demand": _merge(sector_demand(), rest)}
    return data


def parse_scenario(data: Any, source: str = "<config>", origins: dict[str, Any] | None = None) -> Scenario:
    """Validate a plain mapping into a Scenario, raising ConfigError with the first problem (for people read
    from a roster spreadsheet, ``origins`` from :func:`_expand_roster`: at the sheet's row and column)."""
    if data is None:
        raise ConfigError(source, "the file is empty")
    if not isinstance(data, dict):
        raise ConfigError(source, f"the top level must be a mapping of sections, not {type(data).__name__}")
    origins = {} if origins is None else origins
    data = with_demand_defaults(_expand_roster(data, source, origins), source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        field, msg = format_validation_error(err, Scenario)
        # a check across rows of a roster spreadsheet (a name twice, an unknown competence or cluster): the
        # sheet's row and column, not secretaries[13]
        m = re.match(r"^organisation\.(secretaries|departments)\[(\d+)\](?:\.([A-Za-z_]+))?", field or "")
        if m and m.group(1) in origins:
            table, cols = origins[m.group(1)]
            row, key = int(m.group(2)), m.group(3)
            column = table.header[cols[key]] if key in cols else key
            if row < len(table.rows):
                raise table.error(msg, row, column) from None
        raise ConfigError(source, msg, field) from None


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> Any:
    """Read a config file and, if it says ``extends: other.yaml`` (relative to itself), merge it over that
    base: mappings merge key by key, anything else (lists included) is replaced."""
    path = Path(path)
    data = read_yaml(path)
    _resolve_roster_paths(data, path.parent)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base_name = data.pop("extends")
    if not isinstance(base_name, str) or not base_name.strip():
        raise ConfigError(str(path), "must name a config file, e.g. extends: base/sector.yaml", "extends")
    base_path = (path.parent / base_name).resolve()
    if base_path in _seen or base_path == path.resolve():
        chain = " -> ".join(p.name for p in (*_seen, path.resolve(), base_path))
        raise ConfigError(str(path), f"{base_name} is already being extended: a cycle ({chain})", "extends")
    if not base_path.exists():
        raise ConfigError(str(path), f"no such file: {base_name} (relative to {path.parent or '.'})", "extends")
    base = load_raw(base_path, (*_seen, path.resolve()))
    if not isinstance(base, dict):
        raise ConfigError(str(base_path), "the top level must be a mapping of sections")
    return _merge(base, data)


def _resolve_roster_paths(data: Any, folder: Path) -> None:
    org = data.get("organisation") if isinstance(data, dict) else None
    if isinstance(org, dict):
        for key in ROSTER_FILE_KEYS:
            if isinstance(org.get(key), str) and org[key].strip():
                org[key] = str((folder / org[key]).resolve())


def _expand_roster(data: Any, source: str, origins: dict[str, Any] | None = None) -> Any:
    """Read the spreadsheets a config names into its organisation's lists (see :mod:`sim.roster_io`);
    ``origins`` gets, per list, the sheet and its columns (row i of the sheet is item i of the list)."""
    org = data.get("organisation") if isinstance(data, dict) else None
    if not isinstance(org, dict) or not any(k in org for k in ROSTER_FILE_KEYS):
        return data
    from sim.roster_io import expand_organisation  # reads files, and builds on this module's models

    return expand_organisation(data, source, origins)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load (following ``extends``), override and validate a config file. Raises ConfigError on any problem."""
    source = str(path)
    data = load_raw(path)
    origins: dict[str, Any] = {}
    data = _expand_roster(data, source, origins)  # before --set, which may then address the people by name
    if isinstance(data, dict) and "demand" not in data:
        data["demand"] = {"base": "sector"}  # the built-in demand, which --set demand.... may change
    if overrides:
        if not isinstance(data, dict):
            parse_scenario(data, source)  # raises the right message
        data = apply_overrides(data, overrides, source)
    return parse_scenario(data, source, origins)
