"""Ending what the retention table (crm/core/retention.py) says is due: closed data requests, and what people
wrote in consultations that closed long ago (with the text of the feedback drawn from it)."""

from datetime import datetime

from sqlalchemy import delete, func, select, update

from crm.consultations.models import Answer, Consultation, Response
from crm.core import retention
from crm.core.models import utc_now
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.feedback.service import without_words
from crm.privacy.models import DataRequest, DataRequestNote

# ---- Data requests: deleted 2 years after they were closed (with their notes) ---------------------------


def _closed_before(cutoff: datetime):
    return select(DataRequest.id).where(DataRequest.closed_at < cutoff)


def _count_closed(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_closed_before(cutoff).subquery())) or 0


@retention.ends("data_requests", due=_count_closed)
def delete_closed_requests(cutoff: datetime, limit: int) -> int:
    ids = list(db.session.scalars(_closed_before(cutoff).order_by(DataRequest.id).limit(limit)))
    if ids:
        db.session.execute(delete(DataRequestNote).where(DataRequestNote.request_id.in_(ids)))
        db.session.execute(delete(DataRequest).where(DataRequest.id.in_(ids)))
    return len(ids)


# ---- Response text: anonymised 6 years after the consultation closes ----------------------------------
# The rows stay: a response still counts, its choice answers still add up, and feedback cited as evidence in
# an EIA keeps its coding and its place in the count; only the words people wrote go.


def _written(cutoff: datetime):
    closed_before = select(Consultation.id).where(Consultation.closes_at < cutoff)
    responses = select(Response.id).where(Response.consultation_id.in_(closed_before))
    return select(Answer.id).where(
        Answer.response_id.in_(responses),
        Answer.text.is_not(None),
        Answer.text != retention.REMOVED_AT_END_OF_PERIOD,
    )


def _count_written(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_written(cutoff).subquery())) or 0


@retention.ends("response_text", due=_count_written)
def remove_response_text(cutoff: datetime, limit: int) -> int:
    """Replace up to `limit` free-text answers, and the feedback drawn from each, with a marker."""
    ids = list(db.session.scalars(_written(cutoff).order_by(Answer.id).limit(limit)))
    if ids:
        marker = retention.REMOVED_AT_END_OF_PERIOD
        db.session.execute(update(Answer).where(Answer.id.in_(ids)).values(text=marker))
        db.session.execute(
            update(Feedback)
            .where(Feedback.answer_id.in_(ids))
            .values(text=marker, original_text=without_words(marker), updated_at=utc_now())
        )
    return len(ids)
