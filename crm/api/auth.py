"""The one way an API view states who may call it: a bearer token, its scope and its owner's role.

Session cookies never authenticate an API call (so the API needs no CSRF protection): only the
`Authorization: Bearer cv_...` header does, and the token is checked at every call, so a revoked or expired
token, or one whose owner has been deactivated, stops working at once.
"""

import logging
import time
from functools import wraps

from flask import current_app, g
from flask import request as flask_request
from flask_smorest import abort
from limits import parse_many

from crm.auth import roles, tokens
from crm.auth.models import ApiScope, ApiToken, StaffUser
from crm.extensions import limiter

log = logging.getLogger(__name__)
READ = ApiScope.READ
WRITE = ApiScope.READ_WRITE
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def token_required(scope: str = READ, allowed: tuple[str, ...] = roles.ALL):
    """Require a usable token (401), of `scope` (403) whose owner has one of the `allowed` roles (403)."""
    if scope not in (READ, WRITE) or not allowed or set(allowed) - set(roles.ALL):
        raise ValueError(f"token_required needs a scope and known roles, got {scope!r}, {allowed!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _token_from_header()
            if scope == WRITE and token.scope != WRITE:
                abort(403, message="This token may only read. Create a read and write token to make changes.")
            if token.user.role not in allowed:
                abort(403, message="Your role does not allow this.")
            _count_call(token)
            g.api_token = token
            return view(*args, **kwargs)

        wrapped.api_scope = scope
        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


def api_user() -> StaffUser:
    return g.api_token.user


def sees_personal_data() -> bool:
    return api_user().role in roles.SEES_PERSONAL_DATA


def _token_from_header() -> ApiToken:
    kind, _, secret = flask_request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if kind.lower() != "bearer" or not secret:
        abort(401, message="Send an API token as 'Authorization: Bearer <token>'.", headers=_CHALLENGE)
    token = tokens.authenticate(secret)
    if token is None:
        abort(
            401,
            message="The token is not valid: it may be mistyped, expired or revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
    return token


def _count_call(token: ApiToken) -> None:
    """Rate limit per token, in the same storage as the app's other limits (Redis when configured)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    for item in parse_many(current_app.config["API_RATE_LIMIT"]):
        try:
            allowed = limiter.limiter.hit(item, "api-token", str(token.id))
            reset = None if allowed else limiter.limiter.get_window_stats(item, "api-token", str(token.id))
        except Exception:
            # As the app's other limits do (RATELIMIT_SWALLOW_ERRORS): a counter store that is down lets
            # calls through rather than failing every one of them.
            log.exception("API rate limit storage failed; call let through")
            return
        if not allowed:
            abort(429, headers={"Retry-After": str(max(1, int(reset.reset_time - time.time())))})
