"""Reads for groups and contacts: filtered, sorted and paginated in SQL, links loaded in bulk."""

from dataclasses import dataclass, field

from sqlalchemy import ScalarResult, Select, and_, exists, func, select, union
from sqlalchemy.orm import selectinload

from crm.core.args import ids, search_text
from crm.core.models import Area, Characteristic
from crm.core.pagination import paginate
from crm.core.pickers import Lookup
from crm.extensions import db
from crm.groups.matching import similar_groups
from crm.groups.models import CommunityGroup, Contact, group_area, group_characteristic

SORTS = {
    "name": CommunityGroup.name.asc(),
    "-name": CommunityGroup.name.desc(),
    "-updated": CommunityGroup.updated_at.desc(),
    "updated": CommunityGroup.updated_at.asc(),
}
PER_PAGE = 25
EXPORT_BATCH = 500


@dataclass
class GroupFilters:
    q: str = ""
    characteristic: list[int] = field(default_factory=list)
    area: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    verified: str = ""  # "yes", "no" or "" for either
    archived: bool = False
    sort: str = "name"

    @classmethod
    def from_args(cls, args) -> "GroupFilters":
        return cls(
            q=search_text(args),
            characteristic=ids(args, "characteristic"),
            area=ids(args, "area"),
            kind=args.getlist("kind"),
            status=args.getlist("status"),
            verified=args.get("verified", "") if args.get("verified") in ("yes", "no") else "",
            archived=args.get("archived") == "yes",
            sort=args.get("sort", "name") if args.get("sort") in SORTS else "name",
        )

    @property
    def used(self) -> list[str]:
        """The names of the filters in use (for the audit record: names, never values)."""
        names = ("q", "characteristic", "area", "kind", "status", "verified", "archived")
        return [name for name in names if getattr(self, name)]

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.characteristic
            or self.area
            or self.kind
            or self.status
            or self.verified
            or self.archived
        )


def _filtered(filters: GroupFilters) -> Select:
    query = select(CommunityGroup).where(CommunityGroup.is_archived.is_(filters.archived))
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            func.lower(CommunityGroup.name).contains(needle, autoescape=True)
            | func.lower(CommunityGroup.description).contains(needle, autoescape=True)
        )
    if filters.characteristic:
        query = query.where(
            exists().where(
                group_characteristic.c.group_id == CommunityGroup.id,
                group_characteristic.c.characteristic_id.in_(filters.characteristic),
            )
        )
    if filters.area:
        query = query.where(
            exists().where(group_area.c.group_id == CommunityGroup.id, group_area.c.area_id.in_(filters.area))
        )
    if filters.kind:
        query = query.where(CommunityGroup.kind.in_(filters.kind))
    if filters.status:
        query = query.where(CommunityGroup.status.in_(filters.status))
    if filters.verified:
        query = query.where(CommunityGroup.is_verified.is_(filters.verified == "yes"))
    return query


def _with_links(query: Select) -> Select:
    return query.options(selectinload(CommunityGroup.areas), selectinload(CommunityGroup.characteristics))


def filtered_groups(filters: GroupFilters) -> Select:
    """The register's filters as one query, with each group's areas and characteristics loaded in bulk, for
    a caller that orders and pages it (the API pages by id)."""
    return _with_links(_filtered(filters))


def group_page(filters: GroupFilters, page: int):
    query = _with_links(_filtered(filters)).order_by(SORTS[filters.sort], CommunityGroup.id)
    return paginate(query, page=page, per_page=PER_PAGE)


def groups_for_export(filters: GroupFilters, with_contacts: bool) -> ScalarResult[CommunityGroup]:
    """The filtered groups in name order with their links, fetched a batch at a time while they are written
    out, so a big export never sits in memory. Call it as the file is written: a download is written after
    the request commits, and a result opened before the commit would not survive it."""
    query = _with_links(_filtered(filters)).order_by(CommunityGroup.name, CommunityGroup.id)
    if with_contacts:
        query = query.options(selectinload(CommunityGroup.contacts))
    return db.session.scalars(query.execution_options(yield_per=EXPORT_BATCH))


def group_count(filters: GroupFilters) -> int:
    return db.session.scalar(select(func.count()).select_from(_filtered(filters).subquery()))


def group_with_links(group_id: int) -> CommunityGroup | None:
    return db.session.scalar(
        _with_links(select(CommunityGroup).where(CommunityGroup.id == group_id)).options(
            selectinload(CommunityGroup.contacts)
        )
    )


def contact_count(group_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(Contact.group_id == group_id, Contact.is_archived.is_(False))
    )


def unverified_count() -> int:
    return db.session.scalar(
        select(func.count()).where(
            CommunityGroup.is_verified.is_(False), CommunityGroup.is_archived.is_(False)
        )
    )


@dataclass
class MailingList:
    contacts: list[Contact]
    no_consent: int
    do_not_contact: int
    no_email: int

    @property
    def left_out(self) -> int:
        return self.no_consent + self.do_not_contact + self.no_email


def _contacts_of_groups(filters: GroupFilters) -> Select:
    group_ids = _filtered(filters).with_only_columns(CommunityGroup.id).scalar_subquery()
    return select(Contact).where(Contact.group_id.in_(group_ids), Contact.is_archived.is_(False))


