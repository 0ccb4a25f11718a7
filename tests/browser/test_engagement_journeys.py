import re

from playwright.sync_api import expect

from crm.auth import roles
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


def test_log_an_event_capture_five_notes_then_find_and_code_them(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Events", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Log an event").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Skills Street at Darlaston market")
    page.get_by_label("Street outreach").check()
    date = page.locator("#starts_on")
    date.get_by_label("Day").fill("12")
    date.get_by_label("Month").fill("11")
    date.get_by_label("Year").fill("2026")
    page.get_by_label("Start time").fill("10am")
    page.get_by_label("End time").fill("9am")
    page.get_by_role("button", name="Save event").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The event must end after it starts")
    assert_accessible(page)
    page.get_by_label("End time").fill("1pm")
    page.get_by_label("Area").select_option(label="Walsall")
    page.get_by_role("button", name="Save event").click()
    expect(page.locator("h1")).to_have_text("Skills Street at Darlaston market")
    assert_accessible(page)

    notes = [f"Darlaston shopper {n}: evening courses clash with school pick-up" for n in range(5)]
    for saved, note in enumerate(notes, start=1):
        # The page's script runs on load; a click before it has would be lost on a loaded machine.
        page.wait_for_load_state("load")
        box = page.get_by_label("What was said")
        box.fill(note)
        page.get_by_role("button", name="Save and add another").click()
        # The count, not the banner, shows the new page has come: every page after a save has the same banner.
        expect(page.get_by_role("heading", name=f"Feedback from this event ({saved})")).to_be_visible()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved. Type the next one.")
    expect(page.get_by_role("heading", name="Feedback from this event (5)")).to_be_visible()
    expect(page.get_by_label("What was said")).to_be_focused()  # ready for the next note
    assert_accessible(page)

    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_label("Words in the feedback").fill("Darlaston pick-up")
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_role("status")).to_contain_text("5 items match these filters")
    assert_accessible(page)
    page.get_by_label("Select all").focus()  # MOJ multi-select adds this box
    page.keyboard.press("Space")
    expect(page.locator("input[name=feedback_id]:checked")).to_have_count(5)
    page.get_by_label("Code", exact=True).select_option("theme")
    page.get_by_label("Theme", exact=True).select_option(label="Jobs and skills")
    page.get_by_role("button", name="Apply code").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("5 items updated")
    page.get_by_label("Coded", exact=True).check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_role("status")).to_contain_text("5 items match these filters")
    assert_accessible(page)


def test_other_channels_and_the_codeframe_pages_are_accessible(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/feedback/new")
    assert_accessible(page)
    page.get_by_role("button", name="Save feedback").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Phone").check()
    page.get_by_label("What was said").fill("Caller asked for a large-print timetable")
    received = page.locator("#received_on")
    received.get_by_label("Day").fill("2")
    received.get_by_label("Month").fill("11")
    received.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save feedback").click()
    expect(page.locator("h1")).to_contain_text("Feedback")
    expect(page.locator(".app-quote")).to_have_text("Caller asked for a large-print timetable")
    assert_accessible(page)
    page.goto("/staff/feedback/themes")
    assert_accessible(page)
