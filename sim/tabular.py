"""Reading a table from a spreadsheet file: CSV, XLSX (openpyxl) or Parquet (pyarrow).

The analyst's own data comes as spreadsheets: a roster, a telephony export, a mail system's tickets. This
module reads any of them into a :class:`Table` of raw cells with their row numbers as the user sees them, so
that whoever interprets the cells can name the file, sheet, row and column of a bad one
(:meth:`Table.error`). CSV is read with the csv module (comma or semicolon, as Dutch Excel writes it, with or
without a byte-order mark); XLSX needs ``pip install openpyxl`` (the ``xlsx`` extra).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sim.config.errors import ConfigError


@dataclass
class Table:
    """The header and rows of one sheet; ``numbers[i]`` is the sheet's row number (1-based, as a spreadsheet
    shows it) of ``rows[i]``."""

    source: str
    sheet: str | None
    header: list[str]
    rows: list[list[Any]]
    numbers: list[int]

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """``sheet 'Roster', row 7, column 'lunch'``: where a cell is, in the user's words."""
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if row is not None:
            parts.append(f"row {self.numbers[row]}")
        if column is not None:
            parts.append(f"column {column!r}")
        return ", ".join(parts)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> ConfigError:
        """A one-line error naming the file, sheet, row and column (``row`` is an index into ``rows``)."""
        where = self.where(row, column)
        return ConfigError(self.source, f"{where}: {message}" if where else message)

    def column(self, name: str) -> int | None:
        """The index of a column by name (case and surrounding spaces ignored), or None."""
        wanted = name.strip().lower()
        for i, h in enumerate(self.header):
            if h.strip().lower() == wanted:
                return i
        return None

    def require(self, names: Sequence[str], what: str) -> dict[str, int]:
        """Indexes of the columns ``names``; a missing one is an error that lists what there is."""
        out = {}
        for name in names:
            i = self.column(name)
            if i is None:
                raise self.error(f"{what} needs a column {name!r}; the columns are: {', '.join(self.header)}")
            out[name] = i
        return out

    def cells(self, i: int) -> Iterator[Any]:
        """The cells of column ``i``, row by row (None past a short row)."""
        for row in self.rows:
            yield row[i] if i < len(row) else None


def read_table(path: str | Path, sheet: str | None = None, keep: Iterable[str] | None = None) -> Table:
    """Read a CSV, XLSX or Parquet file's first sheet (or ``sheet``). Blank rows are skipped. With ``keep``,
    only the columns of those names are kept (a large export then takes less memory)."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise ConfigError(source, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    elif suffix == ".parquet":
        table = _read_parquet(path)
    elif suffix in (".xls", ".ods"):
        raise ConfigError(source, f"{suffix} files cannot be read; save the sheet as .xlsx or .csv")
    else:
        return _read_csv(path, keep)
    return table if keep is None else _only(table, _kept(table.header, keep))


def _kept(header: list[str], keep: Iterable[str]) -> list[int]:
    wanted = {k.strip().lower() for k in keep}
    return [i for i, h in enumerate(header) if h.strip().lower() in wanted]


def _only(table: Table, idx: list[int]) -> Table:
    rows = [[row[i] if i < len(row) else None for i in idx] for row in table.rows]
    return Table(table.source, table.sheet, [table.header[i] for i in idx], rows, table.numbers)


def _read_csv(path: Path, keep: Iterable[str] | None) -> Table:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return _csv_rows(path, fh, keep)
    except UnicodeDecodeError:
        with path.open(encoding="cp1252", newline="") as fh:  # what Excel on Windows writes for "CSV"
            return _csv_rows(path, fh, keep)
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read: {err}") from None


def _csv_rows(path: Path, fh: TextIO, keep: Iterable[str] | None) -> Table:
    first = fh.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), None)
    if not header:
        raise ConfigError(str(path), "the file is empty; the first row must name the columns")
    header = [h.strip() for h in header]
    idx = list(range(len(header))) if keep is None else _kept(header, keep)
    width = len(header)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for n, row in enumerate(csv.reader(fh, delimiter=delimiter), start=2):
        if any(cell.strip() for cell in row):
            if len(row) < width:
                row += [""] * (width - len(row))
            rows.append([row[i] for i in idx])
            numbers.append(n)
    return Table(str(path), None, [header[i] for i in idx], rows, numbers)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise ConfigError(str(path), "reading .xlsx needs openpyxl: pip install 'secretariat-sim[xlsx]'") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise ConfigError(str(path), f"cannot be read as a workbook: {err}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise ConfigError(str(path), f"no sheet {sheet!r}; the sheets are: {', '.join(book.sheetnames)}")
        it = ws.iter_rows(values_only=True)
        header_row = next(it, None)
        if header_row is None or not any(c is not None for c in header_row):
            raise ConfigError(str(path), f"sheet {ws.title!r}: empty; the first row must name the columns")
        header = ["" if c is None else str(c).strip() for c in header_row]
        while header and not header[-1]:
            header.pop()
        rows: list[list[Any]] = []
        numbers: list[int] = []
        for n, row in enumerate(it, start=2):
            cells = list(row[: len(header)])
            if any(c is not None and str(c).strip() for c in cells):
                rows.append(cells)
                numbers.append(n)
        return Table(str(path), ws.title, header, rows, numbers)
    finally:
        book.close()


def _read_parquet(path: Path) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(str(path), "reading .parquet needs pyarrow: pip install 'secretariat-sim[parquet]'") \
            from None
    table = pq.read_table(path)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return Table(str(path), None, list(table.column_names), rows, list(range(2, 2 + len(rows))))


__all__ = ["Table", "read_table"]
