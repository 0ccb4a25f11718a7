"""Reads for outcomes: the public list, one consultation's published outcome, its counts and its feedback."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.consultations.models import COUNTED_STATUSES, Response
from crm.core import suppression
from crm.core.models import Theme
from crm.core.pagination import paginate
from crm.extensions import db
from crm.feedback.models import Feedback, feedback_theme
from crm.feedback.queries import text_search_condition
from crm.outcomes.models import Outcome

PUBLIC_PER_PAGE = 10
CANDIDATES_PER_PAGE = 20


def theme_counts(consultation_id: int) -> list[tuple[str, int]]:
    """Themes coded on the consultation's feedback (not excluded), most mentioned first."""
    rows = db.session.execute(
        select(Theme.name, func.count())
        .join(feedback_theme, feedback_theme.c.theme_id == Theme.id)
        .join(Feedback, Feedback.id == feedback_theme.c.feedback_id)
        .where(Feedback.consultation_id == consultation_id, Feedback.status != "excluded")
        .group_by(Theme.name)
        .order_by(func.count().desc(), Theme.name)
    ).all()
    return [(row[0], row[1]) for row in rows]


def you_said(consultation_id: int) -> dict:
    """What people said, for the public: responses and theme mentions through disclosure control
    (crm/core/suppression.suppress_counts: themes overlap, so there is no total to subtract from). Below the
    minimum breakdown (n people) the themes are not shown at all, as with monitoring figures."""
    threshold, minimum = suppression.settings()
    responses = db.session.scalar(
        select(db.func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation_id, Response.status.in_(COUNTED_STATUSES))
    )
    responses = responses or 0
    themes = theme_counts(consultation_id) if responses >= minimum else []
    cells = suppression.suppress_counts({"": responses} | {f"theme:{n}": c for n, c in themes}, threshold)
    return {
        "threshold": threshold,
        "responses": cells[""],
        "themes": [(name, cells[f"theme:{name}"]) for name, _count in themes],
        "withheld": "" if responses >= minimum else suppression.too_few_themes_reason(minimum),
    }


def published_outcome(consultation_id: int) -> Outcome | None:
    return db.session.scalar(
        select(Outcome)
        .where(Outcome.consultation_id == consultation_id, Outcome.status == "published")
        .options(selectinload(Outcome.feedback))
    )


def published_outcomes(page: int):
    return paginate(
        select(Outcome)
        .where(Outcome.status == "published")
        .options(selectinload(Outcome.consultation), selectinload(Outcome.feedback))
        .order_by(Outcome.published_at.desc()),
        page=page,
        per_page=PUBLIC_PER_PAGE,
    )


def candidate_feedback(consultation_id: int, q: str, exclude_ids, page: int):
    """The consultation's feedback (not excluded) that an outcome could quote, newest first."""
    query = (
        select(Feedback)
        .where(Feedback.consultation_id == consultation_id, Feedback.status != "excluded")
        .options(selectinload(Feedback.group), selectinload(Feedback.themes))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if q:
        query = query.where(text_search_condition(q))
    if exclude_ids:
        query = query.where(Feedback.id.not_in(list(exclude_ids)))
    return paginate(query, page=page, per_page=CANDIDATES_PER_PAGE)
