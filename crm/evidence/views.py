"""The evidence pack: every feedback item that reached a policy, filtered and counted, its coverage per
characteristic, exports, and recording how each item was used."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.bodies import queries as bodies
from crm.core import args, jobs, spreadsheets
from crm.core.contributions import contributes_to
from crm.core.rules import RuleBroken, show_refusal
from crm.core.text import plural
from crm.evidence import exports, queries
from crm.evidence import jobs as evidence_jobs
from crm.evidence.forms import AddEvidenceForm, InfluenceForm
from crm.evidence.queries import EvidenceFilters
from crm.evidence.service import (
    add_to_evidence,
    close_answered_tasks,
    may_add_evidence,
    may_plan_outreach,
    may_see_outreach,
    record_due_regard,
    record_influence,
)
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.models import Policy

bp = Blueprint("evidence", __name__, url_prefix="/staff/policies")


@contributes_to("policy-page")
def _policy_page_evidence(policy: Policy) -> dict:
    pack = queries.evidence_pack(policy.id, EvidenceFilters(), per_page=1)
    coverage = pack.coverage
    return {
        "total": pack.total,
        "heard": [row for row in coverage if row.has_evidence],
        "gaps": [row for row in coverage if not row.has_evidence],
        "influences": queries.policy_influences(policy.id),
    }


# Everyone signed in may read a pack: it is the due-regard record auditors and board members need to see, and
# it never shows contact or respondent details to anyone but officers and admins. Taking a copy away (export)
# is for the roles that work with the evidence; viewers read it in the service.
EXPORTERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
INFLUENCE_RECORDERS = (roles.ADMIN, roles.POLICY_LEAD)


def _sees_personal_data() -> bool:
    return current_user.has_role(*roles.SEES_PERSONAL_DATA)


def _render_pack(policy: Policy, form: InfluenceForm | None = None, status: int = 200):
    filters = EvidenceFilters.from_args(request.args)
    # On record first: a later commit would expire every item loaded for the page, reloading them one by one.
    record_due_regard(current_user, "evidence_pack.viewed", policy, filters.used)
    sees_outreach = may_see_outreach(current_user, policy)
    if sees_outreach:
        close_answered_tasks(policy.id)  # a gap that evidence answered shows no open task beside it
    personal = _sees_personal_data()
    pack = queries.evidence_pack(policy.id, filters, args.page(request.args), personal)
    pagination = pack.pagination
    can_record = current_user.has_role(*INFLUENCE_RECORDERS)
    if form is None and can_record:
        form = InfluenceForm(formdata=None)
    return render_template(
        "evidence/evidence.html",
        policy=policy,
        filters=filters,
        pagination=pagination,
        influences=queries.influences_for(policy.id, [item.id for item in pagination.items]),
        counts=pack.counts,
        coverage=pack.coverage,
        uncoded=pack.uncoded,
        areas=pack.areas,
        weak_below=queries.weak_evidence_below(),
        choices=pack.choices,
        total=pack.total,
        sees_personal_data=personal,
        can_export=current_user.has_role(*EXPORTERS),
        can_record=can_record,
        can_add_evidence=may_add_evidence(current_user, policy),
        outreach=queries.open_tasks_by_characteristic(policy.id) if sees_outreach else {},
        sees_outreach=sees_outreach,
        can_plan_outreach=may_plan_outreach(current_user, policy),
        form=form,
        selected=set(form.feedback.data or []) if form is not None else set(),
        recommendations=bodies.accepted_for_policy(policy.id),
    ), status


@bp.get("/<int:policy_id>/evidence")
@any_staff
def evidence_pack(policy_id: int):
    return _render_pack(db.get_or_404(Policy, policy_id))


@bp.post("/<int:policy_id>/evidence/influence")
@role_required(*INFLUENCE_RECORDERS)
def record_bulk_influence(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    form = InfluenceForm()
    if form.validate_on_submit():
        try:
            count = record_influence(current_user, policy, form.feedback.data, form.use.data, form.note.data)
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash(
                f"Recorded how {count} feedback {'item was' if count == 1 else 'items were'} used.", "success"
            )
            return redirect(
                url_for("evidence.evidence_pack", policy_id=policy.id, **request.args.to_dict(flat=False))
            )
    return _render_pack(policy, form)


@bp.get("/<int:policy_id>/evidence/export.<any(csv,xlsx):file_format>")
@role_required(*EXPORTERS)
def export_evidence_pack(policy_id: int, file_format: str):
    policy = db.get_or_404(Policy, policy_id)
    filters = EvidenceFilters.from_args(request.args)
    personal = _sees_personal_data()
    items = queries.filtered_count(policy.id, filters)
    if items > jobs.threshold():  # a big one is made by a job, with a progress page and a download
        started = evidence_jobs.start_export(current_user, policy, request.args, file_format, personal, items)
        return jobs.follow(*started)
    # On record before the file is sent: the rows are read as it streams, after this request commits.
    exports.record_export(current_user, policy, filters, file_format, personal)
    return spreadsheets.download(
        f"{policy.reference}-evidence.{file_format}",
        exports.evidence_rows(policy.id, filters, personal),
        sheet_title="Evidence",
    )


def _reached_feedback(policy: Policy, feedback_id: int) -> Feedback:
    item = queries.reached_item(policy.id, feedback_id)
    if item is None:
        abort(404)
    return item


def _render_item(policy: Policy, item: Feedback, form: InfluenceForm | None):
    return render_template(
        "evidence/evidence-item.html",
        policy=policy,
        item=item,
        influence=queries.influences_for(policy.id, [item.id]).get(item.id),
        form=form,
        sees_personal_data=_sees_personal_data(),
    )


@bp.get("/<int:policy_id>/evidence/<int:feedback_id>")
@any_staff
def evidence_item(policy_id: int, feedback_id: int):
    """One feedback item as evidence for the policy: its provenance, and how it was used."""
    policy = db.get_or_404(Policy, policy_id)
    item = _reached_feedback(policy, feedback_id)
    form = None
    if current_user.has_role(*INFLUENCE_RECORDERS):
        form = InfluenceForm(obj=queries.influences_for(policy.id, [item.id]).get(item.id))
    return _render_item(policy, item, form)


@bp.post("/<int:policy_id>/evidence/<int:feedback_id>")
@role_required(*INFLUENCE_RECORDERS)
def record_item_influence(policy_id: int, feedback_id: int):
    policy = db.get_or_404(Policy, policy_id)
    item = _reached_feedback(policy, feedback_id)
    form = InfluenceForm()
    if form.validate_on_submit():
        try:
            record_influence(current_user, policy, [item.id], form.use.data, form.note.data)
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Decision recorded.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id) + "#what-changed")
    return _render_item(policy, item, form)


@bp.route("/<int:policy_id>/evidence/add", methods=["GET", "POST"])
@role_required(roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD)
def add_evidence(policy_id: int):
    """Feedback that reached no policy, to add to this one's evidence: what arrived without a link."""
    policy = db.get_or_404(Policy, policy_id)
    if not may_add_evidence(current_user, policy):
        abort(403)
    form = AddEvidenceForm()
    q = args.search_text(request.args)
    if form.validate_on_submit():
        try:
            count = add_to_evidence(current_user, policy, form.feedback.data)
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash(f"Added {plural(count, 'item')} to the evidence for {policy.reference}.", "success")
            return redirect(url_for("evidence.add_evidence", policy_id=policy.id, q=q or None))
    return render_template(
        "evidence/add.html",
        policy=policy,
        form=form,
        q=q,
        pagination=queries.unlinked_feedback(q, args.page(request.args)),
    )
