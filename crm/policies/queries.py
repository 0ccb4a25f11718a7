"""Reads for the policies register: filtered and paginated in SQL."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.core.args import one_of, search_text
from crm.core.models import DeliveryArea
from crm.core.pagination import paginate
from crm.core.pickers import Lookup, search_short_register
from crm.core.reference import active_choices
from crm.extensions import db
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES, Policy


@dataclass
class PolicyFilters:
    search: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args) -> "PolicyFilters":
        return cls(
            search=search_text(args, "search"),
            kind=one_of(args, "kind", POLICY_KINDS),
            status=one_of(args, "status", POLICY_STATUSES),
        )


def list_policies(filters: PolicyFilters, page: int, per_page: int = 25):
    query = select(Policy).options(selectinload(Policy.owner)).order_by(Policy.reference)
    if filters.search:
        pattern = f"%{filters.search}%"
        query = query.where(or_(Policy.title.ilike(pattern), Policy.reference.ilike(pattern)))
    if filters.kind:
        query = query.where(Policy.kind == filters.kind)
    if filters.status:
        query = query.where(Policy.status == filters.status)
    return paginate(query, page=page, per_page=per_page)


def policy_leads() -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.role == roles.POLICY_LEAD, StaffUser.is_active_account.is_(True))
            .order_by(StaffUser.name)
        )
    )


def all_policies() -> list[Policy]:
    """For linking consultations: every policy that is not retired, by reference."""
    return list(
        db.session.scalars(select(Policy).where(Policy.status != "retired").order_by(Policy.reference))
    )


def owned_policy_ids(user_id: int) -> list[int]:
    return list(db.session.scalars(select(Policy.id).where(Policy.owner_id == user_id)))


def policy_choices() -> list[tuple[int, str]]:
    """(id, "reference title") of every policy that is not retired, for linking records to them."""
    return [(policy.id, f"{policy.reference} {policy.title}") for policy in all_policies()]


def linked_policy_choices(policies) -> list[tuple[int, str]]:
    """(id, "reference title") of the policies a record is linked to, for unticking; a retired one says so
    (it stays linked until unticked, but takes no new links)."""
    return [
        (p.id, f"{p.reference} {p.title}" + (" (retired)" if p.status == "retired" else ""))
        for p in sorted(policies, key=lambda p: p.reference)
    ]


def pick_policies(q: str, limit: int = 10) -> list[tuple[int, str]]:
    """The policy picker's answer: (id, "reference title") of policies that are not retired, those whose
    reference contains what was typed first, then by title."""
    policies = {policy.id: policy for policy in all_policies()}
    needle = q.strip().lower()
    by_reference = [id_ for id_, p in policies.items() if len(needle) >= 2 and needle in p.reference.lower()]
    by_title = [
        id_ for id_, _title in search_short_register([(p.id, p.title) for p in policies.values()], q, limit)
    ]
    found = list(dict.fromkeys(by_reference + by_title))[:limit]
    return [(id_, f"{policies[id_].reference} {policies[id_].title}") for id_ in found]


def delivery_area_choices(current: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the delivery areas a policy may name: those not retired, and the one it names now."""
    choices = active_choices(DeliveryArea)
    if current is not None and current not in {id_ for id_, _name in choices}:
        area = db.session.get(DeliveryArea, current)
        if area is not None:
            choices.append((area.id, f"{area.name} (retired)"))
    return choices


def policy_named(name: str, retired: bool = False) -> Policy | None:
    """The policy a picker's text names, any case: "reference title" as the picker offers it, or its
    reference or its title alone."""
    needle = name.strip().lower()
    status = Policy.status == "retired" if retired else Policy.status != "retired"
    return db.session.scalar(
        select(Policy)
        .where(
            status,
            or_(
                func.lower(Policy.reference + " " + Policy.title) == needle,
                func.lower(Policy.reference) == needle,
                func.lower(Policy.title) == needle,
            ),
        )
        .order_by(Policy.reference)
        .limit(1)
    )


POLICY_LOOKUP = Lookup(
    noun="policy",
    exact=policy_named,
    archived=lambda name: policy_named(name, retired=True) is not None,
    near=lambda name: [label for _id, label in pick_policies(name)],
    name_of=lambda policy: f"{policy.reference} {policy.title}",
    archived_message="The policy ‘{typed}’ is retired and takes no new evidence. Choose a current policy",
)
