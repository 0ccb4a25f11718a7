"""Demo invitations: the consented contacts of disabled people's groups invited to the open demo consultation,
so that under `make run` (no SMTP server) the admin's email page shows what the service would have sent."""

from flask import current_app, has_request_context
from sqlalchemy import select

from crm.consultations.models import Consultation
from crm.core import audit
from crm.core.models import Characteristic
from crm.engagement import invitations
from crm.engagement.models import Invitation
from crm.extensions import db
from crm.groups.queries import GroupFilters

DEMO_CONSULTATION = "demo-evening-buses"


def seed_demo_invitations() -> bool:
    """Invite once. Returns whether anything was sent."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_CONSULTATION))
    if consultation is None or db.session.scalar(select(Invitation.id).limit(1)) is not None:
        return False
    disability = db.session.scalar(select(Characteristic.id).where(Characteristic.name == "Disability"))
    filters = GroupFilters(characteristic=[disability] if disability else [])
    target = invitations.Target(consultation=consultation)
    if not invitations.plan(target, filters).contacts:
        return False
    if has_request_context():
        invitations.invite(audit.SYSTEM, target, filters)
    else:
        # The messages link to the consultation's public page: the address `make run` serves it on.
        with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
            invitations.invite(audit.SYSTEM, target, filters)
    return True
