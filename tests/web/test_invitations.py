"""Invitations by email to a consultation or an event: only consented contacts who may be contacted, never
twice, counted when left out, and delivered through a real SMTP server (aiosmtpd) that can refuse an
address, which is then recorded as the invitation's failure."""

import pytest
from sqlalchemy import func, select

from crm.core.models import Characteristic
from crm.engagement.models import Invitation
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.factories import make_contact, make_group, reference_ids
from tests.mail_server import REFUSED
from tests.policy_factories import make_event


def _people():
    """Groups representing Disability in Walsall: everyone who may and may not be emailed."""
    deaf = make_group("Walsall Deaf Club", areas=("Walsall",), characteristics=("Disability",))
    make_contact(deaf, name="Ann Yes", email="ann@example.org")
    make_contact(deaf, name="Bob Stop", email="bob@example.org", do_not_contact=True)
    make_contact(deaf, name="Cat NoConsent", email="cat@example.org", consent_given=False)
    make_contact(deaf, name="Dan NoEmail", email="")
    make_contact(deaf, name="Eve Refused", email=REFUSED)
    other = make_group("Dudley Chess Club", areas=("Dudley",), characteristics=("Age",))
    make_contact(other, name="Fay Elsewhere", email="fay@example.org")
    db.session.commit()


def _url(consultation) -> str:
    disability = reference_ids(Characteristic, "Disability")[0]
    return f"/staff/invitations/new?consultation={consultation.id}&characteristic={disability}"


def test_only_consented_contacts_are_invited_and_the_screen_says_who_was_left_out(
    client, sign_in_as, mailbox
):
    _people()
    consultation = make_consultation("open", title="Evening buses")
    sign_in_as("engagement_officer")
    url = _url(consultation)
    page = client.page(url)
    status = page.find(role="status").text
    assert "2 contacts would be invited" in status and "3 left out" in status
    assert "1 marked do not contact" in page.text and "1 without consent" in page.text
    assert "1 without an email address" in page.text
    assert client.submit(url, {}).status_code == 302
    assert sorted(m["To"] for m in mailbox.received) == ["ann@example.org"]
    assert mailbox.received[0]["Subject"] == "Have your say: Evening buses"
    assert (
        "/consultations/" in mailbox.received[0].get_payload()
        and "stop us contacting you" in mailbox.received[0].get_payload()
    )
    page = client.page(url)
    delivery = {row.th.text: row.select("td")[-1].text for row in page.select("table tbody tr")}
    assert delivery["Ann Yes"] == "Sent"
    assert delivery["Eve Refused"].startswith("Failed:") and "No such mailbox" in delivery["Eve Refused"]


def test_nobody_is_invited_twice(client, sign_in_as, mailbox):
    _people()
    consultation = make_consultation("open")
    sign_in_as("engagement_officer")
    url = _url(consultation)
    client.submit(url, {})
    page = client.page(url)
    assert "0 contacts would be invited" in page.find(role="status").text and "2 invited already" in page.text
    again = client.submit(url, {})
    assert again.status_code == 200 and "Nobody is left to invite" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2
    assert len(mailbox.received) == 1


def test_an_event_invitation_and_a_closed_consultation_refused(client, sign_in_as, mailbox):
    _people()
    event = make_event(title="Accessible transport workshop", venue="Walsall library")
    sign_in_as("engagement_officer")
    assert client.submit(f"/staff/invitations/new?event={event.id}", {}).status_code == 302
    # No group filter: every group's consented contacts.
    assert sorted(m["To"] for m in mailbox.received) == ["ann@example.org", "fay@example.org"]
    assert {m["Subject"] for m in mailbox.received} == {"You are invited: Accessible transport workshop"}
    closed = make_consultation("closed")
    page = client.page(f"/staff/invitations/new?consultation={closed.id}")
    assert "Only a scheduled or open consultation can be invited to" in page.text
    assert client.submit(f"/staff/invitations/new?consultation={closed.id}", {}).status_code == 200
    assert (
        db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.consultation_id == closed.id)
        )
        == 0
    )


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead", "viewer"])
def test_only_officers_and_admins_invite(client, sign_in_as, role):
    consultation = make_consultation("open")
    sign_in_as(role)
    assert client.get(f"/staff/invitations/new?consultation={consultation.id}").status_code == 403
