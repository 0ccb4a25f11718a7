from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.auth.queries import active_staff_choices
from crm.consultations.queries import CONSULTATION_LOOKUP
from crm.core import args, audit, spreadsheets
from crm.core.args import whole_number
from crm.core.contributions import contributes_to, contributions
from crm.core.models import Area, Characteristic, CoproductionPrinciple
from crm.core.pickers import keep_chosen, not_found_message, pick_another, pick_into
from crm.core.reference import active_choices, active_entries
from crm.core.rules import show_refusal
from crm.engagement import queries, service
from crm.engagement.forms import EventForm, principles_form
from crm.engagement.models import COPRODUCTION_LEVELS, EVENT_KINDS, PROVISIONS
from crm.extensions import db
from crm.forms import ConfirmForm, optional_choices
from crm.groups.queries import GROUP_LOOKUP
from crm.policies.models import Policy
from crm.policies.queries import POLICY_LOOKUP, linked_policy_choices

bp = Blueprint("engagement", __name__, url_prefix="/staff/events")
OFFICERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)


def _staff_choices(event=None):
    """Engagement officers and admins: the people who run events (and whoever an event already names)."""
    keep = [officer.id for officer in event.officers] if event is not None else []
    return active_staff_choices(in_roles=(roles.ENGAGEMENT_OFFICER, roles.ADMIN), keep_ids=keep)


def _event_form(**kwargs) -> EventForm:
    form = EventForm(**kwargs)
    event = kwargs.get("obj")
    form.area_id.choices = optional_choices(active_choices(Area))
    form.officer_ids.choices = [SelectChoice(v, label) for v, label in _staff_choices(event)]
    form.policy_ids.choices = [
        SelectChoice(v, label) for v, label in linked_policy_choices(event.policies if event else [])
    ]
    form.programme_id.choices = optional_choices(queries.programme_choices())
    if request.method == "POST":  # a "Did you mean" choice is kept even if another field fails
        keep_chosen(request.form, form.consultation_name, form.add_policy)
    return form


def _reach_from(form_data) -> tuple[dict[int, int], str | None]:
    """Reach estimates come as reach-<characteristic id> fields; unknown names and non-numbers are errors."""
    reach, problem = {}, None
    for key, value in form_data.items():
        if not key.startswith("reach-") or not value.strip():
            continue
        ident = key.removeprefix("reach-")
        characteristic_id, estimate = whole_number(ident), whole_number(value)
        if characteristic_id is None or estimate is None:
            problem = "Reach estimates must be whole numbers for characteristics on the list"
            continue
        reach[characteristic_id] = estimate
    return reach, problem


def _values(form: EventForm, event=None) -> service.EventValues | None:
    """The form's values, or None when a picker's name is not on the register (its error is on its field)."""
    starts_at, ends_at = form.times()
    consultation = pick_into(
        form.consultation_name, request.form, CONSULTATION_LOOKUP, keep=event.consultation if event else None
    )
    policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, form.policy_ids.data or [])
    group_lines = (form.group_names.data or "").splitlines()
    group_ids, unknown = service.groups_by_names(group_lines)
    if unknown:
        raise service.EventError("group_names", not_found_message(unknown, GROUP_LOOKUP))
    reach, problem = _reach_from(request.form)
    if problem:
        raise service.EventError("reach", problem)
    if form.consultation_name.errors or form.add_policy.errors:
        return None
    return service.EventValues(
        title=form.title.data.strip(),
        kind=form.kind.data,
        starts_at=starts_at,
        ends_at=ends_at,
        area_id=form.area_id.data or None,
        venue=(form.venue.data or "").strip(),
        consultation_id=consultation.id if consultation else None,
        programme_id=form.programme_id.data or None,
        attendance=form.attendance.data,
        coproduction_level=form.coproduction_level.data,
        provisions=form.provisions.data or [],
        notes=(form.notes.data or "").strip(),
        group_ids=group_ids,
        officer_ids=form.officer_ids.data or [],
        policy_ids=policy_ids,
        reach=reach,
    )


