from flask import Blueprint, render_template
from flask_login import current_user

from crm.auth.permissions import any_staff
from crm.core.time import uk_today
from crm.groups.queries import coverage_matrix
from crm.reports.home import home_for

bp = Blueprint("reports", __name__, url_prefix="/staff")


@bp.get("/")
@any_staff
def dashboard():
    characteristics, areas, counts = coverage_matrix()
    return render_template(
        "reports/dashboard.html",
        home=home_for(current_user),
        characteristics=characteristics,
        areas=areas,
        counts=counts,
        today=uk_today(),
    )
