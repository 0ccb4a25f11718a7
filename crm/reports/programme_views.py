"""Programmes: the list, the report on one, and adding or editing one (the writes are engagement's)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.core.rules import show_refusal
from crm.engagement import queries as engagement_queries
from crm.engagement import service as engagement
from crm.engagement.forms import ProgrammeForm
from crm.engagement.models import Programme
from crm.engagement.views import principles_page
from crm.extensions import db
from crm.forms import optional_choices
from crm.policies.models import INFLUENCE_USES
from crm.policies.queries import delivery_area_choices
from crm.reports import charts, programmes

bp = Blueprint("programmes", __name__, url_prefix="/staff/programmes")
EDITORS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)


@bp.get("")
@any_staff
def index():
    return render_template(
        "reports/programmes.html",
        rows=programmes.programme_list(include_archived=request.args.get("archived") == "yes"),
        can_edit=current_user.has_role(*EDITORS),
    )


def _kinds_chart(report: programmes.ProgrammeReport) -> charts.BarChart:
    return charts.BarChart(
        id="activity-mix",
        title="Activity mix: events by kind",
        description="; ".join(f"{label}: {count}" for label, count in report.kinds) or "No events yet.",
        bars=tuple(charts.Bar(label, count, f"{count:,}") for label, count in report.kinds),
        value_label="Events",
    )


def _reach_chart(report: programmes.ProgrammeReport) -> charts.BarChart:
    reach = report.reach
    bars = tuple(
        charts.Bar(c.name, row[-1].value if row[-1].shown else None, row[-1].text(reach.threshold))
        for c, row in zip(reach.characteristics, reach.cells, strict=True)
    )
    return charts.BarChart(
        id="reach",
        title="People reached by characteristic, all quarters (estimates)",
        description="; ".join(f"{bar.label}: {bar.text}" for bar in bars) or "No reach recorded yet.",
        bars=bars,
        value_label="People reached (estimate)",
    )


@bp.get("/<int:programme_id>")
@any_staff
def view(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    report = programmes.programme_report(programme)
    return render_template(
        "reports/programme.html",
        report=report,
        kinds_chart=_kinds_chart(report),
        reach_chart=_reach_chart(report),
        uses=INFLUENCE_USES,
        principles=engagement_queries.principle_lines(programme),
        can_edit=current_user.has_role(*EDITORS),
    )


def _form(programme=None) -> ProgrammeForm:
    form = ProgrammeForm(obj=programme)
    form.delivery_area_id.choices = optional_choices(
        delivery_area_choices(programme.delivery_area_id if programme else None)
    )
    if request.method == "GET" and programme is not None:
        form.delivery_area_id.data = programme.delivery_area_id or 0
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            programme = engagement.create_programme(current_user, **form.values())
        except engagement.EventError as error:
            show_refusal(error, form)
        else:
            flash(f"Programme {programme.name} added.", "success")
            return redirect(url_for("programmes.view", programme_id=programme.id))
    return render_template("reports/programme-form.html", form=form, programme=None)


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    form = _form(programme)
    if form.validate_on_submit():
        try:
            changed = engagement.update_programme(current_user, programme, **form.values())
        except engagement.EventError as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("programmes.view", programme_id=programme.id))
    return render_template("reports/programme-form.html", form=form, programme=programme)


@bp.route("/<int:programme_id>/principles", methods=["GET", "POST"])
@role_required(*EDITORS)
def principles(programme_id: int):
    """How the programme as a whole met the co-production principles (its events are assessed one by one on
    their own pages): the same form and rules as an event's."""
    programme = db.get_or_404(Programme, programme_id)
    back = url_for("programmes.view", programme_id=programme.id)
    return principles_page(
        programme, back, {"subject_name": programme.name, "caption": "Programme", "back": back}
    )
