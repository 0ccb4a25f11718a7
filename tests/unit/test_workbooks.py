"""Reading uploaded workbooks: every refusal is made with a real file, built here with openpyxl, zipfile
and msoffcrypto-tool (which makes a real password-protected workbook)."""

import io
import os
import zipfile
from datetime import date, datetime

import pytest

from crm.core import workbooks
from crm.core.workbooks import UnreadableWorkbook, read_rows
from tests.workbook_files import rezipped, with_macros, with_password, xlsx, zip_bomb

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def refusal(content: bytes, max_rows: int = 100) -> str:
    with pytest.raises(UnreadableWorkbook) as caught:
        read_rows(content, max_rows)
    return str(caught.value)


def test_a_workbook_is_read_as_rows_of_text_like_its_csv():
    content = xlsx(
        ["Name", "Kind", "Founded", "Verified", "Members"],
        ["Walsall Walkers", "vcse", date(2024, 3, 27), True, 12.0],
        [None, None, None, None, None],  # an empty row is skipped, as a blank CSV line is
        ["Dudley Dancers", "informal", datetime(2025, 1, 2, 0, 0), False, 3.5],
    )
    assert read_rows(content, 100) == [
        ["Name", "Kind", "Founded", "Verified", "Members"],
        ["Walsall Walkers", "vcse", "2024-03-27", "yes", "12"],
        ["Dudley Dancers", "informal", "2025-01-02", "no", "3.5"],
    ]


def test_columns_beyond_the_header_are_not_read():
    content = xlsx(["name", "kind"], ["A", "vcse", "stray note", "=1+1"])
    assert read_rows(content, 10) == [["name", "kind"], ["A", "vcse"]]


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(4096),  # random bytes
        b"name,kind\nWalsall Walkers,vcse\n",  # a text file renamed .xlsx
        b"PK\x03\x04" + os.urandom(200),  # starts like a zip, is not one
    ],
    ids=["random-bytes", "renamed-text-file", "broken-zip"],
)
def test_a_file_that_is_not_a_workbook_is_refused(content):
    assert "not an Excel workbook" in refusal(content)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "not an Excel workbook" in refusal(buffer.getvalue())


def test_a_formula_is_refused_naming_its_cell():
    content = xlsx(["name", "kind"], ["Fine", "vcse"], ["Sum", '=CONCAT("vc","se")'])
    message = refusal(content)
    assert "Cell B3 holds a formula" in message and "Paste Values" in message


def test_a_formula_in_the_header_is_refused_too():
    assert "Cell A1 holds a formula" in refusal(xlsx(['=UPPER("name")', "kind"], ["A", "vcse"]))


def test_macros_are_refused():
    assert "contains macros" in refusal(with_macros(xlsx(["name", "kind"], ["A", "vcse"])))


def test_a_vba_project_is_refused_whatever_the_content_types_say():
    content = rezipped(xlsx(["name", "kind"], ["A", "vcse"]), add={"xl/vbaProject.bin": b"\x00" * 512})
    assert "contains macros" in refusal(content)


def test_a_password_protected_workbook_is_refused():
    content = with_password(xlsx(["name", "kind"], ["A", "vcse"]))
    assert content.startswith(workbooks.CFB_SIGNATURE)  # an OLE compound file, not a zip
    assert "protected by a password" in refusal(content)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    content = zip_bomb(xlsx(["name", "kind"]))  # 50 MB of one byte: a ratio no real sheet has
    assert len(content) < 200_000
    assert "unpacks to far more" in refusal(content)


def test_a_workbook_declaring_too_much_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    content = rezipped(xlsx(["name", "kind"]), add={"xl/media/photo.bin": os.urandom(3 * 1024 * 1024)})
    assert "unpacks to far more" in refusal(content)


def test_too_many_rows_are_refused_without_reading_the_rest():
    content = xlsx(["name", "kind"], *[[f"Group {n}", "vcse"] for n in range(30)])
    assert read_rows(content, 30)[-1] == ["Group 29", "vcse"]
    assert "more than 29 rows" in refusal(content, max_rows=29)


def test_xml_entities_are_refused():
    # A sheet that defines an entity (the "billion laughs" starts so): defusedxml refuses to parse it.
    content = xlsx(["name", "kind"], ["A", "vcse"])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY lol "lol">]><worksheet', 1)
                assert b"<!ENTITY" in data
            target.writestr(item.filename, data)
    assert "not an Excel workbook" in refusal(buffer.getvalue())
