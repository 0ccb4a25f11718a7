"""We asked, you said, we did: officers write a consultation's outcome and publish it; the public reads it
at /outcomes and on the consultation's own page."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.consultations.models import COUNTED_STATUSES, Consultation, Response
from crm.core.suppression import PRIMARY, Cell
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.eia_forms import OutcomeForm, SendForm
from crm.policies.eia_models import Outcome
from crm.policies.eia_service import (
    OUTCOME_READY,
    EvidenceError,
    outcome_for,
    publish_outcome,
    save_outcome,
    theme_counts,
)

bp = Blueprint("outcomes", __name__)
WRITERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD)


def you_said(consultation_id: int) -> dict:
    """What people said, for the public: responses and theme mentions, each count under the threshold hidden.

    Themes overlap (one comment can carry several), so there is no total to subtract from and primary
    suppression is enough; the response count is shown the same way.
    """
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]

    def cell(value: int) -> Cell:
        return Cell(value, PRIMARY if 0 < value < threshold else None)

    responses = db.session.scalar(
        select(db.func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation_id, Response.status.in_(COUNTED_STATUSES))
    )
    return {
        "threshold": threshold,
        "responses": cell(responses or 0),
        "themes": [(name, cell(count)) for name, count in theme_counts(consultation_id)],
    }


def _consultation(consultation_id: int) -> Consultation:
    return db.get_or_404(Consultation, consultation_id)


def _render_form(consultation: Consultation, outcome: Outcome | None, form: OutcomeForm, linked_ids):
    q = request.args.get("q", "").strip()[:200]
    query = (
        select(Feedback)
        .where(Feedback.consultation_id == consultation.id, Feedback.status != "excluded")
        .options(selectinload(Feedback.group), selectinload(Feedback.themes))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if q:
        from crm.policies.evidence import text_search_condition

        query = query.where(text_search_condition(q))
    linked = (
        list(
            db.session.scalars(
                select(Feedback).where(Feedback.id.in_(linked_ids)).order_by(Feedback.received_at)
            )
        )
        if linked_ids
        else []
    )
    if linked_ids:
        query = query.where(Feedback.id.not_in(list(linked_ids)))
    candidates = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=20, error_out=False)
    return render_template(
        "policies/outcome-form.html",
        consultation=consultation,
        outcome=outcome,
        form=form,
        linked=linked,
        candidates=candidates,
        pagination=candidates,
        q=q,
        said=you_said(consultation.id),
        ready=consultation.current_status in OUTCOME_READY,
        publish_form=SendForm(formdata=None),
    )


@bp.get("/staff/consultations/<int:consultation_id>/outcome")
@role_required(*WRITERS)
def edit(consultation_id: int):
    consultation = _consultation(consultation_id)
    outcome = outcome_for(consultation)
    form = OutcomeForm(obj=outcome)
    if outcome is None:
        form.we_asked.data = consultation.summary
    return _render_form(
        consultation, outcome, form, [item.id for item in outcome.feedback] if outcome else []
    )


@bp.post("/staff/consultations/<int:consultation_id>/outcome")
@role_required(*WRITERS)
def save(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        values = {"we_asked": form.we_asked.data, "you_said": form.you_said.data, "we_did": form.we_did.data}
        try:
            save_outcome(current_user, consultation, values, form.feedback.data)
        except EvidenceError as error:
            db.session.rollback()
            target = getattr(form, error.field, form.we_asked)
            target.errors = [*target.errors, str(error)]
        else:
            flash("Outcome saved.", "success")
            return redirect(url_for("outcomes.edit", consultation_id=consultation.id))
    outcome = outcome_for(consultation)
    kept = [item.id for item in outcome.feedback] if outcome else []
    return _render_form(consultation, outcome, form, kept)


@bp.post("/staff/consultations/<int:consultation_id>/outcome/publish")
@role_required(*WRITERS)
def publish(consultation_id: int):
    consultation = _consultation(consultation_id)
    try:
        publish_outcome(current_user, consultation)
    except EvidenceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("outcomes.edit", consultation_id=consultation.id))
    flash("Outcome published. The consultation is now marked as outcome published.", "success")
    return redirect(url_for("consultations.view", consultation_id=consultation.id))


# ---- Public ---------------------------------------------------------------------------------------------


def published_outcome(consultation_id: int) -> Outcome | None:
    return db.session.scalar(
        select(Outcome)
        .where(Outcome.consultation_id == consultation_id, Outcome.status == "published")
        .options(selectinload(Outcome.feedback))
    )


@bp.get("/outcomes")
def public_list():
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        select(Outcome)
        .where(Outcome.status == "published")
        .options(selectinload(Outcome.consultation), selectinload(Outcome.feedback))
        .order_by(Outcome.published_at.desc()),
        page=page,
        per_page=10,
        error_out=False,
    )
    return render_template(
        "policies/public-outcomes.html",
        pagination=pagination,
        said={outcome.consultation_id: you_said(outcome.consultation_id) for outcome in pagination.items},
    )


@bp.app_context_processor
def _outcome_helpers():
    """The consultation's public page shows its published outcome (templates/policies/_public-outcome)."""
    return {"published_outcome": published_outcome, "outcome_you_said": you_said}
