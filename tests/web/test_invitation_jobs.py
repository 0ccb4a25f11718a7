"""A large invitation list is recorded by the request and sent by a background job, in one SMTP connection to
a real server (aiosmtpd), on RQ's worker when the run sets REDIS_URL and in the request otherwise. What the
server refuses is recorded on the invitation; a job run again sends nothing twice; small lists are sent as
before, by the request."""

import pytest
from sqlalchemy import func, select, update

from crm.core import jobs
from crm.core.email import OutboundEmail
from crm.core.models import Job
from crm.core.transaction import unit_of_work
from crm.engagement.models import Invitation
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.factories import make_contact, make_group
from tests.mail_server import REFUSED
from tests.policy_factories import make_event

INVITED = ["ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org"]


@pytest.fixture
def small_threshold(app, monkeypatch):
    """A job from more than two invitations, so a handful of contacts stands in for hundreds."""
    monkeypatch.setitem(app.config, "INVITATION_JOB_THRESHOLD", 2)


def _contacts():
    group = make_group("Walsall Deaf Club")
    for address in INVITED:
        make_contact(group, name=address.split("@")[0].title(), email=address)
    make_contact(group, name="Eve Refused", email=REFUSED)
    make_contact(group, name="Fay Stop", email="fay@example.org", do_not_contact=True)
    db.session.commit()


def _delivery(client, url: str) -> dict[str, str]:
    page = client.page(url)
    return {row.th.text: row.select("td")[-1].text for row in page.select("table tbody tr")}


def test_a_large_list_is_sent_by_a_job_that_records_what_the_server_refused(
    client, sign_in_as, mailbox, finish_job, small_threshold
):
    _contacts()
    consultation = make_consultation("open", title="Evening buses")
    sign_in_as("engagement_officer")
    url = f"/staff/invitations/new?consultation={consultation.id}"
    response = client.submit(url, {})
    assert response.status_code == 302 and "/staff/jobs/" in response.location
    page = finish_job(response.location)
    summary = {row.dt.text.strip(): row.dd.text.strip() for row in page.select(".govuk-summary-list__row")}
    assert (
        summary["Invitations"] == "5"
        and summary["Sent"] == "4"
        and summary["Not sent"].startswith("1 (1 refused")
    )
    assert page.select_one("a[href*='/staff/invitations/new']")["href"].endswith(
        f"consultation={consultation.id}"
    )
    # Every consented contact once, in one go; never the one who asked not to be contacted.
    assert mailbox.recipients == INVITED
    assert {message["Subject"] for message in mailbox.received} == {"Have your say: Evening buses"}
    delivery = _delivery(client, url)
    assert [delivery[name] for name in ("Ann", "Bob", "Cat", "Dan")] == ["Sent"] * 4
    assert delivery["Eve Refused"].startswith("Failed:") and "No such mailbox" in delivery["Eve Refused"]
    counts = client.page(f"/staff/consultations/{consultation.id}").select_one("#invitation-counts").text
    assert "5 invitations: 4 sent, 1 failed" in " ".join(counts.split())


def test_a_job_run_again_sends_nothing_twice(app, client, sign_in_as, mailbox, finish_job, small_threshold):
    _contacts()
    event = make_event(title="Accessible transport workshop")
    sign_in_as("admin")
    response = client.submit(f"/staff/invitations/new?event={event.id}", {})
    finish_job(response.location)
    assert mailbox.recipients == INVITED
    counts = client.page(f"/staff/events/{event.id}").select_one("#invitation-counts")
    assert "5 invitations: 4 sent, 1 failed" in " ".join(counts.text.split())
    assert counts.a["href"] == f"/staff/invitations/new?event={event.id}#invitations-sent"
    # As if its worker had stopped after sending and the job were run once more: it finds nothing unsent to
    # send but the address the server refuses, which it tries again.
    job_id = int(response.location.rstrip("/").split("/")[-1])
    db.session.execute(update(Job).where(Job.id == job_id).values(status="queued"))
    db.session.commit()
    assert jobs.perform(job_id) == "done"
    assert mailbox.recipients == INVITED
    db.session.expire_all()
    refused = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == REFUSED))
    assert refused.attempts == 2 and refused.sent_at is None
    sent = select(func.count()).select_from(OutboundEmail).where(OutboundEmail.sent_at.is_not(None))
    assert db.session.scalar(sent) == 4


def test_a_message_sent_before_the_job_stopped_is_not_sent_again(app, sign_in_as, mailbox):
    """The job records each message as sent the moment the server takes it, on a connection of its own: a
    job that dies after that (its own unit of work rolled back) leaves the message sent."""
    from crm.core import email

    with unit_of_work():
        first = email.send("ann@example.org", "One", "Body", deliver_now=False).id
        second = email.send("bob@example.org", "Two", "Body", deliver_now=False).id

    def dies_after_the_first(tried: int) -> None:
        if tried == 1:
            raise RuntimeError("the worker stops")

    with pytest.raises(RuntimeError), unit_of_work():
        email.deliver_each_now([first, second], progress=dies_after_the_first)
    assert mailbox.recipients == ["ann@example.org"]
    with unit_of_work():
        assert email.deliver_each_now([first, second]) == (1, 0)
    assert mailbox.recipients == ["ann@example.org", "bob@example.org"]


def test_a_small_list_is_still_sent_by_the_request(client, sign_in_as, mailbox):
    _contacts()
    consultation = make_consultation("open")
    sign_in_as("engagement_officer")
    url = f"/staff/invitations/new?consultation={consultation.id}"
    response = client.submit(url, {})
    assert response.status_code == 302 and "/staff/jobs/" not in response.location
    assert mailbox.recipients == INVITED and db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 5


def test_without_smtp_the_job_keeps_the_messages_for_admins_to_read(
    app, client, sign_in_as, finish_job, small_threshold, monkeypatch
):
    # In the request: the test worker is given an SMTP server, which this test is about having none.
    monkeypatch.setitem(app.config, "JOB_REDIS_URL", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    _contacts()
    consultation = make_consultation("open")
    sign_in_as("admin")
    response = client.submit(f"/staff/invitations/new?consultation={consultation.id}", {})
    page = finish_job(response.location)
    assert "5: this environment does not send email" in page.text
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.sent_at.is_(None))
        )
        == 5
    )
    assert "Have your say" in client.page("/staff/admin/email").select_one("#outbox").text
