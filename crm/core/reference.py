"""Reference lists (characteristics, areas, themes, barriers, delivery areas): seeding and the admin rules."""

import re
from dataclasses import dataclass

from flask import g
from sqlalchemy import func, select

from crm.core import audit
from crm.core.models import Area, Barrier, Characteristic, CoproductionPrinciple, DeliveryArea, Theme
from crm.core.rules import RuleBroken
from crm.extensions import db

# (name, special category?) — the nine protected characteristics, Equality Act 2010 s.4.
STATUTORY_CHARACTERISTICS = [
    ("Age", False),
    ("Disability", True),
    ("Gender reassignment", True),
    ("Marriage and civil partnership", False),
    ("Pregnancy and maternity", True),
    ("Race", True),
    ("Religion or belief", True),
    ("Sex", False),
    ("Sexual orientation", True),
]
LOCAL_CHARACTERISTICS = [
    "Socio-economic disadvantage",
    "Care experienced",
    "Carers",
    "Armed forces community",
]
CONSTITUENT_AUTHORITIES = [
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
]
NON_CONSTITUENT_AUTHORITIES = [
    "Cannock Chase",
    "North Warwickshire",
    "Nuneaton and Bedworth",
    "Redditch",
    "Rugby",
    "Shropshire",
    "Stratford-on-Avon",
    "Tamworth",
    "Telford and Wrekin",
    "Warwickshire",
]
REGION_WIDE = "Region-wide"
# ONS (GSS) local authority district codes, which census files carry beside each name. Only the constituent
# authorities' are recorded (reference section 6); the others are matched by name.
GSS_CODES = {
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
}
STARTER_BARRIERS = [
    "Digital exclusion",
    "Language",
    "Transport",
    "Cost",
    "Caring responsibilities",
    "Physical access",
    "Trust",
    "Time",
    "Information not accessible",
    "Childcare",
]
# The scheme's "key delivery areas": where diversity objectives are set and key policies are delivered.
STARTER_DELIVERY_AREAS = [
    "Transport",
    "Skills",
    "Housing",
    "Environment",
    "Digital inclusion",
    "Health",
    "Economy",
    "Communities",
]
# The authority's starter co-production principles, each with what "met" looks like. Admins reword, reorder
# and retire them; events and programmes are assessed against the ones in use.
STARTER_PRINCIPLES = [
    (
        "Shared power",
        "People who use or are affected by the service share decisions with us, not only give views on ours.",
    ),
    (
        "Recognising lived experience as expertise",
        "What people know from their own lives is treated as expertise, alongside professional knowledge.",
    ),
    (
        "Accessible and inclusive",
        "Anyone affected can take part: the time, place, format and language suit them, and costs are met.",
    ),
    (
        "Reciprocity",
        "People get something back for their time: payment, skills, contacts or influence.",
    ),
    (
        "Building relationships",
        "We work with people and groups over time, building trust, rather than asking once and leaving.",
    ),
    (
        "Feedback on what changed",
        "We tell people what we did with what they said, and why, including what did not change.",
    ),
]
STARTER_THEMES = [
    "Jobs and skills",
    "Transport and travel",
    "Housing",
    "Health and wellbeing",
    "Safety",
    "Cost of living",
    "Digital inclusion",
    "Environment and net zero",
    "Community and belonging",
    "Access to services",
]


@dataclass(frozen=True)
class ReferenceKind:
    slug: str
    model: type
    singular: str
    plural: str

    @property
    def with_article(self) -> str:
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"


KINDS = {
    kind.slug: kind
    for kind in (
        ReferenceKind("characteristics", Characteristic, "characteristic", "Characteristics"),
        ReferenceKind("areas", Area, "area", "Areas"),
        ReferenceKind("themes", Theme, "theme", "Themes"),
        ReferenceKind("barriers", Barrier, "barrier", "Barriers"),
        ReferenceKind("delivery-areas", DeliveryArea, "delivery area", "Delivery areas"),
        ReferenceKind(
            "coproduction-principles",
            CoproductionPrinciple,
            "co-production principle",
            "Co-production principles",
        ),
    )
}


