"""Writes and rules for groups and contacts. Every change is audited in the same transaction."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, insert, select, update

from crm.core import audit
from crm.core.models import Area, Characteristic, utc_now
from crm.core.rules import RuleBroken
from crm.extensions import db
from crm.groups import matching
from crm.groups.matching import match_key
from crm.groups.models import CommunityGroup, Contact

GROUP_FIELDS = (
    "name",
    "kind",
    "description",
    "languages",
    "access_needs",
    "website",
    "email",
    "phone",
    "status",
    "lawful_basis",
)
CONTACT_FIELDS = (
    "name",
    "role",
    "email",
    "phone",
    "preferred_language",
    "access_needs",
    "consent_given",
    "consent_date",
    "consent_method",
    "consent_wording",
    "do_not_contact",
)


MERGED_NOT_EDITABLE = "This group was merged into another and cannot be changed. Change that group instead"


class GroupError(RuleBroken):
    """A group or contact change was refused."""


@dataclass
class GroupValues:
    """What an officer, a registrant or an import row says about a group."""

    name: str
    kind: str
    description: str = ""
    languages: str = ""
    access_needs: list[str] = field(default_factory=list)
    website: str = ""
    email: str = ""
    phone: str = ""
    status: str = "active"
    lawful_basis: str = "public_task"
    area_ids: list[int] = field(default_factory=list)
    characteristic_ids: list[int] = field(default_factory=list)

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in GROUP_FIELDS}


def similar_groups(name: str, exclude_id: int | None = None, limit: int = 5) -> list[CommunityGroup]:
    """Existing, unarchived groups whose names closely match `name`, the closest first."""
    return matching.similar_groups(name, exclude_id=exclude_id, limit=limit)


def _set_links(group: CommunityGroup, area_ids, characteristic_ids) -> list[str]:
    changed = []
    areas = db.session.scalars(select(Area).where(Area.id.in_(area_ids))).all() if area_ids else []
    characteristics = (
        db.session.scalars(select(Characteristic).where(Characteristic.id.in_(characteristic_ids))).all()
        if characteristic_ids
        else []
    )
    if {a.id for a in group.areas} != {a.id for a in areas}:
        group.areas = list(areas)
        changed.append("areas")
    if {c.id for c in group.characteristics} != {c.id for c in characteristics}:
        group.characteristics = list(characteristics)
        changed.append("characteristics")
    return changed


def create_group(
    actor, values: GroupValues, source: str = "officer", verified: bool = True
) -> CommunityGroup:
    group = CommunityGroup(
        **values.fields(),
        match_key=match_key(values.name),
        source=source,
        is_verified=verified,
        verified_at=utc_now() if verified else None,
    )
    db.session.add(group)
    _set_links(group, values.area_ids, values.characteristic_ids)
    audit.record(actor, "group.created", group, [*GROUP_FIELDS, "areas", "characteristics"])
    return group


def update_group(actor, group: CommunityGroup, values: GroupValues) -> list[str]:
    if group.merged_into_id is not None:
        raise GroupError("name", MERGED_NOT_EDITABLE)
    changed = audit.changed_field_names(group, values.fields())
    if "name" in changed:
        group.match_key = match_key(group.name)
    changed += _set_links(group, values.area_ids, values.characteristic_ids)
    if changed:
        audit.record(actor, "group.updated", group, changed)
    return changed


def set_archived(actor, group: CommunityGroup, archived: bool) -> None:
    """Archived groups leave the lists but keep their contacts, links and history."""
    if group.is_archived != archived:
        group.is_archived = archived
        group.archived_at = utc_now() if archived else None
        audit.record(actor, "group.archived" if archived else "group.restored", group, ["is_archived"])


def verify_group(actor, group: CommunityGroup) -> None:
    if not group.is_verified:
        group.is_verified = True
        group.verified_at = utc_now()
        audit.record(actor, "group.verified", group, ["is_verified"])


def _links_to_groups():
    """Every (table, column) that points at a group, found from the schema, so merging moves links that
    later features add without this code changing."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "community_group" and fk.parent.name != "merged_into_id":
                yield table, fk.parent


