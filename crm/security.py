"""Security headers with a per-request CSP nonce, and sign-out after a period of inactivity.

Written here rather than with Flask-Talisman: the policy is a few lines, Talisman's last release is from
2023, and its HTTPS redirect belongs to the load balancer in our deployments.
"""

import secrets
import unicodedata
from datetime import UTC, datetime

from flask import flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the sign-in page must never send anyone elsewhere.

    Only a relative path starting with a single "/": no scheme, no "//host", no backslash (browsers read
    "/\\host" as "//host"), and no control character at all, since browsers drop tabs and newlines from a
    URL ("/<tab>/evil.example" becomes "//evil.example") and a CR or LF cannot go in a Location header.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in target):
        return None
    return target


def mark_active() -> None:
    session["last_seen"] = datetime.now(UTC).timestamp()


def start_session(user) -> None:
    """At sign-in: the user's session generation (see StaffUser.session_generation) and the time, for the
    idle and absolute time-outs."""
    now = datetime.now(UTC).timestamp()
    session["generation"] = user.session_generation or 0
    session["signed_in_at"] = now
    session["last_seen"] = now


def session_is_current(user) -> bool:
    """False for a session signed in before the user's sessions were ended (sign-out, role change...)."""
    return session.get("generation", 0) == (user.session_generation or 0)


def init_security(app) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response):
        response.headers["Content-Security-Policy"] = _content_security_policy()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["SEND_HSTS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/staff"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def sign_out_idle_staff():
        # The cookie's own expiry can be replayed; the last-seen time inside the signed session cannot.
        # API calls never look at the session: a token is their only credential.
        if request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        now = datetime.now(UTC).timestamp()
        last_seen = session.get("last_seen")
        # Each request moves last_seen on, so a session in use never idles out: the absolute limit ends even
        # a copied cookie that is used every few minutes.
        signed_in_at = session.setdefault("signed_in_at", now)
        idle = last_seen is not None and now - last_seen > app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        if idle or now - signed_in_at > app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
            logout_user()
            session.clear()
            flash("You were signed out because you had not used the service for a while.", "info")
            return redirect(
                url_for("auth.sign_in_page", next=request.path if request.method == "GET" else None)
            )
        mark_active()
        return None
