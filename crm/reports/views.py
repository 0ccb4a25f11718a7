from flask import Blueprint, render_template

from crm.auth.permissions import any_staff
from crm.groups.queries import coverage_matrix

bp = Blueprint("reports", __name__, url_prefix="/staff")


@bp.get("/")
@any_staff
def dashboard():
    characteristics, areas, counts = coverage_matrix()
    return render_template(
        "reports/dashboard.html", characteristics=characteristics, areas=areas, counts=counts
    )
