"""Under `make run` nothing is emailed: an admin reads what the service would have sent from Admin, "Email
sent by the service", the page saying so plainly. Checked with axe, on a phone too, with and without
JavaScript."""

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.core import email
from crm.core.transaction import unit_of_work
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

LONG_LINK = "https://example.org/consultations/evening-buses?" + "token=" + "x" * 200


@pytest.mark.parametrize("phone", [False, True], indirect=True)
@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_an_admin_reads_the_mail_a_development_service_would_have_sent(page, make_user):
    with unit_of_work():
        email.send(
            "ann@example.org", "Have your say: Evening buses", f"Dear Ann,\n\nTell us.\n\n{LONG_LINK}\n"
        )
    admin = make_user(role=roles.ADMIN)
    sign_in(page, admin.email, PASSWORD)
    page.goto("/staff/admin")
    page.get_by_role("main").get_by_role("link", name="Email sent by the service").click()
    expect(page.get_by_role("heading", name="Email sent by the service")).to_be_visible()
    expect(page.locator("#not-sending")).to_contain_text("This environment does not send email")
    assert_accessible(page)
    page.get_by_role("link", name="Have your say: Evening buses").click()
    expect(page.get_by_role("heading", name="Have your say: Evening buses")).to_be_visible()
    expect(page.locator("#message-body")).to_contain_text("Dear Ann,")
    # The long link wraps within the screen rather than making the page scroll sideways (WCAG reflow).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
