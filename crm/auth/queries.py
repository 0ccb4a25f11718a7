from dataclasses import dataclass, field

from sqlalchemy import Select, and_, or_, select, text

from crm.auth.models import StaffUser
from crm.core.args import one_id, one_of, typed_day_range_problems, within_typed_days
from crm.core.models import AuditEvent
from crm.core.pagination import paginate
from crm.extensions import db


def list_users(page: int, per_page: int = 50):
    return paginate(
        select(StaffUser).order_by(StaffUser.is_active_account.desc(), StaffUser.name),
        page=page,
        per_page=per_page,
    )


def active_staff_choices(in_roles=None, keep_ids=()) -> list[tuple[int, str]]:
    """(id, name) of every staff member who can sign in (only those `in_roles`, if given), by name; and
    anyone in `keep_ids`, already chosen, so that editing a record never drops them unasked."""
    chosen = StaffUser.is_active_account.is_(True)
    if in_roles is not None:
        chosen = and_(chosen, StaffUser.role.in_([str(role) for role in in_roles]))
    if keep_ids:
        chosen = or_(chosen, StaffUser.id.in_(list(keep_ids)))
    rows = db.session.execute(select(StaffUser.id, StaffUser.name).where(chosen).order_by(StaffUser.name))
    return [(row.id, row.name) for row in rows]


# ---- The audit log (/staff/admin/audit) -------------------------------------------------------------------

AUDIT_PER_PAGE = 50
AUDIT_EXPORT_BATCH = 2000


def _typed(args, name: str, limit: int) -> str:
    """What was typed in a box, trimmed and capped, without control characters (a NUL cannot be shown on the
    page again, nor sent to PostgreSQL)."""
    value = "".join(character for character in args.get(name, "") if character.isprintable())
    return value.strip()[:limit]


@dataclass
class AuditFilters:
    """The audit viewer's filters as the query string gave them. Bad values never reach SQL: an unknown
    person or action is ignored, and a date that is not a real day is an error shown next to its box."""

    actor: int | None = None
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    NAMES = ("actor", "action", "entity_type", "entity_id", "date_from", "date_to")

    @classmethod
    def from_args(cls, args, actions: list[str], entity_types: list[str]) -> "AuditFilters":
        filters = cls(
            actor=one_id(args, "actor"),
            action=one_of(args, "action", actions),
            entity_type=one_of(args, "entity_type", entity_types),
            entity_id=_typed(args, "entity_id", 60),
            date_from=_typed(args, "date_from", 20),
            date_to=_typed(args, "date_to", 20),
        )
        if filters.actor is not None and filters.actor > 2**31 - 1:
            filters.actor = None
        filters.errors.update(
            typed_day_range_problems(
                filters.date_from, filters.date_to, not_a_day="Enter a real date, for example 27/3/2026"
            )
        )
        if filters.entity_id and not filters.entity_type:
            filters.errors["entity_id"] = "Choose the kind of record as well as its number"
        return filters

    @property
    def used(self) -> list[str]:
        """The names of the filters in use (for the export's audit event: names, never values)."""
        return [name for name in self.NAMES if getattr(self, name) not in (None, "")]

    @property
    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments, for the export link."""
        return {name: str(getattr(self, name)) for name in self.used}


def _distinct(column) -> list[str]:
    """Every value of an indexed column, found by skipping through the index (a loose index scan: one
    lookup per value, however many million events there are) rather than reading the whole table."""
    name = column.name
    found = db.session.execute(
        text(
            f"WITH RECURSIVE v(value) AS ("  # noqa: S608 (a column name from the model)
            f"SELECT min({name}) FROM audit_event "
            f"UNION ALL SELECT (SELECT min({name}) FROM audit_event WHERE {name} > v.value) "
            f"FROM v WHERE v.value IS NOT NULL) "
            f"SELECT value FROM v WHERE value IS NOT NULL"
        )
    )
    return [row.value for row in found]


def audit_actions() -> list[str]:
    return _distinct(AuditEvent.action)


def audit_entity_types() -> list[str]:
    return _distinct(AuditEvent.entity_type)


def audit_actor_choices() -> list[tuple[int, str]]:
    """(id, name) of every staff account, active or not, by name: the people an event can name."""
    rows = db.session.execute(select(StaffUser.id, StaffUser.name).order_by(StaffUser.name, StaffUser.id))
    return [(row.id, row.name) for row in rows]


def _audit_query(filters: AuditFilters) -> Select:
    query = select(AuditEvent)
    if filters.actor is not None:
        query = query.where(AuditEvent.actor_id == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
        if filters.entity_id:
            query = query.where(AuditEvent.entity_id == filters.entity_id)
    query = query.where(*within_typed_days(AuditEvent.occurred_at, filters.date_from, filters.date_to))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def audit_events(filters: AuditFilters, page: int, per_page: int = AUDIT_PER_PAGE):
    """One page of the events that match, newest first."""
    return paginate(_audit_query(filters), page=page, per_page=per_page)


AUDIT_EXPORT_HEADER = ("When (UK time)", "Person", "Action", "Kind of record", "Record", "Fields")


def audit_export_rows(filters: AuditFilters):
    """The header and every matching event, read a batch at a time while the file is sent."""
    yield AUDIT_EXPORT_HEADER
    query = _audit_query(filters).execution_options(yield_per=AUDIT_EXPORT_BATCH)
    for event in db.session.scalars(query):
        yield (
            event.occurred_at,
            event.actor_label,
            event.action,
            event.entity_type,
            event.entity_id or "",
            ", ".join(event.changed_fields or []),
        )
