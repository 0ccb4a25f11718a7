"""Equality Impact Assessments: one version per row, its findings per characteristic with the feedback each
cites, and its actions. Nothing here alters the feedback table: every link lives in a table of its own."""

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.bodies.models import Recommendation
from crm.core.models import Characteristic, Choice, TimestampMixin, UTCDateTime, allowed_values
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.models import Policy


class EIAStatus(Choice):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


EIA_STATUSES = EIAStatus.labels()

EIA_STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "in_review": "govuk-tag--yellow",
    "approved": "govuk-tag--green",
    "published": "govuk-tag--turquoise",
    "superseded": "govuk-tag--grey",
}
# Approved and published EIAs are the signed-off record: nobody edits them, a new version replaces them.
READ_ONLY_STATUSES = ("approved", "published", "superseded")


class ScreeningDecision(Choice):
    FULL = "full", "A full assessment is needed"
    NOT_NEEDED = "not_needed", "A full assessment is not needed"


SCREENING_DECISIONS = ScreeningDecision.labels()


class EIAOutcome(Choice):
    # reference section 2.5 (EHRC wording)
    NO_MAJOR_CHANGE = "no_major_change", "No major change"
    ADJUST = "adjust", "Adjust the policy"
    CONTINUE = "continue", "Continue the policy"
    STOP = "stop", "Stop and remove the policy"


EIA_OUTCOMES = EIAOutcome.labels()


class Direction(Choice):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    UNKNOWN = "unknown", "Unknown"


DIRECTIONS = Direction.labels()


class Severity(Choice):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"


SEVERITIES = Severity.labels()


class ActionStatus(Choice):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


ACTION_STATUSES = ActionStatus.labels()

eia_finding_evidence = Table(
    "eia_finding_evidence",
    db.metadata,
    Column("finding_id", ForeignKey("eia_finding.id", ondelete="CASCADE"), primary_key=True),
    Column("feedback_id", ForeignKey("feedback.id"), primary_key=True, index=True),
)
# Accepted recommendations of standing bodies and events, cited as evidence beside feedback.
eia_finding_recommendation = Table(
    "eia_finding_recommendation",
    db.metadata,
    Column("finding_id", ForeignKey("eia_finding.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendation.id"), primary_key=True, index=True),
)


class EIA(TimestampMixin, db.Model):
    """One version of a policy's Equality Impact Assessment."""

    __tablename__ = "eia"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    aims: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    screening_decision: Mapped[str] = mapped_column(String(20), default="")
    screening_reason: Mapped[str] = mapped_column(Text, default="")
    data_sources: Mapped[str] = mapped_column(Text, default="")
    data_gaps: Mapped[str] = mapped_column(Text, default="")
    aim_eliminate: Mapped[str] = mapped_column(Text, default="")
    aim_opportunity: Mapped[str] = mapped_column(Text, default="")
    aim_relations: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    review_due: Mapped[date | None] = mapped_column(Date, index=True)
    review_comments: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("eia.id"))

    policy: Mapped[Policy] = relationship()
    assessor: Mapped[StaffUser | None] = relationship(foreign_keys=[assessor_id])
    approver: Mapped[StaffUser | None] = relationship(foreign_keys=[approver_id])
    findings: Mapped[list["EIAFinding"]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="EIAFinding.position"
    )
    actions: Mapped[list["EIAAction"]] = relationship(
        back_populates="eia", cascade="all, delete-orphan", order_by="EIAAction.id"
    )

    __table_args__ = (
        allowed_values("outcome", EIAOutcome, blank=True),
        allowed_values("screening_decision", ScreeningDecision, blank=True),
        allowed_values("status", EIAStatus),
        UniqueConstraint("policy_id", "version", name="uq_eia_policy_version"),
    )

    @property
    def reference(self) -> str:
        return f"EIA-{self.policy_id:04d}-v{self.version}"

    @property
    def status_label(self) -> str:
        return EIA_STATUSES.get(self.status, self.status)

    @property
    def status_tag(self) -> str:
        return EIA_STATUS_TAGS.get(self.status, "")

    @property
    def is_read_only(self) -> bool:
        return self.status in READ_ONLY_STATUSES

    @property
    def screening_label(self) -> str:
        return SCREENING_DECISIONS.get(self.screening_decision, "")

    @property
    def outcome_label(self) -> str:
        return EIA_OUTCOMES.get(self.outcome, "")


class EIAFinding(db.Model):
    """The impact on one characteristic, and the feedback it rests on."""

    __tablename__ = "eia_finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eia.id", ondelete="CASCADE"), index=True)
    characteristic_id: Mapped[int] = mapped_column(ForeignKey("characteristic.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    direction: Mapped[str] = mapped_column(String(20), default="unknown")
    severity: Mapped[str] = mapped_column(String(20), default="")
    narrative: Mapped[str] = mapped_column(Text, default="")

    eia: Mapped[EIA] = relationship(back_populates="findings")
    characteristic: Mapped[Characteristic] = relationship()
    evidence: Mapped[list[Feedback]] = relationship(
        secondary=eia_finding_evidence, order_by=Feedback.received_at
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=eia_finding_recommendation, order_by=Recommendation.made_on
    )

    __table_args__ = (
        allowed_values("severity", Severity, blank=True),
        allowed_values("direction", Direction),
        UniqueConstraint("eia_id", "characteristic_id", name="uq_eia_finding_characteristic"),
    )

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, self.direction)

    @property
    def severity_label(self) -> str:
        return SEVERITIES.get(self.severity, "Not rated")

    @property
    def is_empty(self) -> bool:
        """Cites no evidence and says nothing: not a finding anyone can rely on."""
        return not self.narrative.strip() and not self.evidence


class EIAAction(TimestampMixin, db.Model):
    __tablename__ = "eia_action"
    __table_args__ = (allowed_values("status", ActionStatus),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    eia_id: Mapped[int] = mapped_column(ForeignKey("eia.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    monitoring: Mapped[str] = mapped_column(Text, default="")

    eia: Mapped[EIA] = relationship(back_populates="actions")

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)
