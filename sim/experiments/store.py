"""The results store: every finished replication, committed at once to SQLite, so that nothing is lost.

An experiment (a comparison, a sweep, a staffing search) is a set of *units* (setups, settings, candidate
staffings), each run for replications 0, 1, 2, ... One row per finished replication, keyed by
``(experiment hash, unit key, replication index)``, holds its seed, the unit's config hash, the flattened
KPIs, the result tables and the accounting as JSON. Each row is written in its own transaction the moment
the replication comes back, in WAL mode, so a run that is killed loses at most the replications that were
still running; running the same command again finds the finished ones here and runs only the rest.

JSON keeps every float exactly (Python writes the shortest text that reads back to the same number), and
experiments aggregate what they read back from here, so a resumed run gives the same figures as one that was
never interrupted.

The file is ``results.sqlite`` in the output folder. Tables::

    meta(key TEXT PRIMARY KEY, value TEXT)              -- experiment hash, kind, created, manifest
    replications(experiment, unit, replication, seed, config_hash, kpis, tables, accounting,
                 events, wall_seconds, finished, PRIMARY KEY (experiment, unit, replication))
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sim.config import ConfigError
from sim.experiments.output import OUT, OVERWRITE, timestamp

STORE_NAME = "results.sqlite"
SCHEMA_VERSION = "1"
#: The store's own mark, in the SQLite header (``PRAGMA application_id``, bytes 68-71): "SIM1". A file without
#: it is not ours, and is never switched to WAL mode, given tables or emptied without --overwrite.
APPLICATION_ID = 0x53494D31
_SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replications (
    experiment   TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    replication  INTEGER NOT NULL,
    seed         INTEGER NOT NULL,
    config_hash  TEXT    NOT NULL,
    kpis         TEXT    NOT NULL,
    tables       TEXT    NOT NULL,
    accounting   TEXT    NOT NULL,
    events       INTEGER NOT NULL,
    wall_seconds REAL    NOT NULL,
    finished     TEXT    NOT NULL,
    PRIMARY KEY (experiment, unit, replication)
);
"""


@dataclass
class ReplicationRecord:
    """One finished replication of one unit: what the store keeps (tables are loaded only on demand)."""

    unit: str
    replication: int
    seed: int
    config_hash: str
    kpis: dict[str, float | None]
    accounting: dict[str, Any] = field(default_factory=dict)
    events: int = 0
    wall_seconds: float = field(default=0.0, compare=False)
    tables: dict[str, list[dict[str, Any]]] | None = field(default=None, repr=False)


#: orjson writes non-finite floats as null (JSON has no NaN: :func:`sim.experiments.output.json_safe`'s rule), numpy
#: scalars and arrays as numbers, and non-string keys as strings (as :func:`json.dumps` does), 10 to 20 times as fast as
#: json_safe + json.dumps on a replication's tables, which the main process writes while the workers simulate
_ORJSON = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=_ORJSON).decode()


