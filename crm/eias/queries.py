"""Reads for EIAs: the list, reviews falling due, one EIA with all its page shows, a policy's versions."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.bodies.models import Recommendation
from crm.core.pagination import paginate
from crm.eias.models import EIA, EIAFinding
from crm.extensions import db
from crm.feedback.models import Feedback

PER_PAGE = 25
MAX_REVIEWS_SHOWN = 100


def list_eias(status: str, page: int):
    query = (
        select(EIA)
        .options(selectinload(EIA.policy), selectinload(EIA.assessor))
        .order_by(EIA.updated_at.desc())
    )
    if status:
        query = query.where(EIA.status == status)
    return paginate(query, page=page, per_page=PER_PAGE)


def reviews_due(by: date) -> list[EIA]:
    """Signed-off EIAs whose review falls due on or before `by`, soonest first."""
    return list(
        db.session.scalars(
            select(EIA)
            .options(selectinload(EIA.policy))
            .where(
                EIA.status.in_(("approved", "published")),
                EIA.review_due.is_not(None),
                EIA.review_due <= by,
            )
            .order_by(EIA.review_due)
            .limit(MAX_REVIEWS_SHOWN)
        )
    )


def awaiting_review_count() -> int:
    return db.session.scalar(select(func.count()).select_from(EIA).where(EIA.status == "in_review"))


def eia_with_findings(eia_id: int) -> EIA | None:
    """One EIA with its policy, people, actions, and each finding's evidence: a fixed number of queries."""
    return db.session.scalar(
        select(EIA)
        .where(EIA.id == eia_id)
        .options(
            selectinload(EIA.policy),
            selectinload(EIA.assessor),
            selectinload(EIA.approver),
            selectinload(EIA.actions),
            selectinload(EIA.findings).options(
                selectinload(EIAFinding.characteristic),
                selectinload(EIAFinding.evidence).options(
                    selectinload(Feedback.event),
                    selectinload(Feedback.consultation),
                    selectinload(Feedback.group),
                ),
                selectinload(EIAFinding.recommendations).options(
                    selectinload(Recommendation.body), selectinload(Recommendation.event)
                ),
            ),
        )
    )


def policy_eias(policy_id: int) -> list[EIA]:
    return list(
        db.session.scalars(
            select(EIA)
            .where(EIA.policy_id == policy_id)
            .options(selectinload(EIA.assessor), selectinload(EIA.approver))
            .order_by(EIA.version.desc())
        )
    )
