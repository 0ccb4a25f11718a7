"""Group import from Excel workbooks: a good one is previewed and imported like a CSV file; every bad one
gets a clear message next to the file field, never a 500, and nothing is kept or saved."""

import io
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.groups import transfer
from crm.groups.models import CommunityGroup, Contact, ImportBatch
from tests.factories import make_contact, make_group
from tests.web.test_group_transfer import field_error
from tests.workbook_files import with_macros, with_password, xlsx, zip_bomb

HEADER = [
    "id",
    "name",
    "kind",
    "areas",
    "characteristics",
    "contact_name",
    "contact_email",
    "contact_consent",
]


def _count(model=CommunityGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, content: bytes, filename: str = "groups.xlsx"):
    return client.submit(
        "/staff/groups/import", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def test_a_workbook_is_previewed_then_imported(client, sign_in_as):
    sign_in_as("engagement_officer")
    content = xlsx(
        HEADER,
        [
            None,
            "Perry Barr Elders",
            "VCSE organisation",
            "Birmingham",
            "Age; Race",
            "Kim Lee",
            "kim@example.org",
        ],
        [None, "Sandwell Signers", "network", "SANDWELL", "disability", None, None],
    )
    response = _upload(client, content)
    assert response.status_code == 302
    preview = client.page(response.location)
    assert "Check the import" in preview.text and _count() == 0
    assert client.submit(response.location, form_page=response.location).status_code == 302
    assert _count() == 2 and _count(Contact) == 1
    group = db.session.scalar(select(CommunityGroup).where(CommunityGroup.name == "Perry Barr Elders"))
    assert {c.name for c in group.characteristics} == {"Age", "Race"}


def test_the_xlsx_export_round_trips_through_import_unchanged(client, sign_in_as):
    group = make_group("=Round Trip Grŵp", areas=("Walsall", "Dudley"), characteristics=("Race",))
    make_contact(group, name="Rosa Trip", email="rosa@example.org")  # consent given on 5 January 2026
    sign_in_as("engagement_officer")
    exported = client.get("/staff/groups/export.xlsx").get_data()
    response = _upload(client, exported)
    preview = client.page(response.location)
    values = [dd.text.strip() for dd in preview.select(".govuk-summary-list__value")]
    assert values[:2] == ["0", "1"]  # nothing to add; the one group is matched by its id
    client.submit(response.location, form_page=response.location)
    db.session.expire_all()
    group = db.session.get(CommunityGroup, group.id)
    assert group.name == "=Round Trip Grŵp" and len(group.contacts) == 1
    assert group.contacts[0].consent_date == date(2026, 1, 5)
    assert {a.name for a in group.areas} == {"Walsall", "Dudley"}


GOOD = xlsx(HEADER, [None, "Fine Group", "vcse", "Walsall", "Age", None, None])


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (os.urandom(5000), "groups.xlsx", "not an Excel workbook"),
        (b"name,kind\nWalsall Walkers,vcse\n" * 20, "groups.xlsx", "not an Excel workbook"),
        (xlsx(HEADER, [None, "Sum", '=CONCAT("vc","se")']), "groups.xlsx", "Cell C2 holds a formula"),
        (with_macros(GOOD), "groups.xlsm", "contains macros"),
        (with_password(GOOD), "groups.xlsx", "protected by a password"),
        (zip_bomb(GOOD), "groups.xlsx", "unpacks to far more"),
        (xlsx(["title", "type"], ["A", "B"]), "groups.xlsx", "missing these columns: name, kind"),
        (xlsx(), "groups.xlsx", "first sheet is empty"),
    ],
    ids=[
        "random-bytes",
        "renamed-text-file",
        "formula",
        "macros",
        "password",
        "zip-bomb",
        "wrong-columns",
        "empty",
    ],
)
def test_a_bad_workbook_gets_a_clear_message_next_to_the_field(
    client, sign_in_as, content, filename, message
):
    sign_in_as("engagement_officer")
    response = _upload(client, content, filename)
    assert response.status_code == 200
    assert message in field_error(response)
    assert _count(ImportBatch) == 0 and _count() == 0


def test_a_workbook_with_too_many_rows_is_refused(client, sign_in_as, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_ROWS", 5)
    sign_in_as("engagement_officer")
    content = xlsx(HEADER, *[[None, f"Group {n}", "vcse"] for n in range(6)])
    assert "more than 5 rows" in field_error(_upload(client, content))
    assert _count(ImportBatch) == 0


def test_cli_imports_a_workbook(app, tmp_path):
    path = tmp_path / "groups.xlsx"
    path.write_bytes(GOOD)
    result = app.test_cli_runner().invoke(args=["crm", "import-groups", str(path)])
    assert result.exit_code == 0, result.output
    assert _count() == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(with_password(GOOD))
    result = app.test_cli_runner().invoke(args=["crm", "import-groups", str(bad)])
    assert result.exit_code != 0 and "protected by a password" in result.output
