"""From a gap in a policy's evidence pack to an outreach task, with JavaScript off, and the task closing when
an event whose feedback answers the gap is logged against it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.evidence.service import uk_today
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_group
from tests.policy_factories import make_event, make_feedback, make_policy


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_an_officer_plans_outreach_from_a_gap_and_the_evidence_closes_it(page, make_user, javascript):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER, name="Olu Officer")
    policy = make_policy("BUS-2028", "Night bus safety")
    make_group("Walsall Women's Network", areas=("Walsall",), characteristics=("Sex",))
    make_group("Walsall Elders", areas=("Walsall",), characteristics=("Age",))
    event = make_event([policy], title="Women's safety walk")
    make_feedback("Unlit stops feel unsafe", event=event, source="event", characteristics=["Sex"])

    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/staff/policies/{policy.id}/evidence")
    assert_accessible(page)
    page.get_by_role("link", name="Plan outreach for Sex", exact=True).click()
    expect(page.locator("h1")).to_have_text("Plan outreach")
    assert_accessible(page)
    page.get_by_label("Area (optional)").select_option(label="Walsall")
    due = uk_today() + timedelta(days=21)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_label("Notes (optional)").fill("Ask at the women's network coffee morning")
    page.get_by_role("button", name="Plan outreach").click()

    expect(page.locator("h1")).to_have_text("Outreach: Sex in Walsall")
    expect(page.locator("#suggested-groups")).to_contain_text("Walsall Women's Network")
    expect(page.locator("#suggested-groups")).not_to_contain_text("Walsall Elders")
    expect(page.locator("#task-summary")).to_contain_text("Open")
    assert_accessible(page)

    page.get_by_label("Event").fill("Women's safety walk")
    page.get_by_role("button", name="Log this event against the task").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the task is closed")
    expect(page.locator("#task-summary")).to_contain_text("Answered by feedback from")
    assert_accessible(page)

    page.get_by_role("link", name="BUS-2028 evidence pack").click()
    expect(page.locator("#coverage-table")).not_to_contain_text("Outreach planned")
