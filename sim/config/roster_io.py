"""The organisation from a spreadsheet: departments and secretaries from CSV or XLSX, referenced from the YAML.

A municipality's roster lives in a spreadsheet. A config may name it instead of listing people::

    organisation:
      setup: central
      departments_file: roster.xlsx      # relative to the config file
      departments_sheet: Departments     # XLSX only; default: the first sheet
      secretaries_file: roster.xlsx
      secretaries_sheet: Secretaries

Columns (a header row; names are case-insensitive, in any order, extra columns are ignored):

- departments: ``name``, ``staff``, and optionally ``cluster``, ``demand_factor``;
- secretaries: ``name``, ``departments`` (several separated by ``;``, ``,`` or ``|``), and optionally
  ``cluster``, ``days`` (``mon, tue, ...``), ``start``, ``end``, ``lunch_start`` (or ``lunch``),
  ``lunch_minutes``, ``skills`` (``phone=0.8; email=1.2``), ``competences`` (``phone; email; crm``). An empty
  cell takes the default.

The sheets are read when the config is loaded (:func:`expand_organisation`), into the same lists a YAML config
would hold, so results are the same either way (tested) and ``config.resolved.yaml`` shows the people. Every
bad cell is a one-line error naming the file, sheet, row and column (exit code 2).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.config.errors import ConfigError, format_validation_error, one_line
from sim.config.models import WEEKDAYS, Department, SecretarySpec
from sim.config.tabular import Table, read_table

#: Keys of ``organisation`` that name a spreadsheet, and the list each one fills.
FILE_KEYS = {"departments_file": ("departments", "departments_sheet"),
             "secretaries_file": ("secretaries", "secretaries_sheet")}
SHEET_KEYS = ("departments_sheet", "secretaries_sheet")
ALIASES = {"lunch": "lunch_start", "department": "departments", "afdeling": "departments", "naam": "name"}
_SPLIT = re.compile(r"\s*[;,|]\s*")
#: Characters no name or value of a roster may hold (a YAML config refuses them too): control characters,
#: tabs and line breaks, and Unicode line separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DUTCH_DAYS = {"ma": "mon", "di": "tue", "wo": "wed", "do": "thu", "vr": "fri", "za": "sat", "zo": "sun"}


def expand_organisation(data: dict[str, Any], source: str, origins: dict[str, Any] | None = None) -> dict[str, Any]:
    """Replace ``departments_file`` / ``secretaries_file`` by the lists they hold (a copy of ``data``);
    ``origins`` (if given) gets, per list, ``(table, {field: column index})``: item i is the sheet's row i."""
    org = data.get("organisation")
    if not isinstance(org, dict) or not any(k in org for k in FILE_KEYS):
        return data
    org = dict(org)
    for key, (target, sheet_key) in FILE_KEYS.items():
        if key not in org:
            continue
        if target in org:  # a list beside its spreadsheet: one would be dropped silently
            raise ConfigError(source, f"gives both {target} and {key}; give the list or the spreadsheet, not both",
                              f"organisation.{key}")
        path = org.pop(key)
        sheet = org.pop(sheet_key, None)
        if not isinstance(path, str) or not path.strip():
            raise ConfigError(source, "must name a CSV or XLSX file", f"organisation.{key}")
        table = read_table(path, sheet if isinstance(sheet, str) else None)
        if target == "departments":
            org[target] = read_departments(table)
            model: type[BaseModel] = Department
        else:
            listed = org.get("departments")
            known = [d.get("name") for d in listed if isinstance(d, dict)] if isinstance(listed, list) else []
            org[target] = read_secretaries(table, [str(k) for k in known if isinstance(k, str)])
            model = SecretarySpec
        if origins is not None:
            origins[target] = (table, _columns(table, model, (), target))
    for sheet_key in SHEET_KEYS:
        if sheet_key in org:
            raise ConfigError(source, "a sheet without its file", f"organisation.{sheet_key}")
    return {**data, "organisation": org}


def _columns(table: Table, model: type[BaseModel], required: tuple[str, ...], what: str) -> dict[str, int]:
    fields = set(model.model_fields)
    out: dict[str, int] = {}
    for i, header in enumerate(table.header):
        key = header.strip().lower().replace(" ", "_")
        key = ALIASES.get(key, key)
        if key in fields and key not in out:
            out[key] = i
    for name in required:
        if name not in out:
            raise table.error(f"{what} needs a column {name!r}; the columns are: {', '.join(table.header)}")
    return out


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _clock(cell: Any) -> Any:
    if isinstance(cell, time):
        return f"{cell.hour:02d}:{cell.minute:02d}"
    if isinstance(cell, datetime):
        return f"{cell.hour:02d}:{cell.minute:02d}"
    return _text(cell)


