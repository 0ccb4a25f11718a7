"""Reading an uploaded Excel workbook (.xlsx) safely, as rows of text.

An upload is checked before openpyxl opens it: a password-protected workbook is not a zip at all but an OLE
compound file (as is Excel 97-2003's .xls), recognised by its first bytes; a zip whose declared sizes add up
to too much, or that compresses too well, is refused as a zip bomb before anything is unpacked (zipfile
never unpacks more than a member declares); a workbook with macros is refused. The first sheet is then read
in openpyxl's read-only mode, keeping formulas as formulas (`data_only=False`) so that a cell holding one is
refused by name rather than imported as whatever Excel last worked out. openpyxl parses the XML with
defusedxml, so entity tricks are refused too.
"""

import io
import zipfile
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: encrypted OOXML, or .xls
ZIP_SIGNATURE = b"PK\x03\x04"
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # real workbooks compress ten to thirty times
RATIO_FROM_BYTES = 1024 * 1024  # small parts compress as they like
MAX_MEMBERS = 10_000


class UnreadableWorkbook(ValueError):
    """The file cannot be read as a workbook; the message says why and what to do."""


def is_workbook_upload(filename: str, content: bytes) -> bool:
    """Whether an upload is meant as a workbook: by its first bytes, or a name ending .xlsx or .xlsm."""
    name = (filename or "").lower()
    return content.startswith((ZIP_SIGNATURE, CFB_SIGNATURE)) or name.endswith((".xlsx", ".xlsm", ".xls"))


def read_rows(content: bytes, max_rows: int) -> list[list[str]]:
    """The first sheet's rows as text, header first, without empty rows. Refuses, with a message, a file
    that is not a workbook, is protected by a password, has macros, could be a zip bomb, has a formula
    in any cell read, or has more than `max_rows` rows under the header."""
    if content.startswith(CFB_SIGNATURE):
        raise UnreadableWorkbook(
            "The workbook is protected by a password, or saved in the old Excel 97-2003 format. "
            "Remove the password (or save it as an Excel Workbook, .xlsx), then upload it again"
        )
    if not content.startswith(ZIP_SIGNATURE):
        raise UnreadableWorkbook(_NOT_A_WORKBOOK)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableWorkbook(_NOT_A_WORKBOOK) from error
    with archive:
        _check_archive(archive)
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except (
            Exception
        ) as error:  # openpyxl raises many kinds (KeyError, XML errors, its own): all mean this
            raise UnreadableWorkbook(_NOT_A_WORKBOOK) from error
        try:
            return _sheet_rows(workbook.worksheets[0] if workbook.worksheets else None, max_rows)
        except UnreadableWorkbook:
            raise
        except Exception as error:
            raise UnreadableWorkbook(_NOT_A_WORKBOOK) from error
        finally:
            workbook.close()


_NOT_A_WORKBOOK = (
    "The file is not an Excel workbook that can be read. Save it in Excel as an Excel Workbook (.xlsx) "
    "or as CSV UTF-8, then upload it again"
)


def _check_archive(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnreadableWorkbook(_TOO_BIG)
    total = 0
    for member in members:
        total += member.file_size
        compressed = max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and member.file_size / compressed > MAX_RATIO:
            raise UnreadableWorkbook(_TOO_BIG)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(_TOO_BIG)
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names) or _declares_macros(archive):
        raise UnreadableWorkbook(
            "The workbook contains macros, which are not accepted. Save it in Excel as an Excel Workbook "
            "(.xlsx), which has no macros, then upload it again"
        )
    if "xl/workbook.xml" not in names and not any(name.endswith("/workbook.xml") for name in names):
        raise UnreadableWorkbook(_NOT_A_WORKBOOK)


_TOO_BIG = (
    "The workbook unpacks to far more than it could hold in rows of groups, so it was not opened. "
    "Save it again in Excel as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload it"
)


def _declares_macros(archive: zipfile.ZipFile) -> bool:
    try:
        types = archive.read("[Content_Types].xml")  # small, and its size was checked above
    except KeyError:
        return False
    return b"macroenabled" in types.lower()


def _sheet_rows(sheet, max_rows: int) -> list[list[str]]:
    if sheet is None:
        return []
    rows: list[list[str]] = []
    width = None
    for cells in sheet.iter_rows():
        if width is not None:
            cells = cells[:width]
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                raise UnreadableWorkbook(
                    f"Cell {_where(cell)} holds a formula ({str(cell.value)[:40]}), and formulas are "
                    "not imported. In Excel, copy the cells and use Paste Values to keep only what they "
                    "show, then upload the file again"
                )
        texts = [_text(cell.value) for cell in cells]
        if not any(texts):
            continue
        if width is None:  # the header: no column beyond its last name is read
            while texts and not texts[-1]:
                texts.pop()
            width = len(texts)
        rows.append(texts)
        if len(rows) - 1 > max_rows:
            raise UnreadableWorkbook(
                f"The file has more than {max_rows:,} rows. Import at most {max_rows:,} rows at a time"
            )
    return rows


def _where(cell) -> str:
    try:
        return f"{get_column_letter(cell.column)}{cell.row}"
    except (AttributeError, TypeError, ValueError):
        return "?"


def _text(value) -> str:
    """A cell as the text a CSV of the same sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
