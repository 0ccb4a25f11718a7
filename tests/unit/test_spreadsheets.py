"""The one spreadsheet writer: formula-safe cells, CSV in chunks, XLSX from a write-only workbook."""

import csv
import io

import pytest
from openpyxl import load_workbook

from crm.core import spreadsheets
from crm.core.spreadsheets import csv_chunks, download, neutralise, unneutralise, write_csv, xlsx_chunks

HEADER = ["name", "note"]
RISKY = ["=SUM(A1:A9)", "+44 121", "-1", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+44 121", "-1", "@cmd", "\tx"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised_and_read_back(value):
    written = neutralise(value)
    assert written.startswith("'")
    assert unneutralise(written) == value


def test_ordinary_cells_are_left_alone():
    assert neutralise("Walsall") == "Walsall" and neutralise(12) == "12" and neutralise(None) == ""
    assert unneutralise("'quoted'") == "'quoted'"


def test_a_carriage_return_start_is_neutralised_too():
    assert neutralise("\rx") == "'\rx" and unneutralise("'\rx") == "\rx"


def _csv_text(rows, **kwargs) -> str:
    return b"".join(csv_chunks(rows, **kwargs)).decode("utf-8")


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_neutralises_every_formula_cell_and_reads_back():
    text = _csv_text([HEADER, *([value, "fine"] for value in RISKY)])
    rows = _read_csv(text)
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["'" + value for value in RISKY]
    assert [unneutralise(row[0]) for row in rows[1:]] == RISKY


def test_csv_bytes_are_excels_utf8_csv_with_a_byte_order_mark():
    rows = [HEADER, ["Grŵp Cymraeg “quoted, comma”", "line one\nline two"], [12, None], ["café ✓", ""]]
    expected = io.StringIO()
    csv.writer(expected).writerows(rows)
    written = b"".join(csv_chunks(rows))
    assert written == ("\ufeff" + expected.getvalue()).encode("utf-8")
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written
    assert _read_csv(written.decode("utf-8"))[1] == ["Grŵp Cymraeg “quoted, comma”", "line one\nline two"]


def test_a_header_alone_is_one_chunk():
    assert list(csv_chunks([HEADER])) == ["\ufeffname,note\r\n".encode()]


def test_csv_is_a_generator_of_chunks_a_batch_of_rows_at_a_time():
    consumed = []

    def rows():
        yield HEADER
        for number in range(10_000):
            consumed.append(number)
            yield [f"Person {number}", "ünïcødé"]

    chunks = csv_chunks(rows(), rows_per_chunk=500)
    assert not consumed  # nothing is read until the first chunk is asked for
    first = next(chunks)
    assert len(consumed) < 500 and first.startswith(b"\xef\xbb\xbf")
    rest = list(chunks)
    assert len(rest) == 20 and len(consumed) == 10_000
    assert all(len(chunk) < 20_000 for chunk in [first, *rest])  # never the whole file as one string
    rows_read = _read_csv(b"".join([first, *rest]).decode("utf-8"))
    assert len(rows_read) == 10_001 and rows_read[-1] == ["Person 9999", "ünïcødé"]


def _read_xlsx(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return workbook, [list(row) for row in workbook.active.values]


def test_xlsx_neutralises_formula_cells_and_writes_numbers_as_numbers():
    content = b"".join(xlsx_chunks("Groups", [HEADER, *([value, 7] for value in RISKY), ["café ✓", None]]))
    workbook, rows = _read_xlsx(content)
    assert workbook.sheetnames == ["Groups"]
    assert rows[0] == HEADER
    # XML reads a carriage return back as a newline, so compare with that in mind.
    assert [row[0] for row in rows[1:-1]] == ["'" + value.replace("\r", "\n") for value in RISKY]
    assert rows[1][1] == 7  # a number stays a number, for sums and charts
    assert rows[-1][0] == "café ✓"
    assert not any(cell.data_type == "f" for row in workbook.active.iter_rows() for cell in row)


def test_xlsx_is_written_from_a_write_only_workbook_and_sent_in_chunks(monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_BYTES_PER_CHUNK", 4096)
    built = []
    real_workbook = spreadsheets.Workbook

    def workbook(**kwargs):
        built.append(kwargs)
        return real_workbook(**kwargs)

    monkeypatch.setattr(spreadsheets, "Workbook", workbook)
    chunks = list(xlsx_chunks("Rows", [HEADER, *([f"Person {n}", f"=note {n}"] for n in range(5_000))]))
    assert built == [{"write_only": True}]
    assert len(chunks) > 1 and all(len(chunk) <= 4096 for chunk in chunks)
    _workbook, rows = _read_xlsx(b"".join(chunks))
    assert len(rows) == 5_001 and rows[-1] == ["Person 4999", "'=note 4999"]


def test_write_csv_writes_the_same_bytes_as_a_download(tmp_path):
    rows = [HEADER, ["=1+1", "Grŵp"]]
    path = tmp_path / "out.csv"
    write_csv(str(path), rows)
    assert path.read_bytes() == b"".join(csv_chunks(rows))


def test_a_download_is_streamed_with_its_type_and_filename(app):
    with app.test_request_context():
        response = download("groups.csv", iter([HEADER, ["=x", "y"]]))
        assert response.is_streamed
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="groups.csv"'
        assert response.get_data() == b"\xef\xbb\xbfname,note\r\n'=x,y\r\n"
    with app.test_request_context():
        response = download("groups.xlsx", iter([HEADER]), sheet_title="Groups")
        assert response.is_streamed and response.mimetype == spreadsheets.MIMETYPES[".xlsx"]
        assert _read_xlsx(response.get_data())[0].sheetnames == ["Groups"]


def test_a_download_needs_a_known_format(app):
    with app.test_request_context(), pytest.raises(ValueError):
        download("groups.txt", [HEADER])


def test_dates_are_iso_8601_in_uk_time_in_csv_and_real_date_cells_in_xlsx():
    from datetime import UTC, date, datetime

    summer = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
    rows = [["Received", "Day"], [summer, date(2026, 7, 1)], [winter, date(2026, 12, 1)]]
    text = b"".join(csv_chunks(rows)).decode("utf-8-sig")
    assert text.splitlines()[1:] == [
        "2026-07-01T14:30:00+01:00,2026-07-01",
        "2026-12-01T09:05:00+00:00,2026-12-01",
    ]
    workbook, values = _read_xlsx(b"".join(xlsx_chunks("Dates", rows)))
    assert values[1] == [datetime(2026, 7, 1, 14, 30), datetime(2026, 7, 1)]  # UK wall-clock time
    cells = list(workbook.active.iter_rows(min_row=2, max_row=2))[0]
    assert cells[0].is_date and cells[0].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells[1].is_date and cells[1].number_format == "yyyy-mm-dd"
