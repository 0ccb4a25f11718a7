"""Import and export of the groups spreadsheet, in the browser-less web tests and on the command line."""

import csv
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core.models import AuditEvent
from crm.extensions import db
from crm.groups.models import CommunityGroup, Contact, ImportBatch
from tests.factories import make_contact, make_group

HEADER = "id,name,kind,areas,characteristics,email,contact_name,contact_email\n"


def _upload(client, content: bytes, filename="groups.csv"):
    return client.submit(
        "/staff/groups/import", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def _preview(client, content: bytes):
    response = _upload(client, content)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.location, client.page(response.location)


def field_error(response) -> str:
    """The error shown next to the file field (the page checker has already made sure the error summary
    and the "Error: " title are there too)."""
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert page.title.text.startswith("Error: ")
    return page.select_one("#file-error").text


def _count(model=CommunityGroup):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_file_is_previewed_then_imported(client, sign_in_as):
    sign_in_as("engagement_officer")
    content = (
        HEADER + ",Perry Barr Elders,VCSE organisation,Birmingham,Age;Race,,Kim Lee,kim@example.org\n"
        ",Sandwell Signers,network,SANDWELL,disability,hi@signers.example.org,,\n"
    ).encode()
    url, page = _preview(client, content)
    values = [dd.text.strip() for dd in page.select(".govuk-summary-list__value")]
    assert values[:2] == ["2", "0"]
    assert _count() == 0  # the preview is a dry run
    response = client.submit(url, form_page=url)
    assert response.status_code == 302 and _count() == 2 and _count(Contact) == 1
    group = db.session.scalar(select(CommunityGroup).where(CommunityGroup.name == "Perry Barr Elders"))
    assert {c.name for c in group.characteristics} == {"Age", "Race"}
    assert client.submit(url, form_page="/staff/groups/import").status_code == 302
    assert _count() == 2  # confirming twice imports once


def test_a_file_with_errors_saves_nothing_and_lists_every_problem_by_row(client, sign_in_as):
    existing = make_group("Already Here")
    sign_in_as("engagement_officer")
    content = (
        HEADER + ",Fine Group,vcse,Walsall,Age,,,\n"
        ",,vcse,Walsall,,,,\n"
        ",Bad Names,vcse,Atlantis,Telepathy,,,\n"
        f"{existing.id + 1000},Ghost,vcse,,,,,\n"
        ",Fine Group,vcse,Walsall,Age,,,\n"
        ",Mailer,vcse,,,not-an-email,,\n"
    ).encode()
    _url, page = _preview(client, content)
    assert "Fix 5 rows before importing" in page.text
    rows = [[td.text.strip() for td in tr.select("th, td")] for tr in page.select("tbody tr")]
    assert ["3", "name", "Enter the name"] in rows
    assert ["4", "areas", "Unknown areas: Atlantis"] in rows
    assert ["4", "characteristics", "Unknown characteristics: Telepathy"] in rows
    assert any(r[0] == "5" and r[1] == "id" for r in rows)
    assert ["6", "row", "This row repeats row 2"] in rows
    assert any(r[0] == "7" and r[1] == "email" for r in rows)
    assert not page.select("main form button")  # nothing to confirm
    assert _count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,kind\n".encode("utf-16"), "The file is not in UTF-8"),
        ("name,kind\nCafé Club,vcse\n".encode("latin-1"), "The file is not in UTF-8"),
        (b"title,type\nA,B\n", "missing these columns: name, kind"),
        (b"name,kind\n", "no rows of groups"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message_next_to_the_field(
    client, sign_in_as, content, message
):
    sign_in_as("engagement_officer")
    response = _upload(client, content)
    assert response.status_code == 200
    assert message in field_error(response)
    assert _count() == 0 and _count(ImportBatch) == 0


def test_a_byte_order_mark_and_any_case_of_names_are_accepted(client, sign_in_as):
    sign_in_as("engagement_officer")
    content = "\ufeffName,Kind,Areas\nBOM Group,Faith organisation,walsall\n".encode()
    url, _page = _preview(client, content)
    client.submit(url, form_page=url)
    assert _count() == 1


def test_empty_and_huge_uploads_are_refused_with_a_message(app, client, sign_in_as):
    sign_in_as("engagement_officer")
    text = client.submit("/staff/groups/import", {}).get_data(as_text=True)
    assert "Select a spreadsheet file" in text
    too_big = b"name,kind\n" + b"x" * (app.config["IMPORT_MAX_BYTES"] + 10)
    text = _upload(client, too_big).get_data(as_text=True)
    assert "The file must be smaller than 10 MB" in text


def test_an_upload_over_the_request_limit_gets_the_too_large_page(app, client, sign_in_as):
    sign_in_as("engagement_officer")
    token = client.csrf_token("/staff/groups/import")
    body = io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post(
        "/staff/groups/import",
        data={"csrf_token": token, "file": (body, "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_another_officers_upload_cannot_be_seen(app, client, sign_in_as, make_user):
    sign_in_as("engagement_officer")
    url, _page = _preview(client, (HEADER + ",Secret,vcse,,,,,\n").encode())
    other = app.test_client()
    user = make_user(role="engagement_officer")
    other.submit("/staff/sign-in", {"email": user.email, "password": "correct-horse-battery-staple"})
    assert other.get(url).status_code == 404


def _rows_of_csv(text: str):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_round_trips_through_import_unchanged(client, sign_in_as):
    group = make_group(
        "Round Trip Group",
        areas=("Walsall", "Dudley"),
        characteristics=("Race",),
        access_needs=["bsl"],
        description='=HYPERLINK("http://evil")',
    )
    make_contact(group, name="Rosa Trip", email="rosa@example.org")
    sign_in_as("engagement_officer")
    exported = client.get("/staff/groups/export.csv").get_data()
    rows = _rows_of_csv(exported.decode("utf-8"))
    assert rows[1][3].startswith("'=HYPERLINK")  # the formula cannot run in Excel
    assert "rosa@example.org" in rows[1]
    url, page = _preview(client, exported)
    assert [dd.text.strip() for dd in page.select(".govuk-summary-list__value")][:2] == ["0", "1"]
    client.submit(url, form_page=url)
    db.session.expire_all()
    group = db.session.get(CommunityGroup, group.id)
    assert group.description == '=HYPERLINK("http://evil")' and len(group.contacts) == 1
    assert {a.name for a in group.areas} == {"Walsall", "Dudley"} and group.access_needs == ["bsl"]


def test_xlsx_export_has_the_same_columns_and_neutralised_cells(client, sign_in_as):
    make_group("@Risky Name")
    sign_in_as("viewer")
    response = client.get("/staff/groups/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("id", "name", "kind") and "contact_email" not in rows[0]
    assert rows[1][1] == "'@Risky Name"


def test_export_follows_the_list_filters(client, sign_in_as):
    make_group("Walsall One", areas=("Walsall",))
    make_group("Dudley One", areas=("Dudley",))
    sign_in_as("viewer")
    text = client.get("/staff/groups/export.csv?q=walsall").get_data(as_text=True)
    assert "Walsall One" in text and "Dudley One" not in text


def test_the_template_is_importable_once_filled_in(client, sign_in_as):
    sign_in_as("engagement_officer")
    template = client.get("/staff/groups/import-template.csv").get_data(as_text=True)
    header = _rows_of_csv(template)[0]
    row = dict.fromkeys(header, "") | {"name": "From Template", "kind": "vcse"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerow(row)
    url, _page = _preview(client, buffer.getvalue().encode())
    client.submit(url, form_page=url)
    assert _count() == 1


def test_ten_thousand_rows_import_in_one_go_as_a_job(client, sign_in_as, finish_job):
    sign_in_as("engagement_officer")
    lines = [
        f",Bulk Group {n:05d},vcse,Walsall;Dudley,Age;Disability,,Person {n},p{n}@example.org"
        for n in range(10_000)
    ]
    url, page = _preview(client, (HEADER + "\n".join(lines) + "\n").encode())
    assert "Import 10000 rows" in page.text
    job_url = client.submit(url, form_page=url).location
    assert job_url.startswith("/staff/jobs/")
    page = finish_job(job_url)
    assert "Groups added 10,000" in " ".join(page.select_one("main .govuk-summary-list").text.split())
    db.session.expire_all()
    assert _count() == 10_000 and _count(Contact) == 10_000
    assert len(client.page("/staff/groups?q=bulk+group+09999").select("main table tbody tr")) == 1


def test_cli_import_checks_first_and_applies_all_or_nothing(app, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + ",CLI Group,vcse,Walsall,,,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ",Okay,vcse,,,,,\n,Broken,badkind,,,,,\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "import-groups", str(bad)])
    assert result.exit_code != 0 and "Row 3, kind" in result.output and _count() == 0
    result = runner.invoke(args=["crm", "import-groups", "--dry-run", str(good)])
    assert "would add 1 groups" in result.output and _count() == 0
    result = runner.invoke(args=["crm", "import-groups", str(good)])
    assert result.exit_code == 0 and _count() == 1


def test_cli_export_writes_an_importable_file(app, tmp_path):
    group = make_group("Exported By CLI")
    make_contact(group, email="cli.contact@example.org")
    target = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["crm", "export-groups", str(target)])
    assert result.exit_code == 0 and "Exported 1 groups" in result.output
    text = target.read_text(encoding="utf-8-sig")
    assert "Exported By CLI" in text and "cli.contact@example.org" in text
    result = app.test_cli_runner().invoke(args=["crm", "export-groups", "--without-contacts", str(target)])
    assert "cli.contact@example.org" not in target.read_text(encoding="utf-8-sig")


def test_cli_export_writes_the_same_bytes_as_the_web_export(app, client, sign_in_as, tmp_path):
    group = make_group("=Same Bytes Grŵp")
    make_contact(group, name="@Same Person", email="same@example.org")
    sign_in_as("admin")
    web = client.get("/staff/groups/export.csv").get_data()
    target = tmp_path / "out.csv"
    assert app.test_cli_runner().invoke(args=["crm", "export-groups", str(target)]).exit_code == 0
    assert target.read_bytes() == web and web.startswith(b"\xef\xbb\xbfid,name,")
    assert "'=Same Bytes Grŵp" in web.decode("utf-8") and "'@Same Person" in web.decode("utf-8")


def test_a_big_export_is_read_in_batches_as_it_is_sent(client, sign_in_as, monkeypatch):
    # Tiny batches stand in for a big export: the groups are fetched a few at a time and the file is
    # written a few rows per chunk, after the request's unit of work has committed.
    from crm.core import spreadsheets
    from crm.groups import queries

    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    monkeypatch.setattr(spreadsheets, "ROWS_PER_CHUNK", 2)
    for number in range(7):
        group = make_group(f"Batch Group {number}")
        make_contact(group, name=f"First {number}", email=f"first{number}@example.org")
        make_contact(group, name=f"Second {number}", email=f"second{number}@example.org")
    sign_in_as("engagement_officer")
    response = client.get("/staff/groups/export.csv")
    assert len(response.response) == 8  # the buffered chunks: 15 rows, two to a chunk
    rows = _rows_of_csv(response.get_data(as_text=True))
    assert len(rows) == 1 + 7 * 2
    assert sorted(row[1] for row in rows[1:]) == sorted(f"Batch Group {n}" for n in range(7) for _ in (1, 2))
    assert {row[13] for row in rows[1:]} == {f"{w} {n}" for n in range(7) for w in ("First", "Second")}
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/staff/groups/export.xlsx").get_data())).active
    assert len(list(sheet.values)) == 1 + 7 * 2


def test_an_export_is_on_record_before_its_file_is_sent(app, client, sign_in_as):
    make_group("Recorded First")
    sign_in_as("viewer")
    response = client.get("/staff/groups/export.csv", buffered=False)
    try:
        # Read over a connection of its own: the audit event is committed, yet no row has been written.
        with db.engine.connect() as connection:
            exported = connection.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "groups.exported")
            )
        assert exported == 1 and response.is_streamed
        assert "Recorded First" in response.get_data(as_text=True)
    finally:
        response.close()
