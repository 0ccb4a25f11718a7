"""Every CSV and XLSX file Community Voice writes: formula-safe, and written a batch of rows at a time.

A cell that starts with = + - @, a tab or a carriage return runs as a formula when a spreadsheet opens the
file (CSV injection), so every cell, header included, is written with a leading apostrophe before such a
start; `unneutralise` takes it off again when the groups spreadsheet comes back as an import.

Dates and times are given as `date` and `datetime` values, never as text: a CSV file writes them in ISO 8601,
a date-time in UK time with its offset ("2026-07-01T14:30:00+01:00"), and a workbook as real date cells in
UK time, so an analyst's tools read them as dates.

Rows are any iterable of cells with the header first. A download is streamed: the rows are read while the
body is sent, which is after the request's unit of work has committed (crm/core/transaction.py). So record
the export's audit event before calling `download`, and have the rows query in batches when iterated
(`yield_per`, or by id ranges), never through a result opened before the commit.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from os import PathLike
from pathlib import PurePath

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from crm.core.time import UK

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"  # makes Excel read a CSV file as UTF-8
ROWS_PER_CHUNK = 500
XLSX_BYTES_PER_CHUNK = 64 * 1024
MIMETYPES = {
    ".csv": "text/csv",  # Flask adds "; charset=utf-8"
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Row = Iterable[object]


def neutralise(value) -> str:
    """Stop a spreadsheet treating a cell as a formula: `=SUM(A1)` is written as `'=SUM(A1)`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    """Read back a cell `neutralise` wrote: only an apostrophe that it could have added is taken off."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_cell(value) -> str:
    """One cell as CSV text: a date-time in ISO 8601 in UK time with its offset, a date in ISO 8601."""
    if isinstance(value, datetime):
        return value.astimezone(UK).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def neutralised(row: Row) -> list[str]:
    return [csv_cell(cell) for cell in row]


XLSX_DATE_TIME = "yyyy-mm-dd hh:mm:ss"
XLSX_DATE = "yyyy-mm-dd"


def _xlsx_row(sheet, row: Row) -> list:
    """A row for a write-only sheet: dates as real date cells (UK time: a workbook has no time zones),
    numbers as numbers, everything else as formula-safe text."""
    cells = []
    for value in row:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value.astimezone(UK).replace(tzinfo=None))
            cell.number_format = XLSX_DATE_TIME
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = XLSX_DATE
        elif isinstance(value, int | float) and not isinstance(value, bool):
            cell = value
        else:
            cell = neutralise(value)
        cells.append(cell)
    return cells


def csv_chunks(rows: Iterable[Row], rows_per_chunk: int | None = None) -> Iterator[bytes]:
    """The rows as UTF-8 CSV with a byte-order mark, one encoded chunk per `rows_per_chunk` rows."""
    rows_per_chunk = rows_per_chunk or ROWS_PER_CHUNK
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow(neutralised(row))
        if number % rows_per_chunk == 0:
            yield _take(buffer)
    if buffer.tell():
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    chunk = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return chunk


def xlsx_chunks(sheet_title: str, rows: Iterable[Row]) -> Iterator[bytes]:
    """The rows as a workbook of one sheet, in chunks of bytes.

    A write-only workbook writes each row out as it is appended and keeps no cell objects; the zipped file
    goes to a temporary file on disk and is read back in chunks, so neither the rows nor the file are ever
    held whole in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(XLSX_BYTES_PER_CHUNK):
            yield chunk


def _chunks(filename: str, rows: Iterable[Row], sheet_title: str) -> Iterator[bytes]:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in MIMETYPES:
        raise ValueError(f"No spreadsheet format for {filename!r}")
    return csv_chunks(rows) if suffix == ".csv" else xlsx_chunks(sheet_title, rows)


def write_file(path: str | PathLike, rows: Iterable[Row], filename: str, sheet_title: str = "Sheet1") -> None:
    """Write the rows to the file at `path`, CSV or XLSX by `filename`'s extension, in the same bytes as a
    download of `filename`: what a background job makes, to be downloaded later."""
    chunks = _chunks(filename, rows, sheet_title)
    with open(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def write_csv(path: str, rows: Iterable[Row]) -> None:
    """Write the rows to a CSV file, in the same bytes as a download."""
    write_file(path, rows, "rows.csv")


def mimetype(filename: str) -> str:
    return MIMETYPES[PurePath(filename).suffix.lower()]


def download(filename: str, rows: Iterable[Row], sheet_title: str = "Sheet1") -> Response:
    """The rows as an attachment, CSV or XLSX by the filename's extension, streamed as they are written.

    Rows are read while the body is sent, after the request has committed: see the module's docstring."""
    suffix = PurePath(filename).suffix.lower()
    chunks = _chunks(filename, rows, sheet_title)
    return Response(
        stream_with_context(chunks),
        mimetype=MIMETYPES[suffix],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
