"""The outbox: a message exists only if its unit of work committed, and is sent by SMTP only when configured;
every message to a contact carries a link that withdraws their consent."""

import re

import pytest
from sqlalchemy import func, select

from crm.core import email
from crm.core.email import OutboundEmail
from crm.core.models import AuditEvent
from crm.core.transaction import unit_of_work
from crm.extensions import db
from crm.groups.messages import send_to_contact
from crm.groups.models import Contact
from tests.factories import make_contact, make_group
from tests.mail_server import REFUSED, free_port


@pytest.fixture
def unreachable(app, mailbox, monkeypatch):
    """The SMTP server is down: nothing listens on the configured port. Call the result to bring it back."""
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    return lambda: monkeypatch.setitem(app.config, "SMTP_PORT", mailbox.port)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundEmail))


def test_without_smtp_a_message_stays_in_the_outbox(app):
    with unit_of_work():
        email.send("pat@example.org", "Hello", "Body text", purpose="test")
    message = db.session.scalar(select(OutboundEmail))
    assert (message.to_address, message.sent_at, message.purpose) == ("pat@example.org", None, "test")
    assert email.deliver() == 0


def test_a_message_is_sent_after_its_unit_of_work_commits(app, mailbox):
    with unit_of_work():
        email.send("pat@example.org", "Hello", "Body text")
        assert mailbox.received == []  # nothing leaves before the commit
    assert mailbox.recipients == ["pat@example.org"]
    assert (
        mailbox.received[0]["Subject"] == "Hello" and mailbox.received[0].get_content().strip() == "Body text"
    )
    db.session.expire_all()
    assert db.session.scalar(select(OutboundEmail.sent_at)) is not None


def test_a_rolled_back_unit_of_work_sends_nothing(app, mailbox):
    with pytest.raises(RuntimeError), unit_of_work():
        email.send("pat@example.org", "Hello", "Body text")
        raise RuntimeError("the change failed")
    assert mailbox.received == [] and _count() == 0


def test_a_server_that_cannot_be_reached_leaves_the_message_to_retry(app, mailbox, unreachable):
    with unit_of_work():
        email.send("pat@example.org", "Hello", "Body text")
    db.session.expire_all()
    message = db.session.scalar(select(OutboundEmail))
    assert message.sent_at is None and "Could not connect" in message.last_error and message.attempts == 0
    unreachable()  # the server is back
    with unit_of_work():
        assert email.deliver() == 1
    assert mailbox.recipients == ["pat@example.org"]


def test_an_address_the_server_refuses_is_kept_unsent_with_its_reason(app, mailbox):
    with unit_of_work():
        email.send(REFUSED, "Hello", "Body text")
        email.send("pat@example.org", "Hello", "Body text")
    db.session.expire_all()
    refused, accepted = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id))
    assert refused.sent_at is None and "No such mailbox" in refused.last_error and refused.attempts == 1
    assert refused.status == "failed" and accepted.status == "sent"
    assert mailbox.recipients == ["pat@example.org"]


def _contact(**values):
    contact = make_contact(make_group(), name="Pat Contact", email="pat@example.org", **values)
    db.session.commit()
    return contact


def _stop_link(body: str) -> str:
    return re.search(r"http://localhost(/contact/stop-emails\?token=\S+)", body).group(1)


def test_every_message_to_a_contact_carries_a_link_that_withdraws_consent(app, client):
    contact = _contact()
    with app.test_request_context(), unit_of_work():
        send_to_contact(db.session.get(Contact, contact.id), "Have your say", "A new consultation is open.")
    link = _stop_link(db.session.scalar(select(OutboundEmail.body)))
    assert "Stop us contacting you" in client.page(link).text  # a GET changes nothing
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).can_be_contacted
    token = link.split("token=", 1)[1]
    done = client.submit(link, {"token": token}, form_page="/contact/data-request")
    assert done.status_code == 302 and "We will not contact you again" in client.page(done.location).text
    db.session.expire_all()
    withdrawn = db.session.get(Contact, contact.id)
    assert withdrawn.do_not_contact and not withdrawn.consent_given and not withdrawn.can_be_contacted
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.consent_withdrawn"))
    assert event.actor_label == "public" and event.changed_fields == ["consent_given", "do_not_contact"]
    # Used again, the link still says the same, and nothing more is recorded.
    assert client.submit(link, {"token": token}, form_page="/contact/data-request").status_code == 302


@pytest.mark.parametrize("token", ["", "abc", "MQ.forged-signature"])
def test_a_withdraw_consent_link_that_is_not_ours_changes_nothing(client, token):
    response = client.get("/contact/stop-emails", query_string={"token": token})
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)


def test_a_contact_who_has_not_consented_is_not_emailed(app):
    contact = _contact(consent_given=False)
    with app.test_request_context(), pytest.raises(ValueError):
        send_to_contact(contact, "Have your say", "Body")


def test_the_send_email_command_sends_what_is_waiting(app, mailbox, unreachable):
    with unit_of_work():
        email.send("pat@example.org", "Hello", "Body text")
    assert mailbox.received == []
    unreachable()
    result = app.test_cli_runner().invoke(args=["crm", "send-email"])
    assert result.exit_code == 0 and "Sent 1 messages" in result.output
    assert mailbox.recipients == ["pat@example.org"]
    db.session.expire_all()
    assert db.session.scalar(select(OutboundEmail.sent_at)) is not None


def test_the_send_email_command_needs_smtp(app):
    result = app.test_cli_runner().invoke(args=["crm", "send-email"])
    assert result.exit_code != 0 and "Set SMTP_HOST" in result.output


def test_a_message_asked_for_in_a_request_is_sent_once_the_request_commits(client, mailbox):
    page = client.submit(
        "/contact/data-request", {"kind": "access", "email": "pat@example.org", "name": "", "reference": ""}
    )
    assert page.status_code == 302
    assert mailbox.recipients == ["pat@example.org"]
    assert "/contact/confirm?token=" in mailbox.received[0].get_content()
    db.session.expire_all()
    assert db.session.scalar(select(OutboundEmail.sent_at)) is not None
