"""Staff accounts: sign-in with lockout, and the admin's changes to users. Each change is audited."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from crm.auth import roles
from crm.auth.models import SignInThrottle, StaffUser
from crm.auth.passwords import dummy_verify, hash_password, password_problem, verify_password
from crm.core import audit
from crm.core.models import utc_now
from crm.core.rules import RuleBroken
from crm.extensions import db


class AccountError(RuleBroken):
    """A staff account change was refused."""


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def sign_in(
    email: str, password: str, max_failures: int, lockout: timedelta, client_address: str = ""
) -> SignInResult:
    """Check a sign-in attempt. The same answer comes back whether or not the email has an account.

    Failures are counted per email *and* client address: `max_failures` from one address lock that address
    out of that account for `lockout`, while the account's owner can still sign in from anywhere else.
    """
    email = normalise_email(email)
    client_address = (client_address or "")[:45]
    now = utc_now()
    throttle = db.session.scalar(
        select(SignInThrottle).where(
            SignInThrottle.email == email, SignInThrottle.client_address == client_address
        )
    )
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return SignInResult(locked_until=throttle.locked_until)

    user = find_user_by_email(email)
    if user is None:
        dummy_verify(password)
        valid = False
    else:
        valid = verify_password(user.password_hash, password) and user.is_active

    if valid:
        if throttle:
            db.session.delete(throttle)
        user.last_signed_in_at = now
        audit.record(user, "auth.signed_in", user)
        return SignInResult(user=user)

    if throttle is None:
        throttle = SignInThrottle(email=email, client_address=client_address, failed_count=0)
        db.session.add(throttle)
    if throttle.locked_until and throttle.locked_until <= now:
        throttle.failed_count = 0  # the previous lockout has run out: start counting again
        throttle.locked_until = None
    throttle.failed_count += 1
    throttle.last_failed_at = now
    audit.record(user or audit.PUBLIC, "auth.sign_in_failed", user, entity_type="staff_user")
    if throttle.failed_count >= max_failures:
        throttle.locked_until = now + lockout
        audit.record(user or audit.PUBLIC, "auth.locked_out", user, entity_type="staff_user")
    return SignInResult(locked_until=throttle.locked_until)


def end_sessions(user: StaffUser) -> None:
    """Every session signed in as `user` until now stops working, on every device and in every copied
    cookie (the user loader compares the session's generation with this one)."""
    user.session_generation = (user.session_generation or 0) + 1


def record_sign_out(user: StaffUser) -> None:
    end_sessions(user)
    audit.record(user, "auth.signed_out", user)


def _check_role(role: str) -> None:
    if role not in roles.ALL:
        raise AccountError("role", "Select a role from the list")


def _check_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password, user_inputs=[email, email.split("@")[0], *name.split()])
    if problem:
        raise AccountError("password", problem)


def create_user(actor, email: str, name: str, role: str, password: str) -> StaffUser:
    email = normalise_email(email)
    name = name.strip()
    _check_role(role)
    if db.session.scalar(select(func.count()).where(StaffUser.email == email)):
        raise AccountError("email", "There is already an account with this email address")
    _check_password(password, email, name)
    user = StaffUser(email=email, name=name, role=role, password_hash=hash_password(password))
    db.session.add(user)
    audit.record(actor, "user.created", user, ["email", "name", "role", "password_hash"])
    return user


def update_user(
    actor, user: StaffUser, name: str, role: str, handles_data_requests: bool | None = None
) -> list[str]:
    _check_role(role)
    if user.id == getattr(actor, "id", None) and role != user.role:
        raise AccountError("role", "You cannot change your own role. Ask another admin")
    values = {"name": name.strip(), "role": role}
    if handles_data_requests is not None:
        values["handles_data_requests"] = bool(handles_data_requests)
    changed = audit.changed_field_names(user, values)
    if changed:
        if "role" in changed or "handles_data_requests" in changed:
            end_sessions(user)  # their open pages were allowed by the old role: sign in again
        audit.record(actor, "user.role_changed" if "role" in changed else "user.updated", user, changed)
    return changed


def set_active(actor, user: StaffUser, active: bool) -> None:
    if user.id == getattr(actor, "id", None) and not active:
        raise AccountError("user", "You cannot deactivate your own account")
    if user.is_active_account != active:
        user.is_active_account = active
        end_sessions(user)
        audit.record(actor, "user.reactivated" if active else "user.deactivated", user, ["is_active_account"])


def set_password(actor, user: StaffUser, password: str) -> None:
    """A new password for `user`; every session signed in with the old one ends."""
    _check_password(password, user.email, user.name)
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(actor, "user.password_changed", user, ["password_hash"])


def record_audit_export(actor: StaffUser, filters_used: list[str]) -> None:
    """Taking a copy of the audit log is itself on record: which filters were used (names, never values)."""
    audit.record(actor, "audit.exported_csv", None, filters_used, entity_type="audit_event")
