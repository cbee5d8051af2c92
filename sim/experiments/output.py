"""Writing results to an output folder, safely.

A results folder is never overwritten without being asked: the default folder gets a fresh name
(``results/central``, ``results/central-2``, ...), and an explicit ``--out`` that already holds files needs
``--overwrite``. Files are written to a temporary name and renamed into place, so an interrupted write never
leaves a half-written file where a complete one was, and every path written stays inside the folder.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import fnmatch
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import yaml

from sim.config import ConfigError, one_line, option

#: The output folder and leave to replace it, as messages name them (``--out``, ``--overwrite`` in a command)
OUT = option("out")
OVERWRITE = option("overwrite")

#: What ``sim run`` writes into its folder (and ``sim report``/``sim plot`` add): a folder holding only these,
#: from a run of the same scenario, is that run's folder and may be written again.
RUN_FILES = frozenset({"summary.json", "config.resolved.yaml", "events.csv", "report.html", "figures",
                       "requests.csv", "requests.parquet", "measured_vs_simulated.csv", "results.xlsx",
                       "per_hour.csv", "per_half_hour.csv", "per_department.csv", "per_caller.csv",
                       "per_secretary.csv", "utilisation_by_hour.csv", "per_type.csv", "little.csv",
                       "time_histograms.csv"})


def is_same_run(path: Path, scenario: Any) -> bool:
    """Whether ``path`` holds only the output of an earlier ``sim run`` of ``scenario`` (same config hash, so
    the same config, overrides, days and seed: the same numbers), which a new run may replace."""
    from sim.config import config_hash

    try:
        names = {p.name for p in path.iterdir() if not is_temporary(p.name)}
        if not names <= RUN_FILES or "summary.json" not in names:
            return False
        earlier = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(earlier, dict) and earlier.get("config_hash") == config_hash(scenario) and \
        earlier.get("seed") == scenario.run.seed


def choose_out_dir(out: str | Path | None, default_name: str, overwrite: bool, root: str | Path = "results",
                   same_run: Any = None, lock: bool = True) -> Path:
    """The folder to write to, checked before any work: ``out`` if given (refusing a non-empty one unless
    ``overwrite`` or, with ``same_run`` a scenario, unless it holds an earlier ``sim run`` of that scenario),
    else a fresh ``root/default_name[-N]``. Either is checked to be creatable and writable (a ConfigError, exit
    code 2, if not). Nothing is written or removed here: :func:`claim_folder` does that, holding the folder."""
    if out is not None:
        path = Path(out)
        _check_out(path, OUT)
        if lock and path.exists():
            check_not_busy(path)
        if same_run is not None and path.exists() and is_same_run(path, same_run):
            return path
        if _holds_files(path) and not overwrite:
            raise ConfigError(str(path), f"the output folder is not empty; choose another {OUT} or pass {OVERWRITE}")
        return path
    base = _results_root(root)
    path = base / _folder_name(default_name)
    n = 2
    while path.exists():
        path = base / f"{_folder_name(default_name)}-{n}"
        n += 1
    check_writable(path, "results folder")
    return path


def _check_out(path: Path, what: str) -> None:
    check_names(path, what)
    if path.exists() and not path.is_dir():
        raise ConfigError(str(path), f"{what} names a file, not a folder")
    check_writable(path, what)


def _results_root(root: str | Path) -> Path:
    base = Path(root)
    if base.exists() and not base.is_dir():
        raise ConfigError(str(base), f"is a file, not a folder for results; move it, or pass {OUT}")
    return base


def _folder_name(default_name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in default_name).strip(".") or "run"
    return safe.encode()[:MAX_NAME_BYTES].decode(errors="ignore")  # a long scenario name: a shorter folder name


def _holds_files(path: Path) -> bool:
    """Whether the folder ``path`` holds anything but another sim's passing probe (:func:`check_writable`)."""
    try:
        return path.is_dir() and any(not p.name.startswith(PROBE_PREFIX) for p in path.iterdir())
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read: {why(err)}") from None


#: The longest folder name made from a scenario's name (file systems allow 255 bytes; room for "-N").
MAX_NAME_BYTES = 100

#: What sim writes into a results folder: --overwrite removes these (and only these) before writing afresh,
#: so that nothing of an earlier run (an events.csv, a table it had) is mistaken for the new one's.
OUTPUT_FILES = ("*.csv", "summary.json", "manifest.json", "kpis.parquet", "config.resolved.yaml", "report.html",
                "results.sqlite", "results.sqlite-wal", "results.sqlite-shm", "results.sqlite-journal",
                "requests.parquet", "results.xlsx")
