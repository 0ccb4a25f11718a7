"""Demo standing bodies: a fictional Young Combined Authority with members, a meeting and recommendations in
every state (accepted and carried out, not accepted, and one whose response is overdue), on a public
register, so the loop from voice to decision can be tried out."""

from datetime import timedelta

from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.bodies import service
from crm.bodies.models import StandingBody
from crm.core import audit
from crm.core.models import utc_now
from crm.core.time import uk_day_and_time, uk_today
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.groups.models import Contact
from crm.policies.models import Policy

NAME = "Young Combined Authority (demo)"


def seed_demo_bodies() -> bool:
    """Add the demo bodies once. Returns whether anything was created."""
    if db.session.scalar(select(StandingBody.id).where(StandingBody.name == NAME)):
        return False
    lead = db.session.scalar(select(StaffUser).where(StaffUser.email == "policy@example.org"))
    buses = db.session.scalar(select(Policy).where(Policy.reference == "DEMO-POL-002"))
    skills = db.session.scalar(select(Policy).where(Policy.reference == "DEMO-POL-001"))
    if lead is None or buses is None or skills is None:
        return False
    today = uk_today()
    body = service.create_body(
        audit.SYSTEM,
        name=NAME,
        slug="young-combined-authority-demo",
        kind="youth_assembly",
        remit="Young people aged 11 to 25 from across the region, holding the authority to account on "
        "transport, skills and the cost of living. Made up for the demo.",
        terms_of_reference="Meets every six weeks; may recommend on any policy referred to it; the authority "
        "responds formally within 8 weeks.",
        response_weeks=8,
        has_public_register=True,
        policy_ids=[buses.id, skills.id],
    )
    service.create_body(
        audit.SYSTEM,
        name="Race Equalities Taskforce (demo)",
        slug="race-equalities-taskforce-demo",
        kind="taskforce",
        remit="Made up for the demo.",
        response_weeks=12,
        policy_ids=[skills.id],
    )
    db.session.flush()
    contacts = list(db.session.scalars(select(Contact).where(Contact.is_archived.is_(False)).limit(2)))
    for contact, role in zip(contacts, ["chair", "member"], strict=False):
        service.add_member(audit.SYSTEM, body, contact.id, role, today - timedelta(days=200))
    start = utc_now() - timedelta(days=70)
    meeting = EngagementEvent(
        title="Young Combined Authority sitting (demo)",
        kind="commission_meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue="Fictional youth centre",
        attendance=28,
        coproduction_level="collaborate",
        notes="Made up for the demo.",
    )
    meeting.policies = [buses]
    db.session.add(meeting)
    db.session.flush()
    service.add_meeting(audit.SYSTEM, body, meeting)
    made = uk_day_and_time(start)[0]
    accepted = service.create_recommendation(
        audit.SYSTEM,
        title="Free evening bus travel for care leavers",
        text="Care leavers under 25 should travel free after 7pm, when most of them finish work or college.",
        body_id=body.id,
        event_id=meeting.id,
        made_on=made,
        owner_id=lead.id,
        policy_ids=[buses.id],
    )
    service.record_response(
        lead,
        accepted,
        "accepted_in_part",
        "Free travel for care leavers under 21 from April; under-25s to follow the fares review.",
        made + timedelta(days=30),
    )
    service.set_published(lead, accepted, True)
    service.record_implementation(
        lead, accepted, "in_progress", "Fares table changed in the draft of DEMO-POL-002; starts in April."
    )
    declined = service.create_recommendation(
        audit.SYSTEM,
        title="Scrap all fares for under-18s",
        body_id=body.id,
        event_id=meeting.id,
        made_on=made,
        owner_id=lead.id,
        policy_ids=[buses.id],
    )
    service.record_response(
        lead,
        declined,
        "not_accepted",
        "Not affordable within this year's budget; the fares review will look at it again.",
        made + timedelta(days=40),
    )
    service.set_published(lead, declined, True)
    service.create_recommendation(
        audit.SYSTEM,
        title="Skills courses at times young carers can attend",
        text="Run courses in school hours and online, with a carers' break fund.",
        body_id=body.id,
        made_on=made,  # ten weeks ago: its response is overdue
        owner_id=lead.id,
        policy_ids=[skills.id],
    )
    return True
