"""The staff home: each role's own work first (issue 13), then who we can reach.

Every list is small and bounded (a few rows, soonest first) and every count stops at COUNT_LIMIT, so the
home page costs the same at 1,000,000 feedback items as at ten.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.bodies import queries as bodies
from crm.bodies.models import Recommendation
from crm.consultations.models import Consultation, consultation_policy
from crm.core.models import utc_now
from crm.core.pagination import COUNT_LIMIT
from crm.core.time import uk_day_and_time
from crm.eias.models import EIA, EIAAction
from crm.evidence import queries as evidence
from crm.evidence.models import OutreachTask
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.queries import unverified_count
from crm.policies.models import Policy

CLOSING_WITHIN = timedelta(days=14)
SHOWN = 5


@dataclass
class Home:
    closing_soon: list[Consultation] = field(default_factory=list)
    to_code: int | None = None  # feedback waiting to be coded (up to COUNT_LIMIT + 1)
    registrations: int | None = None  # self-registered groups waiting to be checked
    to_approve: list[EIA] = field(default_factory=list)
    overdue: list[EIAAction] = field(default_factory=list)
    my_policies: list[Policy] = field(default_factory=list)
    overdue_responses: list[Recommendation] = field(default_factory=list)  # recommendations the user owns
    outreach: list[OutreachTask] = field(default_factory=list)  # open outreach tasks the user owns

    @property
    def to_code_text(self) -> str:
        return f"more than {COUNT_LIMIT:,}" if (self.to_code or 0) > COUNT_LIMIT else f"{self.to_code or 0:,}"

    @property
    def anything(self) -> bool:
        return any(
            (
                self.closing_soon,
                self.to_code,
                self.registrations,
                self.to_approve,
                self.overdue,
                self.my_policies,
                self.overdue_responses,
                self.outreach,
            )
        )


def home_for(user) -> Home:
    home = Home()
    now = utc_now()
    runs_engagement = user.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER)
    owns_policies = user.has_role(roles.POLICY_LEAD)
    approves = user.has_role(roles.ADMIN, roles.EQUALITY_LEAD)
    today = uk_day_and_time(now)[0]
    mine = select(Policy.id).where(Policy.owner_id == user.id)
    if runs_engagement or owns_policies:
        closing = select(Consultation).where(
            Consultation.status == "scheduled",
            Consultation.opens_at <= now,
            Consultation.closes_at > now,
            Consultation.closes_at <= now + CLOSING_WITHIN,
        )
        if not runs_engagement:  # a policy lead: the consultations on their own policies
            closing = closing.where(
                Consultation.id.in_(
                    select(consultation_policy.c.consultation_id).where(
                        consultation_policy.c.policy_id.in_(mine)
                    )
                )
            )
        home.closing_soon = list(db.session.scalars(closing.order_by(Consultation.closes_at).limit(SHOWN)))
    if runs_engagement:
        waiting = select(Feedback.id).where(Feedback.status == "new").limit(COUNT_LIMIT + 1).subquery()
        home.to_code = db.session.scalar(select(func.count()).select_from(waiting))
        home.registrations = unverified_count()
    if approves:
        home.to_approve = list(
            db.session.scalars(
                select(EIA)
                .where(EIA.status == "in_review")
                .options(selectinload(EIA.policy))
                .order_by(EIA.submitted_at)
                .limit(SHOWN)
            )
        )
    if owns_policies or approves:
        overdue = (
            select(EIAAction)
            .join(EIA, EIA.id == EIAAction.eia_id)
            .where(EIAAction.status.in_(("planned", "in_progress")), EIAAction.due_date < today)
            .options(selectinload(EIAAction.eia).selectinload(EIA.policy))
            .order_by(EIAAction.due_date)
            .limit(SHOWN)
        )
        if not approves:
            overdue = overdue.where(EIA.policy_id.in_(mine))
        home.overdue = list(db.session.scalars(overdue))
    home.overdue_responses = bodies.overdue(owner_id=user.id, limit=SHOWN)
    home.outreach = evidence.open_tasks_owned_by(user.id, limit=SHOWN)
    if owns_policies:
        home.my_policies = list(
            db.session.scalars(
                select(Policy).where(Policy.owner_id == user.id).order_by(Policy.reference).limit(SHOWN)
            )
        )
    return home
