"""API tokens: made, listed and revoked by their owners (and by admins), and checked at every API call.

A token is `cv_` and 43 random URL-safe characters (32 bytes). Only its SHA-256 is stored: a random secret
this long needs no slow hash, and a database copy alone cannot be used to call the API.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.models import ApiScope, ApiToken, StaffUser
from crm.core import audit
from crm.core.models import utc_now
from crm.core.pagination import paginate
from crm.core.rules import RuleBroken, bounded_text
from crm.core.time import end_of_uk_day, uk_today
from crm.extensions import db

PREFIX = "cv_"
DEFAULT_LIFETIME = timedelta(days=90)
LONGEST_LIFETIME = timedelta(days=366)  # "a year from today", leap years included
# Writing last_used_at at most this often keeps a busy token from rewriting its row on every call.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(RuleBroken):
    """A token change was refused."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def default_expiry() -> date:
    return uk_today() + DEFAULT_LIFETIME


def latest_expiry() -> date:
    return uk_today() + LONGEST_LIFETIME


def create_token(user: StaffUser, name: str, scope: str, expires_on: date) -> NewToken:
    name = bounded_text(name, "name", "Token name", 80)
    if not name:
        raise TokenError("name", "Enter a name for the token")
    if scope not in ApiScope.labels():
        raise TokenError("scope", "Select what the token may do")
    if scope == ApiScope.READ_WRITE and user.role == roles.VIEWER:
        raise TokenError("scope", "Viewers can only have read-only tokens")
    if expires_on <= uk_today():
        raise TokenError("expires_on", "Expiry date must be in the future")
    if expires_on > latest_expiry():
        raise TokenError("expires_on", "Expiry date must be no more than a year from today")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        scope=scope,
        secret_hash=hash_secret(secret),
        hint=secret[:7],
        expires_at=end_of_uk_day(expires_on),
    )
    db.session.add(token)
    audit.record(user, "api_token.created", token, ["name", "scope", "expires_at"])
    return NewToken(token, secret)


def revoke_token(actor: StaffUser, token: ApiToken) -> bool:
    """Revoke `token`; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utc_now()
    audit.record(actor, "api_token.revoked", token, ["revoked_at"])
    return True


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    )


def all_tokens(page: int, per_page: int = 25):
    """Every token of every user, newest first, for admins."""
    query = (
        select(ApiToken)
        .options(selectinload(ApiToken.user))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return paginate(query, page=page, per_page=per_page)


def token_owned_by(user_id: int, token_id: int) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))


def authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this secret, its owner loaded: None when unknown, revoked, expired or its owner
    is deactivated. Checked at every call, so revoking or deactivating takes effect at once."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or utc_now()
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.secret_hash == hash_secret(secret))
        .options(selectinload(ApiToken.user))
    )
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now  # saved with the call's unit of work
    return token
