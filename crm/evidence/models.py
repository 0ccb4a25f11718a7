"""Outreach tasks: a gap in a policy's coverage (a characteristic not heard, or heard too little) turned into
planned outreach, with the events logged against it; closed by the evidence that answers it
(crm/evidence/outreach.py says what counts)."""

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import Area, Characteristic, Choice, TimestampMixin, UTCDateTime, allowed_values
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.policies.models import Policy


class OutreachStatus(Choice):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


OUTREACH_STATUSES = OutreachStatus.labels()

outreach_task_event = Table(
    "outreach_task_event",
    db.metadata,
    Column("task_id", ForeignKey("outreach_task.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class OutreachTask(TimestampMixin, db.Model):
    __tablename__ = "outreach_task"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    characteristic_id: Mapped[int] = mapped_column(ForeignKey("characteristic.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=OutreachStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The event whose feedback answered the gap; empty when an officer closed the task by hand.
    closed_by_event_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_event.id"))

    policy: Mapped[Policy] = relationship()
    characteristic: Mapped[Characteristic] = relationship()
    area: Mapped[Area | None] = relationship()
    owner: Mapped[StaffUser] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])
    closed_by_event: Mapped[EngagementEvent | None] = relationship(foreign_keys=[closed_by_event_id])
    events: Mapped[list[EngagementEvent]] = relationship(
        secondary=outreach_task_event, order_by=EngagementEvent.starts_at
    )

    __table_args__ = (
        allowed_values("status", OutreachStatus),
        # The list: open ones first, soonest due first.
        Index("ix_outreach_task_listing", "status", "due_on"),
    )

    @property
    def status_label(self) -> str:
        return OUTREACH_STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status == OutreachStatus.OPEN
