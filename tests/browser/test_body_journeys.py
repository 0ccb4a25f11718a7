"""A Young Combined Authority recommendation, from the meeting where it was made to the authority's published
response and the policy it changed, shown on the body's public register."""

from datetime import date

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.bodies import service
from crm.core import audit
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.policy_factories import make_event, make_policy


def _fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_a_youth_assembly_recommendation_is_answered_published_and_changes_a_policy(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER, name="Olu Officer")
    lead = make_user(role=roles.POLICY_LEAD, name="Priya Lead")
    policy = make_policy("BUS-9", "Evening bus network", owner_id=lead.id)
    body = service.create_body(
        audit.SYSTEM,
        name="Young Combined Authority",
        slug="young-combined-authority",
        kind="youth_assembly",
        remit="Young people's voice on the authority's policies",
        has_public_register=True,
        policy_ids=[policy.id],
    )
    db.session.commit()
    meeting = make_event([policy], title="Youth assembly spring sitting", kind="commission_meeting")
    meeting_name = f"{meeting.title}, {meeting.starts_at.day} {meeting.starts_at:%B %Y}"

    # The officer adds the sitting to the body's meetings and records what it recommended.
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Bodies").click()
    page.get_by_role("link", name="Young Combined Authority").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a meeting").click()
    page.get_by_label("Meeting").fill(meeting_name)
    page.get_by_role("button", name="Add meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added to Young Combined Authority")
    page.get_by_role("button", name="Record a recommendation").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Free evening travel for care leavers")
    page.get_by_label("The recommendation").fill("Care leavers under 25 should travel free after 7pm.")
    page.get_by_label("Meeting or event it came from (optional)").fill(meeting_name)
    _fill_date(page, "Date made", date.today())
    page.get_by_label("Owner of the authority's response").select_option(label="Priya Lead")
    expect(page.get_by_role("checkbox", name="BUS-9 Evening bus network")).to_be_checked()
    page.get_by_role("button", name="Save recommendation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The authority's response is due by")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The policy lead who owns it answers, publishes the answer and records what changed.
    sign_in(page, lead.email, PASSWORD)
    page.goto("/staff/bodies/recommendations?owner=me")
    assert_accessible(page)
    page.get_by_role("link", name="Free evening travel for care leavers").click()
    page.get_by_role("button", name="Record the response").click()
    assert_accessible(page)
    page.get_by_label("Accepted", exact=True).check()
    _fill_date(page, "Date of the response", date.today())
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response saved")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response published")
    page.get_by_role("button", name="Record progress").click()
    page.get_by_label("Done").check()
    page.get_by_label("Evidence").fill("BUS-9 now gives care leavers free travel after 7pm")
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Progress saved")
    assert_accessible(page)
    page.goto(f"/staff/policies/{policy.id}")
    expect(page.locator("#recommendations + ul")).to_contain_text("Free evening travel for care leavers")
    expect(page.locator("#recommendations + ul")).to_contain_text("accepted")
    page.get_by_role("button", name="Sign out").click()

    # The body's chair sees, on one public page, what it recommended and what the authority did.
    page.goto(f"/bodies/{body.slug}")
    expect(page.locator("h1")).to_have_text("Young Combined Authority")
    expect(page.locator("main")).to_contain_text("Our response: accepted")
    expect(page.locator("main")).to_contain_text("Carrying it out: done")
    expect(page.locator("main")).to_contain_text("BUS-9 now gives care leavers free travel after 7pm")
    assert_accessible(page)
