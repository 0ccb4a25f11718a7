"""Consultations, their questions, the responses people give, and equality monitoring kept apart.

MonitoringAnswer deliberately has no link to a response, a respondent, a time or a sequence number: only the
consultation it was given to. Its key is random, so not even insertion order ties it to a response.
"""

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import Area, Characteristic, Choice, TimestampMixin, UTCDateTime, allowed_values, utc_now
from crm.extensions import db
from crm.groups.models import CommunityGroup
from crm.policies.models import Policy


class ConsultationStatus(Choice):
    # Stored statuses. "scheduled" becomes open and then closed by its dates alone: see effective_status.
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ANALYSED = "analysed", "Analysed"
    OUTCOME_PUBLISHED = "outcome_published", "Outcome published"


STATUSES = ConsultationStatus.labels()

STATUS_TAG_CLASSES = {
    "draft": "govuk-tag--grey",
    "scheduled": "govuk-tag--blue",
    "open": "govuk-tag--green",
    "closed": "govuk-tag--orange",
    "analysed": "govuk-tag--purple",
    "outcome_published": "govuk-tag--turquoise",
}
FORMATS = {
    "easy_read": "Easy read",
    "bsl": "British Sign Language (BSL)",
    "large_print": "Large print",
    "other_languages": "Other languages",
    "paper": "Paper copy",
    "audio": "Audio",
}


class QuestionKind(Choice):
    FREE_TEXT = "free_text", "Free text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    AGREEMENT = "agreement", "Agreement scale"


QUESTION_KINDS = QuestionKind.labels()

AGREEMENT_OPTIONS = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
]


class Channel(Choice):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    EVENT = "event", "Event"


CHANNELS = Channel.labels()


class RespondentKind(Choice):
    INDIVIDUAL = "individual", "As an individual"
    GROUP = "group", "On behalf of a group"


RESPONDENT_KINDS = RespondentKind.labels()


class ResponseStatus(Choice):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    SPAM = "spam", "Spam"
    WITHDRAWN = "withdrawn", "Withdrawn"


RESPONSE_STATUSES = ResponseStatus.labels()

# Responses that count in summaries and exports.
COUNTED_STATUSES = ("received", "accepted")

consultation_policy = Table(
    "consultation_policy",
    db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policy.id"), primary_key=True, index=True),
)
consultation_characteristic = Table(
    "consultation_characteristic",
    db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("characteristic_id", ForeignKey("characteristic.id"), primary_key=True, index=True),
)
consultation_area = Table(
    "consultation_area",
    db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id"), primary_key=True, index=True),
)


def effective_status(status: str, opens_at: datetime | None, closes_at: datetime | None, now=None) -> str:
    """A scheduled consultation is open between its dates and closed after them, with nobody acting."""
    if status != "scheduled" or opens_at is None or closes_at is None:
        return status
    now = now or utc_now()
    if now < opens_at:
        return "scheduled"
    if now < closes_at:
        return "open"
    return "closed"


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    asks_monitoring: Mapped[bool] = mapped_column(Boolean, default=True)
    asks_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    asks_care_experienced: Mapped[bool] = mapped_column(Boolean, default=False)
    # The officer who runs it: they see its suppressed equality aggregates (DESIGN rule 2's owner).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)

    owner: Mapped[StaffUser | None] = relationship()
    policies: Mapped[list[Policy]] = relationship(secondary=consultation_policy, order_by=Policy.reference)
    characteristics: Mapped[list[Characteristic]] = relationship(
        secondary=consultation_characteristic, order_by=Characteristic.sort_order
    )
    areas: Mapped[list[Area]] = relationship(secondary=consultation_area, order_by=Area.sort_order)
    questions: Mapped[list["Question"]] = relationship(
        back_populates="consultation", order_by="Question.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        allowed_values("status", ConsultationStatus),
        Index("ix_consultation_status_dates", "status", "opens_at", "closes_at"),
    )

    @property
    def reference(self) -> str:
        return f"CON-{self.id:05d}"

    def effective_status(self, now=None) -> str:
        return effective_status(self.status, self.opens_at, self.closes_at, now)

    @property
    def current_status(self) -> str:
        return self.effective_status()

    @property
    def status_label(self) -> str:
        return STATUSES[self.current_status]

    @property
    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES[self.current_status]

    @property
    def is_open(self) -> bool:
        return self.current_status == "open"

    @property
    def format_labels(self) -> list[str]:
        return [FORMATS[code] for code in self.formats if code in FORMATS]


