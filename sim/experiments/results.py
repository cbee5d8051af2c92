"""A results folder, owned by one module both ways: how it is opened and written, and how it is read.

An experiment (``compare``, ``sweep``, ``staff``, ``sensitivity``, ``uncertainty``) keeps its finished
replications in ``results.sqlite`` (:mod:`sim.experiments.store`) and writes beside it:

- ``manifest.json``: what was run (kind, configs and their hashes, seed, replications, days, version, command),
  written when the folder is opened with ``finished: null`` and again, last, with the time it finished
  (:func:`timestamp`: ISO 8601 with the UTC offset, one format everywhere);
- ``summary.json``, ``kpis.csv`` (+ ``kpis.parquet`` with pyarrow), ``summary.csv``, ``differences.csv``,
  ``tables/<table>.csv`` and ``configs/<setup>.yaml`` (:meth:`ResultsFolder.write_experiment`), and the
  study's own tables and figures.

``sim run --out`` writes a run folder: ``summary.json``, ``config.resolved.yaml`` and one CSV per table.

Writing goes through :class:`ResultsFolder` and :mod:`sim.experiments.output`: a folder that holds something else is
refused, one that another sim is writing is refused (:func:`sim.experiments.output.claim_folder`), and every file is
written to a temporary name and renamed into place. Reading goes through :func:`load_results` (report, plot, export):
every JSON file must be a JSON object and every CSV readable UTF-8 text (:func:`check_folder`), and every CSV
cell is read by one rule (:func:`cell`), so the three readers can never disagree about what a folder says.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shlex
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sim import compiled
from sim.config import ConfigError, Scenario, config_hash, load_scenario
from sim.core.kpi_tables import flatten_kpis
from sim.experiments.output import (
    claim_folder,
    clear_outputs,
    timestamp,
    write_csv,
    write_json,
    write_text,
    write_yaml,
)
from sim.experiments.store import STORE_NAME, ResultStore, check_ours
from sim.version import __version__


class Unit(Protocol):
    """What the manifest reads of an experiment's unit (:class:`sim.experiments.experiment.Unit`, a layer up)."""

    @property
    def key(self) -> str: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def labels(self) -> Mapping[str, Any]: ...


class ExperimentResult(Protocol):
    """What the writer reads of an experiment's result (:class:`sim.experiments.experiment.ExperimentResult`, a layer
    up)."""

    @property
    def units(self) -> Sequence[Unit]: ...
    @property
    def replications(self) -> int: ...
    def summary(self) -> dict[str, Any]: ...
    def kpi_rows(self) -> Iterator[dict[str, Any]]: ...
    def summary_rows(self) -> Iterator[dict[str, Any]]: ...
    def difference_rows(self) -> Iterator[dict[str, Any]]: ...
    def table_names(self) -> list[str]: ...
    def table_rows(self, name: str) -> Iterator[dict[str, Any]]: ...
    def kpis_frame(self) -> Any: ...

__all__ = ["KINDS", "KPI_COLUMNS", "Results", "ResultsFolder", "cell", "check_folder", "load_results",
           "manifest", "read_csv", "read_json", "read_table", "timestamp", "write_text"]

#: The kinds of folder :func:`load_results` reads.
KINDS = ("run", "compare", "sweep", "staff")
#: Columns of the tidy KPI table that are not labels of a unit.
KPI_COLUMNS = ("replication", "seed", "kpi", "value")
#: A JSON file of a results folder larger than this is not one sim wrote.
MAX_JSON_BYTES = 256 * 2**20


