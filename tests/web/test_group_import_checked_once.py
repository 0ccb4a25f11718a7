"""An uploaded groups file is read and checked once, when it arrives. Its preview (as often as it is looked
at) and its import (in the request, or as a background job) use what that check found, kept with the upload
under a random token; the file itself is not kept. A token that names nothing, someone else's upload, an
expired one, or one whose rows the register's changes have broken since, is refused with a clear message
and saves nothing."""

import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.auth import roles
from crm.core import workbooks
from crm.extensions import db
from crm.groups import transfer
from crm.groups.models import CommunityGroup, Contact, ImportBatch
from tests.factories import PASSWORD, make_group
from tests.workbook_files import xlsx

COLUMNS = ["id", "name", "kind", "areas", "characteristics", "contact_name", "contact_email"]
ROWS = [
    ["", "Checked Once Elders", "vcse", "Walsall", "Age", "Kim Lee", "kim@example.org"],
    ["", "Checked Once Signers", "network", "Dudley", "Disability", "", ""],
    ["", "Checked Once Youth", "vcse", "Walsall;Dudley", "Age", "Sam Roe", "sam@example.org"],
]


def _csv(rows=ROWS) -> bytes:
    return "\n".join(",".join(row) for row in [COLUMNS, *rows]).encode() + b"\n"


def _xlsx(rows=ROWS) -> bytes:
    return xlsx(COLUMNS, *[[cell or None for cell in row] for row in rows])


FILES = {"groups.csv": _csv, "groups.xlsx": _xlsx}


def _count(model=CommunityGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, content: bytes, filename: str) -> str:
    response = client.submit(
        "/staff/groups/import", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.location


@pytest.fixture
def reads(monkeypatch):
    """Counts every reading of a file (CSV or workbook) and every check of its rows, by wrapping the real
    functions where the import calls them."""
    counts = {"read_csv": 0, "read_rows": 0, "plan_import": 0}

    def counted(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counted(transfer, "read_csv")
    counted(workbooks, "read_rows")
    counted(transfer, "plan_import")
    return counts


@pytest.mark.parametrize("filename", FILES)
def test_a_file_is_read_and_checked_once_however_often_it_is_previewed_then_imported(
    client, sign_in_as, reads, filename
):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, FILES[filename](), filename)
    parser = "read_rows" if filename.endswith(".xlsx") else "read_csv"
    assert reads == {"read_csv": 0, "read_rows": 0, "plan_import": 0} | {parser: 1, "plan_import": 1}
    for _look in range(3):
        page = client.page(preview)
        assert [dd.text.strip() for dd in page.select(".govuk-summary-list__value")] == ["3", "0", "3"]
    response = client.submit(preview, form_page=preview)
    assert response.status_code == 302 and response.location == "/staff/groups"
    assert reads == {"read_csv": 0, "read_rows": 0, "plan_import": 0} | {parser: 1, "plan_import": 1}
    assert _count() == 3 and _count(Contact) == 2
    group = db.session.scalar(select(CommunityGroup).where(CommunityGroup.name == "Checked Once Youth"))
    assert {a.name for a in group.areas} == {"Walsall", "Dudley"}
    batch = db.session.scalar(select(ImportBatch))
    assert batch.applied_at is not None and batch.rows == []  # the checked rows go once imported


def test_a_big_file_imported_as_a_job_is_not_read_again(
    client, sign_in_as, reads, finish_job, app, monkeypatch
):
    # The job runs in this process here (no queue), so the counter sees it too.
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 2)
    monkeypatch.setitem(app.config, "JOB_REDIS_URL", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, _xlsx(), "groups.xlsx")
    job_url = client.submit(preview, form_page=preview).location
    assert job_url.startswith("/staff/jobs/")
    page = finish_job(job_url)
    assert "Groups added 3" in " ".join(page.select_one("main .govuk-summary-list").text.split())
    assert reads == {"read_csv": 0, "read_rows": 1, "plan_import": 1}
    assert _count() == 3


