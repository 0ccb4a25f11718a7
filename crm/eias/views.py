"""Equality Impact Assessments: the list with reviews due, drafting, findings with evidence, actions, review,
sign-off and a printable document. Policy leads draft; equality leads approve or return."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.bodies import queries as bodies
from crm.core import args
from crm.core.args import one_of, search_text
from crm.core.contributions import contributes_to
from crm.core.rules import RuleBroken, show_refusal
from crm.eias import queries
from crm.eias.due_regard import due_regard_record
from crm.eias.forms import ActionForm, EIAForm, FindingForm, ReviewForm, SendForm
from crm.eias.models import ACTION_STATUSES, EIA, EIA_STATUSES, EIAFinding
from crm.eias.service import (
    APPROVERS,
    DRAFTERS,
    EIA_FIELDS,
    add_action,
    publish_eia,
    review_eia,
    set_action_status,
    start_eia,
    submission_problems,
    submit_eia,
    update_eia,
    update_finding,
)
from crm.evidence import queries as evidence_queries
from crm.evidence.service import record_due_regard
from crm.extensions import db
from crm.feedback.queries import feedback_by_ids
from crm.forms import ConfirmForm
from crm.policies.models import Policy

bp = Blueprint("eias", __name__)
PUBLISHERS = (roles.ADMIN, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
# Who follows actions up once an EIA is agreed.
TRACKERS = (roles.ADMIN, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
DUE_SOON_DAYS = 60


def _eia(eia_id: int) -> EIA:
    eia = queries.eia_with_findings(eia_id)
    if eia is None:
        abort(404)
    return eia


@contributes_to("policy-page")
def _policy_page_eias(policy: Policy) -> dict:
    return {"eias": queries.policy_eias(policy.id)}


@bp.get("/staff/eias")
@any_staff
def index():
    status = one_of(request.args, "status", EIA_STATUSES)
    pagination = queries.list_eias(status, args.page(request.args))
    today = date.today()
    reviews = queries.reviews_due(today + timedelta(days=DUE_SOON_DAYS))
    return render_template(
        "eias/eias.html",
        pagination=pagination,
        status=status,
        statuses=EIA_STATUSES,
        reviews=reviews,
        today=today,
        awaiting=queries.awaiting_review_count(),
    )


@bp.post("/staff/policies/<int:policy_id>/eias")
@role_required(*DRAFTERS)
def start(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    try:
        eia = start_eia(current_user, policy)
    except RuleBroken as error:
        show_refusal(error)
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
        "eias/eia.html",
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


@bp.get("/staff/policies/<int:policy_id>/due-regard")
@any_staff
def due_regard(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    return render_template("eias/due-regard.html", policy=policy, points=due_regard_record(policy))


@bp.get("/staff/eias/<int:eia_id>/print")
@any_staff
def print_view(eia_id: int):
    eia = _eia(eia_id)
    if eia.status in ("approved", "published"):
        record_due_regard(current_user, "eia.printed", eia)
        eia = _eia(eia.id)
    return render_template("eias/eia-print.html", eia=eia)


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
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id))
    return render_template("eias/eia-form.html", eia=eia, form=form)


def _finding(eia: EIA, finding_id: int) -> EIAFinding:
    finding = next((f for f in eia.findings if f.id == finding_id), None)
    if finding is None:
        abort(404)
    return finding


def _render_finding(eia: EIA, finding: EIAFinding, form: FindingForm, chosen_ids: list[int]):
    q = search_text(request.args)
    only_coded = request.args.get("all") != "yes"
    chosen = feedback_by_ids(chosen_ids)
    candidates = evidence_queries.policy_feedback_for_characteristic(
        eia.policy_id,
        finding.characteristic_id if only_coded else None,
        q,
        args.page(request.args),
        exclude_ids=chosen_ids,
    )
    form.recommendations.choices = [
        SelectChoice(r.id, f"{r.title}, from {r.source} ({r.response.decision_label.lower()})")
        for r in bodies.accepted_for_policy(eia.policy_id)
    ]
    return render_template(
        "eias/finding-form.html",
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
    form.recommendations.data = [r.id for r in finding.recommendations]
    return _render_finding(eia, finding, form, [item.id for item in finding.evidence])


@bp.post("/staff/eias/<int:eia_id>/findings/<int:finding_id>")
@role_required(*DRAFTERS)
def save_finding(eia_id: int, finding_id: int):
    eia = _eia(eia_id)
    finding = _finding(eia, finding_id)
    form = FindingForm()
    form.recommendations.choices = [
        SelectChoice(r.id, r.title) for r in bodies.accepted_for_policy(eia.policy_id)
    ]
    if form.validate_on_submit():
        try:
            update_finding(
                current_user,
                finding,
                form.direction.data,
                form.severity.data or "",
                form.narrative.data or "",
                form.evidence.data,
                form.recommendations.data or [],
            )
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash(f"Finding for {finding.characteristic.name} saved.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id) + f"#finding-{finding.id}")
    # Show back only what was cited before; a tampered id is never drawn as if it were evidence.
    if form.evidence.process_errors:
        kept = [item.id for item in finding.evidence]
    else:
        kept = [
            i
            for i in form.evidence.data or []
            if not evidence_queries.feedback_outside_policy(eia.policy_id, [i])
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
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Action added.", "success")
            return redirect(url_for("eias.view", eia_id=eia.id) + "#actions")
    return render_template("eias/action-form.html", eia=eia, form=form)


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
        except RuleBroken as error:
            show_refusal(error)
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
        except RuleBroken as error:
            show_refusal(error, form)
            if problems:
                things = "1 thing" if len(problems) == 1 else f"{len(problems)} things"
                form.send.errors = [f"This EIA is not ready for review: {things} to fix, listed below"]
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
        except RuleBroken as error:
            show_refusal(error, form)
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
    except RuleBroken as error:
        show_refusal(error)
    else:
        flash("EIA marked as published.", "success")
    return redirect(url_for("eias.view", eia_id=eia.id))
