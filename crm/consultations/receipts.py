"""Emails to respondents who ticked "Email me a receipt now, and what happened once the outcome is published"
and gave an address: the receipt, in the unit of work that saves the response, and "what happened", in the
one that publishes the outcome (crm.outcomes.service), once per response however often it is published.

Messages go through the outbox (crm.core.email), so they are sent only if that unit of work commits. They
never quote the response's answers, and never its monitoring answers: only its reference and the
consultation's own public words. Their links are absolute (url_for with _external), so they are written in
a request, as every response and every publication is.
"""

from flask import url_for
from sqlalchemy import select, update

from crm.consultations.models import COUNTED_STATUSES, Consultation, Response
from crm.core import email
from crm.core.models import utc_now
from crm.core.time import govuk_date_time
from crm.extensions import db

RECEIPT_PURPOSE = "response.receipt"
OUTCOME_PURPOSE = "response.outcome"
_CHUNK = 500  # ids per UPDATE, well inside every database's parameter limit


def _withdraw_link(reference: str) -> str:
    return url_for("privacy.data_request_form", kind="withdraw", reference=reference, _external=True)


def send_receipt(consultation: Consultation, response: Response) -> email.OutboundEmail | None:
    """The receipt for a response that asked for one; None when it did not (or gave no address)."""
    if not response.wants_updates or not response.email:
        return None
    closes_at = consultation.closes_at
    if closes_at is not None and closes_at > utc_now():
        next_step = (
            f"The consultation closes at {govuk_date_time(closes_at)}. We will then read every response and "
            "publish what we heard and what we did about it."
        )
    else:
        next_step = "We will read every response and publish what we heard and what we did about it."
    body = (
        f"Thank you for responding to “{consultation.title}”. We have saved your response.\n\n"
        f"Your reference is {response.reference}\n\n"
        "Keep this email. Quote your reference if you contact us about your response.\n\n"
        "What happens next\n\n"
        f"{next_step} We will email you when we publish it.\n\n"
        "If you change your mind\n\n"
        "To withdraw your response, tell us here with your reference. We will then stop emailing you "
        f"about it.\n{_withdraw_link(response.reference)}\n\n"
        "For anything else about your information, see:\n"
        f"{url_for('privacy.contact', _anchor='your-information', _external=True)}\n\n"
        "You are getting this email because you asked for a receipt when you responded.\n"
    )
    return email.send(
        response.email,
        f"Your response to {consultation.title}: reference {response.reference}",
        body,
        purpose=RECEIPT_PURPOSE,
    )


def _waiting_for_outcome(consultation: Consultation):
    """Respondents owed "what happened": asked for it, have an address, still count (not spam, not
    withdrawn) and have not had it."""
    return select(Response.id, Response.reference, Response.email).where(
        Response.consultation_id == consultation.id,
        Response.wants_updates.is_(True),
        Response.email != "",
        Response.status.in_(COUNTED_STATUSES),
        Response.outcome_emailed_at.is_(None),
    )


def send_outcome_updates(consultation: Consultation, we_did: str) -> int:
    """Email "what happened" to everyone owed it, and record that they had it, in the caller's unit of work;
    the messages go together in one SMTP connection once it commits. Returns how many were written."""
    owed = db.session.execute(_waiting_for_outcome(consultation).order_by(Response.id)).all()
    if not owed:
        return 0
    link = url_for(
        "public_consultations.view", slug=consultation.slug, _anchor="outcome-heading", _external=True
    )
    subject = f"What happened: {consultation.title}"
    message_ids = []
    for _id, reference, address in owed:
        body = (
            f"You responded to “{consultation.title}” (your reference {reference}). We have now published "
            "what we heard and what we did about it.\n\n"
            "What we did\n\n"
            f"{we_did.strip()}\n\n"
            f"Read it in full:\n{link}\n\n"
            "You asked us to email you when we published this. We will not email you about this "
            "consultation again.\n"
        )
        message = email.send(address, subject, body, purpose=OUTCOME_PURPOSE, deliver_now=False)
        message_ids.append(message.id)
    now = utc_now()
    ids = [row[0] for row in owed]
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(
            update(Response)
            .where(Response.id.in_(ids[start : start + _CHUNK]))
            .values(outcome_emailed_at=now)
            .execution_options(synchronize_session=False)
        )
    email.deliver_after_commit(message_ids)
    return len(ids)
