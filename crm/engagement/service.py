"""Writes and rules for engagement events and the feedback captured at them."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from crm.auth.models import StaffUser
from crm.core import audit
from crm.core.models import Area, Characteristic, CoproductionPrinciple, DeliveryArea
from crm.core.rules import RuleBroken, bounded_text
from crm.engagement.models import (
    COPRODUCTION_LEVELS,
    PRINCIPLE_RATINGS,
    EngagementEvent,
    EventReach,
    PrincipleAssessment,
    PrincipleRating,
    Programme,
)
from crm.extensions import db
from crm.groups.models import CommunityGroup
from crm.policies.models import Policy

MAX_ATTENDANCE = 100_000
EVENT_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "area_id",
    "venue",
    "consultation_id",
    "programme_id",
    "attendance",
    "coproduction_level",
    "provisions",
    "notes",
)


class EventError(RuleBroken):
    """An event change was refused."""


@dataclass
class EventValues:
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    area_id: int | None = None
    venue: str = ""
    consultation_id: int | None = None
    programme_id: int | None = None
    attendance: int | None = None
    coproduction_level: str = "consult"
    provisions: list[str] = field(default_factory=list)
    notes: str = ""
    group_ids: list[int] = field(default_factory=list)
    officer_ids: list[int] = field(default_factory=list)
    policy_ids: list[int] = field(default_factory=list)
    reach: dict[int, int] = field(default_factory=dict)  # characteristic id -> estimated people

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in EVENT_FIELDS}


def check_event(values: EventValues) -> None:
    if values.ends_at < values.starts_at:
        raise EventError("ends_on", "The event must end after it starts")
    if values.attendance is not None and not 0 <= values.attendance <= MAX_ATTENDANCE:
        raise EventError("attendance", f"Attendance must be between 0 and {MAX_ATTENDANCE:,}")
    known = set(db.session.scalars(select(Characteristic.id).where(Characteristic.id.in_(values.reach))))
    unknown = set(values.reach) - known
    if unknown:
        raise EventError("reach", "Reach can only be recorded for characteristics on the list")
    for count in values.reach.values():
        if not 0 <= count <= MAX_ATTENDANCE:
            raise EventError("reach", f"Each reach estimate must be between 0 and {MAX_ATTENDANCE:,}")
        if values.attendance is not None and count > values.attendance:
            raise EventError("reach", "A reach estimate cannot be more than the attendance")
    if values.area_id is not None and db.session.get(Area, values.area_id) is None:
        raise EventError("area_id", "Select an area from the list")
    if values.programme_id is not None and db.session.get(Programme, values.programme_id) is None:
        raise EventError("programme_id", "Select a programme from the list")


def _load(model, ids):
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def _apply_links(event: EngagementEvent, values: EventValues) -> list[str]:
    changed = []
    for name, model, ids in (
        ("groups", CommunityGroup, values.group_ids),
        ("officers", StaffUser, values.officer_ids),
        ("policies", Policy, values.policy_ids),
    ):
        if {item.id for item in getattr(event, name)} != set(ids):
            setattr(event, name, _load(model, ids))
            changed.append(name)
    current = {r.characteristic_id: r.estimated_count for r in event.reach}
    wanted = {k: v for k, v in values.reach.items() if v}
    if current != wanted:
        event.reach = [EventReach(characteristic_id=k, estimated_count=v) for k, v in sorted(wanted.items())]
        changed.append("reach")
    return changed


def create_event(actor, values: EventValues) -> EngagementEvent:
    check_event(values)
    event = EngagementEvent(**values.fields(), created_by_id=getattr(actor, "id", None))
    db.session.add(event)
    _apply_links(event, values)
    audit.record(actor, "event.created", event, [*EVENT_FIELDS, "groups", "officers", "policies", "reach"])
    return event


def update_event(actor, event: EngagementEvent, values: EventValues) -> list[str]:
    check_event(values)
    changed = audit.changed_field_names(event, values.fields())
    changed += _apply_links(event, values)
    if changed:
        audit.record(actor, "event.updated", event, changed)
    return changed


def set_archived(actor, event: EngagementEvent, archived: bool) -> None:
    if event.is_archived != archived:
        event.is_archived = archived
        audit.record(actor, "event.archived" if archived else "event.restored", event, ["is_archived"])


def groups_by_names(names: list[str]) -> tuple[list[int], list[str]]:
    """Match typed group names (any case) to current groups: (ids, names not found)."""
    wanted = {name.strip().lower(): name.strip() for name in names if name.strip()}
    if not wanted:
        return [], []
    rows = db.session.execute(
        select(func.lower(CommunityGroup.name), CommunityGroup.id).where(
            func.lower(CommunityGroup.name).in_(wanted), CommunityGroup.is_archived.is_(False)
        )
    ).all()
    found = dict(rows)
    return [found[key] for key in wanted if key in found], [
        name for key, name in wanted.items() if key not in found
    ]


# ---- Programmes: series of events reported as a whole


def _clean_programme(values: dict, programme_id: int | None = None) -> dict:
    values = {
        **values,
        "name": values["name"].strip(),
        "description": (values.get("description") or "").strip(),
    }
    if not values["name"]:
        raise EventError("name", "Enter the programme's name")
    taken = select(Programme.id).where(func.lower(Programme.name) == values["name"].lower())
    if programme_id is not None:
        taken = taken.where(Programme.id != programme_id)
    if db.session.scalar(taken) is not None:
        raise EventError("name", "There is already a programme with this name")
    level = values.get("coproduction_level") or ""
    if level and level not in COPRODUCTION_LEVELS:
        raise EventError("coproduction_level", "Select the co-production level from the list")
    if "coproduction_level" in values:
        values["coproduction_level"] = level
    area_id = values.get("delivery_area_id")
    if area_id is not None:
        area = db.session.get(DeliveryArea, area_id)
        current = db.session.get(Programme, programme_id) if programme_id else None
        if area is None or (area.is_retired and (current is None or current.delivery_area_id != area_id)):
            raise EventError("delivery_area_id", "Select a delivery area from the list")
    return values


def create_programme(actor, **values) -> Programme:
    programme = Programme(**_clean_programme(values))
    db.session.add(programme)
    audit.record(actor, "programme.created", programme, list(values))
    return programme


def update_programme(actor, programme: Programme, **values) -> list[str]:
    changed = audit.changed_field_names(programme, _clean_programme(values, programme.id))
    if changed:
        audit.record(actor, "programme.updated", programme, changed)
    return changed


# ---- Co-production principles: how an event or a programme met each of them

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class PrincipleValue:
    """What a form said about one principle: its rating (a PrincipleRating value) and an optional note."""

    principle_id: int
    rating: str
    note: str = ""


def assess_principles(actor, subject: EngagementEvent | Programme, values: list[PrincipleValue]) -> list[str]:
    """Record how `subject` (an event or a programme) met each principle in `values`, all or nothing.

    Only principles in use can be assessed; those not in `values` (a retired principle's old assessment, say)
    are left as they are. "Not assessed" with no note removes the row, as no row means not assessed.
    Returns the changed principles' codes, which the audit names (never the ratings or notes)."""
    active = {
        p.id: p
        for p in db.session.scalars(
            select(CoproductionPrinciple).where(CoproductionPrinciple.is_retired.is_(False))
        )
    }
    cleaned = {}
    for value in values:
        if value.principle_id not in active:
            raise EventError(f"rating_{value.principle_id}", "Select a principle from the list")
        if value.rating not in PRINCIPLE_RATINGS:
            raise EventError(
                f"rating_{value.principle_id}", "Select met, partly met, not met or not assessed"
            )
        note = bounded_text(value.note, f"note_{value.principle_id}", "The note", NOTE_LIMIT)
        cleaned[value.principle_id] = (value.rating, note)
    subject_column = (
        PrincipleAssessment.event_id
        if isinstance(subject, EngagementEvent)
        else PrincipleAssessment.programme_id
    )
    # Two people saving the same event's principles at once: the second waits here for the first to commit,
    # then reads its rows and updates them, instead of adding the same rows again and failing on the unique
    # key. (PostgreSQL; SQLite writes one at a time anyway.)
    db.session.execute(select(type(subject).id).where(type(subject).id == subject.id).with_for_update())
    existing = {
        row.principle_id: row
        for row in db.session.scalars(select(PrincipleAssessment).where(subject_column == subject.id))
    }
    changed = []
    for principle_id, (rating, note) in cleaned.items():
        row = existing.get(principle_id)
        if rating == PrincipleRating.NOT_ASSESSED and not note:
            if row is not None:
                db.session.delete(row)
                changed.append(active[principle_id].code)
            continue
        if row is None:
            row = PrincipleAssessment(principle_id=principle_id, **{subject_column.key: subject.id})
            db.session.add(row)
        if audit.changed_field_names(row, {"rating": rating, "note": note}):
            changed.append(active[principle_id].code)
    if changed:
        action = "event" if isinstance(subject, EngagementEvent) else "programme"
        audit.record(
            actor, f"{action}.principles_assessed", subject, [f"principle:{code}" for code in changed]
        )
    return changed
