"""Base mixins, reference data, the append-only audit trail and background jobs."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db

if TYPE_CHECKING:
    from crm.auth.models import StaffUser


def utc_now() -> datetime:
    return datetime.now(UTC)


class Choice(StrEnum):
    """A stored status or kind: the value goes in the database, held there by a CHECK constraint
    (`allowed_values`), and the label goes on pages. Members equal their values, so stored strings compare
    with them directly."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{value: label} in the order declared: for choices on forms and labels on pages."""
        return {member.value: member.label for member in cls}


def allowed_values(column: str, choice: type[Choice], *, blank: bool = False) -> CheckConstraint:
    """A CHECK constraint keeping `column` to the choice's values (and "" for "not given yet" when `blank`).
    NULL passes, as SQL has it; nullability is the column's own business."""
    values = [member.value for member in choice] + ([""] if blank else [])
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_allowed")


class UTCDateTime(db.TypeDecorator):
    """Stores aware UTC date-times; SQLite gives back naive values, so they are re-tagged as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("Date-times must be timezone-aware")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class ReferenceMixin(TimestampMixin):
    """An entry of an admin-edited list. Entries in use are retired, never deleted."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Characteristic(ReferenceMixin, db.Model):
    __tablename__ = "characteristic"
    is_statutory: Mapped[bool] = mapped_column(Boolean, default=False)
    # UK GDPR Article 9: a person's answer about this characteristic is special category data.
    is_special_category: Mapped[bool] = mapped_column(Boolean, default=False)


class Area(ReferenceMixin, db.Model):
    __tablename__ = "area"
    kind: Mapped[str] = mapped_column(String(30), default="constituent")


class DeliveryArea(ReferenceMixin, db.Model):
    """A key delivery area of the authority (transport, skills, housing…): what policies deliver and what the
    scheme's diversity objectives are set for."""

    __tablename__ = "delivery_area"


class CoproductionPrinciple(ReferenceMixin, db.Model):
    """One of the authority's co-production principles (shared power, lived experience...), against which
    events and programmes are assessed (crm/engagement/models.py PrincipleAssessment). Reference data, so it
    lives with the other admin-edited lists: core imports no feature area."""

    __tablename__ = "coproduction_principle"


class Theme(ReferenceMixin, db.Model):
    __tablename__ = "theme"


class Barrier(ReferenceMixin, db.Model):
    __tablename__ = "barrier"


class AuditEvent(db.Model):
    """Who did what to which record, and when. Field names only: never values."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    actor_label: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    # The audit viewer's filters, each read newest first (migration 0010). On PostgreSQL a trigger refuses
    # UPDATE, DELETE and TRUNCATE unless the transaction set crm.allow_audit_purge (see AUDIT_PURGE_SETTING).
    __table_args__ = (
        db.Index("ix_audit_event_actor_occurred", "actor_id", "occurred_at"),
        db.Index("ix_audit_event_action_occurred", "action", "occurred_at"),
        db.Index("ix_audit_event_entity_occurred", "entity_type", "entity_id", "occurred_at"),
    )


# Only the test suite's clean-up and a retention run may remove audit events on PostgreSQL, by running
# `SET LOCAL crm.allow_audit_purge = 'on'` in the transaction that deletes them (migration 0010's trigger).
AUDIT_PURGE_SETTING = "crm.allow_audit_purge"


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    raise PermissionError("Audit events are append-only")


class JobStatus(Choice):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


JOB_STATUSES = JobStatus.labels()
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(db.Model):
    """Long work (a big import or export) asked for by a member of staff and run by a worker, or in the
    request when no queue is configured (crm/core/jobs.py). The job's own changes commit together with its
    "done", or not at all; its progress is written as it goes, outside that unit of work."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    # What the job works on (an upload's id, an export's filters), as the job function reads it back.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set while the job is unfinished, so the same work asked for twice at once is one job.
    active_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The queue's id for the job, also naming its file: random, so neither is guessable.
    queue_ref: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(120), default="")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the job last said it was alive: a job silent for longer than JOB_TIMEOUT has lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the job found or did, for its page: {"summary": [[label, value], ...], "rows": n, ...}.
    result: Mapped[dict | None] = mapped_column(JSON)
    # The download's name when the job made a file (kept under JOB_FILES, not in the database).
    file_name: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str] = mapped_column(Text, default="")

    started_by: Mapped["StaffUser"] = relationship()

    __table_args__ = (allowed_values("status", JobStatus),)

    @property
    def status_label(self) -> str:
        return JOB_STATUSES.get(self.status, self.status)

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED


def render_migration_type(type_, obj, autogen_context):
    """Autogenerated migrations name plain SQLAlchemy types, so they never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_in_migrations(name, type_, parent_names) -> bool:
    """Full-text search structures are made by hand in migration 0004, not from the models."""
    if type_ == "table" and name and name.startswith("feedback_fts"):
        return False
    return not (type_ == "index" and name == "ix_feedback_text_search")
