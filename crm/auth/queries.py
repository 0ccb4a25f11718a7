from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.extensions import db


def list_users(page: int, per_page: int = 50):
    return db.paginate(
        select(StaffUser).order_by(StaffUser.is_active_account.desc(), StaffUser.name),
        page=page,
        per_page=per_page,
        error_out=False,
    )
