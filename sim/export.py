"""``sim export``: a results folder as one Excel workbook, where a municipal analyst continues.

Any results folder (``sim run --out``, ``sim compare``, ``sim sweep``, ``sim staff``) becomes one XLSX file:

- ``About``: what was run (the manifest or the run's summary: kind, configs and their hashes, seed,
  replications, days, version, command);
- ``KPIs``: every KPI with its mean and 95% interval per setup (experiments: ``summary.csv``; a single run:
  its KPIs from ``summary.json``);
- ``Differences``: each setup minus the reference, with its interval and whether it is significant;
- one sheet per table (``per_department``, ``per_hour``, ...; every replication's rows), and for experiments a
  ``<table> mean`` sheet with the mean over replications per setup (the per-department view of the winners
  and losers of a reorganisation);
- ``roster`` (``sim staff``'s ``roster.csv``, when the folder has one): each secretary's contract today and in
  the recommended staffing, for HR (:func:`sim.staffing.moves.roster_changes`), right after the KPIs;
- ``gain_loss`` and ``service_curve`` (``sim staff``'s CSVs, when the folder has them), after the roster: each
  department's KPIs today and at the recommended staffing with the change in points and the verdict, and what
  each FTE from the recommended staffing up to today's buys;
- the other CSV files of the folder (``kpis``, ``trail``, ...), each as its own sheet.

Cells hold numbers where the CSV holds numbers, so the analyst can compute with them. Needs openpyxl
(``pip install 'secretariat-sim[xlsx]'``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.config import ConfigError
from sim.kpi_tables import flatten_kpis

#: Sheets first, in this order; other CSVs follow alphabetically.
FIRST = ("summary.csv", "differences.csv", "roster.csv", "gain_loss.csv", "service_curve.csv")
TITLES = {"summary.csv": "KPIs", "differences.csv": "Differences", "kpis.csv": "KPIs per replication",
          "roster.csv": "roster", "gain_loss.csv": "gain_loss", "service_curve.csv": "service_curve"}
MAX_ROWS = 1_048_575  # Excel's limit, less the header


def _value(text: str) -> Any:
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        return header, [[_value(c) for c in row] for row in reader]


def _means(header: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]] | None:
    """Mean over replications of each numeric column, per combination of the other columns."""
    if "replication" not in header or not rows:
        return None
    skip = {"replication", "seed"}
    numeric = [i for i, h in enumerate(header) if h not in skip and
               all(r[i] is None or isinstance(r[i], int | float) and not isinstance(r[i], bool)
                   for r in rows if i < len(r))]
    keys = [i for i, h in enumerate(header) if h not in skip and i not in numeric]
    groups: dict[tuple[Any, ...], list[list[Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[i] if i < len(r) else None for i in keys), []).append(r)
    out = []
    for key, members in groups.items():
        means = []
        for i in numeric:
            values = [m[i] for m in members if i < len(m) and m[i] is not None]
            means.append(sum(values) / len(values) if values else None)
        out.append([*key, len(members), *means])
    return [header[i] for i in keys] + ["replications"] + [header[i] for i in numeric], out


def _sheet_name(name: str, taken: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def export(folder: Path, out: Path) -> list[str]:
    """Write the workbook; returns the names of its sheets."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:
        raise ConfigError("sim export", "needs openpyxl: pip install 'secretariat-sim[xlsx]'") from None
    if not folder.is_dir():
        raise ConfigError(str(folder), "no such results folder")
    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)

    def add(title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
        from openpyxl.cell import WriteOnlyCell

        ws = book.create_sheet(_sheet_name(title, taken))
        ws.freeze_panes = "A2"
        cells = []
        for h in header:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for n, row in enumerate(rows):
            if n >= MAX_ROWS:
                break
            ws.append(row)

    manifest = folder / "manifest.json"
    summary = folder / "summary.json"
    about: list[list[Any]] = []
    if manifest.exists():
        data = json.loads(manifest.read_text())
        for key in ("kind", "command", "seed", "replications", "days", "warmup_days", "version", "build", "created",
                    "finished"):
            if key in data:
                about.append([key, json.dumps(data[key]) if isinstance(data[key], dict | list) else data[key]])
        for c in data.get("configs", []):
            about.append(["config", f"{c.get('path')} ({c.get('name')}, hash {c.get('config_hash')})"])
    elif summary.exists():
        data = json.loads(summary.read_text())
        about += [["kind", "run"]] + [[k, data.get(k)] for k in ("scenario", "seed", "config_hash", "days", "events")]
    else:
        raise ConfigError(str(folder), "not a results folder (no manifest.json or summary.json)")
    about.append(["exported from", str(folder)])
    add("About", ["field", "value"], about)
    if not manifest.exists():  # a single run: its KPIs
        kpi = flatten_kpis(json.loads(summary.read_text()).get("kpi", {}))
        add("KPIs", ["kpi", "value"], [[k, v] for k, v in kpi.items()])
    csvs = [folder / n for n in FIRST if (folder / n).exists()]
    csvs += sorted(p for p in folder.glob("*.csv") if p.name not in FIRST)
    tables = sorted((folder / "tables").glob("*.csv")) if (folder / "tables").is_dir() else []
    for path in csvs:
        header, rows = _read_csv(path)
        add(TITLES.get(path.name, path.stem), header, rows)
    for path in tables:
        header, rows = _read_csv(path)
        means = _means(header, rows)
        if means is not None:
            add(f"{path.stem} mean", *means)
        add(path.stem, header, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    book.save(tmp)
    tmp.replace(out)
    return [ws.title for ws in book.worksheets]


__all__ = ["export"]
