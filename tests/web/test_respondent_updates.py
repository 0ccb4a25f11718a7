"""Issue 15: a respondent who leaves an email address and ticks the box gets a receipt, and "what happened"
once the outcome is published: once only, never when the response is spam or withdrawn, and never quoting
their answers. Delivered through a real SMTP server (the `mailbox` fixture, aiosmtpd)."""

import io
import json
import zipfile

from bs4 import BeautifulSoup
from flask import current_app
from sqlalchemy import func, select

from crm.consultations import receipts, service
from crm.consultations.models import MonitoringWaiting, Response
from crm.core import audit, transaction
from crm.core.email import OutboundEmail
from crm.core.time import uk_today
from crm.extensions import db
from crm.privacy.models import DataRequest
from tests.consultation_factories import form_data, make_consultation
from tests.consultation_factories import respond as respond_outside_a_request
from tests.mail_server import REFUSED

WE_DID = "From May the 51 runs until 00:30."


def respond(consultation, **values) -> Response:
    """A response through the service, in a request as every real one is: its receipt's links are absolute."""
    with current_app.test_request_context():
        return respond_outside_a_request(consultation, **values)


def _url(consultation) -> str:
    return f"/consultations/{consultation.slug}/respond"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_a_ticked_box_and_an_email_address_get_a_receipt_with_the_reference(client, mailbox):
    consultation = make_consultation(title="Evening buses")
    form = client.page(_url(consultation))
    box = form.select_one("input[name=wants_updates]")
    assert box is not None and "Email me a receipt now" in form.find("label", attrs={"for": box["id"]}).text
    data = form_data(consultation, email="sam@example.org", wants_updates="y")
    response = client.submit(_url(consultation), data)
    assert response.status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored.wants_updates and stored.outcome_emailed_at is None
    [receipt] = mailbox.received
    assert receipt["To"] == "sam@example.org"
    assert receipt["Subject"] == f"Your response to Evening buses: reference {stored.reference}"
    body = _text(receipt)
    assert f"Your reference is {stored.reference}" in body and "“Evening buses”" in body
    assert "What happens next" in body
    assert (
        f"http://localhost/contact/data-request?kind=withdraw&reference={stored.reference}" in body
    )  # how to withdraw, with the reference filled in
    # Never their answers, and never their monitoring answers.
    for given in ("More buses in the evening", "Female", "female", "Asian", "Indian"):
        assert given not in body
    withdraw = client.page(f"/contact/data-request?kind=withdraw&reference={stored.reference}")
    assert withdraw.select_one("input[name=reference]")["value"] == stored.reference
    assert db.session.scalar(select(OutboundEmail.purpose)) == receipts.RECEIPT_PURPOSE


def test_no_box_no_mail_even_with_an_email_address(client, mailbox):
    consultation = make_consultation()
    response = client.submit(_url(consultation), form_data(consultation, email="sam@example.org"))
    assert response.status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored.email == "sam@example.org" and not stored.wants_updates
    assert mailbox.received == [] and _count(OutboundEmail) == 0


def test_the_box_without_an_email_address_is_an_error_next_to_the_field_and_keeps_the_answers(
    client, mailbox
):
    consultation = make_consultation()
    q = consultation.questions
    data = form_data(consultation, wants_updates="y", name="Sam Person")
    response = client.submit(_url(consultation), data)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    message = "Enter your email address to get a receipt and updates"
    assert message in page.select_one(".govuk-error-summary").text
    assert page.select_one(".govuk-error-summary a[href='#email']") is not None
    group = page.select_one("input[name=email]").find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in group["class"] and message in group.text
    # nothing typed is lost: the box, the name and the answers are as they were
    assert page.select_one("input[name=wants_updates]").has_attr("checked")
    assert page.select_one("input[name=name]")["value"] == "Sam Person"
    assert page.select_one(f"textarea[name=q{q[0].id}]").text.strip() == "More buses in the evening"
    assert page.select_one(f"input[name=q{q[1].id}][value='1']").has_attr("checked")
    assert _count(Response) == 0 and _count(MonitoringWaiting) == 0 and mailbox.received == []


def test_the_box_with_a_malformed_email_address_is_an_error(client, mailbox):
    consultation = make_consultation()
    data = form_data(consultation, wants_updates="y", email="sam at example")
    response = client.submit(_url(consultation), data)
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    assert _count(Response) == 0 and mailbox.received == []


def test_a_response_keyed_in_by_an_officer_can_ask_for_a_receipt(client, sign_in_as, mailbox):
    sign_in_as("engagement_officer")
    consultation = make_consultation()
    q = consultation.questions
    url = f"/staff/consultations/{consultation.id}/responses/new"
    form = client.page(url)
    assert "The respondent asked for a receipt" in form.text
    data = {
        "token": form.select_one("input[name=token]")["value"],
        "channel": "paper",
        "respondent_kind": "individual",
        "email": "paper@example.org",
        "wants_updates": "y",
        f"q{q[0].id}": "Written on paper",
        f"q{q[1].id}": "2",
    }
    saved = client.submit(url, data)
    assert saved.status_code == 302
    stored = db.session.scalar(select(Response))
    page = client.page(saved.location)
    assert "A receipt has been emailed to the respondent" in page.text
    rows = {row.dt.text.strip(): row.dd.text.strip() for row in page.select(".govuk-summary-list__row")}
    assert rows["Receipt and updates by email"] == "Yes"
    assert [m["To"] for m in mailbox.received] == ["paper@example.org"]
    assert stored.reference in _text(mailbox.received[0])
    assert "Written on paper" not in _text(mailbox.received[0])


