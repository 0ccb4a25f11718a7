"""An admin reads the audit log: filters it with a plain GET form, sees a bad date explained next to its
box, and takes the filtered events away as CSV, which is itself on record."""

import csv
import io

from playwright.sync_api import expect
from sqlalchemy import select

from crm.auth import roles
from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


def test_an_admin_filters_the_audit_log_and_exports_it(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER, name="Olive Officer")
    admin = make_user(role=roles.ADMIN)
    audit.record(officer, "auth.signed_in", officer)  # what the admin will look for
    db.session.commit()
    sign_in(page, admin.email, PASSWORD)

    page.goto("/staff/admin")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Person").select_option(label="Olive Officer")
    page.get_by_label("Action").select_option("auth.signed_in")
    page.get_by_label("From").fill("32/13/2026")
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page).to_have_title("Error: Audit log – Community Voice")
    expect(page.locator("#date_from-error")).to_contain_text("Start date must be a real date")
    assert_accessible(page)

    page.get_by_label("From").fill("")
    page.get_by_role("button", name="Apply filters").first.click()
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(officer.email)
    expect(rows.first).to_contain_text("auth.signed_in")
    assert_accessible(page)

    link = page.get_by_role("link", name="Download these events (CSV)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert [line[1:3] for line in lines[1:]] == [[officer.email, "auth.signed_in"]]
    db.session.rollback()  # read what the server committed
    export = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported_csv"))
    assert export.actor_id == admin.id and export.changed_fields == ["action", "actor"]
