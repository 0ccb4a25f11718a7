"""Builders for test records, through the real services where there are rules to respect."""

from itertools import count

from crm.auth.models import StaffUser
from crm.auth.passwords import hash_password
from crm.extensions import db

PASSWORD = "correct-horse-battery-staple"
_numbers = count(1)


def make_user(role: str = "engagement_officer", active: bool = True, **values) -> StaffUser:
    number = next(_numbers)
    user = StaffUser(
        email=values.pop("email", f"person{number}@example.org"),
        name=values.pop("name", f"Test Person {number}"),
        role=role,
        password_hash=hash_password(values.pop("password", PASSWORD)),
        is_active_account=active,
        **values,
    )
    db.session.add(user)
    db.session.commit()
    return user


def reference_ids(model, *names: str) -> list[int]:
    from sqlalchemy import select

    rows = dict(db.session.execute(select(model.name, model.id).where(model.name.in_(names))).all())
    return [rows[name] for name in names]


def make_group(name: str | None = None, areas=("Walsall",), characteristics=("Disability",), **values):
    from crm.core import audit
    from crm.core.models import Area, Characteristic
    from crm.groups.service import GroupValues, create_group

    group_values = GroupValues(
        name=name or f"Test Group {next(_numbers)}",
        kind=values.pop("kind", "vcse"),
        area_ids=reference_ids(Area, *areas),
        characteristic_ids=reference_ids(Characteristic, *characteristics),
        **values,
    )
    return create_group(audit.SYSTEM, group_values)


def make_contact(group, name: str = "Pat Contact", **values):
    from datetime import date

    from crm.core import audit
    from crm.groups.service import ContactValues, add_contact

    consent = values.pop("consent_given", True)
    contact = ContactValues(
        name=name,
        email=values.pop("email", f"contact{next(_numbers)}@example.org"),
        consent_given=consent,
        consent_date=date(2026, 1, 5) if consent else None,
        consent_method="email" if consent else "",
        consent_wording="You may contact me about consultations." if consent else "",
        **values,
    )
    return add_contact(audit.SYSTEM, group, contact)


def make_event(title: str = "Skills Street in Walsall", area: str = "Walsall", days_ago: int = 3, **values):
    from datetime import UTC, datetime, timedelta

    from crm.core import audit
    from crm.core.models import Area
    from crm.engagement.service import EventValues, create_event

    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    event_values = EventValues(
        title=title,
        kind=values.pop("kind", "street_outreach"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        area_id=reference_ids(Area, area)[0] if area else None,
        **values,
    )
    return create_event(audit.SYSTEM, event_values)


def make_feedback(text: str = "The buses stop too early", source: str = "email", **values):
    from datetime import UTC, datetime, timedelta

    from crm.core import audit
    from crm.feedback.service import FeedbackValues, capture

    received = values.pop("received_at", datetime.now(UTC) - timedelta(days=1))
    return capture(audit.SYSTEM, FeedbackValues(text=text, source=source, received_at=received, **values))


def make_policy(reference: str | None = None, title: str = "Evening bus network", **values):
    from crm.policies.models import Policy

    policy = Policy(
        reference=reference or f"POL-{next(_numbers):03d}",
        title=title,
        kind=values.pop("kind", "policy"),
        **values,
    )
    db.session.add(policy)
    db.session.commit()
    return policy
