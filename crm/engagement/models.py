"""Engagement events: outreach, workshops, meetings and the like, who took part and whom they reached."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import Area, Characteristic, TimestampMixin, UTCDateTime
from crm.extensions import db
from crm.groups.models import CommunityGroup
from crm.policies.models import Policy

EVENT_KINDS = {
    "street_outreach": "Street outreach",
    "workshop": "Workshop",
    "focus_group": "Focus group",
    "drop_in": "Drop-in",
    "public_meeting": "Public meeting",
    "webinar": "Webinar",
    "stall": "Stall at a community event",
    "commission_meeting": "Commission or taskforce meeting",
    "one_to_one": "One-to-one",
}
COPRODUCTION_LEVELS = {
    "inform": "Inform",
    "consult": "Consult",
    "involve": "Involve",
    "collaborate": "Collaborate",
    "empower": "Empower",
}
PROVISIONS = {
    "bsl": "BSL interpreter",
    "hearing_loop": "Hearing loop",
    "step_free": "Step-free access",
    "easy_read": "Easy read materials",
    "translation": "Translation or interpreting",
}

event_group = Table(
    "event_group",
    db.metadata,
    Column("event_id", ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("community_group.id"), primary_key=True, index=True),
)
event_officer = Table(
    "event_officer",
    db.metadata,
    Column("event_id", ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("staff_user.id"), primary_key=True, index=True),
)
event_policy = Table(
    "event_policy",
    db.metadata,
    Column("event_id", ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policy.id"), primary_key=True, index=True),
)


class EventReach(db.Model):
    """How many people of a characteristic an event is estimated to have reached."""

    __tablename__ = "event_reach"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_event.id", ondelete="CASCADE"), primary_key=True
    )
    characteristic_id: Mapped[int] = mapped_column(
        ForeignKey("characteristic.id"), primary_key=True, index=True
    )
    estimated_count: Mapped[int] = mapped_column(Integer)

    characteristic: Mapped[Characteristic] = relationship()


class EngagementEvent(TimestampMixin, db.Model):
    __tablename__ = "engagement_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    attendance: Mapped[int | None] = mapped_column(Integer)
    coproduction_level: Mapped[str] = mapped_column(String(20), default="consult")
    provisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    area: Mapped[Area | None] = relationship()
    consultation = relationship("Consultation")
    groups: Mapped[list[CommunityGroup]] = relationship(secondary=event_group, order_by=CommunityGroup.name)
    officers: Mapped[list[StaffUser]] = relationship(secondary=event_officer, order_by=StaffUser.name)
    policies: Mapped[list[Policy]] = relationship(secondary=event_policy, order_by=Policy.reference)
    reach: Mapped[list[EventReach]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (Index("ix_engagement_event_listing", "is_archived", "starts_at"),)

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def coproduction_label(self) -> str:
        return COPRODUCTION_LEVELS.get(self.coproduction_level, self.coproduction_level)
