"""Issue 13's daily work, keyboard only, with JavaScript on and off: an officer logs a street outreach
event, captures five fully coded comments at it in five submissions, corrects one, marks one a duplicate
and links a group response to the register."""

import re

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.consultation_factories import make_consultation, respond
from tests.factories import PASSWORD, make_group


def _type_into(page, label: str, text: str) -> None:
    # Type only once the page has loaded: its scripts start up after the HTML is shown, and keys typed
    # before then can be lost.
    page.wait_for_load_state("load")
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(text)
    expect(field).to_have_value(text)


def _tick(page, name: str, role: str = "checkbox") -> None:
    box = page.get_by_role(role, name=name, exact=True)
    box.focus()
    page.keyboard.press("Space")


def _press(page, button: str) -> None:
    page.get_by_role("button", name=button).focus()
    page.keyboard.press("Enter")


def _log_the_event(page) -> None:
    page.get_by_role("link", name="Events", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Log an event").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/staff/events/new$"))
    assert_accessible(page)
    _type_into(page, "Title", "Skills Street at Darlaston market")
    _tick(page, "Street outreach", role="radio")
    date = page.locator("#starts_on")
    for part, value in (("Day", "12"), ("Month", "11"), ("Year", "2026")):
        date.get_by_label(part).focus()
        page.keyboard.type(value)
    _type_into(page, "Start time", "10am")
    _type_into(page, "End time", "1pm")
    _type_into(page, "Groups involved", "Fictional Darlaston Deaf Club")
    _press(page, "Save event")
    expect(page.locator("h1")).to_have_text("Skills Street at Darlaston market")


@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_capture_five_fully_coded_comments_then_correct_one_and_mark_a_duplicate(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    # A response on behalf of the club arrived before the club was on the register, so it is not linked.
    consultation = make_consultation(title="Evening courses in Walsall")
    group_response = respond(
        consultation, respondent_kind="group", group_name="Fictional Darlaston Deaf Club CIC"
    )
    make_group("Fictional Darlaston Deaf Club")
    db.session.commit()  # the browser's server reads through its own session
    sign_in(page, officer.email, PASSWORD)
    _log_the_event(page)
    event_url = page.url
    assert_accessible(page)
    for number in range(5):
        _type_into(
            page, "What was said", f"Darlaston comment {number}: the evening course clashes with pick-up"
        )
        _tick(page, "Disability")
        page.get_by_label("Group (optional)").select_option(label="Fictional Darlaston Deaf Club")
        _tick(page, "Jobs and skills")
        _tick(page, "Transport and travel")
        _tick(page, "Cost")
        _tick(page, "Oppose", role="radio")
        _press(page, "Save and add another")
        # The count, not the banner, shows the new page has come: every page after a save has the same banner.
        expect(page.get_by_role("heading", name=f"Feedback from this event ({number + 1})")).to_be_visible()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved. Type the next one.")
        expect(page.get_by_label("What was said", exact=True)).to_be_focused()
    expect(page.get_by_role("heading", name="Feedback from this event (5)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Darlaston comment 0")).click()
    expect(page.locator("main")).to_contain_text("Jobs and skills, Transport and travel")
    first_url = page.url
    page.get_by_role("button", name="Correct this feedback").click()
    assert_accessible(page)
    box = page.get_by_label("What was said", exact=True)
    box.fill("Darlaston comment 0: the evening course clashes with school pick-up")
    _press(page, "Save corrections")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Corrections saved")
    expect(page.locator("main")).to_contain_text("As first captured")
    assert_accessible(page)
    first_id = first_url.rstrip("/").rsplit("/", 1)[1]

    page.goto(event_url)
    page.get_by_role("link", name=re.compile("Darlaston comment 1")).click()
    page.get_by_label("It repeats feedback number").fill(f"FB-{first_id}")
    _press(page, "Mark as a duplicate")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Marked as a duplicate of FB-{first_id}"
    )
    expect(page.locator("main")).to_contain_text("This feedback counts nowhere")
    assert_accessible(page)

    page.goto("/staff/consultations/group-responses")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_contain_text("1 response not linked")
    _tick(page, f"Link to Fictional Darlaston Deaf Club ({group_response.reference})")
    _press(page, "Link the ticked responses")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Linked 1 response to the register")
    expect(page.get_by_role("status")).to_contain_text("0 responses not linked")
    assert_accessible(page)
