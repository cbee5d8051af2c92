"""Overrides of single fields on the command line: ``--set organisation.secretaries.Anna.start=09:00``.

They apply to the raw config (after ``extends`` and the roster spreadsheets are resolved, before validation),
so the schema checks an overridden value as it checks one written in the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from sim.config.errors import ConfigError, _hint, _show, option
from sim.config.reading import parse_yaml, plain_data

#: How an override is named in a message (``--set`` on the command line)
_SET = option("set")


def apply_overrides(data: dict[str, Any], overrides: Sequence[str], source: str) -> dict[str, Any]:
    """Apply ``dotted.path=value`` overrides to a raw config mapping (a copy is returned).

    Values are parsed as YAML (``3``, ``0.5``, ``[mon, tue]``, ``null``). List items are addressed by index
    or, for lists of named items (departments, secretaries), by name: ``organisation.secretaries.Anna.start``.
    """
    data = json.loads(json.dumps(data, default=str))  # deep copy of plain data (dates as text)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(source, f"{_SET} {item!r}: expected dotted.path=value")
        path, _, raw = item.partition("=")
        parts = [p for p in path.strip().split(".")]
        if not path.strip() or any(not p for p in parts):
            raise ConfigError(source, f"{_SET} {item!r}: empty field name in the path")
        try:
            value = parse_yaml(raw, source)
        except ConfigError as err:  # an alias bomb, a recursive alias, nesting too deep
            raise ConfigError(source, f"{_SET} {_show(item)}: {err.message}", path) from None
        except yaml.YAMLError:
            raise ConfigError(source, f"{_SET} {_show(item)}: the value is not valid YAML", path) from None
        except (ValueError, OverflowError, RecursionError):
            raise ConfigError(source, f"{_SET} {_show(item)}: the value cannot be read", path) from None
        value = plain_data(value, source, path.strip())
        node: Any = data
        for depth, part in enumerate(parts[:-1]):
            node = _step(node, part, parts[: depth + 1], source, create=True)
        last = parts[-1]
        if isinstance(node, list):
            idx = _list_index(node, last, parts, source)
            node[idx] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ConfigError(source, f"{_SET}: {'.'.join(parts[:-1])} is a value, not a section", path)
    return data


def _step(node: Any, part: str, so_far: list[str], source: str, create: bool) -> Any:
    path = ".".join(so_far)
    if isinstance(node, dict):
        if part not in node:
            if not create:
                raise ConfigError(source, f"unknown {_SET} path", path)
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        return node[_list_index(node, part, so_far, source)]
    raise ConfigError(source, f"{_SET}: {'.'.join(so_far[:-1])} is a value, not a section", path)


def _list_index(node: list[Any], part: str, so_far: list[str], source: str) -> int:
    path = ".".join(so_far)
    if part.lstrip("-").isdigit():
        idx = int(part)
        if not -len(node) <= idx < len(node):
            raise ConfigError(source, f"{_SET}: index {idx} out of range (the list has {len(node)} items)", path)
        return idx
    for i, item in enumerate(node):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    names = [str(it.get("name")) for it in node if isinstance(it, dict) and "name" in it]
    raise ConfigError(source, f"{_SET}: no item named {part!r}{_hint(part, names)}", path)


def overridden_part(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """The part of ``data`` (a config with ``overrides`` applied) that the overrides changed, as a config that
    extends the original would give it: mappings down to each overridden field, and a list whole where an
    override reaches into one (an extending file replaces a list whole, so it must give all of it)."""
    out: dict[str, Any] = {}
    for item in overrides:
        parts = item.partition("=")[0].strip().split(".")
        node: Any = data
        target = out
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node or not isinstance(target, dict):
                break
            value = node[part]
            if depth == len(parts) - 1 or not isinstance(value, dict):
                target[part] = json.loads(json.dumps(value, default=str))
                break
            target = target.setdefault(part, {})
            node = value
    return out
