"""Pickers with a keyboard: accessible-autocomplete over /staff/pick/<kind>, axe clean."""

from datetime import timedelta

from playwright.sync_api import expect

from crm.auth import roles
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.browser.conftest import assert_accessible, sign_in, take_first_option, type_into_picker
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
    type_into_picker(page, field, "deaf for", "Walsall Deaf Forum")
    assert_accessible(page)
    take_first_option(page, field, "Walsall Deaf Forum")
    page.get_by_role("button", name="Save feedback").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Feedback saved")
    assert db.session.scalar(db.select(Feedback.group_id)) == group.id


def test_an_officer_links_an_event_and_a_policy_with_the_keyboard(page, make_user):
    """The event picker fills the field with the event's title and day (titles repeat); the policy picker
    with its reference and title; both are taken as they are."""
    from crm.core.time import govuk_date
    from tests.consultation_factories import make_consultation
    from tests.policy_factories import make_event, make_feedback, make_policy

    event = make_event(title="Skills Street at Bloxwich market")
    make_event(title="Skills Street at Bloxwich market", starts_at=event.starts_at - timedelta(days=7))
    policy = make_policy("BUS-9", "Evening bus network")
    consultation = make_consultation(title="Night buses survey")
    item = make_feedback("Buses stop too early")
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/staff/feedback/{item.id}/correct")
    label = f"Skills Street at Bloxwich market, {govuk_date(event.starts_at)}"
    field = page.get_by_role("combobox", name="Event")
    type_into_picker(page, field, "skills str", label)
    assert_accessible(page)
    take_first_option(page, field, label)
    consultation_field = page.get_by_role("combobox", name="Consultation")
    type_into_picker(page, consultation_field, "night bus", "Night buses survey")
    take_first_option(page, consultation_field, "Night buses survey")
    policy_field = page.get_by_role("combobox", name="Add a policy (optional)")
    type_into_picker(page, policy_field, "bus-9", "BUS-9 Evening bus network")
    take_first_option(page, policy_field, "BUS-9 Evening bus network")
    page.get_by_role("button", name="Save corrections").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Corrections saved")
    db.session.expire_all()
    saved = db.session.get(Feedback, item.id)
    assert (saved.event_id, saved.consultation_id) == (event.id, consultation.id)
    assert [p.id for p in saved.policies] == [policy.id]
    page.goto(f"/staff/feedback/{item.id}/correct")
    expect(page.get_by_role("checkbox", name="BUS-9 Evening bus network")).to_be_checked()
    assert_accessible(page)
