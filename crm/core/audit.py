"""Writes audit events into the caller's transaction: they commit or roll back with the change."""

from crm.core.models import AuditEvent
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
