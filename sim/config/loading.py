"""Loading a scenario: a config file, the file it ``extends``, its roster spreadsheets, the built-in demand and
``--set`` overrides, validated into one :class:`~sim.config.schema.Scenario`.

The order: read the file safely (:mod:`sim.config.reading`), merge it over the file it extends (recursively;
mappings key by key), read the spreadsheets it names (:mod:`sim.config.roster_io`), apply the overrides
(:mod:`sim.config.overrides`), merge the demand over the built-in one, and validate. Any problem is a
:class:`~sim.config.errors.ConfigError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.errors import ConfigError, format_validation_error, option
from sim.config.lunches import plan_lunches
from sim.config.network import competence_gaps
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
        scenario = Scenario.model_validate(data)
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
    # once the scenario is valid: the lunches its config leaves open are planned, and the routing network
    # (sim.config.network) is checked
    scenario = plan_lunches(scenario, source)
    gaps = competence_gaps(scenario)
    if gaps:
        department, t = gaps[0]
        raise ConfigError(source, f"nobody who may serve {department} is competent for {t!r} (add it to someone's "
                          "competences)", "organisation.secretaries")
    return scenario


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> Any:
    """Read a config file and, if it says ``extends: other.yaml`` (relative to itself), merge it over that
    base: mappings merge key by key, anything else (lists included) is replaced. A roster list and the
    spreadsheet that may hold it are one field in two forms: a file that gives ``departments`` (or
    ``departments_file``) replaces the base's departments in whichever form the base gave them; one file may
    not give both forms."""
    path = Path(path)
    data = read_yaml(path)
    _check_roster_forms(data, str(path))
    _resolve_roster_paths(data, path.parent)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base_name = data.pop("extends")
    if not isinstance(base_name, str) or not base_name.strip():
        raise ConfigError(str(path), "must name a config file, e.g. extends: base/sector.yaml", "extends")
    base_path = _resolved(path.parent / base_name)
    if base_path in _seen or base_path == _resolved(path):
        chain = " -> ".join(p.name for p in (*_seen, _resolved(path), base_path))
        raise ConfigError(str(path), f"{base_name} is already being extended: a cycle ({chain})", "extends")
    if not os.path.lexists(base_path):
        raise ConfigError(str(path), f"no such file: {base_name} (relative to {path.parent or '.'})", "extends")
    base = load_raw(base_path, (*_seen, _resolved(path)))
    if not isinstance(base, dict):
        raise ConfigError(str(base_path), "the top level must be a mapping of sections")
    return _merge(_without_replaced_roster(base, data), data)


def _resolved(path: Path) -> Path:
    """``path`` with its symbolic links resolved, or only made absolute where they loop (the reader then says
    so, naming the file)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic-link loop: RuntimeError before Python 3.13
        return Path(os.path.abspath(path))


#: Each roster list, with the keys of the spreadsheet that may hold it instead.
_ROSTER_FORMS = {"departments": ("departments_file", "departments_sheet"),
                 "secretaries": ("secretaries_file", "secretaries_sheet")}


def _check_roster_forms(data: Any, source: str) -> None:
    """One file gives a roster list in one form: the list, or the spreadsheet (never both, which would
    silently drop one)."""
    org = data.get("organisation") if isinstance(data, dict) else None
    if not isinstance(org, dict):
        return
    for target, (file_key, _) in _ROSTER_FORMS.items():
        if target in org and file_key in org:
            raise ConfigError(source, f"gives both {target} and {file_key}; give the list or the spreadsheet, "
                                      "not both", f"organisation.{file_key}")


def _without_replaced_roster(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` without the roster lists (or spreadsheets) that ``over`` gives in either form."""
    org, base_org = over.get("organisation"), base.get("organisation")
    if not isinstance(org, dict) or not isinstance(base_org, dict):
        return base
    drop = {k for target, keys in _ROSTER_FORMS.items() if target in org or keys[0] in org
            for k in (target, *keys)}
    if not drop & set(base_org):
        return base
    return {**base, "organisation": {k: v for k, v in base_org.items() if k not in drop}}


def _resolve_roster_paths(data: Any, folder: Path) -> None:
    """Roster spreadsheets named relative to the config's folder, made absolute (symbolic links are left to
    the reader, so that its messages name the file the user named)."""
    org = data.get("organisation") if isinstance(data, dict) else None
    if isinstance(org, dict):
        for key in ROSTER_FILE_KEYS:
            if isinstance(org.get(key), str) and org[key].strip():
                org[key] = os.path.abspath(folder / org[key])


def _expand_roster(data: Any, source: str, origins: dict[str, Any] | None = None) -> Any:
    """Read the spreadsheets a config names into its organisation's lists (see :mod:`sim.config.roster_io`);
    ``origins`` gets, per list, the sheet and its columns (row i of the sheet is item i of the list)."""
    org = data.get("organisation") if isinstance(data, dict) else None
    if not isinstance(org, dict) or not any(k in org for k in ROSTER_FILE_KEYS):
        return data
    from sim.config.roster_io import expand_organisation  # reads files, and builds on this module's models

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
    data, origins = load_data(path, overrides)
    return parse_scenario(data, str(path), origins)


def parse_extending(base: str | Path, data: dict[str, Any], source: str) -> Scenario:
    """Validate ``data`` as a config that says ``extends: base`` would be (a file about to be written, such as
    sim calibrate's calibrated.yaml, checked before it is)."""
    merged = _merge(_without_replaced_roster(load_raw(base), data), data)
    origins: dict[str, Any] = {}
    return parse_scenario(_expand_roster(merged, source, origins), source, origins)


def load_data(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Any, dict[str, Any]]:
    """The plain data :func:`load_scenario` validates (``extends`` followed, spreadsheets read, overrides
    applied), and where the people read from spreadsheets came from (see :func:`parse_scenario`)."""
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
        data = _roster_files_set(data, overrides, Path(path).parent, source)
    return data, origins


def _roster_files_set(data: dict[str, Any], overrides: Sequence[str], folder: Path, source: str) -> dict[str, Any]:
    """After ``--set organisation.departments_file=...``: the file is relative to the config's folder (as it
    would be in the file), and replaces the list read before; setting the list and its file is an error."""
    org = data.get("organisation")
    if not isinstance(org, dict):
        return data
    paths = {item.partition("=")[0].strip() for item in overrides}
    org = dict(org)
    for target, (file_key, sheet_key) in _ROSTER_FORMS.items():
        set_file = f"organisation.{file_key}" in paths or f"organisation.{sheet_key}" in paths
        if not set_file or file_key not in org:
            continue
        if any(p == f"organisation.{target}" or p.startswith(f"organisation.{target}.") for p in paths):
            raise ConfigError(source, f"{option('set')} gives both {target} and {file_key}; give one",
                              f"organisation.{file_key}")
        org.pop(target, None)
    _resolve_roster_paths({"organisation": org}, folder)
    return {**data, "organisation": org}
