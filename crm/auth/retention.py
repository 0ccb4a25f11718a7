"""Ending the sign-in records the retention table (crm/core/retention.py) says is due.

A failed sign-in leaves a row per email address typed and client address (`SignInThrottle`): who tried
which account from where. It is needed while it can lock someone out, and for a while after to notice a
pattern; 90 days after its last failure it is deleted. A lockout still running is never cut short.
"""

from datetime import datetime

from sqlalchemy import delete, func, or_, select

from crm.auth.models import SignInThrottle
from crm.core import retention
from crm.extensions import db


def _due(cutoff: datetime):
    return select(SignInThrottle.id).where(
        SignInThrottle.last_failed_at < cutoff,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < cutoff),
    )


def _count_due(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_due(cutoff).subquery())) or 0


@retention.ends("sign_in_records", due=_count_due)
def delete_old_sign_in_records(cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` failed sign-in records whose last failure was before `cutoff`."""
    ids = list(db.session.scalars(_due(cutoff).order_by(SignInThrottle.id).limit(limit)))
    if ids:
        db.session.execute(delete(SignInThrottle).where(SignInThrottle.id.in_(ids)))
    return len(ids)