def _validate(table: Table, model: type[BaseModel], row: int, values: dict[str, Any], header_of: dict[str, int]) \
        -> dict[str, Any]:
    """Check one row's values against the model, as a YAML config's are: text as plain data (no control
    characters), then the model's own checks. A bad cell is named by its row and column and quoted as the user
    wrote it (``'1.000'``, not the number it was read as)."""
    cells = table.rows[row]
    for key, value in values.items():
        texts = value if isinstance(value, list) else list(value) if isinstance(value, dict) else [value]
        for text in texts:
            if isinstance(text, str) and _CONTROL.search(text):
                bad = _CONTROL.search(text)
                assert bad is not None
                raise table.error(f"the control character '{one_line(bad.group())}' is not allowed in a name or "
                                  f"value ({one_line(text)!r})", row, table.header[header_of[key]])
    try:
        model.model_validate(values)
    except ValidationError as err:
        field, msg = format_validation_error(err, model)
        first = str(err.errors()[0]["loc"][0]) if err.errors()[0]["loc"] else field
        column = table.header[header_of[first]] if first in header_of else first
        if first in header_of:
            i = header_of[first]
            written = cells[i] if i < len(cells) else None
            if isinstance(written, str | int | float) and not isinstance(written, bool) and " (got " in msg:
                msg = re.sub(r" \(got .*\)$", "", msg) + f" (got {_text(written)!r})"
        raise table.error(msg, row, column) from None
    return values


def read_departments(table: Table) -> list[dict[str, Any]]:
    cols = _columns(table, Department, ("name", "staff"), "a departments sheet")
    out = []
    seen: set[str] = set()
    for r, row in enumerate(table.rows):
        values: dict[str, Any] = {}
        for key, i in cols.items():
            cell = row[i] if i < len(row) else None
            text = _text(cell)
            if text == "":
                continue
            values[key] = text if key in ("name", "cluster") else _number(cell, text)
        if values.get("name") in seen:
            raise table.error(f"department {values['name']!r} is listed twice", r, table.header[cols["name"]])
        seen.add(values.get("name", ""))
        out.append(_validate(table, Department, r, values, cols))
    return out


def _number(cell: Any, text: str) -> Any:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell) if float(cell).is_integer() else float(cell)
    try:
        return float(text.replace(",", ".")) if ("." in text or "," in text) else int(text)
    except ValueError:
        return text  # the model says what is wrong with it


def read_secretaries(table: Table, departments: list[str]) -> list[dict[str, Any]]:
    cols = _columns(table, SecretarySpec, ("name", "departments"), "a secretaries sheet")
    known = set(departments)
    out = []
    for r, row in enumerate(table.rows):
        values: dict[str, Any] = {}
        for key, i in cols.items():
            cell = row[i] if i < len(row) else None
            text = _text(cell)
            if text == "" and not isinstance(cell, time | datetime):
                continue
            if key in ("start", "end", "lunch_start"):
                values[key] = _clock(cell)
            elif key == "lunch_minutes":
                values[key] = _number(cell, text)
            elif key == "departments":
                values[key] = [d for d in _SPLIT.split(text) if d]
                for d in values[key]:
                    if known and d not in known:
                        raise table.error(f"unknown department {d!r}; known: {', '.join(departments)}", r,
                                          table.header[i])
            elif key == "days":
                values[key] = [_DUTCH_DAYS.get(d.lower()[:2], d.lower()[:3]) if d.lower()[:3] not in WEEKDAYS
                               else d.lower()[:3] for d in _SPLIT.split(text.replace(" ", ",")) if d]
            elif key == "skills":
                skills = {}
                for part in _SPLIT.split(text):
                    name, sep, factor = part.partition("=")
                    if not sep:
                        raise table.error(f"{part!r}: write TYPE=FACTOR, e.g. phone=0.8", r, table.header[i])
                    skills[name.strip()] = _number(factor, factor.strip())
                values[key] = skills
            elif key == "competences":  # the request types she may do, e.g. "phone; email; crm"
                values[key] = [c for c in _SPLIT.split(text) if c]
            else:
                values[key] = text
        out.append(_validate(table, SecretarySpec, r, values, cols))
    return out


__all__ = ["expand_organisation", "read_departments", "read_secretaries"]