def merge_groups(actor, survivor: CommunityGroup, duplicate: CommunityGroup) -> None:
    """Move the duplicate's contacts and every link to the survivor; the duplicate is archived."""
    if survivor.id == duplicate.id:
        raise GroupError("duplicate_id", "Choose a different group to merge into this one")
    if duplicate.is_archived or survivor.is_archived:
        raise GroupError("duplicate_id", "Archived groups cannot be merged. Restore the group first")
    moved = []
    for table, column in _links_to_groups():
        if column.primary_key and len(table.primary_key.columns) == 2:
            # A link table: give the survivor the duplicate's links it lacks, then drop the duplicate's.
            other = next(c for c in table.primary_key.columns if c is not column)
            already = select(other).where(column == survivor.id)
            missing = db.session.scalars(
                select(other).where(column == duplicate.id, other.not_in(already))
            ).all()
            if missing:
                db.session.execute(
                    insert(table), [{column.name: survivor.id, other.name: v} for v in missing]
                )
            db.session.execute(delete(table).where(column == duplicate.id))
        elif db.session.execute(
            update(table).where(column == duplicate.id).values({column: survivor.id})
        ).rowcount:
            moved.append(table.name)
    for name in ("description", "languages", "website", "email", "phone"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if not survivor.is_verified and duplicate.is_verified:
        survivor.is_verified, survivor.verified_at = True, utc_now()
    duplicate.merged_into_id = survivor.id
    duplicate.is_archived = True
    duplicate.archived_at = utc_now()
    for group in (survivor, duplicate):  # the link tables changed underneath the loaded collections
        db.session.expire(group, ["areas", "characteristics", "contacts"])
    audit.record(actor, "group.merged_into", duplicate, ["merged_into_id", "is_archived", *moved])
    audit.record(actor, "group.merged_from", survivor, moved)


@dataclass
class ContactValues:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    preferred_language: str = ""
    access_needs: str = ""
    consent_given: bool = False
    consent_date: date | None = None
    consent_method: str = ""
    consent_wording: str = ""
    do_not_contact: bool = False

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in CONTACT_FIELDS}


def check_consent(values: ContactValues) -> None:
    """Consent to contact is only recorded with its date, method and the wording the person saw."""
    if values.consent_given:
        if values.consent_date is None:
            raise GroupError("consent_date", "Enter the date they gave consent")
        if values.consent_date > date.today():
            raise GroupError("consent_date", "The date consent was given must be today or in the past")
        if not values.consent_method:
            raise GroupError("consent_method", "Select how they gave consent")
        if not values.consent_wording.strip():
            raise GroupError("consent_wording", "Enter the wording they agreed to")


def add_contact(actor, group: CommunityGroup | None, values: ContactValues) -> Contact:
    check_consent(values)
    contact = Contact(group=group, **values.fields())
    db.session.add(contact)
    audit.record(actor, "contact.created", contact, list(CONTACT_FIELDS))
    return contact


def update_contact(actor, contact: Contact, values: ContactValues) -> list[str]:
    check_consent(values)
    changed = audit.changed_field_names(contact, values.fields())
    if changed:
        audit.record(actor, "contact.updated", contact, changed)
    return changed


def set_contact_archived(actor, contact: Contact, archived: bool) -> None:
    if contact.is_archived != archived:
        contact.is_archived = archived
        audit.record(actor, "contact.archived" if archived else "contact.restored", contact, ["is_archived"])


def register_group(values: GroupValues, contact: ContactValues) -> CommunityGroup:
    """A group's own registration from the public form: unverified until an officer checks it."""
    check_consent(contact)
    group = CommunityGroup(
        **values.fields(), match_key=match_key(values.name), source="self_registered", is_verified=False
    )
    db.session.add(group)
    _set_links(group, values.area_ids, values.characteristic_ids)
    db.session.add(Contact(group=group, **contact.fields()))
    audit.record(
        audit.PUBLIC, "group.registered", group, [*GROUP_FIELDS, "areas", "characteristics", "contact"]
    )
    return group


# ---- Reads of personal data, on record (names of what was shown and of the filters used, never values) -----


def record_contacts_listed(actor, filters_used: list[str], action: str = "contacts.listed") -> None:
    """A list of contacts' names, emails and phones (the contact list, the mailing list) was read."""
    audit.record(actor, action, None, filters_used, entity_type="contact")


def record_contact_viewed(actor, contact: Contact) -> None:
    audit.record(actor, "contact.viewed", contact, ["email", "name", "phone"])


def record_group_contacts_viewed(actor, group: CommunityGroup) -> None:
    """A group's page showed its contacts' details (only to the roles that see personal data)."""
    audit.record(actor, "group.contacts_viewed", group, ["contacts"])


# ---- People's rights: erasure and withdrawing consent ------------------------------------------------------

FORMER_CONTACT = "Former contact"


def anonymise_contact(actor, contact: Contact) -> bool:
    """A person's erasure: their details go and they are never contacted again; the row stays, so the group,
    events and feedback that name it keep their links. Returns True when the contact was the group's only
    current contact: the group is kept (its own details are the organisation's), but has nobody to reach."""
    others = 0
    if contact.group_id is not None:
        others = db.session.scalar(
            select(func.count()).where(
                Contact.group_id == contact.group_id, Contact.id != contact.id, Contact.is_archived.is_(False)
            )
        )
    values = {
        "name": FORMER_CONTACT,
        "role": "",
        "email": "",
        "phone": "",
        "access_needs": "",
        "preferred_language": "",
        "consent_given": False,
        "consent_wording": "",
        "do_not_contact": True,
        "is_archived": True,
    }
    changed = audit.changed_field_names(contact, values)
    audit.record(actor, "contact.anonymised", contact, changed)
    return contact.group_id is not None and not others


def withdraw_consent(actor, contact: Contact) -> bool:
    """The person asked not to be contacted again (the link in any message to them). False if already so."""
    changed = audit.changed_field_names(contact, {"consent_given": False, "do_not_contact": True})
    if changed:
        audit.record(actor, "contact.consent_withdrawn", contact, changed)
    return bool(changed)