def test_the_import_needs_no_file_only_what_its_check_kept(client, sign_in_as, monkeypatch):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, _csv(), "groups.csv")
    assert "content" not in ImportBatch.__table__.columns  # the file is not kept at all

    def read_again(*args, **kwargs):
        raise AssertionError("the file was read again")

    for name in ("read_upload", "read_csv", "read_xlsx", "plan_import"):
        monkeypatch.setattr(transfer, name, read_again)
    assert "Check the import" in client.page(preview).text
    assert client.submit(preview, form_page=preview).status_code == 302
    assert _count() == 3


def test_the_token_is_random_and_is_the_address(client, sign_in_as):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    first = _upload(client, _csv(), "groups.csv")
    second = _upload(client, _csv(), "groups.csv")
    tokens = [url.rsplit("/", 1)[1] for url in (first, second)]
    assert tokens[0] != tokens[1] and all(len(token) >= 43 for token in tokens)
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [batch.token for batch in batches] == tokens
    assert client.get(f"/staff/groups/import/{batches[0].id}").status_code == 404  # not by its id


def _message(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    return " ".join(page.select_one("main").text.split())


def test_an_unknown_or_someone_elses_token_is_refused_with_the_same_clear_message(
    app, client, sign_in_as, make_user
):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, _csv(), "groups.csv")
    unknown = client.get("/staff/groups/import/no-such-upload")
    assert unknown.status_code == 404
    assert "There is no upload at this address for you" in _message(unknown)
    other = app.test_client()
    user = make_user(role=roles.ENGAGEMENT_OFFICER)
    other.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD})
    assert other.get(preview).status_code == 404
    response = other.post(preview, data={"csrf_token": other.csrf_token("/staff/groups/import")})
    assert response.status_code == 404 and _message(response) == _message(unknown)
    assert _count() == 0


def test_an_expired_upload_is_refused_and_cleared_when_the_next_arrives(client, sign_in_as):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, _csv(), "groups.csv")
    batch = db.session.scalar(select(ImportBatch))
    batch.uploaded_at -= transfer.UPLOAD_KEPT_FOR + timedelta(minutes=1)
    db.session.commit()
    response = client.get(preview)
    assert response.status_code == 410
    assert "This upload has expired: uploads are kept for 24 hours" in _message(response)
    response = client.post(preview, data={"csrf_token": client.csrf_token("/staff/groups/import")})
    assert response.status_code == 410 and _count() == 0
    old_token = batch.token
    _upload(client, _csv(), "groups.csv")
    assert _count(ImportBatch) == 2  # kept a day after it expired, for a job confirmed at the last minute
    batch.uploaded_at -= transfer.UPLOAD_KEPT_FOR
    db.session.commit()
    _upload(client, _csv(), "groups.csv")
    db.session.expire_all()
    tokens = list(db.session.scalars(select(ImportBatch.token)))
    assert len(tokens) == 2 and old_token not in tokens  # then it goes as new ones arrive


def test_rows_the_registers_changes_broke_since_the_check_are_refused_and_nothing_is_saved(
    client, sign_in_as
):
    existing = make_group("Soon Gone")
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    rows = [[str(existing.id), "Renamed", "vcse", "Walsall", "", "", ""], *ROWS]
    preview = _upload(client, _csv(rows), "groups.csv")
    db.session.delete(existing)  # deleted between the preview and the confirmation
    db.session.commit()
    response = client.submit(preview, form_page=preview)
    assert response.status_code == 200
    text = _message(response)
    assert "The register has changed since this file was checked." in text
    assert "1 rows have problems now, such as row 2 (id: There is no group with id" in text
    assert _count() == 0 and db.session.scalar(select(ImportBatch.applied_at)) is None


def test_an_import_confirmed_twice_is_applied_once(client, sign_in_as):
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    preview = _upload(client, _csv(), "groups.csv")
    assert client.submit(preview, form_page=preview).status_code == 302
    token = client.csrf_token("/staff/groups/import")
    again = client.post(preview, data={"csrf_token": token})
    assert again.status_code == 302 and _count() == 3
    with pytest.raises(transfer.ImportFileError, match="already imported"):
        transfer.confirm_import(None, db.session.scalar(select(ImportBatch)))
