"""Real workbook files for the tests, built with openpyxl, zipfile and msoffcrypto-tool."""

import io
import zipfile

import openpyxl
from msoffcrypto.format.ooxml import OOXMLFile


def xlsx(*rows) -> bytes:
    """A workbook whose first sheet holds the rows; openpyxl writes a cell starting "=" as a formula."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezipped(content: bytes, add=None, change=None) -> bytes:
    """The workbook zipped again with the parts in `add` added, and each part named in `change` passed
    through its function."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if change and item.filename in change:
                data = change[item.filename](data)
            target.writestr(item.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def with_macros(content: bytes) -> bytes:
    """As Excel saves a macro-enabled workbook (.xlsm): a VBA project part, and its content type."""

    def macro_enabled(types: bytes) -> bytes:
        return types.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    return rezipped(
        content, add={"xl/vbaProject.bin": b"\x00" * 512}, change={"[Content_Types].xml": macro_enabled}
    )


def with_password(content: bytes, password: str = "a-password") -> bytes:  # noqa: S107 (a test file's)
    """The workbook encrypted as Excel's File, Info, Protect Workbook, Encrypt with Password does."""
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt(password, encrypted)
    return encrypted.getvalue()


def zip_bomb(content: bytes, megabytes: int = 50) -> bytes:
    """The workbook with a part of one repeated byte: 50 MB packs into about 50 KB."""
    return rezipped(content, add={"xl/media/padding.bin": b"\x00" * (megabytes * 1024 * 1024)})
