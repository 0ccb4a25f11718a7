"""A big import as a background job, followed to the end in a browser with JavaScript turned off."""

import re
import time

import openpyxl
import pytest
import rq
from playwright.sync_api import expect
from sqlalchemy import func, select

from crm.auth import roles
from crm.core import jobs
from crm.core.models import Job
from crm.extensions import db
from crm.groups.models import CommunityGroup
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

ROWS = 5_000


def _workbook(path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Groups")
    sheet.append(["name", "kind", "areas", "characteristics", "contact_name", "contact_email"])
    for n in range(ROWS):
        sheet.append(
            [f"Workbook Group {n:04d}", "vcse", "Walsall; Dudley", "Age", f"Person {n}", f"p{n}@example.org"]
        )
    workbook.save(path)


@pytest.fixture
def no_script_page(browser, live_server):
    """A page in a browser with JavaScript turned off. axe-core needs JavaScript, so each page is also
    checked in a second context that shares the first one's cookies (so its session) and loads the same
    address: the same page, as the server sent it."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()

    def check(page) -> None:
        checker = browser.new_context(base_url=live_server, storage_state=context.storage_state())
        try:
            copy = checker.new_page()
            copy.goto(page.url)
            assert_accessible(copy)
        finally:
            checker.close()

    yield page, check
    context.close()


def test_a_workbook_of_5000_groups_is_imported_as_a_job_followed_without_javascript(
    app, no_script_page, make_user, _job_worker, tmp_path
):
    if not jobs.queue_url(app):
        pytest.skip("needs REDIS_URL: the job is to run on a real RQ worker, as in production")
    page, check_accessible = no_script_page
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    workbook = tmp_path / "groups.xlsx"
    _workbook(workbook)

    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/groups/import")
    check_accessible(page)
    page.get_by_label("Spreadsheet file").set_input_files(str(workbook))
    # Every row is checked against the register while the page waits: about 15 s on a quiet two-core
    # machine, twice that with the rest of the suite beside it, so Playwright's 30 s default is too tight.
    page.get_by_role("button", name="Check the file").click(timeout=120_000)
    expect(page.locator("h1")).to_have_text("Check the import", timeout=120_000)
    check_accessible(page)
    page.get_by_role("button", name=f"Import {ROWS} rows").click()

    expect(page).to_have_url(re.compile(r"/staff/jobs/\d+$"))
    first = page.locator("#job-status").get_attribute("data-job-status")
    assert first in ("queued", "running"), "5,000 rows are not imported before the page comes back"
    check_accessible(page)
    seen = []
    deadline = time.monotonic() + 120
    while page.locator("#job-status").get_attribute("data-job-status") not in ("done", "failed"):
        seen.append(page.title())
        assert time.monotonic() < deadline, f"the import did not finish; its page said {seen[-3:]}"
        time.sleep(0.5)
        page.get_by_role("button", name="Check progress").click()  # a plain form: no script needed
    check_accessible(page)
    expect(page).to_have_title(re.compile("^Finished – Import of groups.xlsx"))
    added = page.locator("#job-status .govuk-summary-list__row", has_text="Groups added")
    expect(added).to_contain_text("5,000")
    page.get_by_role("link", name="Go to the groups").click()
    expect(page.get_by_role("status")).to_contain_text(f"{ROWS:,} groups")

    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == "done" and job.progress_done == ROWS
    ran_on = rq.job.Job.fetch(job.queue_ref, connection=jobs.redis_connection(app))
    assert ran_on.get_status() == rq.job.JobStatus.FINISHED  # run by the worker, not by the request
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == ROWS
