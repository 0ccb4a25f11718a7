"""The one way a staff view states who may use it. The architecture tests check every /staff/ route."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from crm.auth import roles


def role_required(*allowed: str):
    """Require sign-in and one of the `allowed` roles (403 for any other role)."""
    unknown = set(allowed) - set(roles.ALL)
    if not allowed or unknown:
        raise ValueError(f"role_required needs known roles, got {allowed!r}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


def any_staff(view):
    """Any signed-in staff member, whatever their role."""
    return role_required(*roles.ALL)(view)


def data_request_handler(view):
    """Admins, and engagement officers an admin has named to handle people's data requests: the request
    shows the person's details, which only these two roles may see (rule 1). Anyone else gets a 403."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not current_user.can_handle_data_requests:
            abort(403)
        return view(*args, **kwargs)

    return role_required(*roles.SEES_PERSONAL_DATA)(checked)
