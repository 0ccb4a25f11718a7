from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.consultations.queries import CONSULTATION_LOOKUP, consultation_choices
from crm.core import args, reference
from crm.core.args import whole_number
from crm.core.contributions import contributes_to
from crm.core.forms import ReferenceEntryForm
from crm.core.models import Area, Barrier, Characteristic, Theme, utc_now
from crm.core.pickers import keep_chosen, pick_another, pick_into
from crm.core.reference import active_choices
from crm.core.rules import RuleBroken, show_refusal
from crm.core.text import plural
from crm.core.time import uk_midday
from crm.engagement.models import EngagementEvent
from crm.engagement.queries import EVENT_LOOKUP, programme_choices, recent_event_choices
from crm.engagement.views import OFFICERS, render_event_page
from crm.extensions import db
from crm.feedback import queries, service
from crm.feedback.forms import (
    CodingForm,
    CorrectionForm,
    DuplicateForm,
    ExclusionForm,
    FeedbackForm,
    QuickCaptureForm,
    ThemeMergeForm,
)
from crm.feedback.models import EXCLUSION_REASONS, SOURCES, STANCES
from crm.forms import ConfirmForm, optional_choices
from crm.groups import queries as group_queries
from crm.groups.models import CommunityGroup
from crm.policies.queries import POLICY_LOOKUP, linked_policy_choices, policy_choices

bp = Blueprint("feedback", __name__, url_prefix="/staff/feedback")
# Quick capture lives on an event's page; the feedback area owns it (engagement does not import feedback).
event_feedback_bp = Blueprint("event_feedback", __name__, url_prefix="/staff/events")
CODERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)
THEMES = reference.KINDS["themes"]


def _coding_form(**kwargs) -> CodingForm:
    form = CodingForm(**kwargs)
    form.theme.choices = [SelectChoice(v, label) for v, label in active_choices(Theme)]
    form.barrier.choices = [SelectChoice(v, label) for v, label in active_choices(Barrier)]
    form.characteristic.choices = [SelectChoice(v, label) for v, label in active_choices(Characteristic)]
    return form


def _filter_lists(filters=None) -> dict:
    selected_group = db.session.get(CommunityGroup, filters.group) if filters and filters.group else None
    return {
        "events": recent_event_choices(filters.event if filters else None),
        "programmes": programme_choices(),
        "selected_group": [(selected_group.id, selected_group.name)] if selected_group else [],
        "sources": SOURCES,
        "stances": STANCES,
        "areas": active_choices(Area),
        "characteristics": active_choices(Characteristic),
        "themes": active_choices(Theme),
        "barriers": active_choices(Barrier),
        "consultations": consultation_choices(),
        "policies": policy_choices(),
    }


@bp.get("")
@any_staff
def inbox():
    filters = queries.FeedbackFilters.from_args(request.args)
    pagination = queries.inbox_page(
        filters,
        args.page(request.args),
        args.per_page(request.args, queries.PER_PAGE),
    )
    return render_template(
        "feedback/inbox.html",
        filters=filters,
        pagination=pagination,
        coding=_coding_form(),
        can_code=current_user.has_role(*CODERS, roles.POLICY_LEAD),
        can_record=current_user.has_role(*CODERS),
        query=request.query_string.decode(),
        **_filter_lists(filters),
    )


@bp.post("/code")
@role_required(*CODERS, roles.POLICY_LEAD)
def code():
    """Bulk coding: the ticked items, or every item matching the filters once the count is confirmed."""
    form = _coding_form()
    filter_args = MultiDict(parse_qsl(request.form.get("filters_query", ""), keep_blank_values=False))
    back = url_for("feedback.inbox") + (
        "?" + urlencode(list(filter_args.items(multi=True))) if filter_args else ""
    )
    if not form.validate_on_submit():
        for message in [m for errors in form.errors.values() for m in errors]:
            flash(message, "error")
        return redirect(back)
    filters = queries.FeedbackFilters.from_args(filter_args)
    if form.scope.data == "matching":
        count = queries.count_matching(filters)
        if request.form.get("confirmed") != str(count):
            return render_template(
                "feedback/confirm-coding.html",
                form=form,
                count=count,
                back=back,
                filters_query=request.form.get("filters_query", ""),
                label=_code_label(form),
            )
        ids = queries.matching_ids(filters)
    else:
        ids = queries.existing_ids(
            [n for i in request.form.getlist("feedback_id") if (n := whole_number(i)) is not None]
        )
    try:
        count = service.apply_coding(
            current_user, ids, service.Coding(form.action.data, form.kind.data, form.value())
        )
    except service.FeedbackError as error:
        show_refusal(error)
    else:
        flash(f"{_code_label(form)}: {count} {'item' if count == 1 else 'items'} updated.", "success")
    return redirect(
        request.form.get("next") if request.form.get("next", "").startswith("/staff/feedback/") else back
    )


