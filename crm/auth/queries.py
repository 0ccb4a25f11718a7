from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.core.pagination import paginate
from crm.extensions import db


def list_users(page: int, per_page: int = 50):
    return paginate(
        select(StaffUser).order_by(StaffUser.is_active_account.desc(), StaffUser.name),
        page=page,
        per_page=per_page,
    )


def active_staff_choices() -> list[tuple[int, str]]:
    """(id, name) of every staff member who can sign in, by name."""
    rows = db.session.execute(
        select(StaffUser.id, StaffUser.name)
        .where(StaffUser.is_active_account.is_(True))
        .order_by(StaffUser.name)
    )
    return [(row.id, row.name) for row in rows]
