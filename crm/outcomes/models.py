"""We asked, you said, we did: one outcome per consultation, and the feedback it quotes."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.consultations.models import Consultation
from crm.core.models import Choice, TimestampMixin, UTCDateTime, allowed_values
from crm.extensions import db
from crm.feedback.models import Feedback


class OutcomeStatus(Choice):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


OUTCOME_STATUSES = OutcomeStatus.labels()


outcome_feedback = Table(
    "outcome_feedback",
    db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("feedback_id", ForeignKey("feedback.id"), primary_key=True, index=True),
)


class Outcome(TimestampMixin, db.Model):
    """ "We asked, you said, we did" for one consultation."""

    __tablename__ = "outcome"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), unique=True)
    we_asked: Mapped[str] = mapped_column(Text, default="")
    you_said: Mapped[str] = mapped_column(Text, default="")
    we_did: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    consultation: Mapped[Consultation] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(secondary=outcome_feedback, order_by=Feedback.received_at)

    __table_args__ = (
        allowed_values("status", OutcomeStatus),
        Index("ix_outcome_status_published", "status", "published_at"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"