# ------------------------------------------------------------------------------------------------ writing
@dataclass
class ResultsFolder:
    """An experiment's output folder and its results store, open for writing (the folder locked against
    another sim writing it at the same time, until :meth:`close`)."""

    path: Path
    store: ResultStore
    _lock: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    @classmethod
    def open(cls, out: str | Path | None, experiment: str, kind: str, default_name: str,
             overwrite: bool = False, root: str | Path = "results") -> ResultsFolder:
        """The output folder and its results store.

        An ``out`` that holds a results store of the same experiment is resumed (no ``overwrite`` needed); one
        of another experiment is refused unless ``overwrite``. Any other non-empty folder needs ``overwrite``,
        as for ``sim run``. ``out=None``: a fresh folder under ``root``. Nothing is written to a folder that is
        refused, nor to one another sim is writing.
        """
        def resumed(folder: Path) -> bool:  # a store of this experiment is resumed; another's needs overwrite
            if not os.path.lexists(folder / STORE_NAME):
                return False
            if not overwrite:
                check_ours(folder / STORE_NAME)
            return True

        stack = contextlib.ExitStack()
        folder = stack.enter_context(claim_folder(out, default_name, overwrite, root, reuse=resumed))
        try:
            store = ResultStore.open(folder / STORE_NAME, experiment, kind, overwrite)
            if overwrite and store.fresh:
                clear_outputs(folder, keep_store=True)  # --overwrite starts afresh: nothing of the last run stays
        except BaseException:
            stack.close()
            raise
        return cls(folder, store, stack)

    def close(self) -> None:
        self._lock.close()

    def start(self, data: Mapping[str, Any]) -> None:
        """The manifest as the experiment starts (``finished: null``): the folder says what is running."""
        write_manifest(self.path, {**data, "finished": None})

    def finish(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The manifest, last, with the time the experiment finished."""
        final = {**data, "finished": timestamp()}
        write_manifest(self.path, final)
        return final

    def write_json(self, name: str, data: Any) -> Path:
        return write_json(self.path, name, data)

    def write_table(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
        return write_csv(self.path, name, rows)

    def write_figure(self, name: str, fig: Any, **savefig: Any) -> Path:
        """A matplotlib figure as ``name`` (its format from the suffix), written then renamed into place."""
        from sim.experiments.output import atomic_path, plain_text

        with atomic_path(self.path, name) as tmp, plain_text():
            fig.savefig(tmp, format=Path(name).suffix.lstrip(".") or "png", **savefig)
        return self.path / name

    def write_experiment(self, result: ExperimentResult, manifest_data: Mapping[str, Any],
                         summary: Mapping[str, Any] | None = None, differences: bool = True) -> dict[str, Any]:
        """summary.json, kpis.csv (+ kpis.parquet with pyarrow), summary.csv, differences.csv,
        configs/<setup>.yaml and tables/<table>.csv, beside results.sqlite; the manifest last, with its
        finishing time (returned)."""
        folder = self.path
        write_json(folder, "summary.json", dict(summary if summary is not None else result.summary()))
        write_csv(folder, "kpis.csv", result.kpi_rows())
        write_csv(folder, "summary.csv", result.summary_rows())
        if differences and len(result.units) > 1:
            write_csv(folder, "differences.csv", result.difference_rows())
        else:
            (folder / "differences.csv").unlink(missing_ok=True)  # from an earlier experiment (--overwrite)
        _write_parquet(folder, result)
        # the resolved config of each setup (the first unit of each name), so that reports and figures that need
        # a setup's parameters read them from the folder, wherever it is opened
        written: set[str] = set()
        for unit in result.units:
            name = unit.scenario.name
            if name not in written:
                written.add(name)
                write_yaml(folder, f"configs/{name}.yaml", unit.scenario.model_dump(mode="json"))
        names = result.table_names()
        for name in names:
            write_csv(folder, f"tables/{name}.csv", result.table_rows(name))
        for old in (folder / "tables").glob("*.csv"):
            if old.stem not in names:
                old.unlink()
        return self.finish({**manifest_data, "replications": result.replications})


def _write_parquet(folder: Path, result: ExperimentResult) -> None:
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        (folder / "kpis.parquet").unlink(missing_ok=True)
        return
    from sim.experiments.output import atomic_path

    frame = result.kpis_frame()
    with atomic_path(folder, "kpis.parquet") as tmp:
        frame.to_parquet(tmp, index=False)


def manifest(kind: str, units: Sequence[Unit], seed: int, replications: int, store: ResultStore,
             configs: Sequence[tuple[str | Path | None, Scenario]], command: Sequence[str] | None = None,
             extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What was run, for the figures and reports that read the folder (manifest.json). ``configs``: each
    setup's config file (None from Python: the setup's resolved copy in ``configs/`` is what is read back) and
    scenario; ``command``: the command line (default: this process's ``sim`` arguments, or the Python
    program's)."""
    days = sorted({u.scenario.run.days for u in units})
    data: dict[str, Any] = {
        "kind": kind, "version": __version__, "build": compiled.build(),
        "command": shlex.join(command if command is not None else _command()),
        "configs": [{"path": None if p is None else str(p), "name": s.name, "config_hash": config_hash(s)}
                    for p, s in configs],
        "seed": seed, "replications": replications,
        "days": days[0] if len(days) == 1 else days,
        "warmup_days": units[0].scenario.run.warmup_days if units else None,
        "experiment": store.experiment, "created": store.meta("created"),
        "finished": None,
        "units": [{"key": u.key, **dict(u.labels), "config_hash": config_hash(u.scenario)} for u in units],
    }
    if extra:
        data.update(extra)
    return data


def _command() -> list[str]:
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if prog in ("sim", "__main__.py", "-m") or not prog:
        return ["sim", *sys.argv[1:]]
    return ["python", *sys.argv]


def write_manifest(folder: Path, data: Mapping[str, Any]) -> None:
    write_json(folder, "manifest.json", dict(data))


# ------------------------------------------------------------------------------------------------ reading
def cell(text: str) -> Any:
    """The one rule by which every reader reads a CSV cell that sim wrote: empty is None, ``True``/``False``
    a bool, a whole number an int and any other number a float (``nan`` and ``inf`` too, as Python writes
    them), except that ``0123`` stays text (a code or a postcode, not a number); all else stays text (dates
    too: a presentation may show them as dates)."""
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    stripped = text.lstrip("+-")
    if len(stripped) > 1 and stripped[0] == "0" and stripped[1].isdigit():
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def read_table(path: str | Path) -> tuple[list[str], list[list[Any]]]:
    """A CSV file as its header and rows of cells (:func:`cell`); a file that is not readable UTF-8 CSV text
    is a ConfigError naming it."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            return header, [[cell(c) for c in row] for row in reader]
    except (UnicodeDecodeError, csv.Error) as err:
        raise ConfigError(str(path), f"is damaged: not a readable CSV file ({err})") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror or err})") from None


def read_csv(path: str | Path) -> list[dict[str, Any]]:
    """A CSV file as rows of dicts (:func:`cell`; a cell missing from a short row is None)."""
    header, rows = read_table(path)
    return [dict(zip(header, row + [None] * (len(header) - len(row)), strict=False)) for row in rows]


def read_json(path: str | Path) -> dict[str, Any]:
    """A JSON object from a results folder; anything else (not JSON, not an object, too large, not a regular
    file) is a ConfigError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), "is not a regular file")
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ConfigError(str(path), f"is over {MAX_JSON_BYTES // 2**20} MB; not a file sim wrote")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ConfigError(str(path), f"is damaged: not valid JSON ({err})") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror or err})") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), f"is damaged: a JSON object was expected, not {type(data).__name__}")
    return data


