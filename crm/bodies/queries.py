"""Reads for standing bodies and recommendations: lists filtered and counted in SQL, the overdue responses,
the public register and what a policy's pages show."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from crm.bodies.models import (
    ACCEPTING,
    Membership,
    Recommendation,
    RecommendationResponse,
    StandingBody,
    body_meeting,
    recommendation_policy,
)
from crm.core.models import utc_now
from crm.core.pagination import Latest, latest, paginate
from crm.core.time import start_of_uk_day, uk_today
from crm.engagement.models import EngagementEvent, event_group
from crm.extensions import db
from crm.groups.models import Contact

PER_PAGE = 25


@dataclass(frozen=True)
class BodyRow:
    body: StandingBody
    members: int  # current members
    recommendations: int
    awaiting: int  # recommendations without a response yet


def body_list(include_archived: bool = False) -> list[BodyRow]:
    """Every body with its counts, in three grouped statements rather than a few per body."""
    today = uk_today()
    query = select(StandingBody).order_by(StandingBody.name)
    if not include_archived:
        query = query.where(StandingBody.is_archived.is_(False))
    bodies = list(db.session.scalars(query))
    members = dict(
        db.session.execute(
            select(Membership.body_id, func.count())
            .where(
                Membership.starts_on <= today, or_(Membership.ends_on.is_(None), Membership.ends_on >= today)
            )
            .group_by(Membership.body_id)
        ).all()
    )
    counts = {
        body_id: (total, awaiting)
        for body_id, total, awaiting in db.session.execute(
            select(
                Recommendation.body_id,
                func.count(),
                func.count().filter(RecommendationResponse.id.is_(None)),
            )
            .outerjoin(RecommendationResponse)
            .where(Recommendation.body_id.is_not(None))
            .group_by(Recommendation.body_id)
        ).all()
    }
    return [BodyRow(body, members.get(body.id, 0), *counts.get(body.id, (0, 0))) for body in bodies]


def bodies_meeting_at(event_id: int) -> list[StandingBody]:
    return list(
        db.session.scalars(
            select(StandingBody)
            .join(body_meeting, body_meeting.c.body_id == StandingBody.id)
            .where(body_meeting.c.event_id == event_id)
            .order_by(StandingBody.name)
        )
    )


def body_choices() -> list[tuple[int, str]]:
    """(id, name) of the bodies in use, for a filter or a form: one small statement, none of the counts."""
    rows = db.session.execute(
        select(StandingBody.id, StandingBody.name)
        .where(StandingBody.is_archived.is_(False))
        .order_by(StandingBody.name)
    )
    return [(body_id, name) for body_id, name in rows]


def body_members(body: StandingBody) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(selectinload(Membership.contact))
            .where(Membership.body_id == body.id)
            .order_by(Membership.ends_on.is_not(None), Membership.starts_on.desc())
        )
    )


# ---- Recommendations ---------------------------------------------------------------------------------------

STATES = {
    "awaiting": "Awaiting a response",
    "overdue": "Response overdue",
    "responded": "Responded, not published",
    "published": "Response published",
}


def _with_details(query):
    return query.options(
        selectinload(Recommendation.body),
        selectinload(Recommendation.event),
        selectinload(Recommendation.owner),
        selectinload(Recommendation.response),
        selectinload(Recommendation.policies),
    )


def _in_state(query, state: str, today: date):
    if state in ("awaiting", "overdue"):
        query = query.where(~Recommendation.response.has())
        if state == "overdue":
            query = query.where(Recommendation.response_due_on < today)
    elif state == "responded":
        query = query.where(Recommendation.response.has(RecommendationResponse.published_at.is_(None)))
    elif state == "published":
        query = query.where(Recommendation.response.has(RecommendationResponse.published_at.is_not(None)))
    return query


def recommendations(
    page: int,
    state: str = "",
    body_id: int | None = None,
    owner_id: int | None = None,
    policy_id: int | None = None,
):
    """Recommendations, newest first, filtered in SQL and paginated."""
    query = _with_details(select(Recommendation)).order_by(
        Recommendation.made_on.desc(), Recommendation.id.desc()
    )
    query = _in_state(query, state, uk_today())
    if body_id:
        query = query.where(Recommendation.body_id == body_id)
    if owner_id:
        query = query.where(Recommendation.owner_id == owner_id)
    if policy_id:
        query = query.where(Recommendation.policies.any(id=policy_id))
    return paginate(query, page=page, per_page=PER_PAGE)


def overdue(owner_id: int | None = None, limit: int = 50) -> list[Recommendation]:
    """Recommendations whose formal response is past its deadline, oldest deadline first."""
    query = _in_state(_with_details(select(Recommendation)), "overdue", uk_today())
    if owner_id is not None:
        query = query.where(Recommendation.owner_id == owner_id)
    return list(db.session.scalars(query.order_by(Recommendation.response_due_on).limit(limit)))


def overdue_count(owner_id: int | None = None) -> int:
    query = _in_state(select(func.count(Recommendation.id)), "overdue", uk_today())
    if owner_id is not None:
        query = query.where(Recommendation.owner_id == owner_id)
    return db.session.scalar(query) or 0


def recommendation(recommendation_id: int) -> Recommendation | None:
    return db.session.scalar(
        _with_details(select(Recommendation)).where(Recommendation.id == recommendation_id)
    )


def accepted_for_policy(policy_id: int) -> list[Recommendation]:
    """Recommendations about the policy that the authority accepted, in full or in part."""
    return list(
        db.session.scalars(
            _with_details(select(Recommendation))
            .join(recommendation_policy, recommendation_policy.c.recommendation_id == Recommendation.id)
            .join(RecommendationResponse)
            .where(
                recommendation_policy.c.policy_id == policy_id,
                RecommendationResponse.decision.in_(ACCEPTING),
            )
            .order_by(Recommendation.made_on.desc())
        )
    )


# ---- The public register -----------------------------------------------------------------------------------


def public_body(slug: str) -> StandingBody | None:
    return db.session.scalar(
        select(StandingBody).where(
            StandingBody.slug == slug,
            StandingBody.has_public_register.is_(True),
            StandingBody.is_archived.is_(False),
        )
    )


def public_bodies() -> list[StandingBody]:
    return list(
        db.session.scalars(
            select(StandingBody)
            .where(StandingBody.has_public_register.is_(True), StandingBody.is_archived.is_(False))
            .order_by(StandingBody.name)
        )
    )


def register(body: StandingBody) -> list[tuple[Recommendation, RecommendationResponse | None]]:
    """Every recommendation the body made, newest first, each with its response only once published."""
    rows = db.session.execute(
        select(Recommendation, RecommendationResponse)
        .outerjoin(
            RecommendationResponse,
            and_(
                RecommendationResponse.recommendation_id == Recommendation.id,
                RecommendationResponse.published_at.is_not(None),
            ),
        )
        .options(selectinload(Recommendation.policies))
        .where(Recommendation.body_id == body.id)
        .order_by(Recommendation.made_on.desc(), Recommendation.id.desc())
    ).all()
    return [(recommendation, response) for recommendation, response in rows]


# ---- A contact's and a group's history (their pages, through the contributions registry) ------------------


def _memberships(where) -> Select:
    return (
        select(Membership)
        .where(where)
        .options(selectinload(Membership.body), selectinload(Membership.contact))
        .order_by(Membership.starts_on.desc(), Membership.id.desc())
    )


def memberships_of_contact(contact_id: int) -> list[Membership]:
    """All of a contact's seats, newest first: a person holds a few, and their meetings are read from them."""
    return list(db.session.scalars(_memberships(Membership.contact_id == contact_id)))


