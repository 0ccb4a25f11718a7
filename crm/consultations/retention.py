"""Ending the consultation data the retention table (crm/core/retention.py) says is due."""

from datetime import datetime

from sqlalchemy import func, or_, select, update

from crm.consultations.models import Consultation, Response
from crm.core import retention
from crm.extensions import db


def _with_details(cutoff: datetime):
    closed_before = select(Consultation.id).where(Consultation.closes_at < cutoff)
    return select(Response.id).where(
        Response.consultation_id.in_(closed_before), or_(Response.name != "", Response.email != "")
    )


def _count_with_details(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_with_details(cutoff).subquery())) or 0


@retention.ends("respondent_details", due=_count_with_details)
def remove_respondent_details(cutoff: datetime, limit: int) -> int:
    """Blank the name and email of up to `limit` responses to consultations that closed before `cutoff`."""
    ids = list(db.session.scalars(_with_details(cutoff).order_by(Response.id).limit(limit)))
    if ids:
        db.session.execute(update(Response).where(Response.id.in_(ids)).values(name="", email=""))
    return len(ids)
