"""Issue 15 part 3: an officer records how an event met the co-production principles and reads the
co-production report, with JavaScript off, and axe finds nothing."""

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.policy_factories import make_event


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_an_officer_records_the_principles_and_reads_the_report(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    event = make_event(title="Skills Street at Bloxwich", coproduction_level="involve")
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/staff/events/{event.id}")
    page.get_by_role("link", name="Record how the event met the principles").click()
    expect(page.locator("h1")).to_have_text("How it met the co-production principles")
    assert_accessible(page)

    shared = page.get_by_role("group", name="Shared power")
    shared.get_by_label("Not met").check()
    page.get_by_label("Note on ‘Shared power’ (optional)").fill("The options were set before we arrived.")
    page.get_by_role("group", name="Reciprocity").get_by_label("Partly met").check()
    page.get_by_label("Note on ‘Reciprocity’ (optional)").fill("x" * 2001)
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The note must be 2000 characters or fewer")
    assert_accessible(page)
    expect(page.get_by_label("Note on ‘Shared power’ (optional)")).to_have_value(
        "The options were set before we arrived."
    )
    page.get_by_label("Note on ‘Reciprocity’ (optional)").fill("Vouchers ran out.")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved.")).to_be_visible()
    expect(page.locator("#principles + .govuk-summary-list")).to_contain_text("Not met")
    assert_accessible(page)

    page.goto("/staff/reports")
    page.get_by_role("link", name="Co-production", exact=True).click()
    expect(page.get_by_role("img", name="Principles most often not met")).to_be_visible()
    expect(page.locator("table#principles tbody tr").first).to_contain_text("Shared power")
    expect(page.locator("table#levels-by-quarter")).to_contain_text("All quarters")
    assert_accessible(page)
