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
  the recommended staffing, for HR (:func:`sim.decisions.staffing.moves.roster_changes`), right after the KPIs;
- ``gain_loss`` and ``service_curve`` (``sim staff``'s CSVs, when the folder has them), after the roster: each
  department's KPIs today and at the recommended staffing with the change in points and the verdict, and what
  each FTE from the recommended staffing up to today's buys;
- the other CSV files of the folder (``kpis``, ``trail``, ...), each as its own sheet.

Cells hold numbers where the CSV holds numbers, so the analyst can compute with them, and are Excel-native:
dates and date-times as real dates (the event log's model minutes also as date-times, from the config's
``calendar.start_date``), shares (reachability, service levels, ...) in a percentage format, columns sized to
their contents, a filter on every header row and the header frozen. Text stays text: a cell such as ``=1+1``
is written as text, never as a formula, and ``0123`` keeps its leading zero. Nothing is cut silently: rows
beyond Excel's limit and over-long cells are listed on a ``Notes`` sheet (and About says so). Needs openpyxl
(``pip install 'secretariat-sim[xlsx]'``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config import Calendar, ConfigError, format_validation_error, read_yaml
from sim.core.kpi_tables import flatten_kpis
from sim.experiments.output import atomic_path
from sim.experiments.results import check_folder, read_json, read_table

#: Sheets first, in this order; other CSVs follow alphabetically.
FIRST = ("summary.csv", "differences.csv", "roster.csv", "gain_loss.csv", "service_curve.csv")
TITLES = {"summary.csv": "KPIs", "differences.csv": "Differences", "kpis.csv": "KPIs per replication",
          "roster.csv": "roster", "gain_loss.csv": "gain_loss", "service_curve.csv": "service_curve"}
MAX_ROWS = 1_048_575  # Excel's limit, less the header
MAX_CELL = 32_767  # Excel's limit on the characters of a cell
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
#: KPIs and columns that are shares (fractions in [0, 1]): written in a percentage format
SHARE = re.compile(r"^(reachability|calls_answered|calls_abandoned|calls_after_hours_share|replaceability|coverage|"
                   r"service_level|utilisation|occupancy|continuity|custom_share|within_norm|tasks_within_norm|"
                   r"answered_share|abandoned_share)|_share$")
#: columns that hold a KPI's value on a row whose ``kpi`` column names it
VALUE_COLUMNS = {"mean", "sd", "ci_low", "ci_high", "value", "diff", "difference", "today", "new", "low", "high",
                 "estimate", "reference_mean", "measured", "simulated"}
DATE_FORMAT, DATETIME_FORMAT, PERCENT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.0%"


def _shown(value: Any) -> Any:
    """A cell as read (:func:`sim.experiments.results.cell`) as Excel shows it: ISO dates and date-times as dates, a
    number Excel cannot hold (nan, inf) as its text."""
    if isinstance(value, str):
        if _DATETIME.match(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value
        if _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]]]:
    header, rows = read_table(path)
    return header, [[_shown(c) for c in row] for row in rows]


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


def _is_share(name: str) -> bool:
    return bool(SHARE.search(name.split(".")[0])) or name.startswith("service_level")


def _formats(header: list[str], rows: list[list[Any]]) -> tuple[list[str | None], int | None]:
    """Per column: a number format (percentage for a share column whose numbers all lie in [0, 1]); and the index
    of a ``kpi`` column whose share rows get a percentage in their value columns."""
    out: list[str | None] = []
    for i, h in enumerate(header):
        numbers = [r[i] for r in rows if i < len(r) and isinstance(r[i], int | float) and not isinstance(r[i], bool)]
        out.append(PERCENT_FORMAT if _is_share(h) and numbers and all(0 <= v <= 1 for v in numbers) else None)
    kpi = header.index("kpi") if "kpi" in header else None
    return out, kpi


def _with_datetimes(header: list[str], rows: list[list[Any]], start: date | None) -> tuple[list[str], list[list[Any]]]:
    """The event log's ``start_minute`` and ``end_minute`` (model minutes from the first Monday) joined by their
    date-times ``start`` and ``end``."""
    if start is None or "start_minute" not in header:
        return header, rows
    origin = datetime(start.year, start.month, start.day)
    cols = [header.index(c) for c in ("start_minute", "end_minute") if c in header]

    def when(v: Any) -> Any:
        return origin + timedelta(minutes=float(v)) if isinstance(v, int | float) else None

    new_header = [h.removesuffix("_minute") for h in header if h in ("start_minute", "end_minute")] + header
    return new_header, [[when(r[c]) if c < len(r) else None for c in cols] + r for r in rows]


def _start_date(folder: Path) -> date | None:
    resolved = folder / "config.resolved.yaml"
    if not resolved.exists():
        return None
    # only the calendar is needed: a resolved config from another version of sim, whose other sections no
    # longer validate, still dates its event log; a bad calendar is still a one-line error
    data = read_yaml(resolved)
    section = data.get("calendar") if isinstance(data, dict) else None
    try:
        return Calendar.model_validate(section or {}).start_date
    except ValidationError as err:
        field, msg = format_validation_error(err, Calendar)
        raise ConfigError(str(resolved), msg, f"calendar.{field}" if field else "calendar") from None


