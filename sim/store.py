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

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config import ConfigError
from sim.output import json_safe

STORE_NAME = "results.sqlite"
SCHEMA_VERSION = "1"

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


def _dumps(value: Any) -> str:
    return json.dumps(json_safe(value), separators=(",", ":"), allow_nan=False)


class ResultStore:
    """One experiment's finished replications in a SQLite file (or in memory, for the Python API)."""

    def __init__(self, path: str | Path | None, experiment: str) -> None:
        self.path = None if path is None else Path(path)
        self.experiment = experiment
        target = ":memory:" if self.path is None else str(self.path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    # -- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None, experiment: str, kind: str,
             overwrite: bool = False) -> ResultStore:
        """Open (or create) the store for ``experiment``.

        A store that holds another experiment is refused (a ConfigError: exit code 2), unless ``overwrite``,
        which empties it first.
        """
        try:
            store = cls(path, experiment)
        except sqlite3.DatabaseError as err:
            raise ConfigError(str(path), f"not a results store: {err}") from None
        stored = store.meta("experiment")
        if stored is not None and stored != experiment:
            if not overwrite:
                other = store.meta("kind")
                store.close()
                raise ConfigError(
                    str(path), f"holds another experiment ({other} {stored}; this one is {kind} "
                    f"{experiment}); choose another --out, or pass --overwrite to start afresh")
            store.clear()
        if store.meta("experiment") is None:
            store.set_meta({"experiment": experiment, "kind": kind, "schema": SCHEMA_VERSION,
                            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
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
                yield ReplicationRecord(
                    unit=row[0], replication=int(row[1]), seed=int(row[2]), config_hash=row[3],
                    kpis=json.loads(row[4]), accounting=json.loads(row[5]), events=int(row[6]),
                    wall_seconds=float(row[7]), tables=json.loads(row[8]) if tables else None,
                )

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
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


__all__ = ["STORE_NAME", "ReplicationRecord", "ResultStore"]