def memberships_of_group(group_id: int) -> Latest:
    """Seats on standing bodies held by the group's contacts."""
    return latest(
        _memberships(Membership.contact_id.in_(select(Contact.id).where(Contact.group_id == group_id)))
    )


def meetings_during(memberships: list[Membership]) -> Latest:
    """Meetings of the contact's bodies held while they sat on them, up to now: the nearest the register comes
    to "events attended", as it does not record who came to a meeting. One statement, one condition a seat."""
    if not memberships:
        return Latest([], 0)
    terms = []
    for seat in memberships:
        term = [
            body_meeting.c.body_id == seat.body_id,
            EngagementEvent.starts_at >= start_of_uk_day(seat.starts_on),
        ]
        if seat.ends_on is not None:
            term.append(EngagementEvent.starts_at < start_of_uk_day(seat.ends_on + timedelta(days=1)))
        terms.append(and_(*term))
    # EXISTS, not a join: a meeting of two of their bodies is listed once (and DISTINCT cannot compare JSON).
    of_their_body = select(body_meeting.c.event_id).where(
        body_meeting.c.event_id == EngagementEvent.id, or_(*terms)
    )
    return latest(
        select(EngagementEvent)
        .where(
            of_their_body.exists(),
            EngagementEvent.is_archived.is_(False),
            EngagementEvent.starts_at <= utc_now(),
        )
        .order_by(EngagementEvent.starts_at.desc(), EngagementEvent.id.desc())
    )


def _recommendations(where) -> Latest:
    return latest(
        select(Recommendation)
        .where(where)
        .options(
            selectinload(Recommendation.body),
            selectinload(Recommendation.event),
            selectinload(Recommendation.response),
        )
        .order_by(Recommendation.made_on.desc(), Recommendation.id.desc())
    )


def recommendations_of_contact(contact_id: int) -> Latest:
    """What the bodies the contact sat on recommended while they were members."""
    seat = (
        select(Membership.id)
        .where(
            Membership.contact_id == contact_id,
            Membership.body_id == Recommendation.body_id,
            Membership.starts_on <= Recommendation.made_on,
            or_(Membership.ends_on.is_(None), Membership.ends_on >= Recommendation.made_on),
        )
        .exists()
    )
    return _recommendations(seat)


def recommendations_of_group(group_id: int) -> Latest:
    """What was recommended at the events the group took part in."""
    return _recommendations(
        Recommendation.event_id.in_(select(event_group.c.event_id).where(event_group.c.group_id == group_id))
    )
