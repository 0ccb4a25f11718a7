"""From a policy's evidence pack to an approved EIA citing three feedback items, and a published outcome."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from crm.auth import roles
from crm.eias.models import EIA
from crm.eias.service import update_finding
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.consultation_factories import make_consultation
from tests.factories import PASSWORD, make_group
from tests.policy_factories import make_event, make_feedback, make_policy


def test_policy_lead_builds_an_eia_from_the_evidence_and_the_equality_lead_approves_it(page, make_user):
    lead = make_user(role=roles.POLICY_LEAD, name="Priya Lead")
    equality = make_user(role=roles.EQUALITY_LEAD, name="Eve Approver")
    policy = make_policy("BUS-2027", "Evening bus scheme", owner_id=lead.id)
    consultation = make_consultation("closed", policy_ids=[policy.id], title="Evening buses survey")
    group = make_group("Oldbury Deaf Forum")
    event = make_event(
        [policy], title="Skills Street at Oldbury market", kind="street_outreach", groups=[group]
    )
    quotes = [
        make_feedback(
            "The last bus is always full of wheelchairs already",
            event=event,
            group=group,
            source="event",
            characteristics=["Disability"],
            themes=["Transport and travel"],
        ),
        make_feedback(
            "No dropped kerb at the market stop",
            consultation=consultation,
            source="response",
            characteristics=["Disability"],
            themes=["Transport and travel"],
        ),
        make_feedback(
            "Drivers pull away before I sit down", policies=[policy], characteristics=["Disability", "Age"]
        ),
    ]
    make_feedback("Fares are fine as they are", policies=[policy], characteristics=["Age"])

    sign_in(page, lead.email, PASSWORD)
    page.goto(f"/staff/policies/{policy.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Open the evidence pack").click()
    expect(page.locator("h1")).to_have_text("Evidence pack")
    assert_accessible(page)
    page.get_by_role("checkbox", name="Disability", exact=True).check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_role("status")).to_contain_text("3 items match these filters")
    assert_accessible(page)

    # Record what changed, in bulk, with nothing but checkboxes and a button.
    page.get_by_label(f"Select FB-{quotes[0].id}").check()
    page.get_by_label(f"Select FB-{quotes[1].id}").check()
    page.get_by_label("Led to a mitigation").check()
    page.get_by_label("What changed, or why nothing changed").fill("Dropped kerbs at 12 stops")
    page.get_by_role("button", name="Record decision for selected items").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded how 2 feedback items were used"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Back to BUS-2027").click()
    expect(page.locator("#what-changed + h3")).to_contain_text("Led to a mitigation (2)")
    page.get_by_role("button", name="Start an EIA").click()
    expect(page.locator("h1")).to_contain_text("Equality Impact Assessment: Evening bus scheme")
    assert_accessible(page)

    page.get_by_role("button", name="Edit the assessment").click()
    assert_accessible(page)
    for label, text in (
        ("Scope", "Evening buses on four routes"),
        ("Aims and objectives", "Reach evening work"),
        ("Who is affected", "Residents without a car"),
        ("Reason for the screening decision", "Disabled people rely on buses"),
        ("Eliminating unlawful discrimination, harassment and victimisation", "Driver training"),
        ("Advancing equality of opportunity", "More jobs in reach"),
        ("Fostering good relations", "Co-produced with groups"),
        ("Justification for the outcome", "Mitigations address the impacts"),
    ):
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("A full assessment is needed").check()
    page.get_by_label("Adjust the policy").check()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Changes saved")

    # Every other characteristic gets a short finding; the disability finding is written in the browser.
    eia = db.session.scalar(select(EIA).where(EIA.policy_id == policy.id))
    for finding in eia.findings:
        if finding.characteristic.name != "Disability":
            update_finding(lead, finding, "neutral", "none", "No different impact found.", [])
    db.session.commit()  # the browser's requests run in the server's own sessions
    page.get_by_role("link", name="Change the finding for Disability").click()
    assert_accessible(page)
    page.get_by_label("Negative").check()
    page.get_by_label("High").check()
    page.get_by_label("What the evidence shows").fill(
        "Full buses and missing kerbs keep disabled people off."
    )
    for item in quotes:
        page.locator(f"#evidence-{item.id}").check()
    page.get_by_role("button", name="Save finding").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Finding for Disability saved")
    finding = page.locator("section", has=page.get_by_role("heading", name="Disability", exact=True))
    expect(finding).to_contain_text("What people told us (3 items)")
    expect(finding).to_contain_text(
        "Engagement event, at Skills Street at Oldbury market, from Oldbury Deaf Forum"
    )
    expect(finding).to_contain_text("Consultation response, to Evening buses survey")
    assert_accessible(page)
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sent to the equality lead")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, equality.email, PASSWORD)
    page.get_by_role("link", name="EIAs", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="BUS-2027 Evening bus scheme").click()
    page.get_by_label("Approve this EIA").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("EIA approved")
    expect(page.locator("main")).to_contain_text("Approved by Eve Approver")
    expect(page.get_by_role("button", name="Edit the assessment")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Printable version").click()
    expect(page).to_have_title(re.compile("^Equality Impact Assessment: Evening bus scheme"))
    expect(page.locator("main")).to_contain_text("Drivers pull away before I sit down")
    assert_accessible(page)
    # The due-regard record names the approval, who made it and the evidence they had opened before it.
    page.goto(f"/staff/policies/{policy.id}")
    page.get_by_role("link", name="Read the due-regard record").click()
    expect(page.locator("main")).to_contain_text("EIA version 1 approved")
    expect(page.locator("main")).to_contain_text("Eve Approver")
    assert_accessible(page)
    page.goto("/staff/")
    page.get_by_role("button", name="Sign out").click()

    # We asked, you said, we did.
    sign_in(page, lead.email, PASSWORD)
    page.goto(f"/staff/consultations/{consultation.id}")
    page.get_by_role("link", name=re.compile("We asked, you said, we did")).click()
    assert_accessible(page)
    page.get_by_label("We asked", exact=True).fill("Should buses run later in the evening?")
    page.get_by_label("You said", exact=True).fill("Later buses, but step-free stops first.")
    page.get_by_label("We did", exact=True).fill(
        "Route 51 runs until 00:30 from May; 12 stops get dropped kerbs."
    )
    page.locator(f"#feedback-{quotes[1].id}").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Outcome saved")
    assert_accessible(page)
    page.get_by_role("button", name="Publish the outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Outcome published")
    expect(page.locator("main")).to_contain_text("Outcome published")
    assert_accessible(page)

    page.goto(f"/consultations/{consultation.slug}")
    expect(page.locator("main")).to_contain_text("Route 51 runs until 00:30")
    expect(page.locator("main")).to_contain_text("No dropped kerb at the market stop")
    expect(page.locator("main")).to_contain_text("The themes are not shown: fewer than 10 people responded")
    assert_accessible(page)
    page.goto("/outcomes")
    expect(page.locator("main")).to_contain_text("Evening buses survey")
    assert_accessible(page)
