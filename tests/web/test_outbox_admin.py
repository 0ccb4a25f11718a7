"""The outbox for admins (/staff/admin/email): where development shows the mail it would have sent, and
production keeps its delivery log. Admins only; newest first, a page at a time; each message's text."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core import email
from crm.core.email import OutboundEmail
from crm.core.models import AuditEvent, utc_now
from crm.core.transaction import unit_of_work
from crm.extensions import db
from tests.mail_server import REFUSED, free_port

URL = "/staff/admin/email"


def _messages(count: int, to: str = "pat@example.org") -> list[int]:
    """`count` messages written a minute apart, the first the oldest."""
    start = utc_now() - timedelta(days=1)
    messages = [
        OutboundEmail(
            to_address=to,
            subject=f"Message {number}",
            body=f"Dear Pat,\n\nThis is message {number}.\n",
            purpose="invitation",
            created_at=start + timedelta(minutes=number),
        )
        for number in range(count)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [message.id for message in messages]


def _subjects(page) -> list[str]:
    return [row.select_one("td a").text for row in page.select("#outbox tbody tr")]


@pytest.mark.parametrize("role", ["engagement_officer", "policy_lead", "equality_lead", "viewer"])
def test_only_admins_see_the_outbox(client, sign_in_as, role):
    (message_id,) = _messages(1)
    sign_in_as(role)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{message_id}").status_code == 403
    assert client.submit(f"{URL}/retry", {}, form_page="/staff/").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    (message_id,) = _messages(1)
    assert client.get(f"{URL}/{message_id}").status_code == 302


def test_the_outbox_lists_newest_first_and_says_this_environment_sends_nothing(client, sign_in_as):
    _messages(3)
    admin = sign_in_as("admin")
    assert "Email sent by the service" in client.page("/staff/admin").select_one(f"a[href='{URL}']").text
    page = client.page(URL)
    assert "This environment does not send email" in page.select_one("#not-sending").text
    assert _subjects(page) == ["Message 2", "Message 1", "Message 0"]
    assert [row.select("td")[-1].text.strip() for row in page.select("#outbox tbody tr")] == ["Not sent"] * 3
    assert "Try sending" not in page.text  # nothing can be sent here
    # Bodies are personal data: the list's reads are on record, by name of field, never value.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email.listed"))
    assert event.actor_id == admin.id and "pat@example.org" not in str(event.changed_fields)


def test_a_message_page_shows_its_text(client, sign_in_as):
    first, second = _messages(2)
    sign_in_as("admin")
    link = client.page(URL).select_one("#outbox tbody tr td a")["href"]
    assert link == f"{URL}/{second}"
    page = client.page(link)
    assert page.h1.text == "Message 1"
    assert "Dear Pat," in page.select_one("#message-body").text and "This is message 1." in page.text
    assert "pat@example.org" in page.select_one("#message-details").text
    assert "this message was not sent" in page.select_one("#not-sending").text
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email.viewed"))
    assert viewed.entity_id == str(second)


@pytest.mark.parametrize("bad", ["999999", "0", "99999999999999999999", "abc", "-1"])
def test_a_message_that_is_not_there_is_not_found(client, sign_in_as, bad):
    sign_in_as("admin")
    assert client.get(f"{URL}/{bad}").status_code == 404


def test_the_outbox_is_paged_in_sql_with_no_query_per_message(client, sign_in_as, count_queries):
    _messages(60)
    sign_in_as("admin")
    few = count_queries(URL)
    _messages(3)
    assert count_queries(URL) == few
    first, second = client.page(URL), client.page(f"{URL}?page=2")
    assert len(first.select("#outbox tbody tr")) == 50 and len(second.select("#outbox tbody tr")) == 13
    # Newest first by when each was written (the three added last were dated among the oldest).
    assert _subjects(first)[:4] == ["Message 59", "Message 58", "Message 57", "Message 56"]
    assert set(_subjects(first)).isdisjoint(_subjects(second))
    assert "63 messages" in first.find(role="status").text
    assert client.get(f"{URL}?page=abc").status_code == 200  # a page number that is not one: the first


def test_the_delivery_log_shows_what_failed_and_why_and_tries_the_unsent_again(
    app, client, sign_in_as, mailbox, monkeypatch
):
    with unit_of_work():
        email.send(REFUSED, "Refused", "Body")
        email.send("pat@example.org", "Accepted", "Body")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # the server goes down
    with unit_of_work():
        email.send("sam@example.org", "While down", "Body")
    sign_in_as("admin")
    page = client.page(URL)
    assert page.select_one("#not-sending") is None
    delivery = {
        row.select_one("td a").text: " ".join(row.select("td")[-1].text.split())
        for row in page.select("#outbox tbody tr")
    }
    assert delivery["Accepted"].startswith("Sent")
    assert delivery["Refused"].startswith("Failed") and "No such mailbox" in delivery["Refused"]
    assert delivery["While down"].startswith("Failed") and "Could not connect" in delivery["While down"]
    monkeypatch.setitem(app.config, "SMTP_PORT", mailbox.port)  # back up
    response = client.submit(f"{URL}/retry", {}, form_page=URL)
    assert response.status_code == 302
    after = client.page(URL)
    assert "Sent 1 message. 1 still not sent" in after.text
    assert mailbox.recipients == ["pat@example.org", "sam@example.org"]  # nothing sent twice
    db.session.expire_all()
    refused = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == REFUSED))
    assert refused.attempts == 2 and refused.sent_at is None
