"""Reading Census 2021 files as ONS and Nomis publish them, before anything is checked against the database.

Two layouts are read:
- ONS bulk ("census2021-ts021-ltla.csv"): wide, one row per area with `date`, `geography`, `geography code`,
  then a column per category named "<variable>: <category>" (sometimes ending "; measures: Value").
- Nomis custom download: long, one row per area and category, with columns "<geography>", "<geography> Code",
  "<variable> (N categories)", "<variable> (N categories) Code" and "Observation".
Which one a file is follows from its column names. Every value is kept as text with its row and column, so the
checks that follow can say exactly where a problem is.
"""

import csv
import io
import re
from dataclasses import dataclass, field

MAX_CELLS = 200_000
_MEASURES = re.compile(r";\s*measures:\s*value\s*$", re.IGNORECASE)
_CATEGORY_COUNT = re.compile(r"\s*\(\d+\s+categor(?:y|ies)\)\s*$", re.IGNORECASE)
_TABLE_CODE = re.compile(r"(?<![a-z0-9])ts0*(\d{3}[a-z]?)(?![0-9])", re.IGNORECASE)
HEADER_SEARCH_ROWS = 20  # Nomis may put a few lines about the dataset above the column names


class BaselineFileError(ValueError):
    """The file as a whole cannot be read: nothing row by row can be said about it."""


@dataclass(frozen=True)
class Cell:
    row: int  # the line in the file, the column names being on line `header_row`
    column: str
    area_name: str
    area_code: str
    category: str  # without the variable's name
    value: str


@dataclass
class BaselineFile:
    layout: str  # "ons" or "nomis"
    variable: str
    header_row: int
    table_code: str | None = None  # from the file name, when it carries one
    cells: list[Cell] = field(default_factory=list)
    category_columns: dict[str, str] = field(default_factory=dict)  # category -> column name (ONS layout)
    category_column: str = ""  # the column naming each row's category (Nomis layout)


def table_code_in(filename: str) -> str | None:
    found = _TABLE_CODE.search(filename or "")
    return f"TS{found.group(1).upper()}" if found else None


def normalised(text: str) -> str:
    """Labels compare without case or doubled spaces ("Gay or lesbian" is "Gay or Lesbian")."""
    return " ".join((text or "").split()).casefold()


def read_baseline_file(filename: str, content: bytes) -> BaselineFile:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BaselineFileError(
            "The file is not a CSV file in UTF-8. Upload the CSV as ONS or Nomis give it"
        ) from error
    if "\x00" in text:
        raise BaselineFileError("The file is not a CSV file. Upload the CSV as ONS or Nomis give it")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise BaselineFileError(f"The file could not be read as CSV: {error}") from error
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [normalised(name) for name in row]
        if "geography code" in names and "geography" in names:
            found = _read_ons(rows, index)
            break
        if "observation" in names:
            found = _read_nomis(rows, index)
            break
    else:
        raise BaselineFileError(
            "The file does not look like a Census 2021 table: it needs the columns ‘geography’ and "
            "‘geography code’ (an ONS bulk file) or an ‘Observation’ column (a Nomis download)"
        )
    found.table_code = table_code_in(filename)
    if not found.cells:
        raise BaselineFileError("The file has no rows of figures under its column names")
    if len(found.cells) > MAX_CELLS:
        raise BaselineFileError(f"The file has more than {MAX_CELLS:,} figures. Import fewer areas at a time")
    return found


def _data_rows(rows: list[list[str]], header_index: int):
    """Each row under the column names with its line number; blank lines are skipped."""
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if any(cell.strip() for cell in row):
            yield index + 1, row


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _read_ons(rows: list[list[str]], header_index: int) -> BaselineFile:
    header = rows[header_index]
    names = [normalised(name) for name in header]
    name_at, code_at = names.index("geography"), names.index("geography code")
    variables, columns = set(), {}
    for index, name in enumerate(header):
        if normalised(name) in ("date", "geography", "geography code") or not name.strip():
            continue
        if ":" not in name:
            raise BaselineFileError(
                f"The column ‘{name.strip()}’ is not named ‘variable: category’, as ONS names a "
                "table’s columns"
            )
        variable, category = (part.strip() for part in name.split(":", 1))
        variables.add(variable)
        columns[index] = " ".join(_MEASURES.sub("", category).split())
    if len({normalised(v) for v in variables}) != 1:
        raise BaselineFileError(
            "The columns hold more than one variable ("
            + ", ".join(sorted(variables))
            + "). Import one Census table at a time"
        )
    found = BaselineFile("ons", variables.pop(), header_index + 1)
    found.category_columns = {category: header[index].strip() for index, category in columns.items()}
    for number, row in _data_rows(rows, header_index):
        for index, category in columns.items():
            found.cells.append(
                Cell(
                    number,
                    header[index].strip(),
                    _cell(row, name_at),
                    _cell(row, code_at),
                    category,
                    _cell(row, index),
                )
            )
    return found


def _read_nomis(rows: list[list[str]], header_index: int) -> BaselineFile:
    header = [name.strip() for name in rows[header_index]]
    names = [normalised(name) for name in header]
    plain = [
        i for i, name in enumerate(names) if name != "observation" and not name.endswith(" code") and name
    ]
    if len(plain) != 2:
        raise BaselineFileError(
            "A Nomis download needs an area column, a category column and ‘Observation’ (with their ‘Code’ "
            "columns); this file has " + (", ".join(f"‘{header[i]}’" for i in plain) or "neither")
        )
    area_at, category_at = plain
    value_at = names.index("observation")
    code_name = names[area_at] + " code"
    code_at = names.index(code_name) if code_name in names else None
    found = BaselineFile("nomis", _CATEGORY_COUNT.sub("", header[category_at]), header_index + 1)
    found.category_column = header[category_at]
    for number, row in _data_rows(rows, header_index):
        found.cells.append(
            Cell(
                number,
                header[value_at],
                _cell(row, area_at),
                "" if code_at is None else _cell(row, code_at),
                " ".join(_cell(row, category_at).split()),
                _cell(row, value_at),
            )
        )
    return found
