"""Background jobs: big imports and exports run as jobs with a progress page and a download; the same job
asked for twice is one job; a job that fails or loses its worker saves nothing and says so.

With REDIS_URL set (the PostgreSQL pass of `make test`) the jobs these tests start through the web are run by
a real RQ worker (the `finish_job` fixture starts one); without it, by the request itself."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crm.auth import roles
from crm.core import jobs
from crm.core.models import AuditEvent, Job, utc_now
from crm.extensions import db
from crm.groups import jobs as group_jobs
from crm.groups import transfer
from crm.groups.models import CommunityGroup, Contact, ImportBatch
from tests.consultation_factories import make_consultation, respond
from tests.factories import PASSWORD, make_contact, make_group
from tests.policy_factories import make_feedback, make_policy
from tests.workbook_files import xlsx

HEADER = ["id", "name", "kind", "areas", "characteristics", "contact_name", "contact_email"]


@pytest.fixture
def small_threshold(app, monkeypatch):
    """Jobs from more than two rows, so a handful of records stands in for thousands."""
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 2)


@pytest.fixture
def no_queue(app, monkeypatch):
    """No REDIS_URL: what `make run` has, and what a page test needs to show a job exactly as it is."""
    monkeypatch.setitem(app.config, "JOB_REDIS_URL", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _job(url: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, int(url.rstrip("/").split("/")[-1]))


def _summary(page) -> dict[str, str]:
    rows = page.select("#job-status .govuk-summary-list__row")
    return {
        row.select_one("dt").text.strip(): row.select_one("dd").text.strip()
        for row in rows
        if row.select_one("dd")
    }


def _queued_job(user, **values) -> Job:
    """A job row as start() leaves it, committed without being queued or run."""
    job = Job(kind=group_jobs.EXPORT, title="Export of groups (CSV)", params={}, queue_ref="0" * 32, **values)
    job.started_by_id = user.id
    db.session.add(job)
    db.session.commit()
    return job


# ---- Imports ---------------------------------------------------------------------------------------------


def test_a_big_workbook_import_runs_as_a_job_and_its_page_shows_the_summary(
    client, sign_in_as, finish_job, small_threshold
):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    rows = [
        [None, f"Job Group {n}", "vcse", "Walsall", "Age", f"Person {n}", f"p{n}@example.org"]
        for n in range(6)
    ]
    upload = client.submit(
        "/staff/groups/import",
        {"file": (io.BytesIO(xlsx(HEADER, *rows)), "groups.xlsx")},
        content_type="multipart/form-data",
    )
    preview = upload.location
    assert "Import 6 rows" in client.page(preview).text
    job_url = client.submit(preview, form_page=preview).location
    assert job_url.startswith("/staff/jobs/")
    page = finish_job(job_url)
    assert page.title.text.startswith("Finished – Import of groups.xlsx")
    assert _summary(page)["Groups added"] == "6" and _summary(page)["Contacts added"] == "6"
    assert page.select_one("main a[href='/staff/groups']").text == "Go to the groups"
    job = _job(job_url)
    assert job.status == "done" and job.started_by_id == officer.id and job.active_key is None
    assert _count(CommunityGroup) == 6 and _count(Contact) == 6
    assert _count(AuditEvent, AuditEvent.action == "group.imported", AuditEvent.actor_id == officer.id) == 6
    assert db.session.scalar(select(ImportBatch.applied_at)) is not None
    # Confirming again imports nothing more.
    client.submit(preview, form_page="/staff/groups/import")
    assert _count(CommunityGroup) == 6


def test_a_row_that_raises_half_way_saves_nothing_and_the_job_says_it_failed(
    client, sign_in_as, monkeypatch, no_queue
):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    lines = "".join(f",Half Way {n},vcse,Walsall,Age,Person {n},p{n}@example.org\n" for n in range(10))
    batch = transfer.stage_upload(officer, "groups.csv", (",".join(HEADER) + "\n" + lines).encode())
    job, created = group_jobs.start_import(officer, batch, 10)
    db.session.commit()  # committed, not dispatched: this test runs the job itself
    # Two groups to a batch; the third batch raises, after four groups and their links were written.
    monkeypatch.setattr(transfer, "APPLY_BATCH", 2)
    written = []
    link_new_groups = transfer._link_new_groups

    def fails_on_the_third_batch(actor, new_groups, now):
        if len(written) == 2:
            raise RuntimeError("the disk is full")
        written.append(len(new_groups))
        return link_new_groups(actor, new_groups, now)

    monkeypatch.setattr(transfer, "_link_new_groups", fails_on_the_third_batch)
    assert created and jobs.perform(job.id) == "failed"
    assert written == [2, 2]
    db.session.expire_all()
    assert _count(CommunityGroup) == 0 and _count(Contact) == 0
    assert _count(AuditEvent, AuditEvent.action.like("group%")) == 0
    assert db.session.get(ImportBatch, batch.id).applied_at is None
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and job.error == jobs.UNEXPECTED and job.active_key is None
    page = client.page(f"/staff/jobs/{job.id}")
    assert page.title.text.startswith("Failed – Import of groups.csv")
    assert "The job failed" in page.text and "Nothing was saved." in page.select_one("#job-error").text


def test_a_file_that_gained_problems_since_its_preview_fails_its_job_with_the_reason(sign_in_as, no_queue):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    existing = make_group("Soon Gone")
    content = f"id,name,kind\n{existing.id},Renamed,vcse\n,New One,vcse\n,New Two,vcse\n".encode()
    batch = transfer.stage_upload(officer, "groups.csv", content)
    job, _created = group_jobs.start_import(officer, batch, 3)
    db.session.delete(existing)  # deleted between the preview and the import
    db.session.commit()
    assert jobs.perform(job.id) == "failed"
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.error.startswith("1 rows have problems now, such as row 2 (id: There is no group with id")
    assert job.error.endswith("Nothing was saved.") and _count(CommunityGroup) == 0


# ---- Exports ---------------------------------------------------------------------------------------------


def test_a_big_groups_export_runs_as_a_job_and_its_file_is_the_streamed_one(
    app, client, sign_in_as, finish_job, monkeypatch
):
    for number in range(4):
        make_contact(make_group(f"=Export Group {number}"), name=f"@Person {number}")
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    streamed = client.get("/staff/groups/export.csv?q=export")
    assert streamed.status_code == 200
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 3)
    response = client.get("/staff/groups/export.csv?q=export")
    assert response.status_code == 302 and response.location.startswith("/staff/jobs/")
    page = finish_job(response.location)
    assert _summary(page)["Rows in the file"] == "4"
    link = page.select_one("main a.govuk-button[href$='/download']")
    assert link.text.strip().startswith("Download groups-") and link.text.strip().endswith(".csv")
    download = client.get(link["href"])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.get_data() == streamed.get_data()  # the same writer, the same bytes
    assert "attachment" in download.headers["Content-Disposition"]
    assert _count(AuditEvent, AuditEvent.action == "groups.exported") == 2  # on record both times


def test_big_responses_and_evidence_exports_run_as_jobs(client, sign_in_as, finish_job, small_threshold):
    consultation = make_consultation()
    for number in range(3):
        respond(consultation, name=f"Resident {number}", email=f"r{number}@example.org")
    policy = make_policy()
    for number in range(3):
        make_feedback(f"=Evening buses {number}", policies=[policy])
    sign_in_as(roles.ADMIN)
    response = client.get(f"/staff/consultations/{consultation.id}/responses/export.xlsx")
    page = finish_job(response.location)
    assert _summary(page)["Responses in the file"] == "3"
    download = client.get(page.select_one("a[href$='/download']")["href"])
    assert download.mimetype.endswith("spreadsheetml.sheet") and download.get_data().startswith(b"PK")
    response = client.get(f"/staff/policies/{policy.id}/evidence/export.csv")
    page = finish_job(response.location)
    assert _summary(page)["Feedback items in the file"] == "3"
    rows = list(csv.reader(io.StringIO(client.get(page.select_one("a[href$='/download']")["href"]).text)))
    text = rows[0].index("Text")
    assert sorted(row[text] for row in rows[1:]) == [f"'=Evening buses {n}" for n in range(3)]


def test_an_export_asked_for_while_it_is_under_way_gets_that_job_not_another(
    client, sign_in_as, small_threshold
):
    for number in range(3):
        make_group(f"Twice Group {number}")
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    job, created = group_jobs.start_export(officer, MultiDict({"q": ["twice"]}), "csv", True, 3)
    db.session.commit()  # waiting for a worker: committed, not yet run
    assert created
    response = client.get("/staff/groups/export.csv?q=twice")
    assert response.status_code == 302 and response.location == f"/staff/jobs/{job.id}"
    assert "You already asked for this" in client.page(response.location).text
    assert _count(Job) == 1
    # Other filters, another format or another person: another export.
    again, created = group_jobs.start_export(officer, MultiDict({"q": ["twice"]}), "xlsx", True, 3)
    assert created and again.id != job.id


def test_the_same_export_asked_for_at_the_same_moment_makes_one_job(app, make_user, monkeypatch):
    """Two requests each find no job under way, then both add one: the unique key lets one in, and the
    other gets that one. Each thread has its own session and connection, as two requests have."""
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    officer_id, user_class = officer.id, type(officer)  # read here: the threads must not use this session
    both_looked = threading.Barrier(2, timeout=20)
    unfinished = jobs._unfinished

    def look_then_wait(key):
        found = unfinished(key)
        if not getattr(threading.current_thread(), "looked", False):
            threading.current_thread().looked = True
            both_looked.wait()  # both have seen no job before either adds one
        return found

    monkeypatch.setattr(jobs, "_unfinished", look_then_wait)
    results, errors = [], []

    def ask():
        try:
            with app.app_context():
                user = db.session.get(user_class, officer_id)
                job, created = group_jobs.start_export(user, MultiDict(), "csv", True, 5000)
                results.append((job.id, created))
                db.session.commit()  # as the request would; not dispatched, so it stays under way
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len({job_id for job_id, _created in results}) == 1
    assert sorted(created for _job_id, created in results) == [False, True]
    assert _count(Job) == 1


# ---- The progress page, and who may see it ---------------------------------------------------------------


def test_the_progress_page_says_how_far_the_job_has_got_and_offers_to_look_again(
    client, sign_in_as, no_queue
):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    job = _queued_job(
        officer,
        status="running",
        stage="Checking rows",
        progress_done=1200,
        progress_total=5000,
        heartbeat_at=utc_now(),
    )
    page = client.page(f"/staff/jobs/{job.id}")
    assert page.title.text.startswith("Checking rows: 1,200 of 5,000 – Export of groups")
    status = page.select_one("[role=status]")
    assert "Checking rows: 1,200 of 5,000 rows" in " ".join(status.text.split())
    bar = status.select_one("progress")
    assert bar["max"] == "5000" and bar["value"] == "1200"
    again = page.find("button", string=lambda text: text and text.strip() == "Check progress")
    assert again.find_parent("form")["action"] == f"/staff/jobs/{job.id}"
    assert again.find_parent("form")["method"] == "get"
    assert not page.select("meta[http-equiv]")  # no refresh that takes the page away from its reader
    assert "Export of groups (CSV)" in client.page("/staff/jobs").text


@pytest.mark.parametrize(
    ("status", "message"), [("running", jobs.LOST), ("queued", jobs.NEVER_STARTED)], ids=["running", "queued"]
)
def test_a_job_silent_for_longer_than_the_timeout_is_marked_failed(app, client, sign_in_as, status, message):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    long_ago = utc_now() - timedelta(seconds=app.config["JOB_TIMEOUT"] + 60)
    job = _queued_job(officer, status=status, created_at=long_ago, heartbeat_at=long_ago, active_key="k")
    page = client.page(f"/staff/jobs/{job.id}")
    assert page.title.text.startswith("Failed")
    assert message in page.select_one("#job-error").text and "Nothing was saved." in message
    job = _job(f"/staff/jobs/{job.id}")
    assert job.status == "failed" and job.active_key is None  # the same export can be asked for again


def test_a_job_whose_queue_cannot_be_reached_fails_with_a_message(app, client, sign_in_as, monkeypatch):
    make_group("Unqueued One")
    make_group("Unqueued Two")
    sign_in_as(roles.VIEWER)
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 1)
    monkeypatch.setitem(app.config, "JOB_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    response = client.get("/staff/groups/export.csv")
    assert response.status_code == 302
    page = client.page(response.location)
    assert jobs.NOT_QUEUED in page.select_one("#job-error").text


def test_only_the_person_who_asked_and_admins_see_a_job_and_its_file(
    app, client, sign_in_as, make_user, finish_job, small_threshold
):
    for number in range(3):
        make_contact(make_group(f"Private Group {number}"), name=f"Private Person {number}")
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    job_url = client.get("/staff/groups/export.csv").location
    download = finish_job(job_url).select_one("a[href$='/download']")["href"]
    assert "Private Person 1" in client.get(download).text

    for role, status in ((roles.ENGAGEMENT_OFFICER, 404), (roles.ADMIN, 200)):
        other = app.test_client()
        user = make_user(role=role)
        other.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD})
        assert other.get(job_url).status_code == status
        assert other.get(download).status_code == status
        assert (job_url in other.get("/staff/jobs").text) is False  # the list is one's own jobs

    # The file holds contacts' details: once its owner may no longer see them, nor may they download it.
    officer = db.session.get(type(officer), officer.id)
    officer.role = roles.POLICY_LEAD
    db.session.commit()
    assert client.get(job_url).status_code == 200
    assert client.get(download).status_code == 404


def test_the_worker_command_needs_a_queue(app, no_queue):
    result = app.test_cli_runner().invoke(args=["crm", "worker", "--burst"])
    assert result.exit_code != 0 and "Set REDIS_URL" in result.output
