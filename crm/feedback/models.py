"""Feedback: the unit of captured voice. Every free-text answer of a response becomes one automatically.

Coding comes later: themes, barriers and characteristics will be many-to-many tables keyed on feedback.id
(feedback_theme, feedback_barrier, feedback_characteristic), and `stance` is already a column, so adding them
needs no change to what is here.
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.consultations.models import Answer, Consultation, Response
from crm.core.models import (
    Barrier,
    Characteristic,
    Choice,
    Theme,
    TimestampMixin,
    UTCDateTime,
    allowed_values,
    utc_now,
)
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.groups.models import CommunityGroup, Contact
from crm.policies.models import Policy


class FeedbackSource(Choice):
    RESPONSE = "response", "Consultation response"
    EVENT = "event", "Engagement event"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    MEETING = "meeting", "Meeting"
    SOCIAL_MEDIA = "social_media", "Social media"


SOURCES = FeedbackSource.labels()


class FeedbackStatus(Choice):
    NEW = "new", "New"
    CODED = "coded", "Coded"
    EXCLUDED = "excluded", "Excluded"


STATUSES = FeedbackStatus.labels()


class ExclusionReason(Choice):
    """Why an item counts nowhere. "response" is set for the officer by marking its response spam or
    withdrawn, and lifted only by restoring that response."""

    SPAM = "spam", "Spam"
    WITHDRAWN = "withdrawn", "Withdrawn by the person"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    DUPLICATE = "duplicate", "A duplicate of another item"
    RESPONSE = "response", "Its response was marked as spam or withdrawn"


EXCLUSION_REASONS = ExclusionReason.labels()
# What an officer may choose; a duplicate is marked by naming the item it repeats.
CHOSEN_EXCLUSIONS = ("spam", "withdrawn", "out_of_scope")


class Stance(Choice):
    SUPPORT = "support", "Support"
    OPPOSE = "oppose", "Oppose"
    MIXED = "mixed", "Mixed"
    NEUTRAL = "neutral", "Neutral"


STANCES = Stance.labels()


feedback_theme = Table(
    "feedback_theme",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)
feedback_barrier = Table(
    "feedback_barrier",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("barrier_id", ForeignKey("barrier.id"), primary_key=True, index=True),
)
# The characteristics a piece of feedback speaks for (coded by officers, not asked of the person).
feedback_characteristic = Table(
    "feedback_characteristic",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("characteristic_id", ForeignKey("characteristic.id"), primary_key=True, index=True),
)
feedback_policy = Table(
    "feedback_policy",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policy.id"), primary_key=True, index=True),
)


class Feedback(TimestampMixin, db.Model):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    stance: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("community_group.id"), index=True)
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_event.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    # Corrections (issue 13): the words as first captured, kept when the text is edited; why it is excluded.
    original_text: Mapped[str | None] = mapped_column(Text)
    exclusion_reason: Mapped[str | None] = mapped_column(String(20))
    exclusion_note: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"), index=True)

    consultation: Mapped[Consultation | None] = relationship()
    response: Mapped[Response | None] = relationship()
    answer: Mapped[Answer | None] = relationship()
    group: Mapped[CommunityGroup | None] = relationship()
    policies: Mapped[list[Policy]] = relationship(secondary=feedback_policy)
    event: Mapped[EngagementEvent | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    captured_by: Mapped[StaffUser | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=feedback_theme, order_by=Theme.name)
    barriers: Mapped[list[Barrier]] = relationship(secondary=feedback_barrier, order_by=Barrier.name)
    characteristics: Mapped[list[Characteristic]] = relationship(
        secondary=feedback_characteristic, order_by=Characteristic.sort_order
    )
    duplicate_of: Mapped["Feedback | None"] = relationship(remote_side=[id])

    __table_args__ = (
        allowed_values("stance", Stance),
        allowed_values("exclusion_reason", ExclusionReason),
        allowed_values("status", FeedbackStatus),
        allowed_values("source", FeedbackSource),
        Index("ix_feedback_consultation_received", "consultation_id", "received_at"),
        Index("ix_feedback_event_received", "event_id", "received_at"),
    )
