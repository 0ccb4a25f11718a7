"""An officer follows a group's history to one of its contacts, then finds the groups gone quiet."""

from datetime import timedelta

from playwright.sync_api import expect

from crm.auth import roles
from crm.bodies import service as bodies
from crm.core import audit
from crm.core.models import utc_now
from crm.core.time import uk_today
from crm.engagement.models import Invitation
from crm.extensions import db
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_contact, make_group
from tests.policy_factories import make_event


def test_an_officer_reads_a_groups_and_a_contacts_history(page, make_user):
    group = make_group("Walsall Deaf Forum")
    contact = make_contact(group, name="Dee Signer")
    make_group("Quiet Corner Club")
    db.session.commit()
    event = make_event(title="BSL café", groups=[group], starts_at=utc_now() - timedelta(days=12))
    body = bodies.create_body(
        audit.SYSTEM,
        name="Disability Commission",
        slug="disability-commission",
        kind="commission",
        remit="",
        response_weeks=8,
        has_public_register=False,
    )
    bodies.add_member(audit.SYSTEM, body, contact.id, "chair", uk_today() - timedelta(days=90))
    sent = utc_now() - timedelta(days=20)
    db.session.add(Invitation(contact_id=contact.id, event_id=event.id, created_at=sent))
    db.session.commit()

    officer = make_user(role=roles.ENGAGEMENT_OFFICER)
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/staff/groups/{group.id}")
    expect(page.locator("h1")).to_have_text("Walsall Deaf Forum")
    expect(page.locator("main")).to_contain_text("an event")
    assert_accessible(page)

    page.get_by_role("link", name="Dee Signer").first.click()
    expect(page.locator("h1")).to_have_text("Dee Signer")
    expect(page.locator("main")).to_contain_text("Disability Commission")
    expect(page.locator("main")).to_contain_text("BSL café")
    assert_accessible(page)

    page.goto("/staff/groups")
    page.get_by_role("link", name="Groups not engaged in the last 12 months").click()
    expect(page.locator("h1")).to_have_text("Groups not engaged in the last 12 months")
    expect(page.locator("main")).to_contain_text("Quiet Corner Club")
    expect(page.locator("main")).not_to_contain_text("Walsall Deaf Forum")
    assert_accessible(page)