def _save(form: EventForm, save, event=None):
    """Run `save` with the form's values; errors go next to their field. Returns the result or None."""
    try:
        values = _values(form, event)
        return save(values) if values is not None else None
    except service.EventError as error:
        show_refusal(error, form)
    return None


def _render_form(form, event=None):
    reach = (
        {
            characteristic_id: v
            for k, v in request.form.items()
            if k.startswith("reach-")
            and (characteristic_id := whole_number(k.removeprefix("reach-"))) is not None
        }
        if request.method == "POST"
        else ({r.characteristic_id: r.estimated_count for r in event.reach} if event else {})
    )
    return render_template(
        "engagement/form.html",
        form=form,
        event=event,
        reach=reach,
        characteristics=active_choices(Characteristic),
        reach_error=getattr(form, "reach_error", None),
    )


@bp.get("")
@any_staff
def index():
    filters = queries.EventFilters.from_args(request.args)
    pagination = queries.event_page(filters, args.page(request.args))
    return render_template(
        "engagement/list.html",
        filters=filters,
        pagination=pagination,
        months=queries.by_month(pagination.items),
        kinds=EVENT_KINDS,
        areas=active_choices(Area),
        characteristics=active_choices(Characteristic),
        officers=_staff_choices(),
        programmes=queries.programme_choices(),
        can_edit=current_user.has_role(*OFFICERS),
    )


def _prefill(form: EventForm) -> None:
    """?policy=<id>&area=<id>: an event logged for outreach on a policy's gap (crm/evidence) starts with the
    policy named and the area chosen; the officer can change either."""
    policy = db.session.get(Policy, args.one_id(request.args, "policy") or 0)
    if policy is not None and policy.status != "retired":
        form.add_policy.data = POLICY_LOOKUP.name(policy)
    area_id = args.one_id(request.args, "area")
    if area_id is not None and any(value == area_id for value, _name in active_choices(Area)):
        form.area_id.data = area_id


@bp.route("/new", methods=["GET", "POST"])
@role_required(*OFFICERS)
def new_event():
    form = _event_form()
    if request.method == "GET":
        form.officer_ids.data = [current_user.id]
        _prefill(form)
    if form.validate_on_submit():
        event = _save(form, lambda values: service.create_event(current_user, values))
        if event is not None:
            flash(f"Event ‘{event.title}’ saved. Capture what people said below.", "success")
            return redirect(url_for("engagement.event_page", event_id=event.id))
    return _render_form(form)


def _event(event_id: int):
    event = queries.event_with_links(event_id)
    if event is None:
        abort(404)
    return event


@bp.get("/<int:event_id>")
@any_staff
def event_page(event_id: int):
    event = _event(event_id)
    return render_event_page(event)


@contributes_to("response-page")
def _response_event(response) -> dict:
    """A response collected at an event names it on its page (consultations does not import engagement)."""
    event = queries.event_by_id(response.event_id) if response.event_id else None
    return {"event": event, "event_name": queries.EVENT_LOOKUP.name(event)}


def render_event_page(event, **overrides):
    """The event's page. Feedback heard there, and the quick-capture box, come from the feedback area."""
    values = {**contributions("event-page", event), **overrides}
    return render_template(
        "engagement/show.html",
        event=event,
        confirm=ConfirmForm(),
        provisions=[PROVISIONS.get(p, p) for p in event.provisions],
        levels=COPRODUCTION_LEVELS,
        principles=queries.principle_lines(event),
        can_edit=current_user.has_role(*OFFICERS),
        just_captured=request.args.get("captured") == "1",
        **values,
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(*OFFICERS)
def edit_event(event_id: int):
    event = _event(event_id)
    form = _event_form(obj=event)
    if request.method == "GET":
        form.fill_times(event)
    if form.validate_on_submit():
        changed = _save(form, lambda values: service.update_event(current_user, event, values), event)
        if changed is not None:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("engagement.event_page", event_id=event.id))
    return _render_form(form, event)