def _reachable_contacts(filters: GroupFilters) -> Select:
    return (
        _contacts_of_groups(filters)
        .where(Contact.do_not_contact.is_(False), Contact.consent_given.is_(True), Contact.email != "")
        .options(selectinload(Contact.group))
        .order_by(Contact.name, Contact.id)
    )


def mailing_list(filters: GroupFilters) -> MailingList:
    """Consented, reachable contacts of the filtered groups, and how many were left out and why."""
    base = _contacts_of_groups(filters)
    reasons = db.session.execute(
        base.with_only_columns(
            func.count().filter(Contact.do_not_contact.is_(True)),
            func.count().filter(and_(Contact.do_not_contact.is_(False), Contact.consent_given.is_(False))),
            func.count().filter(
                and_(Contact.do_not_contact.is_(False), Contact.consent_given.is_(True), Contact.email == "")
            ),
        )
    ).one()
    contacts = db.session.scalars(_reachable_contacts(filters)).all()
    return MailingList(
        contacts=list(contacts), do_not_contact=reasons[0], no_consent=reasons[1], no_email=reasons[2]
    )


def mailing_list_for_export(filters: GroupFilters) -> ScalarResult[Contact]:
    """The mailing list's contacts a batch at a time, read as the file is written (see groups_for_export)."""
    return db.session.scalars(_reachable_contacts(filters).execution_options(yield_per=EXPORT_BATCH))


def contact_page(q: str, page: int):
    query = select(Contact).where(Contact.is_archived.is_(False)).options(selectinload(Contact.group))
    if q:
        needle = q.lower()
        # A union of three lookups, each served by its trigram index on PostgreSQL; an OR across the join
        # to the group would read every contact.
        query = query.where(
            Contact.id.in_(
                union(
                    select(Contact.id).where(func.lower(Contact.name).contains(needle, autoescape=True)),
                    select(Contact.id).where(func.lower(Contact.email).contains(needle, autoescape=True)),
                    select(Contact.id)
                    .join(CommunityGroup, Contact.group_id == CommunityGroup.id)
                    .where(func.lower(CommunityGroup.name).contains(needle, autoescape=True)),
                )
            )
        )
    return paginate(query.order_by(Contact.name, Contact.id), page=page, per_page=PER_PAGE)


def coverage_matrix():
    """Active groups per characteristic and constituent area: where the authority can and cannot reach."""
    rows = db.session.execute(
        select(group_characteristic.c.characteristic_id, group_area.c.area_id, func.count())
        .join(group_area, group_area.c.group_id == group_characteristic.c.group_id)
        .join(CommunityGroup, CommunityGroup.id == group_characteristic.c.group_id)
        .where(CommunityGroup.is_archived.is_(False), CommunityGroup.status == "active")
        .group_by(group_characteristic.c.characteristic_id, group_area.c.area_id)
    ).all()
    counts = {(c, a): n for c, a, n in rows}
    characteristics = db.session.scalars(
        select(Characteristic).where(Characteristic.is_retired.is_(False)).order_by(Characteristic.sort_order)
    ).all()
    areas = db.session.scalars(
        select(Area)
        .where(Area.kind.in_(("region", "constituent")), Area.is_retired.is_(False))
        .order_by(Area.sort_order)
    ).all()
    return characteristics, areas, counts


def contact_with_email(email: str) -> Contact | None:
    return db.session.scalar(select(Contact).where(Contact.email == email.strip().lower()))


def pick_groups(q: str, limit: int = 10) -> list[CommunityGroup]:
    """The group picker's answer: unarchived groups whose names contain what was typed (those starting with
    it first), then near-duplicates of it by the matcher, at most `limit`."""
    needle = q.strip().lower()
    if len(needle) < 2:
        return []
    name = func.lower(CommunityGroup.name)
    found = list(
        db.session.scalars(
            select(CommunityGroup)
            .where(CommunityGroup.is_archived.is_(False), name.contains(needle, autoescape=True))
            .order_by(name.startswith(needle, autoescape=True).desc(), name, CommunityGroup.id)
            .limit(limit)
        )
    )
    if len(found) < limit and len(needle) >= 3:
        ids = {group.id for group in found}
        found += [group for group in similar_groups(q, limit=limit) if group.id not in ids][
            : limit - len(found)
        ]
    return found


def current_group_named(name: str) -> CommunityGroup | None:
    """The unarchived group with exactly this name, whatever its case."""
    return db.session.scalar(
        select(CommunityGroup)
        .where(func.lower(CommunityGroup.name) == name.strip().lower(), CommunityGroup.is_archived.is_(False))
        .order_by(CommunityGroup.id)
        .limit(1)
    )


def archived_group_named(name: str) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                func.lower(CommunityGroup.name) == name.strip().lower(), CommunityGroup.is_archived.is_(True)
            )
        )
    )


GROUP_LOOKUP = Lookup(
    noun="group",
    exact=current_group_named,
    archived=archived_group_named,
    near=lambda name: [group.name for group in similar_groups(name)],
)