#: Keys of manifest.json and summary.json and the JSON types they must have when present.
_SHAPES: dict[str, dict[str, tuple[type, ...]]] = {
    "manifest.json": {"kind": (str,), "units": (list,), "configs": (list,), "vary": (dict,)},
    "summary.json": {"kpi": (dict,), "setups": (dict,), "settings": (list,), "differences": (dict,)},
}


def check_folder(folder: Path) -> None:
    """Before a results folder is read: its JSON files are JSON objects of the expected shape and its CSV files
    readable UTF-8 text (a damaged or hand-edited file is named, not met as a traceback halfway)."""
    if not folder.is_dir():
        raise ConfigError(str(folder), "no such results folder")
    for name in ("manifest.json", "summary.json"):
        path = folder / name
        if not os.path.lexists(path):
            continue
        data = read_json(path)
        for key, types in _SHAPES[name].items():
            if key in data and data[key] is not None and not isinstance(data[key], types):
                raise ConfigError(str(path), f"is damaged: {key} is a {type(data[key]).__name__}")
    for path in [*sorted(folder.glob("*.csv")), *sorted((folder / "tables").glob("*.csv"))]:
        read_table(path)


@dataclass
class Results:
    """A results folder as plain data. Every table row carries ``setup`` and ``replication``; rows of a sweep
    or a staffing search also carry their setting columns (``settings``)."""

    folder: Path
    kind: str
    manifest: dict[str, Any]
    summary: dict[str, Any]
    kpis: list[dict[str, Any]]
    settings: list[str]
    tables: dict[str, list[dict[str, Any]]]
    configs: dict[str, Scenario] = field(default_factory=dict)
    config_notes: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def setups(self) -> list[str]:
        """Setup names in order of appearance."""
        return list(dict.fromkeys(str(r.get("setup", "")) for r in self.kpis))

    def units(self) -> list[tuple[Any, ...]]:
        """(setup, *setting values) of every unit, in order of appearance."""
        return list(dict.fromkeys(tuple(r.get(c) for c in ["setup", *self.settings]) for r in self.kpis))

    def first_scenario(self) -> Scenario | None:
        return next(iter(self.configs.values()), None)


def load_results(folder: str | Path) -> Results:
    """Read a run, compare, sweep or staff folder (checked first: :func:`check_folder`). Raises
    :class:`ConfigError` if it is none of these, or damaged."""
    folder = Path(folder)
    check_folder(folder)
    if (folder / "manifest.json").exists():
        return _load_experiment(folder)
    if (folder / "summary.json").exists() and (folder / "config.resolved.yaml").exists():
        return _load_run(folder)
    raise ConfigError(str(folder), "not a results folder: expected manifest.json (sim compare/sweep/staff) "
                                   "or summary.json and config.resolved.yaml (sim run --out)")


