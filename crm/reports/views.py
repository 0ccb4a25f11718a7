from flask import Blueprint, render_template

from crm.auth.permissions import any_staff

bp = Blueprint("reports", __name__, url_prefix="/staff")


@bp.get("/")
@any_staff
def dashboard():
    return render_template("reports/dashboard.html")
