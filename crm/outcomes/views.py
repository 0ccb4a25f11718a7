"""We asked, you said, we did: officers write a consultation's outcome and publish it; the public reads it
at /outcomes and on the consultation's own page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.consultations.models import Consultation
from crm.core import args
from crm.core.args import search_text
from crm.core.rules import RuleBroken, show_refusal
from crm.extensions import db
from crm.feedback.queries import feedback_by_ids
from crm.forms import ConfirmForm
from crm.outcomes import queries
from crm.outcomes.forms import OutcomeForm
from crm.outcomes.models import Outcome
from crm.outcomes.service import OUTCOME_READY, outcome_for, publish_outcome, save_outcome

bp = Blueprint("outcomes", __name__)
WRITERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD)


def _consultation(consultation_id: int) -> Consultation:
    return db.get_or_404(Consultation, consultation_id)


def _render_form(consultation: Consultation, outcome: Outcome | None, form: OutcomeForm, linked_ids):
    q = search_text(request.args)
    candidates = queries.candidate_feedback(consultation.id, q, linked_ids, args.page(request.args))
    return render_template(
        "outcomes/outcome-form.html",
        consultation=consultation,
        outcome=outcome,
        form=form,
        linked=feedback_by_ids(linked_ids),
        candidates=candidates,
        pagination=candidates,
        q=q,
        said=queries.you_said(consultation.id),
        ready=consultation.current_status in OUTCOME_READY,
        publish_form=ConfirmForm(formdata=None),
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
        except RuleBroken as error:
            show_refusal(error, form)
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
        _outcome, emailed = publish_outcome(current_user, consultation)
    except RuleBroken as error:
        show_refusal(error)
        return redirect(url_for("outcomes.edit", consultation_id=consultation.id))
    people = "1 respondent" if emailed == 1 else f"{emailed:,} respondents"
    told = f" {people} who asked to hear what happened will be emailed." if emailed else ""
    flash(f"Outcome published. The consultation is now marked as outcome published.{told}", "success")
    return redirect(url_for("consultations.view", consultation_id=consultation.id))


# ---- Public ---------------------------------------------------------------------------------------------


@bp.get("/outcomes")
def public_list():
    page = args.page(request.args)
    pagination = queries.published_outcomes(page)
    return render_template(
        "outcomes/public-outcomes.html",
        pagination=pagination,
        said={
            outcome.consultation_id: queries.you_said(outcome.consultation_id) for outcome in pagination.items
        },
    )


@bp.app_context_processor
def _outcome_helpers():
    """The consultation's public page shows its published outcome (templates/policies/_public-outcome)."""
    return {"published_outcome": queries.published_outcome, "outcome_you_said": queries.you_said}
