import re

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

PUBLIC_PAGES = ["/", "/accessibility", "/privacy", "/staff/sign-in", "/no-such-page"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_accessibility_problems(page, path):
    page.goto(path)
    assert "Community Voice" in page.title()
    assert page.evaluate(
        "document.body.classList.contains('govuk-frontend-supported')"
    )  # our JS ran under CSP
    assert_accessible(page)


def test_sign_in_errors_are_summarised_and_linked_to_the_fields(page):
    page.goto("/staff/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend's script moved focus to the summary
    summary.get_by_role("link", name="Enter your email address").click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert_accessible(page)


def _staff_pages_from_navigation(page) -> list[str]:
    links = page.locator(".govuk-service-navigation a").evaluate_all("links => links.map(a => a.pathname)")
    admin_links = []
    if "/staff/admin" in links:
        page.goto("/staff/admin")
        admin_links = page.locator("main a.govuk-link").evaluate_all("links => links.map(a => a.pathname)")
    return list(dict.fromkeys(links + admin_links))


@pytest.mark.parametrize("role", roles.ALL)
def test_each_role_signs_in_and_every_page_in_its_navigation_is_accessible(page, make_user, role):
    user = make_user(role=role)
    sign_in(page, user.email, PASSWORD)
    assert user.name in page.locator("main").inner_text() or user.name in page.content()
    pages = _staff_pages_from_navigation(page)
    assert "/staff/" in pages
    assert ("/staff/admin" in pages) == (role == roles.ADMIN)
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)


def test_a_viewer_is_refused_the_admin_pages(page, make_user):
    user = make_user(role=roles.VIEWER)
    sign_in(page, user.email, PASSWORD)
    response = page.goto("/staff/admin/users")
    assert response.status == 403
    assert "You do not have permission" in page.locator("h1").inner_text()
    assert_accessible(page)


def test_admin_creates_an_account_with_an_error_then_fixes_it(page, make_user):
    admin = make_user(role=roles.ADMIN)
    sign_in(page, admin.email, PASSWORD)
    page.goto("/staff/admin/users/new")
    assert_accessible(page)
    page.get_by_label("Email address").fill("new.starter@example.org")
    page.get_by_label("Full name").fill("New Starter")
    page.get_by_label("Equality lead").check()
    page.get_by_role("textbox", name="Temporary password").fill("password1234")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert (
        page.get_by_label("Email address").input_value() == "new.starter@example.org"
    )  # nothing typed is lost
    assert_accessible(page)
    page.get_by_role("textbox", name="Temporary password").fill("orange-kettle-harbour-mist")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Account created for New Starter")
    assert_accessible(page)


def test_sign_out_from_the_staff_bar(page, make_user):
    user = make_user(role=roles.POLICY_LEAD)
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    assert_accessible(page)
