"""Making an API token in a browser: the form, its error, then the one-time page, all accessible."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


def test_making_a_token_from_the_menu(page, make_user):
    user = make_user(role="policy_lead")
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your API tokens")
    assert_accessible(page)
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an API token")
    page.get_by_role("button", name="Create token").click()  # no name: refused, next to the field
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    assert_accessible(page)
    page.get_by_label("Token name").fill("My notebook")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Token created")
    assert page.get_by_label("Your token").input_value().startswith("cv_")
    assert_accessible(page)
    page.get_by_role("link", name="Back to your API tokens").click()
    expect(page.locator("main")).to_contain_text("My notebook")
