import re

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_contact, make_group


def test_officer_searches_opens_a_group_and_edits_it(page, make_user):
    group = make_group("Walsall Deaf Forum", areas=("Walsall",), characteristics=("Disability",))
    make_contact(group, name="Dee Signer")
    make_group("Dudley Youth Panel", areas=("Dudley",), characteristics=("Age",))
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Groups", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Disability").check()
    page.get_by_role("checkbox", name="Walsall").check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_role("status")).to_contain_text("1 group matches these filters")
    assert_accessible(page)
    page.get_by_role("link", name="Walsall Deaf Forum").click()
    expect(page.locator("h1")).to_have_text("Walsall Deaf Forum")
    expect(page.locator("main")).to_contain_text("Dee Signer")
    assert_accessible(page)
    page.get_by_role("button", name="Edit group").click()
    assert_accessible(page)
    page.get_by_label("Group name").fill("")
    page.get_by_role("button", name="Save group").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Group name").fill("Walsall Deaf and Hard of Hearing Forum")
    page.get_by_role("button", name="Save group").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Changes saved")
    expect(page.locator("h1")).to_have_text("Walsall Deaf and Hard of Hearing Forum")


def test_import_with_errors_then_fixed_then_imported(page, make_user, tmp_path):
    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/groups/import")
    assert_accessible(page)
    broken = tmp_path / "groups.csv"
    broken.write_text("name,kind,areas\nWednesbury Walkers,vcse,Atlantis\n", encoding="utf-8")
    page.get_by_label("Spreadsheet file").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_have_text("Fix 1 row before importing")
    expect(page.locator("main table")).to_contain_text("Unknown areas: Atlantis")
    assert_accessible(page)
    page.get_by_role("link", name="upload it again").click()
    broken.write_text("name,kind,areas\nWednesbury Walkers,vcse,Sandwell\n", encoding="utf-8")
    page.get_by_label("Spreadsheet file").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_have_text("Check the import")
    assert_accessible(page)
    page.get_by_role("button", name="Import 1 row").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 group added")
    expect(page.get_by_role("link", name="Wednesbury Walkers")).to_be_visible()


@pytest.mark.parametrize("phone", [False, True], indirect=True)
def test_a_group_registers_itself_with_the_keyboard(page):
    page.goto("/groups/register")
    assert_accessible(page)
    page.get_by_role("button", name="Register group").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Name of your group").fill("Darlaston Chess for All")
    page.get_by_label("What does your group do?").fill("Chess club for disabled and non-disabled players")
    page.get_by_role("checkbox", name="Walsall").focus()
    page.keyboard.press("Space")
    page.get_by_role("checkbox", name="Disability").check()
    page.get_by_label("Your full name").fill("Cas Player")
    page.get_by_label("Your email address").fill("cas@example.org")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Register group").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your group is registered")
    assert_accessible(page)


def test_dashboard_coverage_and_contacts_pages_are_accessible(page, make_user):
    make_group("Walsall Deaf Forum")
    admin = make_user(role=roles.ADMIN)
    sign_in(page, admin.email, PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Disability groups in Walsall")).click()
    expect(page.get_by_role("link", name="Walsall Deaf Forum")).to_be_visible()
    page.goto("/staff/contacts")
    assert_accessible(page)
    page.goto("/staff/groups/mailing-list")
    assert_accessible(page)
