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
