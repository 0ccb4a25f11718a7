from flask import Blueprint, render_template, request
from flask_login import current_user

from crm.auth.permissions import any_staff
from crm.core import args
from crm.core.contributions import contributes_to
from crm.core.time import uk_today
from crm.groups.queries import coverage_matrix
from crm.reports import engagement
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


# ---- Groups' engagement (crm/reports/engagement.py says why it is read here) -------------------------------


@bp.get("/groups/not-engaged")
@any_staff
def groups_not_engaged():
    since = engagement.not_engaged_since()
    pagination = engagement.groups_not_engaged(args.page(request.args), since)
    return render_template(
        "reports/groups-not-engaged.html",
        pagination=pagination,
        since=since,
        last_engaged=engagement.last_engaged_of([group.id for group in pagination.items]),
        months=engagement.NOT_ENGAGED_MONTHS,
    )


@contributes_to("group-page")
def _group_page_last_engaged(group) -> dict:
    return {"last_engaged": engagement.last_engaged(group.id)}
