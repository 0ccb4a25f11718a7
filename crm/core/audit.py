"""Writes audit events into the caller's transaction: they commit or roll back with the change."""

from sqlalchemy import delete, func, select, text

from crm.core import retention
from crm.core.models import AUDIT_PURGE_SETTING, AuditEvent
from crm.extensions import db

PUBLIC = "public"
SYSTEM = "system"


def record(actor, action: str, entity, changed_fields=(), entity_type: str | None = None) -> AuditEvent:
    """Add an audit event for `action` on `entity` by `actor` (a staff user, or PUBLIC/SYSTEM)."""
    if isinstance(actor, str):
        actor_id, actor_label = None, actor
    else:
        actor_id, actor_label = actor.id, actor.email
    if entity is not None and getattr(entity, "id", 0) is None:
        db.session.flush()  # a new record needs its id before it can be named
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        entity_type=entity_type or entity.__tablename__,
        entity_id=None if entity is None or getattr(entity, "id", None) is None else str(entity.id),
        changed_fields=sorted(changed_fields),
    )
    db.session.add(event)
    return event


def changed_field_names(entity, values: dict) -> list[str]:
    """Apply `values` to `entity` and return the names of the fields that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
            changed.append(name)
    return changed


# ---- Retention: the audit trail's own period (crm/core/retention.py) --------------------------------------


def _older_than(cutoff):
    return select(AuditEvent.id).where(AuditEvent.occurred_at < cutoff)


def _count_older_than(cutoff) -> int:
    return db.session.scalar(select(func.count()).select_from(_older_than(cutoff).subquery())) or 0


@retention.ends("audit_events", due=_count_older_than)
def purge_old_events(cutoff, limit: int) -> int:
    """Delete up to `limit` events older than `cutoff`. On PostgreSQL the table refuses deletes unless the
    transaction says it is a purge (migration 0010's trigger); nothing else in the app says so."""
    ids = list(db.session.scalars(_older_than(cutoff).order_by(AuditEvent.id).limit(limit)))
    if ids:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"SET LOCAL {AUDIT_PURGE_SETTING} = 'on'"))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))
    return len(ids)
