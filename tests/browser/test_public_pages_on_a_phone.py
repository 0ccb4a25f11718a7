"""Every public page at a phone's width as well as a desktop's: axe-core (WCAG 2.2 AA, whose target-size
rule 2.5.8 failed on the footer links of every public page at phone width), and a description for search."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.consultation_factories import make_consultation

PUBLIC_PAGES = [
    "/",
    "/outcomes",
    "/groups/register",
    "/accessibility",
    "/privacy",
    "/contact",
    "/contact/data-request",
    "/staff/sign-in",
]


@pytest.mark.parametrize("phone", [True], indirect=True)
def test_public_pages_pass_axe_at_a_phone_width_and_describe_themselves(page):
    consultation = make_consultation(title="Evening buses on the phone")
    for url in [
        *PUBLIC_PAGES,
        f"/consultations/{consultation.slug}",
        f"/consultations/{consultation.slug}/respond",
    ]:
        page.goto(url)
        assert page.viewport_size["width"] == 400
        assert_accessible(page)
        description = page.locator('meta[name="description"]').get_attribute("content")
        assert description and len(description) > 40, url
    page.get_by_role("button", name="Send my response").click()  # the form with its errors, on a phone
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    expect(page.locator("footer a").first).to_be_visible()
    # each footer link is at least 24 by 24 CSS pixels (WCAG 2.2 2.5.8, target size minimum)
    for box in [link.bounding_box() for link in page.locator("footer a").all()]:
        assert box["height"] >= 24 and box["width"] >= 24, box
