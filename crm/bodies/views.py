"""Standing bodies (/staff/bodies), their members and recommendations, and each body's public register."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.auth.queries import active_staff_choices
from crm.bodies import queries, service
from crm.bodies.forms import (
    BodyForm,
    EndTermForm,
    ImplementationForm,
    MeetingForm,
    MemberForm,
    RecommendationForm,
    ResponseForm,
)
from crm.bodies.models import Membership, StandingBody
from crm.core import args
from crm.core.contributions import contributes_to
from crm.core.pickers import keep_chosen, pick_another, pick_into
from crm.core.rules import show_refusal
from crm.core.time import govuk_date, uk_today
from crm.engagement.queries import EVENT_LOOKUP
from crm.extensions import db
from crm.forms import ConfirmForm, optional_choices
from crm.groups.models import Contact
from crm.policies.models import Policy
from crm.policies.queries import POLICY_LOOKUP, linked_policy_choices

bp = Blueprint("bodies", __name__)
EDITORS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)  # who sets bodies up
RECORDERS = roles.EDITS_RECORDS  # who records a recommendation


# ---- Bodies ------------------------------------------------------------------------------------------------


@bp.get("/staff/bodies")
@any_staff
def index():
    return render_template(
        "bodies/bodies.html",
        rows=queries.body_list(include_archived=request.args.get("archived") == "yes"),
        can_edit=current_user.has_role(*EDITORS),
        overdue=queries.overdue_count(),
    )


def _policy_choices(policies) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in linked_policy_choices(policies)]


def _body_form(body: StandingBody | None = None) -> BodyForm:
    form = BodyForm(obj=body)
    form.policy_ids.choices = _policy_choices(body.policies if body else [])
    if request.method == "GET" and body is not None:
        form.policy_ids.data = [policy.id for policy in body.policies]
    if request.method == "POST":
        keep_chosen(request.form, form.add_policy)
    return form


def _save_body(form: BodyForm, save):
    if not form.validate_on_submit():
        return None
    policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, form.policy_ids.data or [])
    if form.add_policy.errors:
        return None
    try:
        return save(form.values(policy_ids))
    except service.BodyError as error:
        show_refusal(error, form)
    return None


@bp.route("/staff/bodies/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    form = _body_form()
    body = _save_body(form, lambda values: service.create_body(current_user, **values))
    if body is not None:
        flash(f"{body.name} added.", "success")
        return redirect(url_for("bodies.view", body_id=body.id))
    return render_template("bodies/body-form.html", form=form, body=None)


@bp.route("/staff/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(body_id: int):
    body = db.get_or_404(StandingBody, body_id)
    form = _body_form(body)
    changed = _save_body(form, lambda values: service.update_body(current_user, body, **values))
    if changed is not None:
        flash("Changes saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("bodies.view", body_id=body.id))
    return render_template("bodies/body-form.html", form=form, body=body)


@bp.get("/staff/bodies/<int:body_id>")
@any_staff
def view(body_id: int):
    body = db.get_or_404(StandingBody, body_id)
    sees_people = current_user.has_role(*roles.SEES_PERSONAL_DATA)
    members = queries.body_members(body)
    today = uk_today()
    return render_template(
        "bodies/body.html",
        body=body,
        # Members are contacts: their names are personal data (rule 1); others see how many there are.
        members=members if sees_people else [],
        current_members=sum(1 for m in members if m.is_current(today)),
        today=today,
        sees_people=sees_people,
        pagination=queries.recommendations(args.page(request.args), body_id=body.id),
        can_edit=current_user.has_role(*EDITORS),
        can_record=current_user.has_role(*RECORDERS),
    )


@bp.route("/staff/bodies/<int:body_id>/meetings/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def add_meeting(body_id: int):
    body = db.get_or_404(StandingBody, body_id)
    form = MeetingForm()
    if request.method == "POST":
        keep_chosen(request.form, form.event_name)
    if form.validate_on_submit():
        event = pick_into(form.event_name, request.form, EVENT_LOOKUP, required=True)
        if event is not None:
            try:
                service.add_meeting(current_user, body, event)
            except service.BodyError as error:
                show_refusal(error, form)
            else:
                flash(f"{event.title} added to {body.name}'s meetings.", "success")
                return redirect(url_for("bodies.view", body_id=body.id))
    return render_template("bodies/meeting-form.html", form=form, body=body)


# ---- Members -----------------------------------------------------------------------------------------------


def _contact(typed: str) -> Contact | None:
    """The unarchived contact with this email address, or this full name when only one has it."""
    typed = typed.strip().lower()
    found = list(
        db.session.scalars(
            select(Contact)
            .where(
                Contact.is_archived.is_(False),
                or_(func.lower(Contact.email) == typed, func.lower(Contact.name) == typed),
            )
            .limit(2)
        )
    )
    if len(found) > 1:
        raise service.BodyError("contact", "More than one contact has this name: enter their email address")
    return found[0] if found else None


@bp.route("/staff/bodies/<int:body_id>/members/new", methods=["GET", "POST"])
@role_required(*roles.SEES_PERSONAL_DATA)
def add_member(body_id: int):
    body = db.get_or_404(StandingBody, body_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            contact = _contact(form.contact.data)
            membership = service.add_member(
                current_user,
                body,
                contact.id if contact else None,
                form.role.data,
                form.starts_on.data,
                form.ends_on.data,
                form.is_under_18.data,
                form.consent.data or "",
            )
        except service.BodyError as error:
            show_refusal(error, form)
        else:
            flash(f"{membership.contact.name} added to {body.name}.", "success")
            return redirect(url_for("bodies.view", body_id=body.id))
    return render_template("bodies/member-form.html", form=form, body=body)


@bp.route("/staff/bodies/members/<int:membership_id>/end", methods=["GET", "POST"])
@role_required(*roles.SEES_PERSONAL_DATA)
def end_term(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    form = EndTermForm()
    if form.validate_on_submit():
        try:
            service.end_membership(current_user, membership, form.ends_on.data)
        except service.BodyError as error:
            show_refusal(error, form)
        else:
            flash(f"{membership.contact.name}'s term ends {govuk_date(membership.ends_on)}.", "success")
            return redirect(url_for("bodies.view", body_id=membership.body_id))
    return render_template("bodies/end-term.html", form=form, membership=membership)


# ---- Recommendations ---------------------------------------------------------------------------------------


@bp.get("/staff/bodies/recommendations")
@any_staff
def recommendations():
    state = args.one_of(request.args, "state", queries.STATES)
    body_id = args.one_id(request.args, "body")
    mine = request.args.get("owner") == "me"
    return render_template(
        "bodies/recommendations.html",
        pagination=queries.recommendations(
            args.page(request.args),
            state=state,
            body_id=body_id,
            owner_id=current_user.id if mine else None,
            policy_id=args.one_id(request.args, "policy"),
        ),
        state=state,
        states=queries.STATES,
        body_id=body_id,
        mine=mine,
        bodies=queries.body_choices(),
        overdue=queries.overdue(owner_id=current_user.id),
        today=uk_today(),
    )


def _recommendation_form(recommendation=None) -> RecommendationForm:
    form = RecommendationForm(obj=recommendation)
    bodies = queries.body_choices()
    if recommendation and recommendation.body and recommendation.body.is_archived:
        bodies.append((recommendation.body.id, recommendation.body.name))  # archived since: still its source
    form.body_id.choices = optional_choices(bodies)
    keep = [recommendation.owner_id] if recommendation else []
    form.owner_id.choices = [SelectChoice(0, "Select who owns it")] + [
        SelectChoice(value, label)
        for value, label in active_staff_choices(in_roles=roles.EDITS_RECORDS, keep_ids=keep)
    ]
    form.policy_ids.choices = _policy_choices(recommendation.policies if recommendation else [])
    if request.method == "GET":
        if recommendation is not None:
            form.body_id.data = recommendation.body_id or 0
            form.event_name.data = EVENT_LOOKUP.name(recommendation.event)
            form.policy_ids.data = [policy.id for policy in recommendation.policies]
        else:
            body_id = args.one_id(request.args, "body")
            form.body_id.data = body_id or 0
            form.owner_id.data = current_user.id if current_user.has_role(*RECORDERS) else 0
            if body_id and (body := db.session.get(StandingBody, body_id)) is not None:
                form.policy_ids.choices = _policy_choices(body.policies)
                form.policy_ids.data = [policy.id for policy in body.policies]
    else:
        keep_chosen(request.form, form.event_name, form.add_policy)
        # Ticked policies stay choices (a new recommendation starts with its body's policies ticked).
        ticked = [i for i in form.policy_ids.data or [] if 0 < i <= args.MAX_ID][:100]
        if ticked:
            chosen = db.session.scalars(select(Policy).where(Policy.id.in_(ticked)))
            form.policy_ids.choices = _policy_choices(
                [*(recommendation.policies if recommendation else []), *chosen]
            )
    return form


def _save_recommendation(form: RecommendationForm, save, recommendation=None):
    if not form.validate_on_submit():
        return None
    event = pick_into(
        form.event_name, request.form, EVENT_LOOKUP, keep=recommendation.event if recommendation else None
    )
    policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, form.policy_ids.data or [])
    if form.event_name.errors or form.add_policy.errors:
        return None
    values = {
        "title": form.title.data or "",
        "text": form.text.data or "",
        "body_id": form.body_id.data or None,
        "event_id": event.id if event else None,
        "made_on": form.made_on.data,
        "owner_id": form.owner_id.data or None,
        "policy_ids": policy_ids,
    }
    try:
        return save(values)
    except service.BodyError as error:
        show_refusal(error, form)
    return None


@bp.route("/staff/bodies/recommendations/new", methods=["GET", "POST"])
@role_required(*RECORDERS)
def new_recommendation():
    form = _recommendation_form()
    recommendation = _save_recommendation(
        form, lambda values: service.create_recommendation(current_user, **values)
    )
    if recommendation is not None:
        due = govuk_date(recommendation.response_due_on)
        flash(f"Recommendation recorded. The authority's response is due by {due}.", "success")
        return redirect(url_for("bodies.recommendation", recommendation_id=recommendation.id))
    return render_template("bodies/recommendation-form.html", form=form, recommendation=None)


def _recommendation(recommendation_id: int):
    found = queries.recommendation(recommendation_id)
    if found is None:
        abort(404)
    return found


@bp.route("/staff/bodies/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@role_required(*RECORDERS)
def edit_recommendation(recommendation_id: int):
    recommendation = _recommendation(recommendation_id)
    form = _recommendation_form(recommendation)
    changed = _save_recommendation(
        form,
        lambda values: service.update_recommendation(current_user, recommendation, **values),
        recommendation,
    )
    if changed is not None:
        flash("Changes saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("bodies.recommendation", recommendation_id=recommendation.id))
    return render_template("bodies/recommendation-form.html", form=form, recommendation=recommendation)


@bp.get("/staff/bodies/recommendations/<int:recommendation_id>")
@any_staff
def recommendation(recommendation_id: int):
    found = _recommendation(recommendation_id)
    return render_template(
        "bodies/recommendation.html",
        recommendation=found,
        response=found.response,
        is_owner=found.owner_id == current_user.id,
        can_record=current_user.has_role(*RECORDERS),
        today=uk_today(),
        confirm=ConfirmForm(),
    )


@bp.route("/staff/bodies/recommendations/<int:recommendation_id>/response", methods=["GET", "POST"])
@role_required(*RECORDERS)
def respond(recommendation_id: int):
    found = _recommendation(recommendation_id)
    form = ResponseForm(obj=found.response)
    if form.validate_on_submit():
        try:
            service.record_response(
                current_user, found, form.decision.data, form.reasons.data or "", form.responded_on.data
            )
        except service.BodyError as error:
            show_refusal(error, form)
        else:
            flash("Response saved. Publish it when it may go on the public register.", "success")
            return redirect(url_for("bodies.recommendation", recommendation_id=found.id))
    return render_template("bodies/response-form.html", form=form, recommendation=found)


@bp.post("/staff/bodies/recommendations/<int:recommendation_id>/publish")
@role_required(*RECORDERS)
def publish(recommendation_id: int):
    found = _recommendation(recommendation_id)
    published = request.form.get("publish") != "no"
    if ConfirmForm().validate_on_submit():
        try:
            service.set_published(current_user, found, published)
        except service.BodyError as error:
            show_refusal(error)
        else:
            flash(
                "Response published." if published else "Response taken off the public register.", "success"
            )
    return redirect(url_for("bodies.recommendation", recommendation_id=found.id))


@bp.route("/staff/bodies/recommendations/<int:recommendation_id>/implementation", methods=["GET", "POST"])
@role_required(*RECORDERS)
def implementation(recommendation_id: int):
    found = _recommendation(recommendation_id)
    form = ImplementationForm(obj=found.response)
    if request.method == "GET" and found.response is not None:
        form.evidence.data = found.response.implementation_evidence
    if form.validate_on_submit():
        try:
            service.record_implementation(
                current_user, found, form.implementation.data, form.evidence.data or ""
            )
        except service.BodyError as error:
            show_refusal(error, form)
        else:
            flash("Progress saved.", "success")
            return redirect(url_for("bodies.recommendation", recommendation_id=found.id))
    return render_template("bodies/implementation-form.html", form=form, recommendation=found)


# ---- What other areas' pages show --------------------------------------------------------------------------


@contributes_to("event-page")
def _event_page_bodies(event) -> dict:
    return {"meeting_of": queries.bodies_meeting_at(event.id)}


@contributes_to("group-page")
def _group_page_bodies(group) -> dict:
    return {
        "memberships": queries.memberships_of_group(group.id),
        "recommendations": queries.recommendations_of_group(group.id),
    }


@contributes_to("contact-page")
def _contact_page_bodies(contact) -> dict:
    seats = queries.memberships_of_contact(contact.id)
    return {
        "memberships": seats,
        "meetings": queries.meetings_during(seats),
        "recommendations": queries.recommendations_of_contact(contact.id),
    }


@contributes_to("policy-page")
def _policy_page_recommendations(policy) -> dict:
    return {"accepted_recommendations": queries.accepted_for_policy(policy.id)}


# ---- The public register -----------------------------------------------------------------------------------


@bp.get("/bodies")
def public_index():
    return render_template("bodies/public-bodies.html", bodies=queries.public_bodies())


@bp.get("/bodies/<slug:slug>")
def public_register(slug: str):
    body = queries.public_body(slug)
    if body is None:
        abort(404)
    return render_template("bodies/register.html", body=body, rows=queries.register(body))
