"""An admin imports a Census table: a bad file is refused with its problems listed, the corrected one is
listed with its source. With JavaScript off too: the form is plain HTML."""

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from tests.baseline_files import DUDLEY, WALSALL, ons_file, sex_counts
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_an_admin_imports_a_baseline_and_sees_it_listed(page, make_user, tmp_path, javascript):
    admin = make_user(role=roles.ADMIN)
    sign_in(page, admin.email, PASSWORD)
    bad = tmp_path / "census2021-ts008-ltla.csv"
    bad.write_bytes(ons_file("TS008", {WALSALL: sex_counts(female=-3, total=90)}))
    good = tmp_path / "census2021-ts008-ltla-fixed.csv"
    good.write_bytes(ons_file("TS008", {WALSALL: sex_counts(510, 490), DUDLEY: sex_counts(20, 30)}))

    page.goto("/staff/admin")
    page.get_by_role("link", name="Population baselines (Census 2021)").click()
    expect(page.get_by_role("heading", name="Population baselines", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Census 2021 table (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Import the table").click()
    expect(page).to_have_title("Error: Population baselines – Community Voice")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was imported")
    expect(page.get_by_role("table", name="Problems, row by row")).to_contain_text("The count -3 is negative")
    assert_accessible(page)

    page.get_by_label("Census 2021 table (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Import the table").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Imported TS008 (Sex)")
    rows = page.get_by_role("table", name="Imported tables by area").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("census2021-ts008-ltla-fixed.csv")
    assert_accessible(page)

    page.get_by_role("link", name="See and change how census categories map").click()
    expect(page.get_by_role("heading", name="Census category mapping")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change the mapping of TS008").click()
    page.get_by_role("button", name="Add the category").click()
    expect(page).to_have_title("Error: Change the mapping of TS008 – Community Voice")
    expect(page.locator("#label-error")).to_contain_text("Enter the census category")
    assert_accessible(page)