OUTPUT_FOLDERS = {"tables": ("*.csv",), "configs": ("*.yaml",), "figures": ("*.png", "*.svg", "*.pdf")}
#: The start of the name of :func:`check_writable`'s probe file (there only while it checks).
PROBE_PREFIX = ".sim-probe-"
#: The suffix of every temporary file sim writes (:func:`atomic_open`), renamed into place when complete.
TEMP_SUFFIX = ".tmp"


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file sim left when it was killed while writing: ``.NAME.XXXX.tmp`` (and
    ``.NAME.XXXXXXXX`` of earlier versions, NAME one of sim's outputs), or a probe of :func:`check_writable`."""
    if not name.startswith("."):
        return False
    if name.endswith(TEMP_SUFFIX) or name.startswith(PROBE_PREFIX):
        return True
    stem = name[1:].rpartition(".")[0]
    return any(fnmatch.fnmatch(stem, p) for p in (*OUTPUT_FILES, *(q for v in OUTPUT_FOLDERS.values() for q in v)))


def clear_outputs(folder: Path, keep_store: bool = False) -> None:
    """Remove the files an earlier sim run or experiment wrote into ``folder`` (see OUTPUT_FILES); the user's
    other files stay, and so does the results store if ``keep_store`` (it was just made afresh)."""
    def unlink(paths: Iterable[Path]) -> None:
        for p in paths:
            if keep_store and p.name.startswith("results.sqlite"):
                continue
            if p.is_file() or p.is_symlink():
                p.unlink(missing_ok=True)  # a probe of another sim's check may go before we get to it

    for pattern in OUTPUT_FILES:
        unlink(folder.glob(pattern))
    unlink(p for p in folder.glob(".*") if is_temporary(p.name))
    for sub, patterns in OUTPUT_FOLDERS.items():
        if (folder / sub).is_dir() and not (folder / sub).is_symlink():
            for pattern in patterns:
                unlink((folder / sub).glob(pattern))
            unlink(p for p in (folder / sub).glob(".*") if is_temporary(p.name))


# ------------------------------------------------------------------------------------------- busy folders
#: Folders this process holds locked (resolved path -> the process's id, so that a forked child, which
#: inherits this table but not the lock, does not take them for its own): its own writes are not "busy".
_HELD: dict[Path, int] = {}


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder`` against another sim writing it at the same time (an advisory ``flock`` on the folder
    itself, so nothing is left behind: the lock goes with the process). A folder another process holds is a
    ConfigError (exit code 2), before anything is written."""
    key = folder.resolve()
    if _HELD.get(key) == os.getpid():
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as err:
        raise ConfigError(str(folder), f"cannot be read: {why(err)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(str(folder), "is busy: another sim is writing it now; wait for it to finish, or "
                                           "choose another folder") from None
        _HELD[key] = os.getpid()
        try:
            yield
        finally:
            del _HELD[key]
    finally:
        os.close(fd)


def check_not_busy(folder: Path) -> None:
    """A ConfigError if another sim is writing ``folder`` now (:func:`folder_lock`)."""
    if folder.is_dir():
        with folder_lock(folder):
            pass


@contextmanager
def claim_folder(out: str | Path | None, default_name: str, overwrite: bool = False, root: str | Path = "results",
                 reuse: Callable[[Path], bool] | None = None, clear: Callable[[Path], None] | None = clear_outputs,
                 what: str = OUT) -> Iterator[Path]:
    """Hold an output folder for one command from before its work until it has written everything: the one way
    sim takes a folder to write in (``sim run``, ``roster``, ``calibrate``, ``plot`` and every experiment).

    ``out`` (or, if None, a fresh ``root/default_name[-N]``) is checked, created if missing and locked
    (:func:`folder_lock`): a folder another sim holds is refused as busy (ConfigError, exit code 2), before
    anything is written. Only then is what it holds looked at, so two commands cannot both find it empty: a
    folder that holds files is refused unless ``reuse(folder)`` says this command may write there again (an
    earlier run of the same scenario, an experiment's store to resume) or ``overwrite`` (then ``clear``, if
    given, removes what an earlier command wrote; a caller that passes None clears when it writes). If the
    command fails before anything is written, a folder this claim made is removed again."""
    if out is None:
        path = _fresh_folder(default_name, root)
        made = True
    else:
        path = Path(out)
        check_names(path, what)
        _missing_parts(path, what)  # made below, not made and removed as check_writable does: another sim may
        try:  # be claiming the same folder
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir()
            made = True
        except FileExistsError:
            made = False
        except OSError as err:
            raise ConfigError(str(path), f"{what}: cannot be written: {why(err)}") from None
        if not path.is_dir():
            raise ConfigError(str(path), f"{what} names a file, not a folder")
        try:
            check_writable(path, what)
        except ConfigError:
            if made:
                with contextlib.suppress(OSError):
                    path.rmdir()
            raise
    with folder_lock(path):
        if not made and _holds_files(path) and not (reuse is not None and reuse(path)):
            if not overwrite:
                raise ConfigError(str(path),
                                  f"the output folder is not empty; choose another {OUT} or pass {OVERWRITE}")
            if clear is not None:
                clear(path)
        try:
            yield path
        except BaseException:
            if made:
                with contextlib.suppress(OSError, ConfigError):
                    if not _holds_files(path):
                        path.rmdir()
            raise


def _fresh_folder(default_name: str, root: str | Path) -> Path:
    """A new folder ``root/default_name[-N]``, made here (two commands started at once get two folders)."""
    base = _results_root(root)
    name = _folder_name(default_name)
    check_writable(base / name, "results folder")
    n = 1
    while True:
        path = base / (name if n == 1 else f"{name}-{n}")
        try:
            base.mkdir(parents=True, exist_ok=True)
            path.mkdir()
            return path
        except FileExistsError:
            n += 1
        except OSError as err:
            raise ConfigError(str(path), f"results folder: cannot be written: {why(err)}") from None


def clear_files(folder: Path, patterns: Iterable[str]) -> None:
    """Remove the files of ``folder`` that match ``patterns`` (what a command wrote there before: --overwrite)."""
    for pattern in patterns:
        for p in folder.glob(pattern):
            if p.is_file() or p.is_symlink():
                p.unlink()


def check_target(path: Path, overwrite: bool, what: str) -> None:
    """Before any work: the file ``path`` (a report, a workbook) may be written: not a folder, not there
    already unless ``overwrite``, its folder creatable and writable, and not being written by another sim."""
    check_names(path, what)
    if path.is_dir():
        raise ConfigError(str(path), f"{what} names a folder, not a file")
    if os.path.lexists(path) and not overwrite:
        raise ConfigError(str(path), f"exists; choose another name or pass {OVERWRITE}")
    check_writable(path.parent, what)
    check_not_busy(path.parent)


def timestamp() -> str:
    """Now, as every file sim writes says it: ISO 8601 to the second with the UTC offset
    (``2025-01-06T09:30:00+01:00``)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


#: matplotlib settings every figure is built and saved with: user text (a department called ``$x$`` or
#: ``cost $5``) is drawn as written, never parsed as mathtext (which raises on an unbalanced ``$``).
FIGURE_TEXT: Any = {"text.parse_math": False, "text.usetex": False}  # Any: as figures.STYLE, for rc_context


@contextmanager
def plain_text() -> Iterator[None]:
    """Build and save figures inside this: their text is shown as written (:data:`FIGURE_TEXT`)."""
    import matplotlib

    with matplotlib.rc_context(FIGURE_TEXT):
        yield


_WHY = {errno.EROFS: "the file system is read-only", errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "over the disk quota", errno.EACCES: "permission denied", errno.EPERM: "not permitted",
        errno.ENAMETOOLONG: "a name in the path is too long for the file system",
        errno.ENOTDIR: "a part of the path is a file, not a folder", errno.ELOOP: "too many symbolic links"}


def why(err: OSError) -> str:
    """A short reason for an OSError, in words (no errno numbers, no second line)."""
    return _WHY.get(err.errno or 0, err.strerror or str(err))


def environment_error(err: OSError) -> str:
    """One line for an OSError met while writing results: what could not be written, and why."""
    name = f"cannot write {one_line(err.filename)}: " if err.filename else "cannot write the results: "
    return name + why(err)


def check_names(path: Path, what: str = OUT) -> None:
    """No part of ``path`` is longer than a file system allows (255 bytes), nor the whole path (4,096)."""
    for part in path.parts:
        if len(os.fsencode(part)) > 255:
            raise ConfigError(f"{part[:40]}...", f"{what}: the name is {len(os.fsencode(part))} bytes long; a file "
                                                 "system allows 255")
    if len(os.fsencode(str(path.absolute()))) >= 4096:
        raise ConfigError(f"{str(path)[:40]}...", f"{what}: the path is longer than 4,096 bytes")


def check_writable(folder: Path, what: str = OUT) -> None:
    """Make sure ``folder`` can be created (if missing) and written, before any work: create it and a
    probe file, then remove both. A ConfigError (exit code 2) names the folder and why not.

    Another sim may check or claim the same folder at the same time, so a folder that appears (made by the
    other) is not ours to remove, one that disappears (removed by the other's check) is looked for again, and a
    probe that is gone (an --overwrite clears stray temporary files) was written all the same."""
    check_names(folder, what)
    for attempt in range(5):
        missing = _missing_parts(folder, what)
        made: list[Path] = []
        try:
            for d in reversed(missing):
                with contextlib.suppress(FileExistsError):  # made by another sim just now: there, and not ours
                    d.mkdir()
                    made.append(d)
            fd, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=folder)
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(probe)
            return
        except FileNotFoundError as err:
            if folder.is_dir() or attempt == 4:  # not removed under us (a file system that takes no files)
                raise ConfigError(str(folder), f"{what}: cannot be written: {why(err)}") from None
        except OSError as err:
            raise ConfigError(str(folder), f"{what}: cannot be written: {why(err)}") from None
        finally:
            for d in reversed(made):
                with contextlib.suppress(OSError):
                    d.rmdir()


