"""Issue 14: the reports open from the staff menu, with JavaScript on and off, and axe finds nothing."""

import re

import pytest
from playwright.sync_api import expect

from crm.auth import roles
from crm.eias.models import EIA
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.policy_factories import make_feedback, make_policy


@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_an_equality_lead_reads_each_portfolio_report(page, make_user):
    lead = make_user(role=roles.EQUALITY_LEAD)
    policy = make_policy("P-BUSES", delivery_area="Transport", is_key=True)
    db.session.add(EIA(policy_id=policy.id, version=1, status="draft"))
    make_feedback(characteristics=["Disability"], barriers=["Transport"], policies=[policy])
    db.session.commit()
    sign_in(page, lead.email, PASSWORD)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.locator("h1")).to_have_text("Reports")
    assert_accessible(page)

    page.get_by_role("link", name="EIA coverage").click()
    expect(page.get_by_role("img", name="Policies by the state of their EIA")).to_be_visible()
    page.get_by_label("Key strategies and policies only").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_contain_text("key strategies and policies")
    assert_accessible(page)

    page.goto("/staff/reports/barriers")
    page.get_by_label("Received from").fill("31/2/2026")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Start date must be a real date")
    assert_accessible(page)
    page.get_by_label("Received from").fill("")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="1 item: Transport, Disability").click()
    expect(page.get_by_role("status")).to_contain_text("1 item matches these filters")

    page.goto("/staff/reports/coverage")
    expect(page.get_by_role("region", name="Coverage by policy, scrollable")).to_contain_text("P-BUSES")
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_a_programme_report_reads_with_javascript_off(page, make_user):
    from crm.core import audit
    from crm.engagement.service import create_programme
    from tests.policy_factories import make_event

    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    programme = create_programme(
        audit.SYSTEM, name="Skills Street", description="Weekly", delivery_area_id=None
    )
    db.session.commit()
    event = make_event(title="Skills Street 1", kind="street_outreach", attendance=30, reach={"Age": 12})
    event.programme_id = programme.id
    db.session.commit()
    make_feedback(characteristics=["Age"], themes=["Jobs and skills"], event=event)
    sign_in(page, officer.email, PASSWORD)
    page.goto("/staff/reports")
    page.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Skills Street").click()
    expect(page.get_by_role("img", name="Activity mix: events by kind")).to_be_visible()
    expect(
        page.get_by_role("img", name="People reached by characteristic, all quarters (estimates)")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="1 item").click()
    expect(page.get_by_role("status")).to_contain_text("1 item matches these filters")
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], indirect=True)
def test_are_disabled_residents_of_sandwell_under_heard_about_transport(page, make_user):
    """The issue's question, answered from the reports alone by an equality lead."""
    from crm.core.models import Area
    from crm.reports.service import import_baseline
    from tests.baseline_files import ons_file
    from tests.consultation_factories import make_consultation, respond

    lead = make_user(role=roles.EQUALITY_LEAD)
    content = ons_file("TS008", {("Sandwell", "E08000028"): {"Female": 520, "Male": 480}})
    import_baseline(audit_system(), "census2021-ts008-ltla.csv", content)
    policy = make_policy("P-BUS", delivery_area="Transport")
    consultation = make_consultation(title="Evening buses in Sandwell")
    consultation.policies = [policy]
    consultation.areas = [db.session.query(Area).filter_by(name="Sandwell").one()]
    db.session.commit()
    for answer in ["female"] * 6 + ["male"] * 34:
        respond(consultation, monitoring_answers={"sex": answer})
    sign_in(page, lead.email, PASSWORD)
    page.goto("/staff/reports")
    page.get_by_role("link", name="Representation").click()
    assert_accessible(page)
    page.get_by_label("Delivery area (what the consultations were about)").select_option(label="Transport")
    page.get_by_label("Sandwell").check()
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator("main")).to_contain_text("1 consultation (not drafts) asked of Sandwell")
    female = page.get_by_role("row", name=re.compile("^Female Under-represented"))
    expect(female).to_contain_text("15%")  # 6 of 40, against 52% of Sandwell
    assert_accessible(page)


def audit_system():
    from crm.core import audit

    return audit.SYSTEM


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_an_equality_lead_sets_an_objective_with_a_measure_and_reads_its_progress(page, make_user):
    lead = make_user(role=roles.EQUALITY_LEAD)
    sign_in(page, lead.email, PASSWORD)
    page.goto("/staff/reports")
    page.get_by_role("link", name="Diversity objectives and targets").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add an objective").click()
    page.get_by_label("Objective", exact=True).fill("Hear from disabled residents about transport")
    page.get_by_label("Delivery area").select_option(label="Transport")
    page.get_by_role("button", name="Save objective").click()
    page.get_by_role("button", name="Add a measure").click()
    assert_accessible(page)
    page.get_by_label("Groups engaged that represent a characteristic").check()
    page.get_by_label("Characteristic (for reach at events or groups engaged)").select_option(
        label="Disability"
    )
    page.get_by_label("Baseline").fill("2")
    page.get_by_label("Target").fill("1")
    for box, (day, month, year) in (
        ("#period_start", ("1", "4", "2026")),
        ("#period_end", ("31", "3", "2027")),
    ):
        dates = page.locator(box)
        dates.get_by_label("Day").fill(day)
        dates.get_by_label("Month").fill(month)
        dates.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Save measure").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The target must be above the baseline")
    assert_accessible(page)
    page.get_by_label("Target").fill("10")
    page.get_by_role("button", name="Save measure").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Measure added")
    expect(page.locator("main")).to_contain_text("Red")
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [False], indirect=True)
def test_the_scheme_report_for_a_chosen_quarter(page, make_user):
    lead = make_user(role=roles.EQUALITY_LEAD)
    make_policy("P-KEY", delivery_area="Skills", is_key=True)
    sign_in(page, lead.email, PASSWORD)
    page.goto("/staff/reports")
    page.get_by_role("link", name="Scheme report").click()
    assert_accessible(page)
    page.get_by_label("Period (financial quarters and years)").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="4. Equality impact assessments of key policies")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 key strategy or policy")
    assert_accessible(page)