class Question(db.Model):
    __tablename__ = "question"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_length: Mapped[int | None] = mapped_column(Integer)
    # Option labels in order; an option's value is its 1-based position, fixed once a response exists.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    __table_args__ = (
        allowed_values("kind", QuestionKind),
        Index("ix_question_consultation_position", "consultation_id", "position"),
    )

    @property
    def kind_label(self) -> str:
        return QUESTION_KINDS[self.kind]

    @property
    def is_choice(self) -> bool:
        return self.kind != "free_text"

    @property
    def choices(self) -> list[tuple[str, str]]:
        labels = AGREEMENT_OPTIONS if self.kind == "agreement" else self.options
        return [(str(number), label) for number, label in enumerate(labels, start=1)]

    def option_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


class Response(db.Model):
    __tablename__ = "response"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # One per form shown: the same form sent twice is one response (unique constraint, not a check).
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    respondent_kind: Mapped[str] = mapped_column(String(20), default="individual")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("community_group.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    # Personal data: shown only to engagement officers and admins.
    name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(60), default="English")
    status: Mapped[str] = mapped_column(String(20), default="received")
    # Set when its monitoring answers were left out of the counts, in a batch with others
    # (crm/consultations/monitoring_store.py publish_exclusions): it stays set if the status changes back.
    monitoring_excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    # The respondent asked, with an email address, for a receipt and for "what happened" once the outcome is
    # published (crm/consultations/receipts.py); outcome_emailed_at records that second email, sent once.
    wants_updates: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # The event a response keyed in from one was collected at. Named by table: engagement sits above this
    # area and is not imported (DESIGN §6); its page shows the event (the "response-page" contribution).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagement_event.id", ondelete="SET NULL"), index=True
    )

    consultation: Mapped[Consultation] = relationship()
    group: Mapped[CommunityGroup | None] = relationship()
    keyed_by: Mapped[StaffUser | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )

    __table_args__ = (
        allowed_values("status", ResponseStatus),
        allowed_values("respondent_kind", RespondentKind),
        allowed_values("channel", Channel),
        Index("ix_response_consultation_received", "consultation_id", "received_at"),
        Index("ix_response_consultation_status", "consultation_id", "status"),
    )

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def status_label(self) -> str:
        return RESPONSE_STATUSES.get(self.status, self.status)

    @property
    def respondent_label(self) -> str:
        return RESPONDENT_KINDS.get(self.respondent_kind, self.respondent_kind)

    @property
    def group_label(self) -> str:
        if self.group is not None:
            return self.group.name
        return self.group_name


class Answer(db.Model):
    """One answer: free text, or one chosen option (a multiple-choice answer is one row per option)."""

    __tablename__ = "answer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    value: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    __table_args__ = (Index("ix_answer_question_value", "question_id", "value"),)


def _opaque_key() -> str:
    return secrets.token_hex(16)


class MonitoringAnswer(db.Model):
    """One equality-monitoring answer, published in a batch (crm/consultations/monitoring_store.py). Special
    category data: only ever read as suppressed aggregates. Its id is a keyed hash of the response's receipt
    reference and the question: with the key, held outside the database, a response's answers can be found to
    withdraw them; from the database alone, nothing joins them to a response."""

    __tablename__ = "monitoring_answer"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_opaque_key)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    question: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(40))

    __table_args__ = (Index("ix_monitoring_answer_tally", "consultation_id", "question", "answer"),)


class MonitoringExcluded(db.Model):
    """The id of a monitoring answer that no longer counts (its response was marked spam or withdrawn),
    published with those of at least k responses in one shuffled insert, as answers are: so the counts move
    in steps of k or more people, and the row says nothing about whose answer it was."""

    __tablename__ = "monitoring_excluded"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)


class MonitoringWaiting(db.Model):
    """One response's monitoring answers waiting to be published with others, sealed (encrypted) under a key
    held outside the database: this row is written in the response's own transaction, so only sealed data may
    sit beside it. Its id is a keyed hash of the receipt reference, so a withdrawal can find it."""

    __tablename__ = "monitoring_waiting"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    sealed: Mapped[str] = mapped_column(Text)


class MonitoringSnapshot(db.Model):
    """A consultation's monitoring tables as published, already suppressed, frozen before its answers are
    deleted at the end of their retention period. Holds only what the page showed: labels and figures."""

    __tablename__ = "monitoring_snapshot"
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    tables: Mapped[list] = mapped_column(JSON)