def _respondents(consultation) -> dict[str, Response]:
    people = {
        "ann": {"email": "ann@example.org", "wants_updates": True},
        "bob-spam": {"email": "bob@example.org", "wants_updates": True},
        "cat-withdrawn": {"email": "cat@example.org", "wants_updates": True},
        "dan-no-box": {"email": "dan@example.org"},
        "eve-accepted": {"email": "eve@example.org", "wants_updates": True},
        "fay-refused": {"email": REFUSED, "wants_updates": True},
    }
    made = {who: respond(consultation, channel="paper", **values) for who, values in people.items()}
    with transaction.unit_of_work():
        for who, status in (
            ("bob-spam", "spam"),
            ("cat-withdrawn", "withdrawn"),
            ("eve-accepted", "accepted"),
        ):
            service.set_response_status(audit.SYSTEM, db.session.merge(made[who]), status)
    return made


def _publish(client, consultation):
    url = f"/staff/consultations/{consultation.id}/outcome"
    values = {"we_asked": "Should buses run until midnight?", "you_said": "Later buses.", "we_did": WE_DID}
    assert client.submit(url, values).status_code == 302
    return client.submit(url + "/publish", {}, form_page=url)


def test_publishing_the_outcome_emails_only_those_who_asked_and_still_count_once(client, sign_in_as, mailbox):
    consultation = make_consultation("closed", title="Evening buses")
    made = _respondents(consultation)
    mailbox.received.clear()  # their receipts
    sign_in_as("engagement_officer")
    published = _publish(client, consultation)
    assert published.status_code == 302
    assert (
        "3 respondents who asked to hear what happened will be emailed"
        in client.page(published.location).text
    )
    told = [m for m in mailbox.received if m["Subject"] == "What happened: Evening buses"]
    assert sorted(m["To"] for m in told) == ["ann@example.org", "eve@example.org"]
    body = _text(mailbox.to("ann@example.org")[0])
    link = f"http://localhost/consultations/{consultation.slug}#outcome-heading"
    assert link in body and WE_DID in body and made["ann"].reference in body
    assert client.page(link.removeprefix("http://localhost")).find(id="outcome-heading") is not None
    # the refused address is kept in the outbox with the server's answer, and counts as told
    refused = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == REFUSED))
    assert refused.sent_at is None and "No such mailbox" in refused.last_error
    db.session.expire_all()
    emailed = {
        who for who, response in made.items() if db.session.get(Response, response.id).outcome_emailed_at
    }
    assert emailed == {"ann", "eve-accepted", "fay-refused"}

    # Published again (refused), edited, or asked to send again: nobody hears twice.
    mailbox.received.clear()
    again = _publish(client, consultation)
    assert again.status_code == 302
    with current_app.test_request_context(), transaction.unit_of_work():
        assert receipts.send_outcome_updates(consultation, WE_DID) == 0
    assert mailbox.received == []
    assert _count(OutboundEmail) == 6 - 1 + 3  # five receipts, one refused, three "what happened"


def _data_request(kind: str, response) -> DataRequest:
    """A request the person has confirmed by the emailed link, as crm.privacy.service leaves it."""
    request = DataRequest(
        kind=kind,
        requester_name="Sam Person",
        requester_email=response.email,
        receipt_reference=response.reference,
        response_id=response.id,
        identity_check="confirmed",
        due_on=uk_today(),
    )
    db.session.add(request)
    db.session.flush()
    return request


def test_a_response_withdrawn_on_request_gets_nothing_and_erasure_clears_the_box(
    client, sign_in_as, make_user, mailbox
):
    from crm.privacy import service as privacy

    consultation = make_consultation("closed")
    respond(consultation, channel="paper", email="kept@example.org", wants_updates=True)
    withdrawn = respond(consultation, channel="paper", email="gone@example.org", wants_updates=True)
    erased = respond(consultation, channel="paper", email="erased@example.org", wants_updates=True)
    admin = make_user("admin")
    with transaction.unit_of_work():
        privacy.withdraw_response(admin, _data_request("withdraw", withdrawn))
        privacy.erase(admin, _data_request("erase", erased))
    db.session.expire_all()
    gone = db.session.get(Response, erased.id)
    assert gone.email == "" and not gone.wants_updates
    mailbox.received.clear()
    sign_in_as("engagement_officer")
    _publish(client, consultation)
    assert [m["To"] for m in mailbox.received] == ["kept@example.org"]


def test_the_copy_of_a_persons_data_says_whether_they_asked_for_updates(client, sign_in_as):
    consultation = make_consultation()
    response = respond(consultation, name="Sam Person", email="sam@example.org", wants_updates=True)
    with transaction.unit_of_work():
        data_request = _data_request("access", response)
    sign_in_as("engagement_officer", handles_data_requests=True)
    download = client.get(f"/staff/data-requests/{data_request.id}/export.zip")
    document = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("your-information.json"))
    [given] = document["responses"]
    assert given["wants_updates_by_email"] is True and given["outcome_emailed_at"] == ""


def test_the_retention_rule_for_respondent_details_clears_the_box_with_the_address(client):
    from datetime import timedelta

    from crm.consultations.retention import remove_respondent_details
    from crm.core.models import utc_now

    consultation = make_consultation("closed")
    response = respond(consultation, channel="paper", email="old@example.org", wants_updates=True)
    with transaction.unit_of_work():
        assert remove_respondent_details(utc_now() + timedelta(days=1), limit=10) == 1
    db.session.expire_all()
    cleared = db.session.get(Response, response.id)
    assert cleared.email == "" and not cleared.wants_updates
