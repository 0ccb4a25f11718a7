"""Issue 13's daily work, keyboard only, with JavaScript on and off: an officer logs five fully coded
comments at a street outreach event in five submissions, corrects one and marks one a duplicate."""

import re

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_event, make_group


def _type_into(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(text)


def _tick(page, name: str, role: str = "checkbox") -> None:
    box = page.get_by_role(role, name=name, exact=True)
    box.focus()
    page.keyboard.press("Space")


@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_capture_five_fully_coded_comments_then_correct_one_and_mark_a_duplicate(page, make_user):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    group = make_group("Fictional Darlaston Deaf Club")
    event = make_event("Skills Street at Darlaston market", kind="street_outreach", group_ids=[group.id])
    db.session.commit()  # the browser's server reads through its own session
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/staff/events/{event.id}")
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
        page.get_by_role("button", name="Save and add another").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved. Type the next one.")
    expect(page.get_by_role("heading", name="Feedback from this event (5)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Darlaston comment 0")).click()
    expect(page.locator("main")).to_contain_text("Jobs and skills, Transport and travel")
    first_url = page.url
    page.get_by_role("button", name="Correct this feedback").click()
    assert_accessible(page)
    box = page.get_by_label("What was said", exact=True)
    box.fill("Darlaston comment 0: the evening course clashes with school pick-up")
    page.get_by_role("button", name="Save corrections").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Corrections saved")
    expect(page.locator("main")).to_contain_text("As first captured")
    assert_accessible(page)
    first_id = first_url.rstrip("/").rsplit("/", 1)[1]

    page.goto(f"/staff/events/{event.id}")
    page.get_by_role("link", name=re.compile("Darlaston comment 1")).click()
    page.get_by_label("It repeats feedback number").fill(f"FB-{first_id}")
    page.get_by_role("button", name="Mark as a duplicate").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Marked as a duplicate of FB-{first_id}"
    )
    expect(page.locator("main")).to_contain_text("This feedback counts nowhere")
    assert_accessible(page)