def _code_label(form: CodingForm) -> str:
    field = getattr(form, form.kind.data)
    label = {str(c.value): c.label for c in field.choices}.get(str(field.data), "no stance")
    verb = "Added" if form.action.data == "add" else "Removed"
    return f"{verb} {form.kind.data} ‘{label}’" if form.kind.data != "stance" else f"Stance set to ‘{label}’"


@bp.get("/<int:feedback_id>")
@any_staff
def item(feedback_id: int):
    return _render_item(_feedback(feedback_id))


def _feedback(feedback_id: int):
    feedback = queries.feedback_item(feedback_id)
    if feedback is None:
        abort(404)
    return feedback


def _render_item(feedback, form=None, status: int = 200):
    """The item's page; `form` is a correction form that was refused, shown with its errors."""
    exclusion = form if isinstance(form, ExclusionForm) else ExclusionForm(formdata=None, prefix="exclusion")
    duplicate = form if isinstance(form, DuplicateForm) else DuplicateForm(formdata=None, prefix="duplicate")
    return render_template(
        "feedback/item.html",
        item=feedback,
        coding=_coding_form(),
        can_code=service.may_code(current_user, [feedback.id]),
        can_correct=current_user.has_role(*CODERS),
        sees_personal_data=current_user.has_role(*roles.SEES_PERSONAL_DATA),
        sources=SOURCES,
        stances=STANCES,
        reasons=EXCLUSION_REASONS,
        exclusion=exclusion,
        duplicate=duplicate,
        form=form,
    ), status


def _correction_form(item) -> CorrectionForm:
    form = CorrectionForm(
        data=None
        if request.method == "POST"
        else {
            "text": item.text,
            "consultation_name": CONSULTATION_LOOKUP.name(item.consultation),
            "event_name": EVENT_LOOKUP.name(item.event),
            "group_name": group_queries.GROUP_LOOKUP.name(item.group),
            "policy_ids": [policy.id for policy in item.policies],
            "seen": service.version_of(item),
        }
    )
    # its policies, a retired one among them kept unless unticked; the picker adds another
    form.policy_ids.choices = [SelectChoice(v, label) for v, label in linked_policy_choices(item.policies)]
    if request.method == "POST":  # a "Did you mean" choice is kept even if another field fails
        keep_chosen(request.form, form.consultation_name, form.event_name, form.group_name, form.add_policy)
    return form


@bp.route("/<int:feedback_id>/correct", methods=["GET", "POST"])
@role_required(*CODERS)
def correct(feedback_id: int):
    """Put right what was captured wrongly: the words (the first ones are kept) and what it is linked to.
    What it names already is kept when named again, even if archived since."""
    item = _feedback(feedback_id)
    form = _correction_form(item)
    if form.validate_on_submit():
        consultation = pick_into(
            form.consultation_name, request.form, CONSULTATION_LOOKUP, keep=item.consultation
        )
        event = pick_into(form.event_name, request.form, EVENT_LOOKUP, keep=item.event)
        group = pick_into(form.group_name, request.form, group_queries.GROUP_LOOKUP, keep=item.group)
        policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, form.policy_ids.data or [])
        pickers = (form.consultation_name, form.event_name, form.group_name, form.add_policy)
        if not any(field.errors for field in pickers):
            correction = service.Correction(
                text=form.text.data,
                consultation_id=consultation.id if consultation else None,
                event_id=event.id if event else None,
                group_id=group.id if group else None,
                policy_ids=policy_ids,
            )
            try:
                changed = service.correct(current_user, item, correction, form.seen.data or "")
            except service.StaleFeedback as error:
                show_refusal(error, form)
                form.seen.data = service.version_of(item)  # saving again now applies to the new version
            except service.FeedbackError as error:
                show_refusal(error, form)
            else:
                flash("Corrections saved." if changed else "Nothing was changed.", "success")
                return redirect(url_for("feedback.item", feedback_id=item.id))
    return render_template("feedback/correct.html", item=item, form=form)


