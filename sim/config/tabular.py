"""Reading a table from a spreadsheet file: CSV, XLSX (openpyxl) or Parquet (pyarrow).

The analyst's own data comes as spreadsheets: a roster, a telephony export, a mail system's tickets. This
module reads any of them into a :class:`Table` of raw cells with their row numbers as the user sees them, so
that whoever interprets the cells can name the file, sheet, row and column of a bad one
(:meth:`Table.error`). CSV is read with the csv module (comma or semicolon, as Dutch Excel writes it, with or
without a byte-order mark); XLSX needs ``pip install openpyxl`` (the ``xlsx`` extra).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sim.config.errors import ConfigError, one_line
from sim.config.reading import open_regular, read_bytes


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


#: Guards against reading something that is not a table a person keeps (a database dump, a disk image, a
#: sparse file): the largest file read, in bytes, and the most cells kept. A year of calls of a large
#: municipality is a few hundred thousand rows of a dozen columns, some tens of MB; a table of this many cells
#: takes a few GB as Python objects, which is as far as a laptop goes.
MAX_TABLE_BYTES = 200 * 2**20
MAX_TABLE_CELLS = 20_000_000
_WHAT = "a table (CSV, XLSX or Parquet)"


def read_table(path: str | Path, sheet: str | None = None, keep: Iterable[str] | None = None) -> Table:
    """Read a CSV, XLSX or Parquet file's first sheet (or ``sheet``). Blank rows are skipped. With ``keep``,
    only the columns of those names are kept (a large export then takes less memory).

    The file is opened as a config file is (:func:`sim.config.reading.open_regular`): a regular file of at
    most MAX_TABLE_BYTES, never a pipe or a device; at most MAX_TABLE_CELLS cells are kept. An XLSX formula
    without a stored value (a workbook written by a program that does not compute formulas) is refused, naming
    its cell, rather than read as an empty cell."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods"):
        raise ConfigError(str(path), f"{suffix} files cannot be read; save the sheet as .xlsx or .csv")
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    elif suffix == ".parquet":
        table = _read_parquet(path, keep)
    else:
        return _read_csv(path, keep)
    return table if keep is None else _only(table, _kept(table.header, keep))


def _kept(header: list[str], keep: Iterable[str]) -> list[int]:
    wanted = {k.strip().lower() for k in keep}
    return [i for i, h in enumerate(header) if h.strip().lower() in wanted]


def _only(table: Table, idx: list[int]) -> Table:
    rows = [[row[i] if i < len(row) else None for i in idx] for row in table.rows]
    return Table(table.source, table.sheet, [table.header[i] for i in idx], rows, table.numbers)


def _too_many(path: Path, cells: int) -> ConfigError:
    return ConfigError(str(path), f"holds more than {MAX_TABLE_CELLS:,} cells ({cells:,}); too big to read "
                                  "(keep only the rows and columns needed)")