class ResultStore:
    """One experiment's finished replications in a SQLite file (or in memory, for the Python API)."""

    def __init__(self, path: str | Path | None, experiment: str) -> None:
        self.path = None if path is None else Path(path)
        self.experiment = experiment
        #: True when this store was created (or replaced) now, False when it held replications already
        self.fresh = True
        target = ":memory:" if self.path is None else str(self.path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        try:
            if self.path is not None:
                # the mark first, while the file is in rollback mode, so it is in the file's header at once
                if self._db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                    self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except BaseException:
            self._db.close()
            raise

    # -- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None, experiment: str, kind: str,
             overwrite: bool = False) -> ResultStore:
        """Open (or create) the store for ``experiment``.

        Only a store that is provably ours (:func:`check_ours`) is opened as it is. Anything else at ``path``
        (an empty file, another program's database, a damaged store), and a store that holds another
        experiment, is refused (a ConfigError: exit code 2) unless ``overwrite``, which replaces it by a new,
        empty store. Nothing is written to a file that is refused. With ``overwrite`` even a store of the same
        experiment is replaced: the experiment's key holds its configs, not the code that ran them, so results of
        an earlier version of the model must not be resumed silently.
        """
        if path is not None and overwrite:
            remove(path)
        elif path is not None:
            check_ours(path)
        try:
            store = cls(path, experiment)
            stored = store.meta("experiment")
        except sqlite3.DatabaseError as err:  # damaged beyond its header
            if path is None or not overwrite:
                raise ConfigError(str(path), f"is a damaged results store ({err}); choose another {OUT}, or "
                                             f"pass {OVERWRITE} to replace it") from None
            remove(path)
            store, stored = cls(path, experiment), None
        if stored is not None and stored != experiment:
            if not overwrite:
                other = store.meta("kind")
                store.close()
                raise ConfigError(
                    str(path), f"holds another experiment ({other} {stored}; this one is {kind} "
                    f"{experiment}); choose another {OUT}, or pass {OVERWRITE} to start afresh")
            assert path is not None
            store.close()
            remove(path)
            store, stored = cls(path, experiment), None
        store.fresh = stored is None
        if stored is None:
            store.set_meta({"experiment": experiment, "kind": kind, "schema": SCHEMA_VERSION,
                            "created": timestamp()})
        return store

    def clear(self) -> None:
        """Forget everything (used by --overwrite when the folder held another experiment)."""
        with self._transaction():
            self._db.execute("DELETE FROM replications")
            self._db.execute("DELETE FROM meta")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta --------------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, values: dict[str, str]) -> None:
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                 list(values.items()))

    # -- replications ------------------------------------------------------------------------------------
    def done(self) -> set[tuple[str, int]]:
        """(unit, replication) pairs already finished."""
        rows = self._db.execute("SELECT unit, replication FROM replications WHERE experiment = ?",
                                (self.experiment,))
        return {(str(u), int(r)) for u, r in rows}

    def put(self, record: ReplicationRecord) -> bool:
        """Commit one finished replication in its own transaction; False if it was already there."""
        with self._transaction():
            cur = self._db.execute(
                "INSERT OR IGNORE INTO replications (experiment, unit, replication, seed, config_hash, "
                "kpis, tables, accounting, events, wall_seconds, finished) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.experiment, record.unit, record.replication, record.seed, record.config_hash,
                 _dumps(record.kpis), _dumps(record.tables or {}), _dumps(record.accounting), record.events,
                 record.wall_seconds, time.strftime("%Y-%m-%dT%H:%M:%S")),
            )
            return cur.rowcount == 1

    def records(self, units: Iterable[str] | None = None, replications: int | None = None,
                tables: bool = False) -> list[ReplicationRecord]:
        """Finished replications sorted by (unit in the given order, replication); only the first
        ``replications`` of each unit if given."""
        return list(self.iter_records(units, replications, tables))

    def iter_records(self, units: Iterable[str] | None = None, replications: int | None = None,
                     tables: bool = False) -> Iterator[ReplicationRecord]:
        cols = "unit, replication, seed, config_hash, kpis, accounting, events, wall_seconds"
        if tables:
            cols += ", tables"
        order = list(units) if units is not None else self.units()
        limit = replications if replications is not None else 2**62
        for unit in order:
            rows = self._db.execute(
                f"SELECT {cols} FROM replications WHERE experiment = ? AND unit = ? AND replication < ? "
                "ORDER BY replication", (self.experiment, unit, limit))
            for row in rows:
                try:
                    yield ReplicationRecord(
                        unit=row[0], replication=int(row[1]), seed=int(row[2]), config_hash=row[3],
                        kpis=orjson.loads(row[4]), accounting=orjson.loads(row[5]), events=int(row[6]),
                        wall_seconds=float(row[7]), tables=orjson.loads(row[8]) if tables else None,
                    )
                except (ValueError, TypeError) as err:  # a row edited or damaged outside sim
                    raise ConfigError(str(self.path or STORE_NAME),
                                      f"replication {row[1]} of {row[0]!r} is damaged ({err}); pass "
                                      f"{OVERWRITE} to start afresh") from None

    def units(self) -> list[str]:
        """Unit keys in the order they were first finished."""
        rows = self._db.execute(
            "SELECT unit FROM replications WHERE experiment = ? GROUP BY unit ORDER BY MIN(rowid)",
            (self.experiment,))
        return [str(r[0]) for r in rows]

    def count(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM replications WHERE experiment = ?",
                               (self.experiment,)).fetchone()
        return int(row[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.Error:  # e.g. the disk is full: undo, and report the commit's error
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # SQLite has rolled back already (a full disk does that)
            self.db.execute("ROLLBACK")


def check_ours(path: str | Path) -> None:
    """Raise a ConfigError unless ``path`` is absent or a results store written by sim: a regular SQLite file
    whose header carries :data:`APPLICATION_ID` (read from the header's bytes, without opening it as a
    database, so a foreign file is not touched). A store of an earlier version of sim, before the mark, is
    recognised by its two tables and its schema version, opened read-only."""
    path = Path(path)
    if not os.path.lexists(path):
        return
    advice = f"not a results store of sim; choose another {OUT}, or pass {OVERWRITE} to replace it"
    if not path.is_file():
        raise ConfigError(str(path), f"is not a file: {advice}")
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror or err})") from None
    if not header:
        raise ConfigError(str(path), f"is an empty file, {advice}")
    if not header.startswith(_SQLITE_HEADER):
        raise ConfigError(str(path), f"is not an SQLite database, {advice}")
    if len(header) < 100:
        raise ConfigError(str(path), f"is a damaged SQLite file, {advice}")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id == APPLICATION_ID:
        return
    if app_id == 0 and _legacy_store(path):
        return
    raise ConfigError(str(path), f"is another program's SQLite database, {advice}")


def _legacy_store(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables != {"meta", "replications"}:
            return False
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        return row is not None and row[0] == SCHEMA_VERSION
    except sqlite3.Error:
        return False
    finally:
        db.close()


def remove(path: str | Path) -> None:
    """Delete a store and its WAL and shared-memory files (--overwrite of something that is not ours)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        target = Path(f"{path}{suffix}")
        if target.is_dir() and not target.is_symlink():
            raise ConfigError(str(target), "is a folder where the results store belongs; remove it first")
        Path(target).unlink(missing_ok=True)


__all__ = ["STORE_NAME", "APPLICATION_ID", "ReplicationRecord", "ResultStore", "check_ours", "remove"]