@bp.post("/<int:feedback_id>/exclude")
@role_required(*CODERS)
def exclude(feedback_id: int):
    item = _feedback(feedback_id)
    form = ExclusionForm(prefix="exclusion")
    if form.validate_on_submit():
        try:
            service.exclude(current_user, item, form.reason.data, form.note.data)
        except service.FeedbackError as error:
            show_refusal(error, form)
        else:
            flash("This feedback is excluded: it counts nowhere now.", "success")
            return redirect(url_for("feedback.item", feedback_id=item.id))
    return _render_item(item, form, 200)


@bp.post("/<int:feedback_id>/duplicate")
@role_required(*CODERS)
def mark_duplicate(feedback_id: int):
    item = _feedback(feedback_id)
    form = DuplicateForm(prefix="duplicate")
    if form.validate_on_submit():
        number = whole_number((form.original.data or "").strip().upper().removeprefix("FB-").strip())
        try:
            original = service.mark_duplicate(current_user, item, number)
        except service.FeedbackError as error:
            show_refusal(error, form)
        else:
            flash(f"Marked as a duplicate of FB-{original.id}: it counts nowhere now.", "success")
            return redirect(url_for("feedback.item", feedback_id=item.id))
    return _render_item(item, form, 200)


@bp.post("/<int:feedback_id>/reinstate")
@role_required(*CODERS)
def reinstate(feedback_id: int):
    item = _feedback(feedback_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.reinstate(current_user, item)
        except service.FeedbackError as error:
            show_refusal(error)
        else:
            flash("This feedback counts again.", "success")
    return redirect(url_for("feedback.item", feedback_id=item.id))


def _feedback_form() -> FeedbackForm:
    form = FeedbackForm()
    form.characteristic_ids.choices = [SelectChoice(v, label) for v, label in active_choices(Characteristic)]
    if request.method == "POST":  # a "Did you mean" choice is kept even if another field fails
        keep_chosen(request.form, form.group_name, form.consultation_name, form.add_policy)
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*CODERS)
def new_feedback():
    form = _feedback_form()
    if form.validate_on_submit():
        contact = None
        group = pick_into(form.group_name, request.form, group_queries.GROUP_LOOKUP)
        consultation = pick_into(form.consultation_name, request.form, CONSULTATION_LOOKUP)
        policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, [])
        if (form.contact_email.data or "").strip():
            contact = group_queries.contact_with_email(form.contact_email.data)
            if contact is None:
                form.contact_email.errors = ["There is no contact with this email address on the register"]
        named = (form.group_name, form.consultation_name, form.add_policy, form.contact_email)
        if not any(field.errors for field in named):
            values = service.FeedbackValues(
                text=form.text.data,
                source=form.source.data,
                received_at=uk_midday(form.received_on.data),
                group_id=group.id if group else (contact.group_id if contact else None),
                contact_id=contact.id if contact else None,
                consultation_id=consultation.id if consultation else None,
                policy_ids=policy_ids,
                characteristic_ids=form.characteristic_ids.data or [],
                stance=form.stance.data or None,
            )
            try:
                feedback = service.capture(current_user, values)
            except service.FeedbackError as error:
                show_refusal(error, form)
            else:
                flash("Feedback saved.", "success")
                return redirect(url_for("feedback.item", feedback_id=feedback.id))
    return render_template("feedback/new.html", form=form)


@bp.get("/themes")
@role_required(*CODERS)
def themes():
    return render_template(
        "feedback/themes.html",
        themes=reference.list_entries(THEMES),
        usage=queries.theme_usage(),
        add=ReferenceEntryForm(),
        merge=_merge_form(),
    )


def _merge_form() -> ThemeMergeForm:
    form = ThemeMergeForm()
    choices = [SelectChoice(0, "Select a theme")] + [
        SelectChoice(v, label) for v, label in active_choices(Theme)
    ]
    form.survivor_id.choices = form.duplicate_id.choices = choices
    return form


