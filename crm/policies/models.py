"""Policies, strategies, schemes and the like: what consultations inform and feedback shapes."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import Choice, DeliveryArea, TimestampMixin, UTCDateTime, allowed_values
from crm.extensions import db

if TYPE_CHECKING:  # feedback builds on policies, so only the type checker may look up
    from crm.feedback.models import Feedback


class PolicyKind(Choice):
    POLICY = "policy", "Policy"
    STRATEGY = "strategy", "Strategy"
    SCHEME = "scheme", "Scheme"
    PROGRAMME = "programme", "Programme"
    REVIEW = "review", "Review"
    DELIVERABLE = "deliverable", "Deliverable"


POLICY_KINDS = PolicyKind.labels()


class InfluenceUse(Choice):
    CHANGED = "changed", "Changed the policy"
    MITIGATION = "mitigation", "Led to a mitigation"
    NO_CHANGE = "no_change", "Considered, no change"


INFLUENCE_USES = InfluenceUse.labels()


class PolicyStatus(Choice):
    # In lifecycle order.
    EMERGING = "emerging", "Emerging"
    IN_DEVELOPMENT = "in_development", "In development"
    CONSULTATION = "consultation", "Consultation"
    ADOPTED = "adopted", "Adopted"
    UNDER_REVIEW = "under_review", "Under review"
    RETIRED = "retired", "Retired"


POLICY_STATUSES = PolicyStatus.labels()


class Policy(TimestampMixin, db.Model):
    __tablename__ = "policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    delivery_area_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_area.id"), index=True)
    # A key strategy or policy: the scheme commits to an EIA for every one (the EIA coverage report).
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="emerging", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")

    owner: Mapped[StaffUser | None] = relationship()
    delivery_area: Mapped[DeliveryArea | None] = relationship()

    __table_args__ = (
        allowed_values("status", PolicyStatus),
        allowed_values("kind", PolicyKind),
        Index("ix_policy_title", "title"),
    )

    @property
    def kind_label(self) -> str:
        return POLICY_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return POLICY_STATUSES.get(self.status, self.status)


class PolicyInfluence(TimestampMixin, db.Model):
    """How one feedback item was used on one policy, who decided and when. One record per pair."""

    __tablename__ = "policy_influence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), index=True)
    use: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    policy: Mapped[Policy] = relationship()
    feedback: Mapped["Feedback"] = relationship()
    decided_by: Mapped[StaffUser | None] = relationship()

    __table_args__ = (
        allowed_values("use", InfluenceUse),
        UniqueConstraint("policy_id", "feedback_id", name="uq_policy_influence_pair"),
    )

    @property
    def use_label(self) -> str:
        return INFLUENCE_USES.get(self.use, self.use)