def _missing_parts(folder: Path, what: str) -> list[Path]:
    """The folders of the path ``folder`` that are not there yet, deepest first; a ConfigError if the part that
    is there is a file."""
    missing: list[Path] = []
    p = folder.absolute()
    while not os.path.lexists(p) and p != p.parent:
        missing.append(p)
        p = p.parent
    if not p.is_dir():
        raise ConfigError(str(folder), f"{what}: {p} is a file, not a folder" if p != folder.absolute()
                          else f"{what} names a file, not a folder")
    return missing


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the output folder: {name}")
    return target


@contextmanager
def atomic_open(folder: Path, name: str) -> Iterator[TextIO]:
    """Open ``folder/name`` for writing through a temporary file that is renamed into place only when the block
    ends without error, so a complete file is never replaced by a half-written one."""
    target = _inside(folder, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it -rw-------; colleagues may need to read it
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextmanager
def atomic_path(folder: Path, name: str) -> Iterator[Path]:
    """A temporary path beside ``folder/name`` for a writer that wants a path (a workbook, a figure, a parquet
    file); renamed into place when the block ends without error, removed if it fails."""
    target = _inside(folder, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """The process's umask (read by setting and restoring it: POSIX has no way to only read it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` atomically (temporary file, then rename)."""
    with atomic_open(folder, name) as fh:
        fh.write(text)
    return _inside(folder, name)


def json_safe(value: Any) -> Any:
    """Non-finite floats become None (JSON has no NaN); everything else is kept as it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def to_json(data: Any) -> str:
    return json.dumps(json_safe(data), indent=2, sort_keys=False) + "\n"


def write_json(folder: Path, name: str, data: Any) -> Path:
    return write_text(folder, name, to_json(data))


#: A CSV is built in memory up to this size, then in a temporary file (:func:`write_rows`).
CSV_SPOOL_BYTES = 8 * 2**20


def write_rows(out: TextIO, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write ``rows`` to ``out`` as CSV. The columns are the union of the rows' keys, in the order they first
    appear; a missing or None value is an empty cell; no rows, no text. The rows stream through a spool (in
    memory up to CSV_SPOOL_BYTES, then a temporary file), so a table of any length needs little memory, and a
    column that only a later row has still gets its place in the header (the rows before it get an empty
    cell)."""
    fields: list[str] = []
    index: dict[str, int] = {}
    first_width = -1
    with tempfile.SpooledTemporaryFile(CSV_SPOOL_BYTES, "w+", encoding="utf-8", newline="") as spool:
        body = csv.writer(spool, lineterminator="\n")
        for row in rows:
            for key in row:
                if key not in index:
                    index[key] = len(fields)
                    fields.append(key)
            values: list[Any] = [""] * len(fields)
            for key, value in row.items():
                if value is not None:
                    values[index[key]] = value
            body.writerow(values)
            if first_width < 0:
                first_width = len(fields)
        if first_width < 0:
            return
        spool.seek(0)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        if len(fields) == first_width:  # every row has the first row's columns: the spool is the body
            shutil.copyfileobj(spool, out)
            return
        for cells in csv.reader(spool):  # widen the rows written before a column first appeared
            writer.writerow(cells + [""] * (len(fields) - len(cells)))


def csv_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """``rows`` as CSV text (:func:`write_rows`)."""
    buf = io.StringIO(newline="")
    write_rows(buf, rows)
    return buf.getvalue()


def write_csv(folder: Path, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``rows`` to ``folder/name`` as CSV (:func:`write_rows`), atomically."""
    with atomic_open(folder, name) as fh:
        write_rows(fh, rows)
    return _inside(folder, name)


def write_yaml(folder: Path, name: str, data: Any) -> Path:
    return write_text(folder, name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