@bp.post("/themes")
@role_required(*CODERS)
def add_theme():
    form = ReferenceEntryForm()
    if form.validate_on_submit():
        try:
            reference.add_entry(THEMES, current_user, form.name.data, form.description.data)
        except reference.ReferenceDataError as error:
            show_refusal(error, form)
        else:
            flash(f"Added the theme ‘{form.name.data.strip()}’.", "success")
            return redirect(url_for("feedback.themes"))
    return render_template(
        "feedback/themes.html",
        themes=reference.list_entries(THEMES),
        usage=queries.theme_usage(),
        add=form,
        merge=_merge_form(),
        form=form,  # the error summary's
    )


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@role_required(*CODERS)
def edit_theme(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    form = ReferenceEntryForm(obj=theme)
    if form.validate_on_submit():
        try:
            reference.update_entry(THEMES, current_user, theme, form.name.data, form.description.data)
        except reference.ReferenceDataError as error:
            show_refusal(error, form)
        else:
            flash("Theme saved.", "success")
            return redirect(url_for("feedback.themes"))
    return render_template("feedback/theme-edit.html", form=form, theme=theme)


@bp.post("/themes/merge")
@role_required(*CODERS)
def merge_themes():
    form = _merge_form()
    if form.validate_on_submit():
        survivor = db.session.get(Theme, form.survivor_id.data)
        duplicate = db.session.get(Theme, form.duplicate_id.data)
        if survivor is None:
            form.survivor_id.errors = ["Select the theme to keep"]
        if duplicate is None:
            form.duplicate_id.errors = ["Select the theme to merge"]
        if survivor is not None and duplicate is not None:
            try:
                moved = service.merge_themes(current_user, survivor, duplicate)
            except service.FeedbackError as error:
                form.duplicate_id.errors = [str(error)]
            else:
                flash(
                    f"Merged ‘{duplicate.name}’ into ‘{survivor.name}’: {plural(moved, 'item')} moved.",
                    "success",
                )
                return redirect(url_for("feedback.themes"))
    return render_template(
        "feedback/themes.html",
        themes=reference.list_entries(THEMES),
        usage=queries.theme_usage(),
        add=ReferenceEntryForm(formdata=None),
        merge=form,
        form=form,  # the error summary's
    ), 200


@bp.app_context_processor
def _feedback_labels():
    return {"feedback_sources": SOURCES, "feedback_stances": STANCES}


# ---- On other areas' pages ------------------------------------------------------------------------------


def _capture_form(event) -> QuickCaptureForm:
    form = QuickCaptureForm()
    form.characteristic_ids.choices = [SelectChoice(v, label) for v, label in active_choices(Characteristic)]
    form.group_id.choices = optional_choices([(g.id, g.name) for g in event.groups])
    form.theme_ids.choices = [SelectChoice(v, label) for v, label in active_choices(Theme)]
    form.barrier_ids.choices = [SelectChoice(v, label) for v, label in active_choices(Barrier)]
    return form


@contributes_to("event-page")
def _event_page_feedback(event) -> dict:
    capture = _capture_form(event)
    return {
        "feedback": queries.event_feedback(event.id),
        "feedback_count": queries.event_feedback_count(event.id),
        "capture": capture,
        "form": capture,
    }


@contributes_to("group-page")
def _group_page_feedback(group) -> dict:
    return {"feedback": queries.feedback_for_group(group.id)}


@event_feedback_bp.post("/<int:event_id>/feedback")
@role_required(*OFFICERS)
def quick_capture(event_id: int):
    """Add one thing someone said and come straight back for the next, for typing up outreach notes."""
    event = db.get_or_404(EngagementEvent, event_id)
    form = _capture_form(event)
    if form.validate_on_submit():
        values = service.FeedbackValues(
            text=form.text.data,
            source="event",
            received_at=min(event.starts_at, utc_now()),
            event_id=event.id,
            group_id=form.group_id.data or None,
            characteristic_ids=form.characteristic_ids.data or [],
            theme_ids=form.theme_ids.data or [],
            barrier_ids=form.barrier_ids.data or [],
            stance=form.stance.data or None,
        )
        try:
            service.capture(current_user, values)
        except RuleBroken as error:
            show_refusal(error, form)
        else:
            flash("Saved. Type the next one.", "success")
            # Landing on #text puts the cursor straight back in the box for the next note.
            return redirect(url_for("engagement.event_page", event_id=event.id, captured=1) + "#text")
    return render_event_page(event, capture=form, form=form)
