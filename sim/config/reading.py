"""Reading a YAML config file safely.

A config is plain data: maps with text keys, lists, text, numbers, booleans and null. :func:`read_yaml` reads a
file as that and nothing more: a regular file of limited size (never a pipe or a device), PyYAML's safe loader
(no Python tags, nothing executed), no key twice in a mapping, no alias bombs, no control characters, and clock
times such as ``17:00`` kept as text. Every problem is a :class:`~sim.config.errors.ConfigError` naming the line.
"""

from __future__ import annotations

import datetime
import errno
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

import yaml
import yaml.cyaml

from sim.config.errors import ConfigError, _show, one_line

#: Guard against aliases that expand a small YAML file into a huge document ("billion laughs"): the most
#: values a config may hold once its aliases are expanded.
MAX_YAML_VALUES = 1_000_000


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only: no Python tags, nothing executed) that also refuses a key given
    twice in one mapping, which YAML would otherwise resolve silently by keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark)
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                pass
        return yaml.constructor.SafeConstructor.construct_mapping(self, node, deep=deep)


# YAML 1.1 reads an unquoted 17:00 as the base-60 number 1020; a config is full of clock times, so this loader
# reads them as text (every other int and float form is kept).
# An unquoted date (``description: 2024-05-01``) stays text too: dates are not JSON, and no field is a date.
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))
_SafeLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"  # 1e6 (YAML 1.2; types are strict, so not text)
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def parse_yaml(text: str, source: str = "<value>") -> Any:
    """A YAML value read as a config reads it (``17:00`` stays the text "17:00", a key given twice is an
    error), for text that is not a file: the built-in demand, a ``--set`` or ``--vary`` value. Aliases are
    guarded as in a file (a recursive alias or an alias bomb is a ConfigError naming ``source``, as is nesting
    too deep to read); other problems raise PyYAML's errors, and the caller says where the text came from."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(source, f"the value is longer than a config file may be ({MAX_CONFIG_BYTES // 2**20} MB)")
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, source)
        return loader.construct_document(node)
    except RecursionError:
        raise ConfigError(source, "nested too deeply to be a value") from None
    finally:
        loader.dispose()


if getattr(yaml, "__with_libyaml__", False):
    class _FileLoader(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        """The same loader with libyaml's parser (written in C): a config near the size limit is read in
        seconds, not minutes. Tags, resolvers and the refusal of duplicate keys are those of _SafeLoader."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        construct_mapping = _SafeLoader.construct_mapping
        yaml_implicit_resolvers = _SafeLoader.yaml_implicit_resolvers
else:  # pragma: no cover (PyYAML built without libyaml)
    _FileLoader = _SafeLoader  # type: ignore[misc,assignment]


def _check_expanded_size(root: yaml.Node, source: str) -> None:
    """Refuse a document whose aliases refer to themselves or expand it beyond MAX_YAML_VALUES values
    (counted without expanding anything)."""
    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    size: dict[int, int] = {}
    aliased = False  # a node met twice: the document uses aliases
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            in_progress.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children(node))
            if size[key] > MAX_YAML_VALUES:
                line = node.start_mark.line + 1
                if not aliased:
                    raise ConfigError(source, f"line {line}: holds more than {MAX_YAML_VALUES:,} values; "
                                              "too big to be a config")
                raise ConfigError(source, f"line {line}: aliases expand this config to more than "
                                          f"{MAX_YAML_VALUES:,} values; write it out")
        elif key in size:
            aliased = True
        else:
            if key in in_progress:
                raise ConfigError(source, f"line {node.start_mark.line + 1}: an alias refers to itself "
                                          "(a recursive structure is not a config)")
            in_progress.add(key)
            stack.append((node, True))
            for c in children(node):
                if id(c) in size:
                    aliased = True
                else:
                    stack.append((c, False))


#: Guard against reading something that is not a config: the largest config file accepted, in bytes. The
#: shipped configs are a few KB; a file this big is a mistake (a log, a data dump), and even with libyaml
#: reading one near the limit takes seconds (at 5 MB, about half a minute).
MAX_CONFIG_BYTES = 1024 * 1024


