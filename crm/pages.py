"""Public information pages and the health check: the app shell, not a feature area."""

from flask import Blueprint, render_template
from sqlalchemy import text

from crm.core import retention
from crm.extensions import db

bp = Blueprint("pages", __name__)


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy():
    # The retention section is written from the same table the retention command applies.
    return render_template("pages/privacy.html", data_classes=retention.DATA_CLASSES)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy; say so rather than raise
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
