"""Reads for the policies register: filtered and paginated in SQL."""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.extensions import db
from crm.policies.models import Policy


def list_policies(page: int, search: str = "", kind: str = "", status: str = "", per_page: int = 25):
    query = select(Policy).options(selectinload(Policy.owner)).order_by(Policy.reference)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Policy.title.ilike(pattern), Policy.reference.ilike(pattern)))
    if kind:
        query = query.where(Policy.kind == kind)
    if status:
        query = query.where(Policy.status == status)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


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


def policy_choices() -> list[tuple[int, str]]:
    """(id, "reference title") of every policy that is not retired, for linking records to them."""
    return [(policy.id, f"{policy.reference} {policy.title}") for policy in all_policies()]
