from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_login import current_user
from sqlalchemy import select

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.core.rules import show_on_form
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies import evidence, queries
from crm.policies.eia_forms import InfluenceForm
from crm.policies.eia_service import EvidenceError, record_due_regard, record_influence
from crm.policies.evidence import EvidenceFilters
from crm.policies.evidence_export import export_evidence
from crm.policies.forms import PolicyForm
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES, Policy
from crm.policies.service import PolicyError, create_policy, update_policy

bp = Blueprint("policies", __name__, url_prefix="/staff/policies")
EDITORS = (roles.ADMIN, roles.POLICY_LEAD)


@bp.get("")
@any_staff
def index():
    filters = {
        "search": request.args.get("search", "").strip()[:200],
        "kind": request.args.get("kind", "") if request.args.get("kind") in POLICY_KINDS else "",
        "status": request.args.get("status", "") if request.args.get("status") in POLICY_STATUSES else "",
    }
    page = request.args.get("page", 1, type=int)
    return render_template(
        "policies/list.html",
        pagination=queries.list_policies(page, **filters),
        filters=filters,
        kinds=POLICY_KINDS,
        statuses=POLICY_STATUSES,
        can_edit=current_user.has_role(*EDITORS),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = PolicyForm()
    form.set_owners(queries.policy_leads())
    if form.validate_on_submit():
        try:
            policy = create_policy(current_user, **form.values())
        except PolicyError as error:
            show_on_form(form, error)
        else:
            flash(f"Policy {policy.reference} added.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id))
    return render_template("policies/form.html", form=form, policy=None)


@bp.get("/<int:policy_id>")
@any_staff
def view(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    coverage = evidence.coverage(policy.id)
    return render_template(
        "policies/view.html",
        policy=policy,
        can_edit=current_user.has_role(*EDITORS),
        total=evidence.total_reached(policy.id),
        heard=[row for row in coverage if row.has_evidence],
        gaps=[row for row in coverage if not row.has_evidence],
        influences=evidence.policy_influences(policy.id),
        eias=evidence.policy_eias(policy.id),
        can_draft=current_user.has_role(*EDITORS),
    )


@bp.route("/<int:policy_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    form = PolicyForm(obj=policy)
    form.set_owners(queries.policy_leads())
    if request.method == "GET":
        form.owner_id.data = str(policy.owner_id or "")
    if form.validate_on_submit():
        try:
            changed = update_policy(current_user, policy, **form.values())
        except PolicyError as error:
            show_on_form(form, error)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id))
    return render_template("policies/form.html", form=form, policy=policy)


# ---- Evidence pack and policy influence -----------------------------------------------------------------
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
    personal = _sees_personal_data()
    pagination = evidence.evidence_page(policy.id, filters, request.args.get("page", 1, type=int), personal)
    can_record = current_user.has_role(*INFLUENCE_RECORDERS)
    if form is None and can_record:
        form = InfluenceForm(formdata=None)
    return render_template(
        "policies/evidence.html",
        policy=policy,
        filters=filters,
        pagination=pagination,
        influences=evidence.influences_for(policy.id, [item.id for item in pagination.items]),
        counts=evidence.counts(policy.id, filters),
        coverage=evidence.coverage(policy.id),
        choices=evidence.filter_choices(policy.id),
        total=evidence.total_reached(policy.id),
        sees_personal_data=personal,
        can_export=current_user.has_role(*EXPORTERS),
        can_record=can_record,
        form=form,
        selected=set(form.feedback.data or []) if form is not None else set(),
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
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash(
                f"Recorded how {count} feedback {'item was' if count == 1 else 'items were'} used.", "success"
            )
            return redirect(
                url_for("policies.evidence_pack", policy_id=policy.id, **request.args.to_dict(flat=False))
            )
    return _render_pack(policy, form)


@bp.get("/<int:policy_id>/evidence/export.<any(csv,xlsx):file_format>")
@role_required(*EXPORTERS)
def export_evidence_pack(policy_id: int, file_format: str):
    policy = db.get_or_404(Policy, policy_id)
    filters = EvidenceFilters.from_args(request.args)
    content, mimetype = export_evidence(current_user, policy, filters, file_format, _sees_personal_data())
    return HttpResponse(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{policy.reference}-evidence.{file_format}"'},
    )


def _reached_feedback(policy: Policy, feedback_id: int) -> Feedback:
    item = db.session.scalar(
        select(Feedback).where(Feedback.id == feedback_id, evidence.reached_condition(policy.id))
    )
    if item is None:
        abort(404)
    return item


def _render_item(policy: Policy, item: Feedback, form: InfluenceForm | None):
    return render_template(
        "policies/evidence-item.html",
        policy=policy,
        item=item,
        influence=evidence.influences_for(policy.id, [item.id]).get(item.id),
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
        form = InfluenceForm(obj=evidence.influences_for(policy.id, [item.id]).get(item.id))
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
        except EvidenceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            flash("Decision recorded.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id) + "#what-changed")
    return _render_item(policy, item, form)


@bp.app_context_processor
def _feedback_labels():
    from crm.feedback.models import SOURCES, STANCES

    return {"feedback_sources": SOURCES, "feedback_stances": STANCES}
