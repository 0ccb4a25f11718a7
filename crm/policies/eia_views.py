"""Equality Impact Assessments: the list with reviews due, drafting, findings with evidence, actions, review,
sign-off and a printable document. Policy leads draft; equality leads approve or return."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.core.rules import show_on_form
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.forms import ConfirmForm
from crm.policies import evidence
from crm.policies.eia_forms import ActionForm, EIAForm, FindingForm, ReviewForm, SendForm
from crm.policies.eia_models import ACTION_STATUSES, EIA, EIA_STATUSES, EIAFinding
from crm.policies.eia_service import (
    APPROVERS,
    DRAFTERS,
    EIA_FIELDS,
    EvidenceError,
    add_action,
    publish_eia,
    record_due_regard,
    review_eia,
    set_action_status,
    start_eia,
    submission_problems,
    submit_eia,
    update_eia,
    update_finding,
)
from crm.policies.models import Policy

bp = Blueprint("eias", __name__)
PUBLISHERS = (roles.ADMIN, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
# Who follows actions up once an EIA is agreed.
TRACKERS = (roles.ADMIN, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
DUE_SOON_DAYS = 60


def _eia(eia_id: int) -> EIA:
    eia = db.session.scalar(
        select(EIA)
        .where(EIA.id == eia_id)
        .options(
            selectinload(EIA.policy),
            selectinload(EIA.assessor),
            selectinload(EIA.approver),
            selectinload(EIA.actions),
            selectinload(EIA.findings).options(
                selectinload(EIAFinding.characteristic),
                selectinload(EIAFinding.evidence).options(
                    selectinload(Feedback.event),
                    selectinload(Feedback.consultation),
                    selectinload(Feedback.group),
                ),
            ),
        )
    )
    if eia is None:
        abort(404)
    return eia


@bp.get("/staff/eias")
@any_staff
def index():
    status = request.args.get("status", "")
    status = status if status in EIA_STATUSES else ""
    query = (
        select(EIA)
        .options(selectinload(EIA.policy), selectinload(EIA.assessor))
        .order_by(EIA.updated_at.desc())
    )
    if status:
        query = query.where(EIA.status == status)
    pagination = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=25, error_out=False)
    today = date.today()
    reviews = list(
        db.session.scalars(
            select(EIA)
            .options(selectinload(EIA.policy))
            .where(
                EIA.status.in_(("approved", "published")),
                EIA.review_due.is_not(None),
                EIA.review_due <= today + timedelta(days=DUE_SOON_DAYS),
            )
            .order_by(EIA.review_due)
            .limit(100)
        )
    )
    return render_template(
        "policies/eias.html",
        pagination=pagination,
        status=status,
        statuses=EIA_STATUSES,
        reviews=reviews,
        today=today,
        awaiting=db.session.scalar(select(db.func.count()).select_from(EIA).where(EIA.status == "in_review")),
    )


@bp.post("/staff/policies/<int:policy_id>/eias")
@role_required(*DRAFTERS)
def start(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    try:
        eia = start_eia(current_user, policy)
    except EvidenceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("policies.view", policy_id=policy.id))
    flash(
        f"Version {eia.version} started{' as a copy of the last one' if eia.previous_id else ''}.", "success"
    )
    return redirect(url_for("eias.view", eia_id=eia.id))


def _render_view(eia: EIA, send_form=None, review_form=None, problems=None):
    if eia.status in ("approved", "published"):
        record_due_regard(current_user, "eia.viewed", eia)
        eia = _eia(eia.id)  # the commit expired what was loaded; load it again in a few queries, not per row
    return render_template(
        "policies/eia.html",
        eia=eia,
        can_edit=current_user.has_role(*DRAFTERS) and eia.status == "draft",
        can_review=current_user.has_role(*APPROVERS) and eia.status == "in_review",
        own_eia=current_user.id == eia.assessor_id,
        can_publish=current_user.has_role(*PUBLISHERS) and eia.status == "approved",
        form=send_form or review_form,
        send_form=send_form or SendForm(formdata=None),
        review_form=review_form or ReviewForm(formdata=None),
        problems=problems or [],
        problem_anchors=dict(problems or []),
        can_track=current_user.has_role(*TRACKERS) and eia.status != "superseded",
        action_statuses=ACTION_STATUSES,
    )


@bp.get("/staff/eias/<int:eia_id>")
@any_staff
def view(eia_id: int):
    return _render_view(_eia(eia_id))


@bp.get("/staff/eias/<int:eia_id>/print")
@any_staff
def print_view(eia_id: int):
    eia = _eia(eia_id)
    if eia.status in ("approved", "published"):
        record_due_regard(current_user, "eia.printed", eia)
        eia = _eia(eia.id)
    return render_template("policies/eia-print.html", eia=eia)


@bp.route("/staff/eias/<int:eia_id>/edit", methods=["GET", "POST"])
@role_required(*DRAFTERS)
def edit(eia_id: int):
    eia = _eia(eia_id)
    form = EIAForm(obj=eia)
    if eia.status != "draft" and request.method == "GET":
        flash(f"This EIA is {eia.status_label.lower()}, so it cannot be changed.", "error")
        return redirect(url_for("eias.view", eia_id=eia.id))
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in EIA_FIELDS}
        values.update(
            screening_decision=form.screening_decision.data or "",
            outcome=form.outcome.data or "",
            review_due=form.review_due.data,
        )
        try:
            changed = update_eia(current_user, eia, values)
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id))
    return render_template("policies/eia-form.html", eia=eia, form=form)


def _finding(eia: EIA, finding_id: int) -> EIAFinding:
    finding = next((f for f in eia.findings if f.id == finding_id), None)
    if finding is None:
        abort(404)
    return finding


def _render_finding(eia: EIA, finding: EIAFinding, form: FindingForm, chosen_ids: list[int]):
    q = request.args.get("q", "").strip()[:200]
    only_coded = request.args.get("all") != "yes"
    chosen = (
        list(
            db.session.scalars(
                select(Feedback)
                .where(Feedback.id.in_(chosen_ids))
                .options(
                    selectinload(Feedback.event),
                    selectinload(Feedback.consultation),
                    selectinload(Feedback.group),
                )
                .order_by(Feedback.received_at)
            )
        )
        if chosen_ids
        else []
    )
    candidates = evidence.policy_feedback_for_characteristic(
        eia.policy_id,
        finding.characteristic_id if only_coded else None,
        q,
        request.args.get("page", 1, type=int),
        exclude_ids=chosen_ids,
    )
    return render_template(
        "policies/finding-form.html",
        eia=eia,
        finding=finding,
        form=form,
        chosen=chosen,
        candidates=candidates,
        pagination=candidates,
        q=q,
        only_coded=only_coded,
    )


@bp.get("/staff/eias/<int:eia_id>/findings/<int:finding_id>")
@role_required(*DRAFTERS)
def edit_finding(eia_id: int, finding_id: int):
    eia = _eia(eia_id)
    finding = _finding(eia, finding_id)
    if eia.status != "draft":
        flash(f"This EIA is {eia.status_label.lower()}, so its findings cannot be changed.", "error")
        return redirect(url_for("eias.view", eia_id=eia.id))
    form = FindingForm(obj=finding)
    return _render_finding(eia, finding, form, [item.id for item in finding.evidence])


@bp.post("/staff/eias/<int:eia_id>/findings/<int:finding_id>")
@role_required(*DRAFTERS)
def save_finding(eia_id: int, finding_id: int):
    eia = _eia(eia_id)
    finding = _finding(eia, finding_id)
    form = FindingForm()
    if form.validate_on_submit():
        try:
            update_finding(
                current_user,
                finding,
                form.direction.data,
                form.severity.data or "",
                form.narrative.data or "",
                form.evidence.data,
            )
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(f"Finding for {finding.characteristic.name} saved.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id) + f"#finding-{finding.id}")
    # Show back only what was cited before; a tampered id is never drawn as if it were evidence.
    if form.evidence.process_errors:
        kept = [item.id for item in finding.evidence]
    else:
        kept = [
            i for i in form.evidence.data or [] if not evidence.feedback_outside_policy(eia.policy_id, [i])
        ]
    return _render_finding(eia, finding, form, kept)


@bp.route("/staff/eias/<int:eia_id>/actions/new", methods=["GET", "POST"])
@role_required(*DRAFTERS)
def new_action(eia_id: int):
    eia = _eia(eia_id)
    form = ActionForm()
    if eia.status != "draft" and request.method == "GET":
        flash(f"This EIA is {eia.status_label.lower()}, so actions cannot be added.", "error")
        return redirect(url_for("eias.view", eia_id=eia.id))
    if form.validate_on_submit():
        try:
            add_action(
                current_user,
                eia,
                form.description.data,
                form.owner.data,
                form.due_date.data,
                form.status.data,
                form.monitoring.data,
            )
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash("Action added.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id) + "#actions")
    return render_template("policies/action-form.html", eia=eia, form=form)


@bp.post("/staff/eias/<int:eia_id>/actions/<int:action_id>/status")
@role_required(*TRACKERS)
def action_status(eia_id: int, action_id: int):
    eia = _eia(eia_id)
    action = next((a for a in eia.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            changed = set_action_status(current_user, action, request.form.get("status", ""))
        except EvidenceError as error:
            flash(str(error), "error")
        else:
            flash("Action progress saved." if changed else "Nothing was changed.", "success")
    return redirect(url_for("eias.view", eia_id=eia.id) + "#actions")


@bp.post("/staff/eias/<int:eia_id>/submit")
@role_required(*DRAFTERS)
def submit(eia_id: int):
    eia = _eia(eia_id)
    form = SendForm()
    if form.validate_on_submit():
        problems = submission_problems(eia) if eia.status == "draft" else []
        try:
            submit_eia(current_user, eia)
        except EvidenceError as error:
            db.session.rollback()
            things = "1 thing" if len(problems) == 1 else f"{len(problems)} things"
            form.send.errors = [
                f"This EIA is not ready for review: {things} to fix, listed below" if problems else str(error)
            ]
            return _render_view(_eia(eia_id), send_form=form, problems=problems)
        flash("Sent to the equality lead for review.", "success")
    return redirect(url_for("eias.view", eia_id=eia.id))


@bp.post("/staff/eias/<int:eia_id>/review")
@role_required(*APPROVERS)
def review(eia_id: int):
    eia = _eia(eia_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review_eia(current_user, eia, form.decision.data, form.comments.data or "")
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(
                "EIA approved." if eia.status == "approved" else "EIA returned to the policy lead.", "success"
            )
            return redirect(url_for("eias.view", eia_id=eia.id))
    return _render_view(_eia(eia_id), review_form=form)


@bp.post("/staff/eias/<int:eia_id>/publish")
@role_required(*PUBLISHERS)
def publish(eia_id: int):
    eia = _eia(eia_id)
    try:  # the CSRF token is checked for every POST before this runs
        publish_eia(current_user, eia)
    except EvidenceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash("EIA marked as published.", "success")
    return redirect(url_for("eias.view", eia_id=eia.id))