def open_regular(path: Path, limit: int, what: str = "a config file") -> BinaryIO:
    """``path`` opened for reading in binary, once it is known to be a regular file of at most ``limit`` bytes.
    A FIFO, a device (``/dev/zero``), a socket, a folder or a symbolic-link loop is refused before a byte is
    read, so that reading never blocks, never runs for ever and never fills the memory. Every reader of a
    user's file (configs, roster spreadsheets, logs) opens it here."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except IsADirectoryError:
        raise ConfigError(str(path), f"is a folder, not {what}") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read: {_why(err)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(str(path), f"is a folder, not {what}")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(str(path), f"is not a regular file (a pipe, device or socket); {what} is a file")
        if info.st_size > limit:
            raise ConfigError(str(path), f"is {info.st_size / 2**20:.1f} MB; {what} is at most {limit / 2**20:g} MB")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _why(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "a loop of symbolic links"
    return err.strerror or str(err)


def read_bytes(path: Path, limit: int, what: str = "a config file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (:func:`open_regular`)."""
    try:
        with open_regular(path, limit, what) as fh:
            raw = fh.read(limit + 1)
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read: {_why(err)}") from None
    if len(raw) > limit:  # grew while being read
        raise ConfigError(str(path), f"{what} is at most {limit / 2**20:g} MB")
    return raw


def _read_text(path: Path) -> str:
    """The text of a regular file of at most MAX_CONFIG_BYTES (:func:`read_bytes`)."""
    raw = read_bytes(path, MAX_CONFIG_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(str(path), f"cannot be read: not UTF-8 text ('utf-8' codec: byte "
                                     f"{raw[err.start]:#04x} at position {err.start})") from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise ConfigError(str(path), f"line {line}: the control character '{one_line(bad.group())}' is not "
                                     "allowed in a config (is this a text file?)")
    return text.removeprefix("\ufeff")


#: Characters a config file may not hold: C0/C1 control characters other than tab and line breaks, and
#: Unicode line separators that YAML would read as line breaks (and that would split a one-line message).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def plain_data(value: Any, source: str, path: str = "") -> Any:
    """Check that a loaded config is plain data that hashes and serialises the same in every process: maps
    with text keys, lists, text, numbers, booleans and null. Dates (``description: 2024-05-01`` with a
    ``!!timestamp`` tag) become their ISO text; sets, binary values and anything else are refused, as are
    control characters in text (tabs and line breaks are allowed in ``description`` only)."""
    def where(p: str) -> str | None:
        return p or None

    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, datetime.date):
                key = key.isoformat()
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise ConfigError(source, f"the key {_show(key)} is not a name; quote it", where(path))
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                _check_text(key, source, sub, free=False)
            out[key] = plain_data(item, source, sub)
        return out
    if isinstance(value, list):
        return [plain_data(item, source, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        _check_text(value, source, path, free=path == "description")
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.date):  # and datetime: an unquoted or tagged date where text belongs
        return value.isoformat()
    kinds: dict[type, str] = {set: "a set (!!set)", frozenset: "a set", bytes: "a binary value (!!binary)",
                              tuple: "an ordered map (!!omap or !!pairs)"}
    kind = kinds.get(type(value), f"a {type(value).__name__} value")
    raise ConfigError(source, f"{kind} is not allowed; a config is plain data (maps, lists, text, numbers)",
                      where(path))


def _check_text(text: str, source: str, path: str, free: bool) -> None:
    bad = _CONTROL.search(text) or (None if free else re.search("[\t\n\r]", text))
    if bad is not None:
        raise ConfigError(source, f"the control character '{one_line(bad.group())}' is not allowed in text"
                          + ("" if free else " here (line breaks and tabs only in description)"), path or None)


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely: a regular file of at most MAX_CONFIG_BYTES, plain data only (no Python tags,
    nothing executed, no sets or binary values, no control characters), no key twice in a mapping, no alias
    bombs; a syntax error names its line."""
    path = Path(path)
    text = _read_text(path)
    loader = _FileLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, str(path))
        return plain_data(loader.construct_document(node), str(path))
    except yaml.constructor.ConstructorError as err:
        problem = str(err.problem)
        tag = re.search(r"for the tag '([^']*)'", problem)
        if tag:  # !!python/object and friends: refused, never constructed
            name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {name} is not allowed; a config is plain data (maps, lists, text, numbers)"
        raise ConfigError(str(path), f"{_at(err.problem_mark)}{problem}") from None
    except yaml.MarkedYAMLError as err:
        context = f" ({err.context} from line {err.context_mark.line + 1})" if err.context_mark else ""
        problem = f"{_at(err.problem_mark)}{err.problem}{context}"
        raise ConfigError(str(path), f"YAML syntax error at {problem}") from None
    except yaml.YAMLError as err:
        raise ConfigError(str(path), f"YAML error: {err}") from None
    except (ValueError, OverflowError) as err:  # e.g. !!timestamp 2024-13-45, !!binary that is not base64
        raise ConfigError(str(path), f"a value cannot be read: {err}") from None
    except RecursionError:
        raise ConfigError(str(path), "nested too deeply to be a config") from None
    finally:
        loader.dispose()


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
