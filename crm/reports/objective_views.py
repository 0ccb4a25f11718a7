"""Diversity objectives and targets: every staff role reads them; equality leads and admins set them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.auth.queries import active_staff_choices
from crm.consultations.monitoring import QUESTIONS
from crm.core.models import Characteristic
from crm.core.reference import active_choices
from crm.core.rules import show_refusal
from crm.core.time import govuk_date, uk_today
from crm.extensions import db
from crm.forms import optional_choices
from crm.policies.queries import delivery_area_choices
from crm.reports import charts, objectives, service
from crm.reports.forms import CohortForm, MeasureForm, ObjectiveForm
from crm.reports.models import Measure, Objective, PriorityCohort

bp = Blueprint("objectives", __name__, url_prefix="/staff/objectives")
EDITORS = (roles.ADMIN, roles.EQUALITY_LEAD)


def category_choices() -> list[tuple[str, str]]:
    """("question:answer", "Question: answer") for every monitoring category a share can count."""
    return [
        (f"{question.code}:{code}", f"{question.text} {label}")
        for question in QUESTIONS
        for code, label in question.options
    ]


def _cohort_choices() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(select(PriorityCohort).order_by(PriorityCohort.name))]


@bp.get("")
@any_staff
def index():
    objectives_ = list(
        db.session.scalars(
            select(Objective)
            .options(selectinload(Objective.delivery_area), selectinload(Objective.measures))
            .order_by(Objective.title)
        )
    )
    # Each measure is computed from the records: a handful of grouped statements each, for the tens of
    # measures a scheme has.
    progress = {m.id: objectives.value_of(m) for o in objectives_ for m in o.measures}
    return render_template(
        "reports/objectives.html",
        objectives=sorted(objectives_, key=lambda o: (o.delivery_area.sort_order, o.delivery_area.name)),
        progress=progress,
        rag=objectives.rag,
        can_edit=current_user.has_role(*EDITORS),
    )


def _trend_chart(measure: Measure, points) -> charts.BarChart:
    bars = tuple(
        charts.Bar(
            f"To {govuk_date(day)}",
            value.low if value.known else None,
            value.text,
            marker=measure.target,
            marker_text=measure.target_text,
        )
        for day, value in points
    )
    return charts.BarChart(
        id=f"trend-{measure.id}",
        title=f"{measure.kind_label}: by quarter",
        description="; ".join(f"{bar.label}: {bar.text}" for bar in bars) + f". Target {bars[0].marker_text}."
        if bars
        else "No quarter has begun.",
        bars=bars,
        unit="%" if measure.is_percent else "",
        value_label="Value",
        marker_label="Target",
        scale_max=0.0 if measure.is_percent else max([measure.target] + [b.value or 0 for b in bars]),
    )


@bp.get("/<int:objective_id>")
@any_staff
def view(objective_id: int):
    objective = db.get_or_404(Objective, objective_id)
    today = uk_today()
    rows = []
    for measure in objective.measures:
        value = objectives.value_of(measure, end=min(today, measure.period_end))
        points = objectives.trend(measure, today)
        rows.append((measure, value, objectives.rag(measure, value), points, _trend_chart(measure, points)))
    return render_template(
        "reports/objective.html",
        objective=objective,
        rows=rows,
        amber_from=objectives.AMBER_FROM,
        can_edit=current_user.has_role(*EDITORS),
    )


def _objective_form(objective=None) -> ObjectiveForm:
    form = ObjectiveForm(obj=objective)
    form.delivery_area_id.choices = optional_choices(
        delivery_area_choices(objective.delivery_area_id if objective else None)
    )
    keep = [objective.owner_id] if objective and objective.owner_id else []
    form.owner_id.choices = optional_choices(active_staff_choices(keep_ids=keep))
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = _objective_form()
    if form.validate_on_submit():
        try:
            objective = service.create_objective(current_user, **form.values())
        except service.ObjectiveError as error:
            show_refusal(error, form)
        else:
            flash("Objective added. Now add how it is measured.", "success")
            return redirect(url_for("objectives.view", objective_id=objective.id))
    return render_template("reports/objective-form.html", form=form, objective=None)


@bp.route("/<int:objective_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(objective_id: int):
    objective = db.get_or_404(Objective, objective_id)
    form = _objective_form(objective)
    if form.validate_on_submit():
        try:
            changed = service.update_objective(current_user, objective, **form.values())
        except service.ObjectiveError as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("objectives.view", objective_id=objective.id))
    return render_template("reports/objective-form.html", form=form, objective=objective)


def _measure_form(measure=None) -> MeasureForm:
    form = MeasureForm(obj=measure)
    form.category.choices = [("", "None")] + category_choices()
    form.cohort_id.choices = optional_choices(_cohort_choices())
    form.characteristic_id.choices = optional_choices(active_choices(Characteristic))
    keep = [measure.owner_id] if measure and measure.owner_id else []
    form.owner_id.choices = optional_choices(active_staff_choices(keep_ids=keep))
    if request.method == "GET" and measure is not None:
        form.cohort_id.data = measure.cohort_id or 0
        form.characteristic_id.data = measure.characteristic_id or 0
        form.owner_id.data = measure.owner_id or 0
    return form


def _save_measure(objective: Objective, measure: Measure | None):
    form = _measure_form(measure)
    if form.validate_on_submit():
        try:
            if measure is None:
                service.add_measure(current_user, objective, **form.values())
                flash("Measure added.", "success")
            else:
                changed = service.update_measure(current_user, measure, **form.values())
                flash("Changes saved." if changed else "Nothing was changed.", "success")
        except service.ObjectiveError as error:
            show_refusal(error, form)
        else:
            return redirect(url_for("objectives.view", objective_id=objective.id))
    return render_template("reports/measure-form.html", form=form, objective=objective, measure=measure)


@bp.route("/<int:objective_id>/measures/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_measure(objective_id: int):
    return _save_measure(db.get_or_404(Objective, objective_id), None)


@bp.route("/<int:objective_id>/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_measure(objective_id: int, measure_id: int):
    objective = db.get_or_404(Objective, objective_id)
    measure = db.session.scalar(
        select(Measure).where(Measure.id == measure_id, Measure.objective_id == objective.id)
    )
    if measure is None:
        abort(404)
    return _save_measure(objective, measure)


# ---- Priority cohorts


@bp.get("/cohorts")
@any_staff
def cohorts():
    labels = dict(category_choices())
    return render_template(
        "reports/cohorts.html",
        cohorts=db.session.scalars(select(PriorityCohort).order_by(PriorityCohort.name)).all(),
        labels=labels,
        can_edit=current_user.has_role(*EDITORS),
    )


def _save_cohort(cohort: PriorityCohort | None):
    form = CohortForm(obj=cohort)
    form.categories.choices = category_choices()
    if form.validate_on_submit():
        try:
            if cohort is None:
                service.create_cohort(current_user, **form.values())
                flash("Cohort added.", "success")
            else:
                changed = service.update_cohort(current_user, cohort, **form.values())
                flash("Changes saved." if changed else "Nothing was changed.", "success")
        except service.ObjectiveError as error:
            show_refusal(error, form)
        else:
            return redirect(url_for("objectives.cohorts"))
    return render_template("reports/cohort-form.html", form=form, cohort=cohort)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_cohort():
    return _save_cohort(None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_cohort(cohort_id: int):
    return _save_cohort(db.get_or_404(PriorityCohort, cohort_id))
