"""The group picker with a keyboard: accessible-autocomplete over /staff/pick/groups, axe clean."""

from playwright.sync_api import expect

from crm.auth import roles
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_group


def test_an_officer_picks_a_group_with_the_keyboard(page, make_user):
    group = make_group("Walsall Deaf Forum")
    make_group("Dudley Youth Panel")
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/feedback/new")
    assert_accessible(page)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("What was said").fill("Please run buses after 9pm")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    field = page.get_by_role("combobox", name="Group (optional)")
    field.press_sequentially("deaf for", delay=50)
    expect(page.get_by_role("option", name="Walsall Deaf Forum")).to_be_visible()
    assert_accessible(page)
    field.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Walsall Deaf Forum")
    page.get_by_role("button", name="Save feedback").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Feedback saved")
    assert db.session.scalar(db.select(Feedback.group_id)) == group.id