def code_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def _starter_rows():
    for order, (name, special) in enumerate(STATUTORY_CHARACTERISTICS):
        yield (
            Characteristic,
            dict(name=name, is_statutory=True, is_special_category=special, sort_order=order),
        )
    for order, name in enumerate(LOCAL_CHARACTERISTICS, start=len(STATUTORY_CHARACTERISTICS)):
        yield Characteristic, dict(name=name, is_statutory=False, is_special_category=False, sort_order=order)
    yield Area, dict(name=REGION_WIDE, kind="region", sort_order=0)
    for order, name in enumerate(CONSTITUENT_AUTHORITIES, start=1):
        yield Area, dict(name=name, kind="constituent", sort_order=order)
    for order, name in enumerate(NON_CONSTITUENT_AUTHORITIES, start=20):
        yield Area, dict(name=name, kind="non_constituent", sort_order=order)
    for model, names in (
        (Barrier, STARTER_BARRIERS),
        (Theme, STARTER_THEMES),
        (DeliveryArea, STARTER_DELIVERY_AREAS),
    ):
        for order, name in enumerate(names):
            yield model, dict(name=name, sort_order=order)
    for order, (name, description) in enumerate(STARTER_PRINCIPLES):
        yield CoproductionPrinciple, dict(name=name, description=description, sort_order=order)


def seed_reference_data() -> int:
    """Insert any starter entry that is missing (by code). Safe to run any number of times."""
    existing = {
        model: set(db.session.scalars(select(model.code)))
        for model in (Characteristic, Area, Barrier, Theme, DeliveryArea, CoproductionPrinciple)
    }
    added = 0
    for model, values in _starter_rows():
        code = code_for(values["name"])
        if code not in existing[model]:
            db.session.add(model(code=code, **values))
            existing[model].add(code)
            added += 1
    return added


def list_entries(kind: ReferenceKind, include_retired: bool = True):
    query = select(kind.model).order_by(kind.model.is_retired, kind.model.sort_order, kind.model.name)
    if not include_retired:
        query = query.where(kind.model.is_retired.is_(False))
    return db.session.scalars(query).all()


def active_choices(model) -> list[tuple[int, str]]:
    """(id, name) pairs of entries that are not retired, for form choices. Read once per request: a page's
    filter form and its coding form ask for the same lists."""
    cache = g.setdefault("active_choices", {})
    if model not in cache:
        rows = db.session.execute(
            select(model.id, model.name)
            .where(model.is_retired.is_(False))
            .order_by(model.sort_order, model.name)
        )
        cache[model] = [(row.id, row.name) for row in rows]
    return list(cache[model])


def active_entries(model) -> list:
    """Entries that are not retired, in their display order."""
    return list(
        db.session.scalars(
            select(model).where(model.is_retired.is_(False)).order_by(model.sort_order, model.name)
        )
    )


class ReferenceDataError(RuleBroken):
    """A reference list change was refused."""


def _check_name_free(kind: ReferenceKind, name: str, exclude_id: int | None = None):
    query = select(kind.model.id).where(func.lower(kind.model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(kind.model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ReferenceDataError("name", f"There is already a {kind.singular} called ‘{name}’")


def add_entry(kind: ReferenceKind, actor, name: str, description: str = "", **flags):
    name = name.strip()
    _check_name_free(kind, name)
    code = code_for(name)
    if db.session.scalar(select(kind.model.id).where(kind.model.code == code)) is not None:
        raise ReferenceDataError(
            "name", f"There is already a {kind.singular} with a name too similar to ‘{name}’"
        )
    if flags.get("sort_order") is None:  # no place asked for (or none offered): last on the list
        flags["sort_order"] = (db.session.scalar(select(func.max(kind.model.sort_order))) or 0) + 1
    entry = kind.model(code=code, name=name, description=(description or "").strip(), **flags)
    db.session.add(entry)
    audit.record(actor, "reference.created", entry, ["name", "description", *flags])
    return entry


def update_entry(kind: ReferenceKind, actor, entry, name: str, description: str = "", **flags):
    """Rename or re-describe an entry. Its code stays, so records that use it are unaffected."""
    name = name.strip()
    _check_name_free(kind, name, exclude_id=entry.id)
    if "sort_order" in flags and flags["sort_order"] is None:  # left empty: it keeps its place
        del flags["sort_order"]
    changed = audit.changed_field_names(
        entry, {"name": name, "description": (description or "").strip(), **flags}
    )
    if changed:
        audit.record(actor, "reference.updated", entry, changed)
    return changed


def set_retired(kind: ReferenceKind, actor, entry, retired: bool):
    if entry.is_retired != retired:
        entry.is_retired = retired
        audit.record(actor, "reference.retired" if retired else "reference.reinstated", entry, ["is_retired"])


def usage_count(entry) -> int:
    """How many rows in other tables point at this entry, found from the schema's foreign keys."""
    table = entry.__table__
    total = 0
    for other in db.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table:
                total += db.session.scalar(
                    select(func.count()).select_from(other).where(fk.parent == entry.id)
                )
    return total


def delete_entry(kind: ReferenceKind, actor, entry):
    """Delete an entry nobody uses; an entry in use must be retired instead."""
    if usage_count(entry):
        raise ReferenceDataError("entry", f"This {kind.singular} is in use, so it can only be retired")
    audit.record(actor, "reference.deleted", entry)
    db.session.delete(entry)
