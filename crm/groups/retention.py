"""Ending the group data the retention table (crm/core/retention.py) says is due."""

from datetime import datetime

from sqlalchemy import func, or_, select, update

from crm.core import retention
from crm.extensions import db
from crm.groups.models import CommunityGroup, Contact

FORMER_CONTACT = "Former contact"


def _identifiable(cutoff: datetime):
    # A closed group's last change is when it closed (closing is a change like any other).
    closed_before = select(CommunityGroup.id).where(
        CommunityGroup.status == "closed", CommunityGroup.updated_at < cutoff
    )
    return select(Contact.id).where(
        Contact.group_id.in_(closed_before),
        or_(
            Contact.name != FORMER_CONTACT,
            Contact.email != "",
            Contact.phone != "",
            Contact.access_needs != "",
            Contact.preferred_language != "",
        ),
    )


def _count_identifiable(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_identifiable(cutoff).subquery())) or 0


@retention.ends("closed_group_contacts", due=_count_identifiable)
def anonymise_closed_group_contacts(cutoff: datetime, limit: int) -> int:
    """Take the personal details off up to `limit` contacts of groups that closed before `cutoff`. The row
    stays, so feedback and events that name the contact keep their links; nobody can be contacted again."""
    ids = list(db.session.scalars(_identifiable(cutoff).order_by(Contact.id).limit(limit)))
    if ids:
        db.session.execute(
            update(Contact)
            .where(Contact.id.in_(ids))
            .values(
                name=FORMER_CONTACT,
                email="",
                phone="",
                access_needs="",
                preferred_language="",
                do_not_contact=True,
                is_archived=True,
            )
        )
    return len(ids)
