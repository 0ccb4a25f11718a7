"""Data requests and the organisation's contact details.

A data request's confirmation token is stored only as its SHA-256 hash (like a password reset token): the
link in the email is the only copy of the token itself.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.consultations.models import Response
from crm.core.models import Choice, TimestampMixin, UTCDateTime, allowed_values, utc_now
from crm.core.time import UK
from crm.extensions import db


class RequestKind(Choice):
    WITHDRAW = "withdraw", "Withdraw my response"
    ACCESS = "access", "Give me a copy of my data"
    ERASE = "erase", "Erase my data"
    CORRECT = "correct", "Correct my data"
    OTHER = "other", "Something else"


KINDS = RequestKind.labels()


class RequestStatus(Choice):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


STATUSES = RequestStatus.labels()
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.REFUSED)
STATUS_TAG_CLASSES = {
    "open": "govuk-tag--blue",
    "in_progress": "govuk-tag--yellow",
    "completed": "govuk-tag--green",
    "refused": "govuk-tag--grey",
}


class IdentityCheck(Choice):
    # A link was emailed and not used yet.
    AWAITING = "awaiting", "Waiting for the person to confirm by email"
    CONFIRMED = "confirmed", "Confirmed by email link"
    # No usable email (unknown reference, or a response without an email): staff check by other means.
    NOT_CHECKED = "not_checked", "Not checked"
    CHECKED_BY_STAFF = "checked_by_staff", "Checked by staff"


IDENTITY_CHECKS = IdentityCheck.labels()
IDENTITY_TAG_CLASSES = {
    "awaiting": "govuk-tag--yellow",
    "confirmed": "govuk-tag--green",
    "not_checked": "govuk-tag--red",
    "checked_by_staff": "govuk-tag--green",
}


class DataRequest(TimestampMixin, db.Model):
    __tablename__ = "data_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Personal data, as the person gave it.
    requester_name: Mapped[str] = mapped_column(String(120), default="")
    requester_email: Mapped[str] = mapped_column(String(254), default="")
    receipt_reference: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The response the reference names, if any: never shown to the public, who are told the same either way.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), index=True
    )
    identity_check: Mapped[str] = mapped_column(String(20), default=IdentityCheck.NOT_CHECKED)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)

    response: Mapped[Response | None] = relationship()
    handled_by: Mapped[StaffUser | None] = relationship()
    notes: Mapped[list["DataRequestNote"]] = relationship(
        back_populates="request", order_by="DataRequestNote.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        allowed_values("kind", RequestKind),
        allowed_values("status", RequestStatus),
        allowed_values("identity_check", IdentityCheck),
        Index("ix_data_request_status_due", "status", "due_on"),
    )

    @property
    def reference(self) -> str:
        return f"DR-{self.id:05d}"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES.get(self.status, "")

    @property
    def identity_label(self) -> str:
        return IDENTITY_CHECKS.get(self.identity_check, self.identity_check)

    @property
    def identity_tag_class(self) -> str:
        return IDENTITY_TAG_CLASSES.get(self.identity_check, "")

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Still open after its due date (the UK day)."""
        return not self.is_closed and self.due_on < utc_now().astimezone(UK).date()

    @property
    def identity_checked(self) -> bool:
        return self.identity_check in (IdentityCheck.CONFIRMED, IdentityCheck.CHECKED_BY_STAFF)


class DataRequestNote(db.Model):
    """The request's history: staff notes and what was done, in order. Never edited."""

    __tablename__ = "data_request_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    text: Mapped[str] = mapped_column(Text)

    request: Mapped[DataRequest] = relationship(back_populates="notes")
    author: Mapped[StaffUser | None] = relationship()


class OrganisationDetails(TimestampMixin, db.Model):
    """The organisation's contact details for the public /contact page: one row, edited by admins."""

    __tablename__ = "organisation_details"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    dpo_name: Mapped[str] = mapped_column(String(120), default="")
    dpo_email: Mapped[str] = mapped_column(String(254), default="")
    dpo_address: Mapped[str] = mapped_column(Text, default="")