def _read_csv(path: Path, keep: Iterable[str] | None) -> Table:
    raw = read_bytes(path, MAX_TABLE_BYTES, _WHAT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as first:
        try:
            text = raw.decode("cp1252")  # what Excel on Windows writes for "CSV"
        except UnicodeDecodeError:
            raise ConfigError(str(path), f"cannot be read: neither UTF-8 nor Windows-1252 text (byte "
                                         f"{raw[first.start]:#04x} at position {first.start}); save it as CSV "
                                         "UTF-8") from None
    try:
        return _csv_rows(path, io.StringIO(text, newline=""), keep)
    except csv.Error as err:
        raise ConfigError(str(path), f"cannot be read as CSV: {err}") from None


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
    cells = 0
    for n, row in enumerate(csv.reader(fh, delimiter=delimiter), start=2):
        if any(cell.strip() for cell in row):
            if len(row) < width:
                row += [""] * (width - len(row))
            rows.append([row[i] for i in idx])
            numbers.append(n)
            cells += len(idx)
            if cells > MAX_TABLE_CELLS:
                raise _too_many(path, cells)
    return Table(str(path), None, [header[i] for i in idx], rows, numbers)


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    open_regular(path, MAX_TABLE_BYTES, _WHAT).close()  # the file's guards first, whatever is installed
    try:
        import openpyxl
    except ImportError:
        raise ConfigError(str(path), "reading .xlsx needs openpyxl: pip install 'secretariat-sim[xlsx]'") from None
    with contextlib.ExitStack() as stack:
        books = []
        for data_only in (True, False):  # the stored values, and the formulas (to tell an uncomputed one)
            fh = stack.enter_context(open_regular(path, MAX_TABLE_BYTES, _WHAT))
            try:
                book = openpyxl.load_workbook(fh, read_only=True, data_only=data_only)
            except Exception as err:  # openpyxl raises many kinds for a damaged file
                raise ConfigError(str(path), f"cannot be read as a workbook: {one_line(err)}") from None
            stack.callback(book.close)
            books.append(book)
        values, formulas = books
        if sheet is None:
            title = values.sheetnames[0]
        elif sheet in values.sheetnames:
            title = sheet
        else:
            raise ConfigError(str(path), f"no sheet {sheet!r}; the sheets are: {', '.join(values.sheetnames)}")
        try:
            return _sheet_rows(path, values[title], formulas[title])
        except ConfigError:
            raise
        except Exception as err:  # a damaged sheet inside a readable zip
            raise ConfigError(str(path), f"sheet {title!r} cannot be read: {one_line(err)}") from None
    raise AssertionError("unreachable")  # pragma: no cover (the with block returns or raises)


def _sheet_rows(path: Path, ws: Any, ws_formulas: Any) -> Table:
    header_row = next(ws.iter_rows(max_row=1, values_only=True), None)
    if header_row is None or not any(c is not None for c in header_row):
        raise ConfigError(str(path), f"sheet {ws.title!r}: empty; the first row must name the columns")
    header = ["" if c is None else str(c).strip() for c in header_row]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    it = ws.iter_rows(min_row=2, max_col=width, values_only=True)
    it_formulas = ws_formulas.iter_rows(min_row=2, max_col=width, values_only=True)
    for n, (row, formula_row) in enumerate(zip(it, it_formulas, strict=False), start=2):
        cells = list(row[:width])
        if any(c is not None and str(c).strip() for c in cells) or any(c is not None for c in formula_row):
            for i, (value, formula) in enumerate(zip(cells, formula_row, strict=False)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    column = header[i] or _column_letter(i)
                    raise ConfigError(str(path), f"sheet {ws.title!r}, row {n}, column {column!r} (cell "
                                                 f"{_column_letter(i)}{n}): a formula without a stored value "
                                                 f"({one_line(formula)[:40]}); open and save the file in Excel "
                                                 "or LibreOffice, or paste the values")
            rows.append(cells)
            numbers.append(n)
            if len(rows) * width > MAX_TABLE_CELLS:
                raise _too_many(path, len(rows) * width)
    return Table(str(path), ws.title, header, rows, numbers)


def _read_parquet(path: Path, keep: Iterable[str] | None) -> Table:
    with open_regular(path, MAX_TABLE_BYTES, _WHAT) as fh:  # the file's guards first, whatever is installed
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise ConfigError(str(path), "reading .parquet needs pyarrow: pip install 'secretariat-sim[parquet]'") \
                from None
        try:
            pf = pq.ParquetFile(fh)
            names = list(pf.schema_arrow.names)
            wanted = names if keep is None else [names[i] for i in _kept(names, keep)]
            cells = pf.metadata.num_rows * len(wanted)
            if cells > MAX_TABLE_CELLS:
                raise _too_many(path, cells)
            table = pf.read(columns=wanted)
            columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        except ConfigError:
            raise
        except Exception as err:  # pyarrow raises many kinds for a damaged file or an unreadable value
            raise ConfigError(str(path), f"cannot be read as Parquet: {one_line(err)}") from None
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return Table(str(path), None, list(table.column_names), rows, list(range(2, 2 + len(rows))))


__all__ = ["Table", "read_table"]
