import re

from playwright.sync_api import expect

from crm.auth import roles
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


def _tab_to(page, locator, limit=200):
    """Press Tab until `locator` has focus: the keyboard is the only way in."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with the keyboard")


def test_build_open_answer_by_keyboard_and_read_the_summaries(page, make_user):
    page.set_default_timeout(10000)
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/consultations")
    assert_accessible(page)
    page.get_by_role("button", name="Create a consultation").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Evening buses in Walsall")
    page.get_by_label("Web address").fill("walsall-evening-buses")
    page.get_by_label("Summary").fill("Should buses run later?")
    page.get_by_role("button", name="Save consultation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Consultation created")
    assert_accessible(page)

    page.get_by_role("button", name="Add a question").click()
    expect(page.locator("h1")).to_have_text("Add a question")  # the form, not the page being left
    assert_accessible(page)
    page.get_by_label("Question", exact=True).fill("What would make evening buses better?")
    page.get_by_role("radio", name="Free text").check()
    page.get_by_label("People must answer this question").check()
    page.get_by_label("Character limit (free text only)").fill("200")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question added")
    page.get_by_role("button", name="Add a question").click()
    expect(page.locator("h1")).to_have_text("Add a question")  # the form, not the page being left
    page.get_by_label("Question", exact=True).fill("How often would you use them?")
    page.get_by_role("radio", name="Single choice").check()
    page.get_by_label("Options (single and multiple choice only)").fill("Every week\nNow and then\nNever")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question added")
    page.get_by_role("button", name="Move up question 2").click()
    expect(page.locator(".app-question-list h3").first).to_contain_text("How often")
    assert_accessible(page)

    # Set dates that have already started so that scheduling opens it straight away.
    page.get_by_role("button", name="Edit details").click()
    page.locator("#opens_on-day").fill("1")
    page.locator("#opens_on-month").fill("1")
    page.locator("#opens_on-year").fill("2026")
    page.get_by_label("Opening time").fill("9am")
    page.locator("#closes_on-day").fill("31")
    page.locator("#closes_on-month").fill("12")
    page.locator("#closes_on-year").fill("2099")
    page.get_by_label("Closing time").fill("11:59pm")
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now open")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # A member of the public, keyboard only.
    page.goto("/")
    assert_accessible(page)
    link = page.get_by_role("link", name="Evening buses in Walsall")
    _tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Evening buses in Walsall")
    assert_accessible(page)
    start = page.get_by_role("button", name="Respond to this consultation")
    _tab_to(page, start)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Have your say")
    assert_accessible(page)

    # Send it empty first: the error summary takes focus and links to the questions.
    send = page.get_by_role("button", name="Send my response")
    _tab_to(page, send)
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    individual = page.get_by_label("As an individual")
    _tab_to(page, individual)
    page.keyboard.press("Space")
    weekly = page.get_by_label("Every week")
    _tab_to(page, weekly)
    page.keyboard.press("Space")
    answer = page.get_by_label(re.compile("What would make evening buses better"))
    _tab_to(page, answer)
    page.keyboard.type("Buses after 10pm so I can get home from my shift.")
    sex = page.get_by_role("group", name="What is your sex?")
    _tab_to(page, sex.get_by_label("Female"))  # Tab enters a radio group at its first option
    page.keyboard.press("ArrowUp")  # and the arrow keys move round it, choosing as they go
    expect(sex.get_by_label("Prefer not to say")).to_be_checked()
    consent = page.get_by_label(re.compile("I have read the privacy notice"))
    _tab_to(page, consent)
    page.keyboard.press("Space")
    _tab_to(page, send)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-panel__title")).to_have_text("Response received")
    reference = page.locator("#receipt-reference").inner_text()
    assert re.fullmatch(r"CV-\w{4}-\w{4}", reference)
    assert_accessible(page)

    # Back to the officer, to read the summaries.
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/consultations")
    page.get_by_role("link", name="Evening buses in Walsall").click()
    page.get_by_role("link", name="Responses (1)").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    assert_accessible(page)
    page.goto(page.url.split("/responses")[0] + "/summary")
    expect(page.locator("main")).to_contain_text("From 1 response")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Read the 1 answers")).click()
    expect(page.locator("main")).to_contain_text("Buses after 10pm")
    assert_accessible(page)


def test_the_equality_lead_reads_suppressed_monitoring(page, make_user):
    from tests.consultation_factories import make_consultation, respond

    consultation = make_consultation(title="Monitoring journey")
    for number in range(12):  # fewer than 10 people would show no breakdown at all
        respond(consultation, monitoring_answers={"sex": "male" if number < 3 else "female"})
    lead = make_user(role=roles.EQUALITY_LEAD)
    sign_in(page, lead.email, PASSWORD)
    page.goto(f"/staff/consultations/{consultation.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Equality monitoring (totals only)").click()
    expect(page.locator("main")).to_contain_text("fewer than 5")
    assert_accessible(page)
