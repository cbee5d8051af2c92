"""Errors in a config: one line for the user, naming the file and the field.

:class:`ConfigError` is what every bad config, override or path raises; the commands print it as one line and
exit with code 2, without a traceback. :func:`format_validation_error` rewrites pydantic's report of a failed
validation into such a line, in the user's words: the field path as written in the YAML (``organisation.
secretaries[2].start``), a "did you mean" for a misspelt name, and the alternative the user meant where a value
may be a name or a mapping.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError


class ConfigError(Exception):
    """A bad config, override or path: one line for the user, naming the file and the field.

    The library names no command-line flags: where a message speaks of an option (an override, the output
    folder, a function's argument), it writes :func:`option` ``("set")``, a neutral token that :meth:`words`
    renders: as a neutral word by default (``str(err)``), as the command's flag when the CLI prints it
    (``sim.cli.common.error_line``)."""

    def __init__(self, source: str, message: str, field: str | None = None) -> None:
        self._parts = (one_line(source), None if field is None else one_line(field), one_line(message))
        self.source, self.field, self.message = (None if p is None else _render(p, None) for p in self._parts)
        super().__init__(self.words())

    def words(self, options: Mapping[str, str] | None = None) -> str:
        """The one line, each option named as ``options`` names it (a key missing there, or no ``options``:
        its neutral word, :data:`OPTION_WORDS` or the key itself)."""
        source, field, message = (None if p is None else _render(p, options) for p in self._parts)
        return f"{source}: {field}: {message}" if field else f"{source}: {message}"


class OptionError(ConfigError):
    """A bad argument to a library function, named by a neutral key (``"blocks"``, ``"target"``, ``"out"``),
    never by a flag: ``str(err)`` reads ``blocks: need 1 <= min (3) <= max (2)``, and a command prints its
    flag in place of the key (``--blocks: ...``). A :class:`ConfigError`, so callers that catch that still
    catch it."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(option(key), message)


#: How the library words an option where no command names it (the key itself where not listed).
OPTION_WORDS = {"set": "override", "out": "output folder", "overwrite": "overwrite=True"}
_OPTION = re.compile(r"\{opt:([a-z_]+)\}")


def option(key: str) -> str:
    """The token for option ``key`` in a :class:`ConfigError`'s source, field or message."""
    return "{opt:" + key + "}"


def _render(text: str, options: Mapping[str, str] | None) -> str:
    def name(m: re.Match[str]) -> str:
        key = m.group(1)
        if options is not None and key in options:
            return options[key]
        return OPTION_WORDS.get(key, key)

    return _OPTION.sub(name, text) if "{opt:" in text else text


def one_line(text: object) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``, ``\\x00``), so that a message
    naming a user's value or path stays on one line."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(ann: Any) -> Any:
    """``X`` of ``Annotated[X, ...]`` and of ``X | None``."""
    while True:
        if get_origin(ann) is Annotated:
            ann = get_args(ann)[0]
        elif get_origin(ann) in (Union, UnionType) and type(None) in get_args(ann):
            rest = tuple(a for a in get_args(ann) if a is not type(None))
            ann = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007
        else:
            return ann


def _union_member(ann: Any, tag: str) -> Any:
    """The member of a union that pydantic names by ``tag`` ("literal['office','flat']", "function-after[...,
    Profile]")."""
    for member in get_args(ann):
        if get_origin(member) is Literal and tag.startswith("literal["):
            return member
        if isinstance(member, type) and re.search(rf"\b{member.__name__}\b", tag):
            return member
    return None