def principles_page(subject, save_to: str, template_values: dict):
    """The assessment form of an event or a programme (the programme's view uses it too): one radio group
    and note per principle in use; all saved at once, or on a problem, nothing saved and every answer kept."""
    form = principles_form(active_entries(CoproductionPrinciple), queries.assessments_of(subject))
    if form.validate_on_submit():
        try:
            changed = service.assess_principles(current_user, subject, form.values())
        except service.EventError as error:
            show_refusal(error, form)
        else:
            flash("Assessment saved." if changed else "Nothing was changed.", "success")
            return redirect(save_to)
    return render_template("engagement/principles.html", form=form, **template_values)


@bp.route("/<int:event_id>/principles", methods=["GET", "POST"])
@role_required(*OFFICERS)
def event_principles(event_id: int):
    event = _event(event_id)
    back = url_for("engagement.event_page", event_id=event.id)
    return principles_page(event, back, {"subject_name": event.title, "caption": "Event", "back": back})


@bp.post("/<int:event_id>/archive")
@role_required(*OFFICERS)
def archive_event(event_id: int):
    return _set_archived(event_id, True)


@bp.post("/<int:event_id>/restore")
@role_required(*OFFICERS)
def restore_event(event_id: int):
    return _set_archived(event_id, False)


def _set_archived(event_id: int, archived: bool):
    event = _event(event_id)
    if ConfirmForm().validate_on_submit():
        service.set_archived(current_user, event, archived)
        flash(f"‘{event.title}’ is {'archived' if archived else 'restored'}.", "success")
    return redirect(url_for("engagement.event_page", event_id=event.id))


@contributes_to("group-page")
def _group_page_events(group) -> dict:
    return {
        "events": queries.events_for_group(group.id),
        "invitations": queries.invitations_for_group(group.id),
    }


@contributes_to("contact-page")
def _contact_page_invitations(contact) -> dict:
    return {"invitations": queries.invitations_for_contact(contact.id)}


@bp.get("/export.<any(csv,xlsx):file_format>")
@any_staff
def export_events(file_format: str):
    """The filtered events as a spreadsheet for analysts: one value per cell, real dates, reach as one
    column per characteristic. Events hold no personal details, so every role may download them."""
    filters = queries.EventFilters.from_args(request.args)
    rows = export_rows(queries.events_for_export(filters), active_entries(Characteristic))
    audit.record(current_user, "events.exported", None, entity_type="engagement_event")
    return spreadsheets.download(f"events.{file_format}", rows, sheet_title="Events")


def export_rows(events, characteristics) -> list[list]:
    provisions = list(PROVISIONS.items())
    header = [
        "Event number",
        "Title",
        "Kind",
        "Starts",
        "Ends",
        "Area",
        "Venue",
        "Programme",
        "Consultation",
        "Attendance",
        "Co-production level",
        "Groups involved",
        "Policies linked",
        *(f"Reach: {c.name}" for c in characteristics),
        *(f"Provision: {label}" for _code, label in provisions),
    ]
    rows = [header]
    for event in events:
        reach = {r.characteristic_id: r.estimated_count for r in event.reach}
        rows.append(
            [
                event.id,
                event.title,
                event.kind_label,
                event.starts_at,
                event.ends_at,
                event.area.name if event.area else "",
                event.venue,
                event.programme.name if event.programme else "",
                event.consultation.title if event.consultation else "",
                event.attendance if event.attendance is not None else "",
                event.coproduction_label,
                len(event.groups),
                len(event.policies),
                *(reach.get(c.id, "") for c in characteristics),
                *("Yes" if code in event.provisions else "No" for code, _label in provisions),
            ]
        )
    return rows
