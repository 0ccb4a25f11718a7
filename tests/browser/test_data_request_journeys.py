"""A resident withdraws their response: they find how from the site, file the request on the public form,
confirm it from the emailed link, and an admin completes it. Afterwards the response counts nowhere and its
equality monitoring answers are gone. Every page is checked with axe."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from crm.auth import roles
from crm.consultations.models import MonitoringAnswer, MonitoringWaiting, Response
from crm.core.email import OutboundEmail
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.privacy.models import DataRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.consultation_factories import make_consultation, respond
from tests.factories import PASSWORD


def _monitoring() -> int:
    """Monitoring answers held, published or still waiting (sealed) for a batch."""
    return sum(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (MonitoringAnswer, MonitoringWaiting)
    )


@pytest.mark.parametrize("phone", [False, True], indirect=True)  # the resident may well be on a phone
def test_a_resident_withdraws_their_response_and_an_admin_completes_it(page, make_user):
    consultation = make_consultation("open")
    response = respond(
        consultation, name="Ria Resident", email="ria@example.org", monitoring_answers={"sex": "female"}
    )
    reference = response.reference
    assert _monitoring() >= 1

    page.goto("/")
    page.locator("footer").get_by_role("link", name="Contact us").click()
    expect(page.get_by_role("heading", name="Contact us")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="withdraw your response to a consultation").click()
    expect(page.get_by_label("Withdraw my response")).to_be_checked()
    assert_accessible(page)

    # A mistake first: the error is explained next to the box, and what was typed is kept.
    page.get_by_label("Receipt reference").fill("not a reference")
    page.get_by_label("Your email address").fill("ria@example.org")
    page.get_by_role("button", name="Send request").click()
    expect(page).to_have_title("Error: Make a request about your information – Community Voice")
    expect(page.locator("#reference-error")).to_contain_text("Enter the receipt reference as it was shown")
    expect(page.get_by_label("Your email address")).to_have_value("ria@example.org")
    assert_accessible(page)

    page.get_by_label("Receipt reference").fill(reference.lower())
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Request received")).to_be_visible()
    expect(
        page.get_by_text("If the receipt reference matches a response that gave an email address")
    ).to_be_visible()
    assert_accessible(page)

    db.session.rollback()  # read what the server committed
    body = db.session.scalar(select(OutboundEmail.body).where(OutboundEmail.to_address == "ria@example.org"))
    link = re.search(r"http://\S+/contact/confirm\?token=\S+", body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your request")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my request").click()
    expect(page.get_by_role("heading", name="Request confirmed")).to_be_visible()
    assert_accessible(page)
    page.goto(link)  # the link works once
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    assert_accessible(page)

    admin = make_user(role=roles.ADMIN)
    sign_in(page, admin.email, PASSWORD)
    page.goto("/staff/admin")  # on a phone the menu is folded away behind its button
    page.get_by_role("main").get_by_role("link", name="Data requests").click()
    expect(page.get_by_role("heading", name="Data requests")).to_be_visible()
    assert_accessible(page)
    request = db.session.scalar(select(DataRequest))
    page.get_by_role("link", name=request.reference).click()
    expect(page.get_by_text("Confirmed by email link")).to_be_visible()
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"Withdraw response {reference}").click()
    expect(page.get_by_text(f"Response {reference} withdrawn: it counts nowhere")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Completed").check()
    page.get_by_label("Note (optional)").fill("Told Ria by email that her response is withdrawn.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Request updated.")).to_be_visible()
    expect(page.get_by_text("Status changed to completed.")).to_be_visible()
    assert_accessible(page)

    db.session.rollback()
    withdrawn = db.session.get(Response, response.id)
    assert withdrawn.status == "withdrawn"
    assert set(db.session.scalars(select(Feedback.status).where(Feedback.response_id == response.id))) == {
        "excluded"
    }
    assert _monitoring() == 0
    assert db.session.scalar(select(DataRequest.status)) == "completed"

    page.goto("/staff/admin/audit")
    expect(page.locator("#audit-events").get_by_text("data_request.response_withdrawn")).to_be_visible()
    assert_accessible(page)