def _walk(root: type[BaseModel], loc: Sequence[int | str]) -> tuple[list[int | str], list[str], Any, int]:
    """Follow a pydantic error location through the schema, from the model ``root`` that was validated.

    Returns the path as the user wrote it (union member tags dropped, dict keys such as task names kept), the
    fields of the model in which its last part was looked up (for hints), the type expected at the end, and
    the index in ``loc`` of the first union member tag (-1 if there is none)."""
    path: list[int | str] = []
    allowed: list[str] = []
    union_at = -1
    ann: Any = root
    for i, part in enumerate(loc):
        ann = _unwrap(ann)
        if get_origin(ann) in (Union, UnionType):
            union_at = i if union_at < 0 else union_at
            ann = _union_member(ann, str(part))
            continue
        path.append(part)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            fields: dict[str, Any] = getattr(ann, "model_fields")  # noqa: B009 (typed without pydantic too)
            allowed = list(fields)
            field = fields.get(part) if isinstance(part, str) else None
            ann = field.annotation if field is not None else None
        elif get_origin(ann) in (list, dict):
            ann = get_args(ann)[-1]
        else:
            ann = None
    return path, allowed, _unwrap(ann), union_at


def _fields_of(ann: Any) -> str:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ", ".join(getattr(ann, "model_fields"))  # noqa: B009 (typed without pydantic too)
    return ""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pick(root: type[BaseModel], errors: list[Any]) -> Any:
    """The error to report. Where a value may be a name or a mapping (``profile: office`` or
    ``profile: {...}``), pydantic reports one error per alternative: report the one the user meant."""
    first = errors[0]
    at = _walk(root, first["loc"])[3]
    if at < 0:
        return _spelling(first, errors)
    branches = [e for e in errors if tuple(e["loc"][:at]) == tuple(first["loc"][:at]) and len(e["loc"]) > at]
    literal = next((e for e in branches if str(e["loc"][at]).startswith("literal[")), None)
    others = [e for e in branches if e is not literal]
    if literal is None or not others:
        return first
    value = literal.get("input")
    if isinstance(value, str):
        return literal
    if isinstance(value, dict):
        return _spelling(others[0], errors)
    fields = _fields_of(_walk(root, others[0]["loc"][: at + 1])[2])
    expected = (literal.get("ctx") or {}).get("expected", "a name")
    return {"type": "union_mismatch", "loc": first["loc"][:at], "input": value,
            "msg": f"must be {expected}, or a mapping with fields {fields} (got {_show(value)})"}


def _spelling(chosen: Any, errors: list[Any]) -> Any:
    """A misspelt field is both missing and unknown: report the unknown one, with its 'did you mean'."""
    if chosen["type"] != "missing":
        return chosen
    parent = tuple(chosen["loc"][:-1])
    unknown = (e for e in errors if e["type"] == "extra_forbidden" and tuple(e["loc"][:-1]) == parent)
    return next(unknown, chosen)


def format_validation_error(err: ValidationError, root: type[BaseModel]) -> tuple[str, str]:
    """The first problem of a pydantic ValidationError, raised on validating the model ``root``, as (field
    path, message), in the user's words."""
    first = _pick(root, err.errors())
    path, allowed, expected, _ = _walk(root, first["loc"])
    field = _loc(path)
    kind = first["type"]
    msg = first["msg"]
    value = first.get("input")
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else ""
        msg = f"unknown field{_hint(name, allowed)}"
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
    elif kind == "missing":
        msg = "required field is missing"
    elif kind == "union_mismatch":
        pass
    elif kind == "model_type":  # e.g. ``talk_minutes: 3`` where {dist: ..., mean: ...} belongs
        msg = f"must be a mapping with fields {_fields_of(expected)} (got {_show(value)})"
    elif kind == "dict_type":
        msg = f"must be a mapping of name: value (got {_show(value)})"
    elif kind == "too_short":
        ctx = first.get("ctx") or {}
        msg = f"needs at least {ctx.get('min_length', 1)} item(s), not {ctx.get('actual_length', 0)}"
    elif kind == "list_type":
        msg = f"must be a list, e.g. [a, b] (got {_show(value)})"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
        # model validators report nested paths themselves: "secretaries[3].departments: ..."
        m = re.match(r"^([A-Za-z_][^\s:]*): (.*)$", msg)
        if m:
            field = f"{field}.{m.group(1)}" if field else m.group(1)
            msg = m.group(2)
    else:
        msg = msg.replace("Input should be", "must be", 1)
        if not isinstance(value, dict | list):
            msg = f"{msg} (got {_show(value)})"
    return field or "(top level)", msg


def _hint(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, [c for c in candidates if c], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
