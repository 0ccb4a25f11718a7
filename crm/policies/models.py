"""Policies, strategies, schemes and the like: what consultations inform and feedback shapes."""

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import TimestampMixin
from crm.extensions import db

POLICY_KINDS = {
    "policy": "Policy",
    "strategy": "Strategy",
    "scheme": "Scheme",
    "programme": "Programme",
    "review": "Review",
    "deliverable": "Deliverable",
}
# In lifecycle order.
POLICY_STATUSES = {
    "emerging": "Emerging",
    "in_development": "In development",
    "consultation": "Consultation",
    "adopted": "Adopted",
    "under_review": "Under review",
    "retired": "Retired",
}


class Policy(TimestampMixin, db.Model):
    __tablename__ = "policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    work_area: Mapped[str] = mapped_column(String(120), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="emerging", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")

    owner: Mapped[StaffUser | None] = relationship()

    __table_args__ = (Index("ix_policy_title", "title"),)

    @property
    def kind_label(self) -> str:
        return POLICY_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return POLICY_STATUSES.get(self.status, self.status)
