from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth import roles
from crm.core.models import Choice, TimestampMixin, UTCDateTime, allowed_values, utc_now
from crm.extensions import db


class StaffUser(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "staff_user"
    __table_args__ = (allowed_values("role", roles.Role),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Copied into the session at sign-in. Raised on sign-out, role change, deactivation and password change,
    # so every session signed in before then, on any device or in a copied cookie, stops working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # People's data requests (/staff/data-requests): admins always, and engagement officers an admin names.
    handles_data_requests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    @property
    def role_label(self) -> str:
        return roles.LABELS[self.role]

    def has_role(self, *allowed: str) -> bool:
        return self.role in allowed

    @property
    def can_handle_data_requests(self) -> bool:
        return self.role == roles.ADMIN or (
            self.handles_data_requests and self.role in roles.SEES_PERSONAL_DATA
        )


class SignInThrottle(db.Model):
    """Failed sign-ins per email address (known or not, so a lockout reveals nothing about accounts) and
    client address: failures from one address lock that address out of that account, never the account's
    owner elsewhere, so nobody can keep staff out by guessing wrong on purpose.

    Kept in the database rather than in memory so every app server sees the same count.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("email", "client_address", name="uq_sign_in_throttle_email_address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(45))  # an IPv6 address is at most 45 characters
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the last failure was counted: the retention clock of "sign_in_records" (crm/auth/retention.py).
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class ApiScope(Choice):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


API_SCOPES = ApiScope.labels()


class ApiToken(TimestampMixin, db.Model):
    """A staff member's named token for /api/v1. Only the SHA-256 of the secret is kept: the secret is shown
    once, when the token is made. It acts as its owner, with their role, for as long as they are active."""

    __tablename__ = "api_token"
    __table_args__ = (allowed_values("scope", ApiScope),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The start of the secret ("cv_AbC1"), so people can tell their tokens apart; not enough to use one.
    hint: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship()

    @property
    def scope_label(self) -> str:
        return API_SCOPES.get(self.scope, self.scope)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.user.is_active_account

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.expires_at <= now else "Active"