def _load_run(folder: Path) -> Results:
    summary = read_json(folder / "summary.json")
    setup = str(summary.get("scenario", "run"))
    scenario = load_scenario(folder / "config.resolved.yaml")
    labels = {"setup": setup, "replication": 0}
    kpis = [{**labels, "seed": summary.get("seed"), "kpi": k, "value": v}
            for k, v in flatten_kpis(summary.get("kpi") or {}).items()]
    tables = {p.stem: [{**labels, **row} for row in read_csv(p)]
              for p in sorted(folder.glob("*.csv")) if p.stem != "events"}
    events = read_csv(folder / "events.csv") if (folder / "events.csv").exists() else []
    manifest = {"kind": "run", "version": None, "seed": summary.get("seed"), "replications": 1,
                "days": summary.get("days"), "warmup_days": scenario.run.warmup_days,
                "configs": [{"path": str(folder / "config.resolved.yaml"), "name": setup,
                             "config_hash": summary.get("config_hash")}]}
    return Results(folder, "run", manifest, summary, kpis, [], tables, {setup: scenario}, {}, events)


def _load_experiment(folder: Path) -> Results:
    manifest = read_json(folder / "manifest.json")
    kind = str(manifest.get("kind", ""))
    if kind not in KINDS:
        raise ConfigError(str(folder / "manifest.json"), f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    summary = read_json(folder / "summary.json") if (folder / "summary.json").exists() else {}
    if not (folder / "kpis.csv").exists():
        raise ConfigError(str(folder), "kpis.csv is missing (the experiment did not finish?)")
    kpis = read_csv(folder / "kpis.csv")
    for row in kpis:
        row["setup"] = str(row.get("setup") or "")
    settings = [c for c in (kpis[0] if kpis else {}) if c != "setup" and c not in KPI_COLUMNS]
    tables: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((folder / "tables").glob("*.csv")):
        rows = read_csv(path)
        for row in rows:
            row["setup"] = str(row.get("setup") or "")
        tables[path.stem] = rows
    events = tables.pop("events", [])
    configs, notes = _experiment_configs(folder, manifest)
    return Results(folder, kind, manifest, summary, kpis, settings, tables, configs, notes, events)


def _experiment_configs(folder: Path, manifest: Mapping[str, Any],
                        ) -> tuple[dict[str, Scenario], dict[str, str]]:
    """The setups' configs: resolved copies in the folder if there are any (``configs/*.yaml``), else the
    config files the manifest names (found relative to the working directory or the folder), checked against
    the recorded hash."""
    configs: dict[str, Scenario] = {}
    notes: dict[str, str] = {}
    for path in sorted((folder / "configs").glob("*.yaml")):
        scenario = load_scenario(path)
        configs[scenario.name] = scenario
    entries = [e for e in manifest.get("configs") or [] if isinstance(e, dict)]
    if configs:  # in the manifest's order of setups
        order = [str(e.get("name")) for e in entries]
        ranked = sorted(configs, key=lambda n: order.index(n) if n in order else len(order))
        return {n: configs[n] for n in ranked}, notes
    for entry in entries:
        name = str(entry.get("name") or Path(str(entry.get("path") or "")).stem)
        if not entry.get("path"):
            notes[name] = "no config file recorded and no configs/ copy in the folder; assumptions not shown"
            continue
        raw = Path(str(entry["path"]))
        found = next((p for p in (raw, folder / raw, folder.parent / raw) if p.is_file()), None)
        if found is None:
            notes[name] = f"config file {raw} not found; assumptions not shown"
            continue
        try:
            scenario = load_scenario(found)
            recorded = entry.get("config_hash")
            if recorded and config_hash(scenario) != recorded:  # most often run with --days: try that
                days = [f"run.{k}={manifest[k]}" for k in ("days", "warmup_days")
                        if isinstance(manifest.get(k), int)]
                again = load_scenario(found, days)
                if config_hash(again) == recorded:
                    scenario = again
                elif _first_setting(manifest):  # a sweep records its first setting's hash
                    with_setting = load_scenario(found, days + _first_setting(manifest))
                    if config_hash(with_setting) == recorded:
                        scenario, recorded = again, config_hash(again)
        except ConfigError as err:
            notes[name] = f"config file {raw} no longer loads: {err}"
            continue
        configs[name] = scenario
        if recorded and config_hash(scenario) != recorded:
            notes[name] = (f"{raw} as it is now (hash {config_hash(scenario)}) differs from the config that "
                           f"was run (hash {recorded}): the run may have used --set/--days overrides, or the "
                           "file changed since")
    return configs, notes


def _first_setting(manifest: Mapping[str, Any]) -> list[str]:
    """The first unit's swept values as overrides (``path=value``)."""
    units = manifest.get("units") or []
    vary = manifest.get("vary") or {}
    if not units or not vary or not isinstance(units[0], dict):
        return []
    return [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in units[0].items() if k in vary]


def iter_csvs(folder: Path) -> Iterator[Path]:
    """The CSV files of a folder and of its tables/ subfolder."""
    yield from sorted(folder.glob("*.csv"))
    yield from sorted((folder / "tables").glob("*.csv"))
