"""The engagement area's background job: delivering a large batch of invitations.

The request that invites plans and records everything, invitations and their outbox messages, in one unit of
work; this job only sends those messages, in one SMTP connection. Each message's sent time or the server's
refusal is written as soon as the server answers (crm.core.email.deliver_each_now), not at the job's end, so
a job stopped half-way and run again never sends a message twice."""

from sqlalchemy import func, select

from crm.core import email, jobs
from crm.core.email import OutboundEmail
from crm.core.jobs import Run, job_kind
from crm.engagement.models import Invitation
from crm.extensions import db

SEND_INVITATIONS = "engagement.send_invitations"


def _batch(params: dict):
    """The batch's invitations: those made to its consultation or event from the first id to the last."""
    if params.get("consultation_id"):
        target, target_id = Invitation.consultation_id, params["consultation_id"]
    else:
        target, target_id = Invitation.event_id, params["event_id"]
    return (target == target_id) & Invitation.id.between(params["first"], params["last"])


@job_kind(SEND_INVITATIONS)
def send_invitations(run: Run) -> dict:
    batch = _batch(run.params)
    email_ids = list(
        db.session.scalars(
            select(Invitation.email_id).where(batch, Invitation.email_id.is_not(None)).order_by(Invitation.id)
        )
    )
    run.progress(0, total=len(email_ids), stage="Sending invitations")
    if email.sending_enabled():
        email.deliver_each_now(email_ids, progress=run.progress)
    run.done = len(email_ids)
    sent, unsent, refused = db.session.execute(
        select(
            func.count(OutboundEmail.sent_at),
            func.count().filter(OutboundEmail.sent_at.is_(None)),
            func.count().filter(OutboundEmail.sent_at.is_(None), OutboundEmail.last_error != ""),
        )
        .select_from(Invitation)
        .join(OutboundEmail, OutboundEmail.id == Invitation.email_id)
        .where(batch)
    ).one()
    summary = [["Invitations", f"{len(email_ids):,}"], ["Sent", f"{sent:,}"]]
    if not email.sending_enabled():
        summary.append(["Not sent", f"{unsent:,}: this environment does not send email"])
    elif unsent:
        summary.append(["Not sent", f"{unsent:,} ({refused:,} refused or failed: the reasons are listed)"])
    target = (
        {"consultation": run.params["consultation_id"]}
        if run.params.get("consultation_id")
        else {"event": run.params["event_id"]}
    )
    return {"summary": summary, "next": ["invitations.new", "See the invitations and their delivery", target]}


def start_sending(actor, title: str, target: dict, invitations: list[Invitation]):
    """Ask for a batch of invitations, just recorded, to be sent by a job; `target` names its consultation
    or event ({"consultation_id": 3}). Returns (job, True)."""
    ids = [invitation.id for invitation in invitations]
    params = {**target, "first": min(ids), "last": max(ids), "unit": "messages"}
    return jobs.start(actor, SEND_INVITATIONS, f"Sending invitations to {title}", params, total=len(ids))
