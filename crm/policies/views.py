from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.core import args
from crm.core.contributions import contributions
from crm.core.rules import RuleBroken, show_refusal
from crm.extensions import db
from crm.policies import queries
from crm.policies.forms import PolicyForm
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES, Policy
from crm.policies.service import create_policy, update_policy

bp = Blueprint("policies", __name__, url_prefix="/staff/policies")
EDITORS = (roles.ADMIN, roles.POLICY_LEAD)


@bp.get("")
@any_staff
def index():
    filters = queries.PolicyFilters.from_args(request.args)
    return render_template(
        "policies/list.html",
        pagination=queries.list_policies(filters, args.page(request.args)),
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
    form.set_delivery_areas(queries.delivery_area_choices())
    if form.validate_on_submit():
        try:
            policy = create_policy(current_user, **form.values())
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash(f"Policy {policy.reference} added.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id))
    return render_template("policies/form.html", form=form, policy=None)


@bp.get("/<int:policy_id>")
@any_staff
def view(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    return render_template(
        "policies/view.html",
        policy=policy,
        can_edit=current_user.has_role(*EDITORS),
        can_draft=current_user.has_role(*EDITORS),
        **contributions("policy-page", policy),
    )


@bp.route("/<int:policy_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    form = PolicyForm(obj=policy)
    form.set_owners(queries.policy_leads())
    form.set_delivery_areas(queries.delivery_area_choices(policy.delivery_area_id))
    if request.method == "GET":
        form.owner_id.data = str(policy.owner_id or "")
        form.delivery_area_id.data = str(policy.delivery_area_id or "")
    if form.validate_on_submit():
        try:
            changed = update_policy(current_user, policy, **form.values())
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("policies.view", policy_id=policy.id))
    return render_template("policies/form.html", form=form, policy=policy)
