"""Engagement events: outreach, workshops, meetings and the like, who took part and whom they reached."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.consultations.models import Consultation
from crm.core.email import OutboundEmail
from crm.core.models import (
    Area,
    Characteristic,
    Choice,
    CoproductionPrinciple,
    DeliveryArea,
    TimestampMixin,
    UTCDateTime,
    allowed_values,
    utc_now,
)
from crm.extensions import db
from crm.groups.models import CommunityGroup, Contact
from crm.policies.models import Policy


class EventKind(Choice):
    STREET_OUTREACH = "street_outreach", "Street outreach"
    WORKSHOP = "workshop", "Workshop"
    FOCUS_GROUP = "focus_group", "Focus group"
    DROP_IN = "drop_in", "Drop-in"
    PUBLIC_MEETING = "public_meeting", "Public meeting"
    WEBINAR = "webinar", "Webinar"
    STALL = "stall", "Stall at a community event"
    COMMISSION_MEETING = "commission_meeting", "Commission or taskforce meeting"
    ONE_TO_ONE = "one_to_one", "One-to-one"


EVENT_KINDS = EventKind.labels()


class CoproductionLevel(Choice):
    INFORM = "inform", "Inform"
    CONSULT = "consult", "Consult"
    INVOLVE = "involve", "Involve"
    COLLABORATE = "collaborate", "Collaborate"
    EMPOWER = "empower", "Empower"


COPRODUCTION_LEVELS = CoproductionLevel.labels()


class PrincipleRating(Choice):
    """How far an event or programme met a co-production principle. "Not assessed" is the default, and is
    what a principle with no assessment row means."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"


PRINCIPLE_RATINGS = PrincipleRating.labels()

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


class Programme(TimestampMixin, db.Model):
    """A programme or series of events reported as a whole, such as a street team's weekly sessions."""

    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    delivery_area_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_area.id"), index=True)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    # "" until someone records it: programmes existed before they had a level (migration 0028).
    coproduction_level: Mapped[str] = mapped_column(String(20), default="")

    delivery_area: Mapped[DeliveryArea | None] = relationship()

    __table_args__ = (allowed_values("coproduction_level", CoproductionLevel, blank=True),)

    @property
    def coproduction_label(self) -> str:
        return COPRODUCTION_LEVELS.get(self.coproduction_level, "Not recorded")


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
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    attendance: Mapped[int | None] = mapped_column(Integer)
    coproduction_level: Mapped[str] = mapped_column(String(20), default="consult")
    provisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    area: Mapped[Area | None] = relationship()
    consultation: Mapped[Consultation | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
    groups: Mapped[list[CommunityGroup]] = relationship(secondary=event_group, order_by=CommunityGroup.name)
    officers: Mapped[list[StaffUser]] = relationship(secondary=event_officer, order_by=StaffUser.name)
    policies: Mapped[list[Policy]] = relationship(secondary=event_policy, order_by=Policy.reference)
    reach: Mapped[list[EventReach]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        allowed_values("coproduction_level", CoproductionLevel),
        allowed_values("kind", EventKind),
        Index("ix_engagement_event_listing", "is_archived", "starts_at"),
    )

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def coproduction_label(self) -> str:
        return COPRODUCTION_LEVELS.get(self.coproduction_level, self.coproduction_level)


class Invitation(db.Model):
    """A consented contact invited by email to a consultation or an event. Its delivery is its outbox
    message's: sent, waiting, or failed with the server's reason. A contact is invited to one thing once."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_event.id"), index=True)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_email.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    contact: Mapped[Contact] = relationship()
    consultation: Mapped[Consultation | None] = relationship()
    event: Mapped["EngagementEvent | None"] = relationship()
    email: Mapped[OutboundEmail | None] = relationship()

    __table_args__ = (
        CheckConstraint("(consultation_id IS NULL) <> (event_id IS NULL)", name="one_target"),
        UniqueConstraint("contact_id", "consultation_id", name="uq_invitation_contact_consultation"),
        UniqueConstraint("contact_id", "event_id", name="uq_invitation_contact_event"),
    )

    @property
    def delivery(self) -> str:
        if self.email is None or self.email.sent_at is not None:
            return "Sent"
        if self.email.last_error:
            return f"Failed: {self.email.last_error}"
        return "Waiting to send"


class PrincipleAssessment(TimestampMixin, db.Model):
    """How one event or one programme met one co-production principle. No row means "not assessed"."""

    __tablename__ = "principle_assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("coproduction_principle.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_event.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    principle: Mapped[CoproductionPrinciple] = relationship()

    __table_args__ = (
        allowed_values("rating", PrincipleRating),
        # Each row assesses an event or a programme, never both and never neither.
        CheckConstraint("(event_id IS NULL) <> (programme_id IS NULL)", name="one_subject"),
        # Subject first: the unique indexes also serve "this event's assessment" (NULLs never collide).
        UniqueConstraint("event_id", "principle_id"),
        UniqueConstraint("programme_id", "principle_id"),
    )

    @property
    def rating_label(self) -> str:
        return PRINCIPLE_RATINGS.get(self.rating, self.rating)
