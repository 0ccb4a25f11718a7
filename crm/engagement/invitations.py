"""Inviting the consented contacts of a filtered set of groups to a consultation or an event, by email.

Who is invited is the groups' mailing list (crm.groups.queries.mailing_list): never a contact marked do not
contact, without consent, or without an email address, and never one invited to the same thing before, so
nothing is sent twice. The screen says how many were left out and why. Messages go through the outbox
(crm.core.email): written in the same unit of work as the invitations, sent in one SMTP connection once it
has committed; what the server refuses is kept on the message as the invitation's failure. More than
INVITATION_JOB_THRESHOLD invitations are sent by a background job (crm.engagement.jobs) rather than by the
request, with a page to follow it.
"""

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.consultations.models import Consultation
from crm.core import audit, email
from crm.core.rules import RuleBroken
from crm.core.time import govuk_date, govuk_date_time
from crm.engagement import jobs as engagement_jobs
from crm.engagement.models import EngagementEvent, Invitation
from crm.extensions import db
from crm.groups.messages import send_to_contact
from crm.groups.models import Contact
from crm.groups.queries import GroupFilters, mailing_list

INVITABLE_CONSULTATIONS = ("scheduled", "open")
MAX_INVITATIONS = 5000  # one go; filter the groups further for more


class InvitationError(RuleBroken):
    """An invitation was refused."""


@dataclass(frozen=True)
class Target:
    consultation: Consultation | None = None
    event: EngagementEvent | None = None

    @property
    def title(self) -> str:
        return self.consultation.title if self.consultation else self.event.title

    def column(self):
        return Invitation.consultation_id if self.consultation else Invitation.event_id

    @property
    def id(self) -> int:
        return self.consultation.id if self.consultation else self.event.id


@dataclass(frozen=True)
class Plan:
    contacts: list[Contact]  # who would be invited now
    already_invited: int
    do_not_contact: int
    no_consent: int
    no_email: int

    @property
    def left_out(self) -> int:
        return self.already_invited + self.do_not_contact + self.no_consent + self.no_email


def check_target(target: Target) -> None:
    if target.consultation is not None and target.consultation.current_status not in INVITABLE_CONSULTATIONS:
        raise InvitationError(
            "consultation", "Only a scheduled or open consultation can be invited to: this one is not open"
        )
    if target.event is not None and target.event.is_archived:
        raise InvitationError("event", "This event is archived")


def plan(target: Target, filters: GroupFilters) -> Plan:
    """Who the filtered groups' invitation would reach, and how many are left out and why."""
    reachable = mailing_list(filters)
    # Everyone invited to this target, then those among the reachable: no IN list of every reachable
    # contact, which a region-wide list would push past the database's parameter limit.
    invited_here = set(db.session.scalars(select(Invitation.contact_id).where(target.column() == target.id)))
    invited = {c.id for c in reachable.contacts} & invited_here
    return Plan(
        contacts=[c for c in reachable.contacts if c.id not in invited],
        already_invited=len(invited),
        do_not_contact=reachable.do_not_contact,
        no_consent=reachable.no_consent,
        no_email=reachable.no_email,
    )


def _message(target: Target, contact: Contact) -> tuple[str, str]:
    if target.consultation is not None:
        consultation = target.consultation
        link = url_for("public_consultations.view", slug=consultation.slug, _external=True)
        when = f"It closes {govuk_date_time(consultation.closes_at)}." if consultation.closes_at else ""
        subject = f"Have your say: {consultation.title}"
        about = f"We would like to hear from you and your group about {consultation.title}. {when}\n\n{link}"
    else:
        event = target.event
        subject = f"You are invited: {event.title}"
        where = f" at {event.venue}" if event.venue else ""
        about = (
            f"We would like you and your group to join {event.title} on {govuk_date(event.starts_at)}{where}."
        )
    return subject, f"Dear {contact.name},\n\n{about}\n"


@dataclass(frozen=True)
class Sent:
    plan: Plan
    invitations: list[Invitation]
    job: object | None = None  # the background job sending them, for a large list


def job_threshold() -> int:
    return current_app.config["INVITATION_JOB_THRESHOLD"]


def invite(actor, target: Target, filters: GroupFilters) -> Sent:
    """Invite everyone the plan reaches: an invitation and an outbox message each, sent after commit, by
    the request or, past the threshold, by a background job."""
    check_target(target)
    found = plan(target, filters)
    if not found.contacts:
        raise InvitationError(
            "submit", "Nobody is left to invite: every contact is left out or invited already"
        )
    if len(found.contacts) > MAX_INVITATIONS:
        raise InvitationError(
            "submit", f"That is more than {MAX_INVITATIONS:,} contacts: filter the groups further"
        )
    made = []
    for contact in found.contacts:
        subject, body = _message(target, contact)
        # send_to_contact refuses anyone who may not be emailed, whatever the plan said, and adds the link
        # that withdraws consent.
        message = send_to_contact(contact, subject, body, purpose="invitation", deliver_now=False)
        invitation = Invitation(
            contact_id=contact.id,
            consultation_id=target.consultation.id if target.consultation else None,
            event_id=target.event.id if target.event else None,
            email_id=message.id,
            invited_by_id=None if isinstance(actor, str) else actor.id,
        )
        db.session.add(invitation)
        made.append(invitation)
    db.session.flush()
    job = None
    if len(made) > job_threshold() and not isinstance(actor, str):
        named = {"consultation_id": target.id} if target.consultation else {"event_id": target.id}
        job, _created = engagement_jobs.start_sending(actor, target.title, named, made)
    else:
        email.deliver_after_commit([invitation.email_id for invitation in made])
    audit.record(
        actor,
        "invitations.sent",
        target.consultation or target.event,
        ["invitations"],
    )
    return Sent(found, made, job)


def invitations_for(target: Target, limit: int = 200) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .options(selectinload(Invitation.contact), selectinload(Invitation.email))
            .where(target.column() == target.id)
            .order_by(Invitation.id.desc())
            .limit(limit)
        )
    )


def delivery_counts(target: Target) -> dict[str, int]:
    """How many invitations to the target there are, and how many are sent, waiting and failed, in one
    query (their delivery is their outbox message's)."""
    unsent = email.OutboundEmail.sent_at.is_(None)
    total, sent, failed = db.session.execute(
        select(
            func.count(Invitation.id),
            func.count(Invitation.id).filter(~unsent),
            func.count(Invitation.id).filter(unsent, email.OutboundEmail.last_error != ""),
        )
        .select_from(Invitation)
        .join(email.OutboundEmail, email.OutboundEmail.id == Invitation.email_id)
        .where(target.column() == target.id)
    ).one()
    return {"total": total, "sent": sent, "failed": failed, "waiting": total - sent - failed}
