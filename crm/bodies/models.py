"""Standing bodies that exist to challenge and influence policy (a youth assembly, commissions, a taskforce,
networks), their members, what they recommend and the authority's formal answer."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import Choice, TimestampMixin, UTCDateTime, allowed_values
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.groups.models import Contact
from crm.policies.models import Policy

DEFAULT_RESPONSE_WEEKS = 8


class BodyKind(Choice):
    YOUTH_ASSEMBLY = "youth_assembly", "Youth assembly"
    COMMISSION = "commission", "Commission"
    TASKFORCE = "taskforce", "Taskforce"
    NETWORK = "network", "Network"
    PANEL = "panel", "Panel"
    BOARD = "board", "Board"


BODY_KINDS = BodyKind.labels()


class MemberRole(Choice):
    CHAIR = "chair", "Chair"
    MEMBER = "member", "Member"
    CO_OPTED = "co_opted", "Co-opted member"
    ADVISER = "adviser", "Adviser"


MEMBER_ROLES = MemberRole.labels()


class Decision(Choice):
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PART = "accepted_in_part", "Accepted in part"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


DECISIONS = Decision.labels()
ACCEPTING = (Decision.ACCEPTED, Decision.ACCEPTED_IN_PART)


class Implementation(Choice):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


IMPLEMENTATION_STATES = Implementation.labels()

body_policy = Table(
    "body_policy",
    db.metadata,
    Column("body_id", ForeignKey("standing_body.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policy.id"), primary_key=True, index=True),
)
# A body's meetings are engagement events: their reach and feedback are recorded as for any event.
body_meeting = Table(
    "body_meeting",
    db.metadata,
    Column("body_id", ForeignKey("standing_body.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True, index=True),
)
recommendation_policy = Table(
    "recommendation_policy",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policy.id"), primary_key=True, index=True),
)


class StandingBody(TimestampMixin, db.Model):
    __tablename__ = "standing_body"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    remit: Mapped[str] = mapped_column(Text, default="")
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    # Weeks the authority has to answer a recommendation formally.
    response_weeks: Mapped[int] = mapped_column(Integer, default=DEFAULT_RESPONSE_WEEKS)
    # Whether /bodies/<slug> shows its register of recommendations and published responses.
    has_public_register: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    policies: Mapped[list[Policy]] = relationship(secondary=body_policy, order_by=Policy.reference)
    meetings: Mapped[list[EngagementEvent]] = relationship(
        secondary=body_meeting, order_by=EngagementEvent.starts_at.desc()
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="body", order_by="Membership.starts_on", cascade="all, delete-orphan"
    )

    __table_args__ = (
        allowed_values("kind", BodyKind),
        CheckConstraint("response_weeks BETWEEN 1 AND 52", name="response_weeks_range"),
    )

    @property
    def kind_label(self) -> str:
        return BODY_KINDS.get(self.kind, self.kind)


class Membership(TimestampMixin, db.Model):
    """A contact's seat on a body, for a term. For an under-18 member, the consent that applies (a parent's
    or carer's, or the member's own where the body's safeguarding policy allows) is recorded."""

    __tablename__ = "membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("standing_body.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    is_under_18: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[str] = mapped_column(Text, default="")  # who consented, when and how (under-18s)

    body: Mapped[StandingBody] = relationship(back_populates="memberships")
    contact: Mapped[Contact] = relationship()

    __table_args__ = (
        allowed_values("role", MemberRole),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="term_order"),
    )

    @property
    def role_label(self) -> str:
        return MEMBER_ROLES.get(self.role, self.role)

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


class Recommendation(TimestampMixin, db.Model):
    """What a body, a co-production workshop or any event recommended, the policies it is about, and who owns
    the authority's answer."""

    __tablename__ = "recommendation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("standing_body.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagement_event.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    made_on: Mapped[date] = mapped_column(Date)
    response_due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)

    body: Mapped[StandingBody | None] = relationship()
    event: Mapped[EngagementEvent | None] = relationship()
    owner: Mapped[StaffUser] = relationship()
    policies: Mapped[list[Policy]] = relationship(secondary=recommendation_policy, order_by=Policy.reference)
    response: Mapped["RecommendationResponse | None"] = relationship(
        back_populates="recommendation", uselist=False, cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("body_id IS NOT NULL OR event_id IS NOT NULL", name="has_source"),
        CheckConstraint("response_due_on >= made_on", name="due_after_made"),
        Index("ix_recommendation_due", "response_due_on"),
    )

    @property
    def source(self) -> str:
        if self.body and self.event:
            return f"{self.body.name}, {self.event.title}"
        return self.body.name if self.body else self.event.title


class RecommendationResponse(TimestampMixin, db.Model):
    """The authority's formal answer to a recommendation, and then how it is being carried out."""

    __tablename__ = "recommendation_response"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text, default="")
    responded_on: Mapped[date] = mapped_column(Date)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    implementation: Mapped[str] = mapped_column(String(20), default="")
    implementation_evidence: Mapped[str] = mapped_column(Text, default="")

    recommendation: Mapped[Recommendation] = relationship(back_populates="response")
    responded_by: Mapped[StaffUser | None] = relationship()

    __table_args__ = (
        allowed_values("decision", Decision),
        allowed_values("implementation", Implementation, blank=True),
    )

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)

    @property
    def implementation_label(self) -> str:
        return IMPLEMENTATION_STATES.get(self.implementation, "Not started")

    @property
    def is_accepting(self) -> bool:
        return self.decision in ACCEPTING
