"""Builders for evidence-pack tests: policies through the real service; events and coded feedback made
straight from the models (their services belong to another area and are not what these tests are about)."""

from datetime import timedelta
from itertools import count

from sqlalchemy import select

from crm.core import audit
from crm.core.models import Barrier, Characteristic, DeliveryArea, Theme, utc_now
from crm.engagement.models import EngagementEvent, EventReach
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.service import create_policy

_numbers = count(1)


def make_policy(reference: str | None = None, title: str | None = None, **values):
    number = next(_numbers)
    policy = create_policy(
        audit.SYSTEM,
        reference=reference or f"TEST-POL-{number:03d}",
        title=title or f"Test policy {number}",
        kind=values.pop("kind", "policy"),
        delivery_area_id=_delivery_area(values.pop("delivery_area", "Transport")),
        is_key=values.pop("is_key", False),
        owner_id=values.pop("owner_id", None),
        status=values.pop("status", "consultation"),
        summary=values.pop("summary", ""),
    )
    db.session.commit()  # set-up data outlives a request that refuses and rolls back
    return policy


def _delivery_area(name: str | None) -> int | None:
    return db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == name)) if name else None


def _by_name(model, names) -> list:
    if not names:
        return []
    found = {item.name: item for item in db.session.scalars(select(model).where(model.name.in_(names)))}
    return [found[name] for name in names]


def make_event(policies=(), title: str | None = None, groups=(), reach=None, consultation=None, **values):
    """An engagement event linked to `policies`; `reach` maps characteristic names to estimated counts."""
    start = values.pop("starts_at", utc_now() - timedelta(days=10))
    event = EngagementEvent(
        title=title or f"Test event {next(_numbers)}",
        kind=values.pop("kind", "workshop"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue=values.pop("venue", "Community hall"),
        consultation=consultation,
        provisions=[],
        **values,
    )
    event.policies = list(policies)
    event.groups = list(groups)
    for characteristic in _by_name(Characteristic, list(reach or {})):
        event.reach.append(
            EventReach(characteristic_id=characteristic.id, estimated_count=reach[characteristic.name])
        )
    db.session.add(event)
    db.session.commit()
    return event


def make_feedback(
    text: str = "The buses stop too early for shift workers",
    *,
    source: str = "email",
    policies=(),
    consultation=None,
    event=None,
    group=None,
    contact=None,
    response=None,
    characteristics=(),
    themes=(),
    barriers=(),
    stance: str | None = None,
    status: str | None = None,
    received_at=None,
) -> Feedback:
    item = Feedback(
        text=text,
        source=source,
        consultation_id=consultation.id if consultation else None,
        event_id=event.id if event else None,
        group_id=group.id if group else None,
        contact_id=contact.id if contact else None,
        response_id=response.id if response else None,
        stance=stance,
        received_at=received_at or utc_now() - timedelta(days=1),
    )
    item.policies = list(policies)
    item.characteristics = _by_name(Characteristic, list(characteristics))
    item.themes = _by_name(Theme, list(themes))
    item.barriers = _by_name(Barrier, list(barriers))
    item.status = status or ("coded" if characteristics or themes or barriers else "new")
    db.session.add(item)
    db.session.commit()
    return item


def characteristic_id(name: str) -> int:
    return db.session.scalar(select(Characteristic.id).where(Characteristic.name == name))
