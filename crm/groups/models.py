"""Community groups and their contacts. A group's characteristics are organisational data (rule 2);
a contact's details are personal data (rule 1)."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.models import Area, Characteristic, Choice, TimestampMixin, UTCDateTime, allowed_values, utc_now
from crm.extensions import db


class GroupKind(Choice):
    VCSE = "vcse", "VCSE organisation"
    FAITH = "faith", "Faith organisation"
    NETWORK = "network", "Network or forum"
    INFORMAL = "informal", "Informal group"
    YOUTH_PANEL = "youth_panel", "Youth panel"
    COMMISSION = "commission", "Commission or taskforce"
    STATUTORY_PARTNER = "statutory_partner", "Statutory partner"


GROUP_KINDS = GroupKind.labels()


class GroupStatus(Choice):
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"
    CLOSED = "closed", "Closed"


GROUP_STATUSES = GroupStatus.labels()


class GroupSource(Choice):
    OFFICER = "officer", "Entered by an officer"
    SELF_REGISTERED = "self_registered", "Registered themselves"


GROUP_SOURCES = GroupSource.labels()

ACCESS_NEEDS = {
    "bsl": "British Sign Language (BSL)",
    "easy_read": "Easy read",
    "interpreter": "Interpreter",
    "large_print": "Large print",
}
LAWFUL_BASES = {
    "public_task": "Public task (engaging communities we serve)",
    "consent": "Consent given by the group",
}
CONSENT_METHODS = {
    "online_form": "Online form",
    "email": "Email",
    "phone": "Phone",
    "in_person": "In person",
    "paper": "Paper form",
}

group_area = Table(
    "group_area",
    db.metadata,
    Column("group_id", ForeignKey("community_group.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id"), primary_key=True, index=True),
)
group_characteristic = Table(
    "group_characteristic",
    db.metadata,
    Column("group_id", ForeignKey("community_group.id", ondelete="CASCADE"), primary_key=True),
    Column("characteristic_id", ForeignKey("characteristic.id"), primary_key=True, index=True),
)


class CommunityGroup(TimestampMixin, db.Model):
    __tablename__ = "community_group"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, punctuation and words like "the", "ltd", "CIC" removed: finds near-duplicates.
    match_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(500), default="")
    access_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    source: Mapped[str] = mapped_column(String(20), default="officer")
    is_verified: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lawful_basis: Mapped[str] = mapped_column(String(20), default="public_task")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("community_group.id"), index=True)

    areas: Mapped[list[Area]] = relationship(secondary=group_area, order_by=Area.sort_order)
    characteristics: Mapped[list[Characteristic]] = relationship(
        secondary=group_characteristic, order_by=Characteristic.sort_order
    )
    contacts: Mapped[list["Contact"]] = relationship(back_populates="group", order_by="Contact.name")

    __table_args__ = (
        allowed_values("source", GroupSource),
        allowed_values("status", GroupStatus),
        allowed_values("kind", GroupKind),
        Index("ix_community_group_listing", "is_archived", "name"),
    )

    @property
    def kind_label(self) -> str:
        return GROUP_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return GROUP_STATUSES.get(self.status, self.status)


class Contact(TimestampMixin, db.Model):
    """A person we can reach, usually at a group. Everything here but the group is personal data."""

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("community_group.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_language: Mapped[str] = mapped_column(String(60), default="")
    access_needs: Mapped[str] = mapped_column(String(500), default="")
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[str] = mapped_column(String(20), default="")
    consent_wording: Mapped[str] = mapped_column(Text, default="")
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    group: Mapped[CommunityGroup | None] = relationship(back_populates="contacts")

    @property
    def can_be_contacted(self) -> bool:
        return self.consent_given and not self.do_not_contact and not self.is_archived


class ImportBatch(db.Model):
    """An uploaded file, read and checked once when it arrived, waiting for the officer to confirm its import.
    What the check found is kept (the rows as checked, and the preview's counts and problems), never the file:
    the preview and the import, in a request or a job, on any app server, use this and never read the file
    again. Found by a random token (the preview's address), only by the person who uploaded it, for
    UPLOAD_KEPT_FOR (crm/groups/transfer.py)."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    # The preview: {"to_create", "to_update", "errors": [[row, {column: [messages]}]], "warnings": [...]}
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    # The checked rows, as crm.groups.transfer.ImportPlan holds them; read only to import them, and
    # emptied once imported.
    rows: Mapped[list] = mapped_column(JSON, default=list, deferred=True)
