"""Ending the consultation data the retention table (crm/core/retention.py) says is due."""

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from crm.consultations import queries
from crm.consultations.models import (
    Consultation,
    MonitoringAnswer,
    MonitoringSnapshot,
    MonitoringWaiting,
    Response,
)
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
        db.session.execute(
            update(Response).where(Response.id.in_(ids)).values(name="", email="", wants_updates=False)
        )
    return len(ids)


def _closed_before(cutoff: datetime):
    return select(Consultation.id).where(Consultation.closes_at < cutoff)


def _count_monitoring_due(cutoff: datetime) -> int:
    closed = _closed_before(cutoff)
    published = select(func.count()).where(MonitoringAnswer.consultation_id.in_(closed))
    waiting = select(func.count()).where(MonitoringWaiting.consultation_id.in_(closed))
    return (db.session.scalar(published) or 0) + (db.session.scalar(waiting) or 0)


@retention.ends("monitoring_answers", due=_count_monitoring_due)
def delete_monitoring_answers(cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` monitoring answers (published or waiting) of one consultation that closed before
    `cutoff`, freezing its published tables first, so that its report shows the same figures afterwards."""
    closed = _closed_before(cutoff)
    consultation_id = db.session.scalar(
        select(MonitoringAnswer.consultation_id).where(MonitoringAnswer.consultation_id.in_(closed)).limit(1)
    ) or db.session.scalar(
        select(MonitoringWaiting.consultation_id)
        .where(MonitoringWaiting.consultation_id.in_(closed))
        .limit(1)
    )
    if consultation_id is None:
        return 0
    if db.session.get(MonitoringSnapshot, consultation_id) is None:  # a run stopped half-way has one
        consultation = db.session.get(Consultation, consultation_id)
        report = queries.monitoring_report(consultation)
        db.session.add(
            MonitoringSnapshot(
                consultation_id=consultation_id, tables=[table.as_json() for table in report.tables]
            )
        )
    ended = 0
    for model in (MonitoringAnswer, MonitoringWaiting):
        ids = select(model.id).where(model.consultation_id == consultation_id).limit(limit - ended)
        ended += db.session.execute(delete(model).where(model.id.in_(ids.scalar_subquery()))).rowcount
        if ended >= limit:
            break
    return ended