def export(folder: Path, out: Path) -> list[str]:
    """Write the workbook ``out`` (atomically: a complete workbook or none); returns the names of its sheets.
    The folder is read and checked by :mod:`sim.experiments.results`, as report and plot read it."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise ConfigError("sim export", "needs openpyxl: pip install 'secretariat-sim[xlsx]'") from None
    check_folder(folder)
    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    notes: list[list[Any]] = []

    def add(title: str, header: list[str], rows: list[list[Any]]) -> None:
        sheets.append((title, header, rows))

    def write(title: str, header: list[str], rows: list[list[Any]], noted: bool = True) -> None:
        """A sheet; a cell beyond Excel's limit is cut and noted (``noted``; About and Notes hold only our own short
        text, and a note of a note would never end)."""
        name = _sheet_name(title, taken)
        if name != title:
            notes.append([name, f"the sheet's name is shortened from {title!r} (Excel allows 31 characters, "
                                "without []:*?/\\, each name once)"])
        ws = book.create_sheet(name)
        ws.freeze_panes = "A2"
        if len(rows) > MAX_ROWS:
            notes.append([name, f"{len(rows) - MAX_ROWS:,} of {len(rows):,} rows cut: Excel holds {MAX_ROWS:,} rows "
                                "under a header; the whole table is in the results folder's CSV"])
            rows = rows[:MAX_ROWS]
        formats, kpi = _formats(header, rows)
        value_cols = {i for i, h in enumerate(header) if h in VALUE_COLUMNS}
        widths = [len(str(h)) for h in header]
        for r in rows[:2000]:
            for i, v in enumerate(r[: len(widths)]):
                text = v.isoformat(sep=" ") if isinstance(v, datetime) else f"{v:.4g}" if isinstance(v, float) \
                    else str(v) if v is not None else ""
                widths[i] = max(widths[i], len(text))
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w + 2, 8), 60)
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
        cells = []
        for h in header:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for n, row in enumerate(rows):
            share_row = kpi is not None and kpi < len(row) and isinstance(row[kpi], str) and _is_share(row[kpi])
            out_row = []
            for i, v in enumerate(row):
                if noted and isinstance(v, str) and len(v) > MAX_CELL:  # (a note is far shorter than the limit)
                    v = v[:MAX_CELL]
                    notes.append([name, f"row {n + 2}, column {header[i] if i < len(header) else i + 1}: a text of "
                                        f"{len(row[i]):,} characters cut to Excel's {MAX_CELL:,}"])
                cell = WriteOnlyCell(ws, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # text, never a formula (=...) or a number
                elif isinstance(v, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(v, date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    fmt = formats[i] if i < len(formats) else None
                    if fmt is None and share_row and i in value_cols:
                        fmt = PERCENT_FORMAT
                    if fmt is not None:
                        cell.number_format = fmt
                out_row.append(cell)
            ws.append(out_row)

    manifest = folder / "manifest.json"
    summary = folder / "summary.json"
    about: list[list[Any]] = []
    if manifest.exists():
        data = read_json(manifest)
        for key in ("kind", "command", "seed", "replications", "days", "warmup_days", "version", "build", "created",
                    "finished"):
            if key in data:
                about.append([key, json.dumps(data[key]) if isinstance(data[key], dict | list) else data[key]])
        for c in data.get("configs") or []:
            if isinstance(c, dict):
                about.append(["config", f"{c.get('path')} ({c.get('name')}, hash {c.get('config_hash')})"])
    elif summary.exists():
        data = read_json(summary)
        about += [["kind", "run"]] + [[k, data.get(k)] for k in ("scenario", "seed", "config_hash", "days", "events")]
    else:
        raise ConfigError(str(folder), "not a results folder (no manifest.json or summary.json)")
    about.append(["exported from", str(folder)])
    if not manifest.exists():  # a single run: its KPIs
        kpi = flatten_kpis(read_json(summary).get("kpi") or {})
        add("KPIs", ["kpi", "value"], [[k, v] for k, v in kpi.items()])
    start = _start_date(folder)
    csvs = [folder / n for n in FIRST if (folder / n).exists()]
    csvs += sorted(p for p in folder.glob("*.csv") if p.name not in FIRST)
    tables = sorted((folder / "tables").glob("*.csv")) if (folder / "tables").is_dir() else []
    for path in csvs:
        header, rows = _with_datetimes(*_read_csv(path), start)
        add(TITLES.get(path.name, path.stem), header, rows)
    for path in tables:
        header, rows = _read_csv(path)
        means = _means(header, rows)
        if means is not None:
            add(f"{path.stem} mean", *means)
        add(path.stem, header, rows)
    # what will be cut is known before the About sheet is written: rows beyond the limit, long cells, names
    rows_cut = sum(1 for _, _, rows in sheets if len(rows) > MAX_ROWS)
    cells_cut = sum(1 for _, _, rows in sheets for r in rows[:MAX_ROWS] for v in r
                    if isinstance(v, str) and len(v) > MAX_CELL)
    probe: set[str] = {"about"}
    names_cut = sum(1 for title, _, _ in sheets if _sheet_name(title, probe) != title)
    if rows_cut or cells_cut or names_cut:
        parts = [f"{rows_cut} sheet(s) hold fewer rows than their CSV" if rows_cut else "",
                 f"{cells_cut} cell(s) shortened to Excel's {MAX_CELL:,} characters" if cells_cut else "",
                 f"{names_cut} sheet name(s) shortened" if names_cut else ""]
        about.insert(0, ["cut", "; ".join(p for p in parts if p) + ": see the Notes sheet (the folder's CSV "
                                                                   "files are whole)"])
    write("About", ["field", "value"], about, noted=False)
    for title, header, rows in sheets:
        write(title, header, rows)
    if notes:
        if len(notes) > MAX_ROWS:  # the notes themselves: the first ones, and how many more
            more = len(notes) - MAX_ROWS + 1
            notes = notes[:MAX_ROWS - 1] + [["Notes", f"{more:,} more notes not listed"]]
        write("Notes", ["sheet", "what was cut"], list(notes), noted=False)
    with atomic_path(out.parent, out.name) as tmp:
        book.save(tmp)
    return [ws.title for ws in book.worksheets]


__all__ = ["export"]
