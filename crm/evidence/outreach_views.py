"""Outreach tasks: a gap in a policy's coverage turned into planned outreach, the groups that could fill it,
the events logged against it, and its closing when the evidence arrives (crm.evidence.service)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.auth.queries import active_staff_choices
from crm.core import args
from crm.core.models import Area, Characteristic
from crm.core.pickers import keep_chosen, pick_into
from crm.core.reference import active_choices
from crm.core.rules import RuleBroken, show_refusal
from crm.core.text import plural
from crm.core.time import uk_today
from crm.engagement.queries import EVENT_LOOKUP
from crm.evidence import queries, service
from crm.evidence.forms import LinkEventForm, OutreachForm
from crm.evidence.models import OUTREACH_STATUSES
from crm.extensions import db
from crm.forms import ConfirmForm
from crm.policies.models import Policy

bp = Blueprint("outreach", __name__, url_prefix="/staff")
# Who may open tasks at all; a policy lead then sees only their own policies' (service.may_see_outreach).
READERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
PLANNERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD)
WORKERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)


def _characteristic_choices(policy: Policy) -> list[tuple[int, str]]:
    """Every characteristic in use, each saying how much was heard, so a refused choice is no surprise."""
    heard, weak_below = queries.coded_counts(policy.id), queries.weak_evidence_below()

    def label(id_: int, name: str) -> str:
        count = heard.get(id_, 0)
        if not count:
            return f"{name} (no evidence yet)"
        return f"{name} ({'weak evidence' if count < weak_below else 'heard'}: {plural(count, 'item')})"

    return [(id_, label(id_, name)) for id_, name in active_choices(Characteristic)]


@bp.route("/policies/<int:policy_id>/outreach/new", methods=["GET", "POST"])
@role_required(*PLANNERS)
def new_task(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    if not service.may_plan_outreach(current_user, policy):
        abort(403)
    form = OutreachForm()
    form.set_choices(
        _characteristic_choices(policy),
        active_choices(Area),
        active_staff_choices(in_roles=service.OUTREACH_OWNER_ROLES),
    )
    if request.method == "GET":
        chosen = args.one_id(request.args, "characteristic")
        form.characteristic_id.data = str(chosen) if chosen is not None else ""
        form.owner_id.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            task = service.create_outreach_task(current_user, policy, form.values())
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Outreach planned.", "success")
            return redirect(url_for("outreach.task_page", task_id=task.id))
    return render_template("evidence/outreach-form.html", form=form, policy=policy)


@bp.get("/outreach")
@role_required(*READERS)
def index():
    filters = queries.OutreachFilters.from_args(request.args)
    lead_only = not current_user.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.EQUALITY_LEAD)
    lead_id = current_user.id if lead_only else None
    service.close_answered_tasks()  # the list shows what evidence has answered since it was last read
    return render_template(
        "evidence/outreach-list.html",
        filters=filters,
        pagination=queries.list_tasks(filters, args.page(request.args), lead_id=lead_id),
        policies=queries.task_policy_choices(lead_id),
        statuses=OUTREACH_STATUSES,
        owners=active_staff_choices(in_roles=service.OUTREACH_OWNER_ROLES),
        today=uk_today(),
    )


def _task(task_id: int):
    task = queries.task_with_links(task_id)
    if task is None:
        abort(404)
    if not service.may_see_outreach(current_user, task.policy):
        abort(403)
    return task


def _render_task(task, link_form: LinkEventForm | None = None, status: int = 200):
    groups, group_total = queries.suggested_groups(task.characteristic_id, task.area_id)
    can_work = task.is_open and service.may_work_outreach(current_user)
    return render_template(
        "evidence/outreach-task.html",
        task=task,
        groups=groups,
        group_total=group_total,
        can_work=can_work,
        form=link_form if link_form is not None else (LinkEventForm(formdata=None) if can_work else None),
        confirm=ConfirmForm(),
        today=uk_today(),
        event_name=EVENT_LOOKUP.name,
    ), status


@bp.get("/outreach/<int:task_id>")
@role_required(*READERS)
def task_page(task_id: int):
    if service.close_answered_tasks(task_ids=[task_id]):
        db.session.expire_all()  # the task was read before it closed
    return _render_task(_task(task_id))


@bp.post("/outreach/<int:task_id>/events")
@role_required(*WORKERS)
def link_event(task_id: int):
    task = _task(task_id)
    form = LinkEventForm()
    keep_chosen(request.form, form.event_name)
    if form.validate_on_submit():
        event = pick_into(form.event_name, request.form, EVENT_LOOKUP, required=True)
        if event is not None:
            try:
                closed = service.link_event(current_user, task, event)
            except RuleBroken as error:
                show_refusal(error, form)
            else:
                flash(
                    "Event logged. Its feedback answers the gap, so the task is closed."
                    if closed
                    else "Event logged. The task closes when feedback from it speaks for "
                    f"{task.characteristic.name}.",
                    "success",
                )
                return redirect(url_for("outreach.task_page", task_id=task.id))
    return _render_task(task, form)


@bp.post("/outreach/<int:task_id>/close")
@role_required(*WORKERS)
def close_task(task_id: int):
    task = _task(task_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.close_by_hand(current_user, task)
        except RuleBroken as error:
            show_refusal(error)
        else:
            flash("Task closed.", "success")
    return redirect(url_for("outreach.task_page", task_id=task.id))
