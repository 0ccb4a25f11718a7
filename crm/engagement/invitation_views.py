"""Inviting the consented contacts of chosen groups to a consultation or an event (/staff/invitations)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.consultations.models import Consultation
from crm.core import args
from crm.core.contributions import contributes_to
from crm.core.models import Area, Characteristic
from crm.core.reference import active_choices
from crm.core.rules import show_refusal
from crm.engagement import invitations
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.forms import ConfirmForm
from crm.groups.queries import GroupFilters

bp = Blueprint("invitations", __name__, url_prefix="/staff/invitations")


def _target() -> invitations.Target:
    consultation_id, event_id = args.one_id(request.args, "consultation"), args.one_id(request.args, "event")
    if consultation_id:
        return invitations.Target(consultation=db.get_or_404(Consultation, consultation_id))
    if event_id:
        return invitations.Target(event=db.get_or_404(EngagementEvent, event_id))
    abort(404)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*roles.SEES_PERSONAL_DATA)  # it lists contacts by name
def new():
    target = _target()
    filters = GroupFilters.from_args(request.args)
    form = ConfirmForm()
    problem = None
    try:
        invitations.check_target(target)
    except invitations.InvitationError as error:
        problem = str(error)
    if request.method == "POST" and problem is None and form.validate_on_submit():
        try:
            sent = invitations.invite(current_user, target, filters)
        except invitations.InvitationError as error:
            show_refusal(error, form)
        else:
            left = f" {sent.plan.left_out:,} left out." if sent.plan.left_out else ""
            flash(f"Invited {len(sent.invitations):,} contacts to {target.title}.{left}", "success")
            if sent.job is not None:  # a large list: its page follows the sending
                return redirect(url_for("jobs.job_page", job_id=sent.job.id))
            return redirect(url_for("invitations.new", **request.args))
    return render_template(
        "engagement/invitations.html",
        target=target,
        filters=filters,
        plan=invitations.plan(target, filters),
        sent=invitations.invitations_for(target),
        invitation_counts=invitations.delivery_counts(target),
        problem=problem,
        form=form,
        characteristics=active_choices(Characteristic),
        areas=active_choices(Area),
    )


@contributes_to("consultation-page")
def _consultation_invitations(consultation) -> dict:
    """The consultation's page says how many were invited and how their email fared."""
    return {"invitation_counts": invitations.delivery_counts(invitations.Target(consultation=consultation))}


@contributes_to("event-page")
def _event_invitations(event) -> dict:
    return {"invitation_counts": invitations.delivery_counts(invitations.Target(event=event))}
