"""Staff pages for consultations: the builder, lifecycle, responses, summaries, exports and monitoring."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.auth.queries import active_staff_choices
from crm.consultations import exports, monitoring, monitoring_store, queries, service
from crm.consultations import jobs as consultation_jobs
from crm.consultations.forms import (
    ConsultationForm,
    QuestionForm,
    ResponseStatusForm,
    response_form_class,
    response_values,
)
from crm.consultations.models import CHANNELS, RESPONSE_STATUSES, STATUSES, Consultation, Question
from crm.core import args, jobs, spreadsheets, suppression
from crm.core.contributions import contributes_to, contributions
from crm.core.models import Area, Characteristic
from crm.core.pickers import keep_chosen, pick_another, pick_into, provided
from crm.core.reference import active_entries
from crm.core.rules import show_refusal
from crm.core.text import plural
from crm.core.time import (
    end_of_uk_day,
    parse_time_of_day,
    start_of_uk_day,
    uk_day_and_time,
    uk_midday,
    utc_from_uk,
)
from crm.extensions import db
from crm.forms import ConfirmForm
from crm.policies.queries import POLICY_LOOKUP, linked_policy_choices

bp = Blueprint("consultations", __name__, url_prefix="/staff/consultations")
BUILDERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD)
READERS = roles.EDITS_RECORDS  # responses and summaries: every role but viewer
KEYERS = roles.SEES_PERSONAL_DATA


def _consultation(consultation_id: int) -> Consultation:
    return db.get_or_404(Consultation, consultation_id)


def _question(consultation: Consultation, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        abort(404)
    return question


def _consultation_form(consultation=None, **kwargs) -> ConsultationForm:
    form = ConsultationForm(obj=consultation, **kwargs)
    linked = linked_policy_choices(consultation.policies if consultation else [])
    keep = [consultation.owner_id] if consultation and consultation.owner_id else []
    runners = active_staff_choices(in_roles=service.RUNNERS, keep_ids=keep)
    form.set_choices(linked, active_entries(Characteristic), active_entries(Area), runners)
    if request.method == "POST":  # a "Did you mean" choice is kept even if another field fails
        keep_chosen(request.form, form.add_policy)
    return form


@bp.get("")
@any_staff
def index():
    filters = queries.ConsultationFilters.from_args(request.args)
    return render_template(
        "consultations/list.html",
        pagination=queries.list_consultations(filters, args.page(request.args)),
        filters=filters,
        statuses=STATUSES,
        can_build=current_user.has_role(*BUILDERS),
    )


def _details(form) -> dict | None:
    """What the service needs from the form, or None when the policy to add is not on the register (the
    error is on its field)."""
    policy_ids = pick_another(form.add_policy, request.form, POLICY_LOOKUP, form.policy_ids.data or [])
    if form.add_policy.errors:
        return None

    def when(day, clock):
        return utc_from_uk(day.data, parse_time_of_day(clock.data)) if day.data and clock.data else None

    return {
        "title": form.title.data,
        "slug": form.slug.data,
        "summary": form.summary.data,
        "background": form.background.data or "",
        "opens_at": when(form.opens_on, form.opens_time),
        "closes_at": when(form.closes_on, form.closes_time),
        "formats": form.formats.data or [],
        "owner_id": form.owner_id.data or None,
        "privacy_notice": form.privacy_notice.data,
        "asks_monitoring": form.asks_monitoring.data,
        "asks_carer": form.asks_carer.data,
        "asks_care_experienced": form.asks_care_experienced.data,
        "policy_ids": policy_ids,
        "characteristic_ids": form.characteristic_ids.data or [],
        "area_ids": form.area_ids.data or [],
    }


@bp.route("/new", methods=["GET", "POST"])
@role_required(*BUILDERS)
def new():
    form = _consultation_form()
    if request.method == "GET":
        form.asks_monitoring.data = True
        form.owner_id.data = current_user.id if current_user.has_role(*service.RUNNERS) else 0
        form.privacy_notice.data = (
            "We use your answers to shape this work. Equality questions are optional, stored apart from your "
            "other answers and reported only as totals. See our privacy notice for how long we keep them."
        )
    if form.validate_on_submit() and (details := _details(form)) is not None:
        try:
            consultation = service.create_consultation(current_user, **details)
        except service.ConsultationError as error:
            _field_error(form, error)
        else:
            flash("Consultation created. Now add its questions.", "success")
            return redirect(url_for("consultations.view", consultation_id=consultation.id))
    return render_template("consultations/form.html", form=form, consultation=None)


def _field_error(form, error) -> None:
    """The service names the dates it stores; the form asks for them as a day and a time."""
    error.field = {"closes_at": "closes_on", "opens_at": "opens_on"}.get(error.field, error.field)
    show_refusal(error, form)


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@role_required(*BUILDERS)
def edit(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = _consultation_form(consultation)
    if request.method == "GET":
        form.opens_on.data, form.opens_time.data = uk_day_and_time(consultation.opens_at)
        form.closes_on.data, form.closes_time.data = uk_day_and_time(consultation.closes_at)
        form.policy_ids.data = [p.id for p in consultation.policies]
        form.characteristic_ids.data = [c.id for c in consultation.characteristics]
        form.area_ids.data = [a.id for a in consultation.areas]
    if form.validate_on_submit() and (details := _details(form)) is not None:
        try:
            changed = service.update_consultation(current_user, consultation, **details)
        except service.ConsultationError as error:
            _field_error(form, error)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("consultations.view", consultation_id=consultation.id))
    return render_template("consultations/form.html", form=form, consultation=consultation)


@bp.get("/<int:consultation_id>")
@any_staff
def view(consultation_id: int):
    consultation = _consultation(consultation_id)
    counts = queries.response_counts(consultation.id)
    return render_template(
        "consultations/view.html",
        consultation=consultation,
        counts=counts,
        locked=bool(counts),
        actions=service.available_actions(consultation),
        transitions=service.TRANSITIONS,
        can_build=current_user.has_role(*BUILDERS),
        can_read_responses=current_user.has_role(*READERS),
        can_see_monitoring=current_user.has_role(*roles.SEES_MONITORING),
        confirm=ConfirmForm(),
        **contributions("consultation-page", consultation),
    )


@bp.post("/<int:consultation_id>/status/<any(schedule,unschedule,close,analyse,'publish-outcome'):action>")
@role_required(*BUILDERS)
def transition(consultation_id: int, action: str):
    consultation = _consultation(consultation_id)
    if ConfirmForm().validate_on_submit():
        try:
            status = service.transition(current_user, consultation, action)
        except service.ConsultationError as error:
            show_refusal(error)
        else:
            flash(f"The consultation is now {STATUSES[status].lower()}.", "success")
    return redirect(url_for("consultations.view", consultation_id=consultation.id))


def _question_values(form) -> dict:
    return {
        "kind": form.kind.data,
        "text": form.text.data,
        "hint": form.hint.data,
        "required": form.required.data,
        "max_length": form.max_length.data,
        "options": (form.options.data or "").splitlines(),
    }


@bp.route("/<int:consultation_id>/questions/new", methods=["GET", "POST"])
@role_required(*BUILDERS)
def new_question(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            service.add_question(current_user, consultation, **_question_values(form))
        except service.ConsultationError as error:
            show_refusal(error, form)
        else:
            flash("Question added.", "success")
            return redirect(url_for("consultations.view", consultation_id=consultation.id))
    return render_template(
        "consultations/question-form.html",
        form=form,
        consultation=consultation,
        question=None,
        locked=service.has_responses(consultation),
    )


@bp.route("/<int:consultation_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*BUILDERS)
def edit_question(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id)
    question = _question(consultation, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.options.data = "\n".join(question.options)
    if form.validate_on_submit():
        try:
            changed = service.update_question(current_user, question, **_question_values(form))
        except service.ConsultationError as error:
            show_refusal(error, form)
        else:
            flash("Question saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("consultations.view", consultation_id=consultation.id))
    return render_template(
        "consultations/question-form.html",
        form=form,
        consultation=consultation,
        question=question,
        locked=service.has_responses(consultation),
    )


@bp.post("/<int:consultation_id>/questions/<int:question_id>/delete")
@role_required(*BUILDERS)
def delete_question(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id)
    question = _question(consultation, question_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.delete_question(current_user, question)
        except service.ConsultationError as error:
            show_refusal(error)
        else:
            flash("Question deleted.", "success")
    return redirect(url_for("consultations.view", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/questions/<int:question_id>/move/<any(up,down):direction>")
@role_required(*BUILDERS)
def move_question(consultation_id: int, question_id: int, direction: str):
    consultation = _consultation(consultation_id)
    question = _question(consultation, question_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.move_question(current_user, question, direction)
        except service.ConsultationError as error:
            show_refusal(error)
    return redirect(
        url_for("consultations.view", consultation_id=consultation.id, _anchor=f"question-{question.id}")
    )


@bp.get("/<int:consultation_id>/responses")
@role_required(*READERS)
def responses(consultation_id: int):
    consultation = _consultation(consultation_id)
    received_from, received_to = args.day(request.args, "from"), args.day(request.args, "to")
    filters = {
        "channel": request.args.get("channel", "") if request.args.get("channel") in CHANNELS else "",
        "status": request.args.get("status", "") if request.args.get("status") in RESPONSE_STATUSES else "",
        "group": request.args.get("group", "").strip()[:200],
    }
    pagination = queries.list_responses(
        consultation.id,
        args.page(request.args),
        received_from=start_of_uk_day(received_from) if received_from else None,
        received_to=end_of_uk_day(received_to) if received_to else None,
        **filters,
    )
    return render_template(
        "consultations/responses.html",
        consultation=consultation,
        pagination=pagination,
        filters={
            **filters,
            "from": received_from.isoformat() if received_from else "",
            "to": received_to.isoformat() if received_to else "",
        },
        channels=CHANNELS,
        statuses=RESPONSE_STATUSES,
        sees_personal=current_user.has_role(*roles.SEES_PERSONAL_DATA),
    )


@bp.get("/<int:consultation_id>/responses/<int:response_id>")
@role_required(*READERS)
def response(consultation_id: int, response_id: int):
    consultation = _consultation(consultation_id)
    found = queries.response_with_answers(consultation.id, response_id)
    if found is None:
        abort(404)
    personal = current_user.has_role(*roles.SEES_PERSONAL_DATA)
    service.record_response_viewed(current_user, found, personal)
    form = ResponseStatusForm(obj=found)
    return render_template(
        "consultations/response.html",
        consultation=consultation,
        response=found,
        form=form,
        sees_personal=personal,
        **contributions("response-page", found),
    )


@bp.post("/<int:consultation_id>/responses/<int:response_id>/status")
@role_required(*KEYERS)
def response_status(consultation_id: int, response_id: int):
    consultation = _consultation(consultation_id)
    found = queries.response_with_answers(consultation.id, response_id)
    if found is None:
        abort(404)
    form = ResponseStatusForm()
    if form.validate_on_submit():
        try:
            changed = service.set_response_status(current_user, found, form.status.data)
        except service.ConsultationError as error:
            show_refusal(error)
        else:
            flash(
                f"Response marked as {found.status_label.lower()}." if changed else "Nothing was changed.",
                "success",
            )
    return redirect(url_for("consultations.response", consultation_id=consultation.id, response_id=found.id))


@bp.route("/<int:consultation_id>/responses/new", methods=["GET", "POST"])
@role_required(*KEYERS)
def new_response(consultation_id: int):
    consultation = _consultation(consultation_id)
    if consultation.current_status in ("draft", "scheduled"):
        flash("Responses can be keyed in once the consultation has opened.", "error")
        return redirect(url_for("consultations.view", consultation_id=consultation.id))
    form = response_form_class(consultation, staff=True)()
    if request.method == "GET":
        form.token.data = service.new_submission_token()
        form.respondent_kind.data = "individual"
    else:  # a "Did you mean" choice is kept even if another field fails
        keep_chosen(request.form, form.event_name)
    if form.validate_on_submit() and (event := _collected_at(form)) is not False:
        values = response_values(form, consultation)
        received_on = form.received_on.data
        try:
            saved, created = service.submit_response(
                consultation,
                channel=form.channel.data or "",
                actor=current_user,
                received_at=uk_midday(received_on) if received_on else None,
                event_id=event.id if event else None,
                **values,
            )
        except service.ResponseInvalid as error:
            _attach_errors(form, error.errors)
        else:
            receipt = (
                " A receipt has been emailed to the respondent." if created and saved.wants_updates else ""
            )
            flash(f"Response {saved.reference} saved.{receipt}", "success")
            return redirect(
                url_for("consultations.response", consultation_id=consultation.id, response_id=saved.id)
            )
    return render_template(
        "consultations/response-new.html",
        form=form,
        consultation=consultation,
        monitoring_questions=monitoring.asked_questions(consultation),
    )


def _collected_at(form):
    """The event a response keyed in from one names: the event, None when none is named (the service says
    whether one must be), or False when the name is not on the register (the error is on the field). The
    events lookup comes from engagement, which this area does not import."""
    if form.channel.data != "event":
        form.event_name.data = ""  # only a response collected at an event names one
        return None
    event = pick_into(form.event_name, request.form, provided("events"))
    return False if form.event_name.errors else event


def _attach_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if name == "token" or field is None:
            field = form.submit
            form.token.data = service.new_submission_token()
        field.errors = [*field.errors, message]


@bp.get("/<int:consultation_id>/summary")
@role_required(*READERS)
def summary(consultation_id: int):
    consultation = _consultation(consultation_id)
    return render_template(
        "consultations/summary.html",
        consultation=consultation,
        summary=queries.question_summaries(consultation),
    )


@bp.get("/<int:consultation_id>/questions/<int:question_id>/answers")
@role_required(*READERS)
def free_text(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id)
    question = _question(consultation, question_id)
    if question.kind != "free_text":
        abort(404)
    return render_template(
        "consultations/free-text.html",
        consultation=consultation,
        question=question,
        pagination=queries.free_text_answers(question, args.page(request.args)),
    )


@bp.get("/<int:consultation_id>/responses/export.<any(csv,xlsx):file_format>")
@role_required(*READERS)
def export(consultation_id: int, file_format: str):
    consultation = _consultation(consultation_id)
    personal = current_user.has_role(*roles.SEES_PERSONAL_DATA)
    responses = sum(queries.response_counts(consultation.id).values())
    if responses > jobs.threshold():  # a big one is made by a job, with a progress page and a download
        started = consultation_jobs.start_export(current_user, consultation, file_format, personal, responses)
        return jobs.follow(*started)
    # On record before the file is sent: the rows are read as it streams, after this request commits.
    exports.record_export(current_user, consultation, file_format, personal)
    return spreadsheets.download(
        f"{consultation.slug}-responses.{file_format}",
        exports.response_rows(consultation.id, personal),
        sheet_title="Responses",
    )


@bp.get("/<int:consultation_id>/monitoring")
@role_required(*roles.SEES_MONITORING)
def monitoring_summary(consultation_id: int):
    consultation = _consultation(consultation_id)
    service.record_monitoring_viewed(current_user, consultation)
    threshold, minimum = suppression.settings()
    return render_template(
        "consultations/monitoring.html",
        consultation=consultation,
        report=queries.monitoring_report(consultation),
        threshold=threshold,
        minimum=minimum,
        batch=monitoring_store.batch_size(),
    )


@bp.get("/<int:consultation_id>/monitoring.<any(csv,xlsx):file_format>")
@role_required(*roles.SEES_MONITORING)
def monitoring_export(consultation_id: int, file_format: str):
    consultation = _consultation(consultation_id)
    exports.record_monitoring_export(current_user, consultation, file_format)
    return spreadsheets.download(
        f"{consultation.slug}-equality-monitoring.{file_format}",
        queries.monitoring_rows(queries.monitoring_report(consultation)),
        sheet_title="Equality monitoring",
    )


@bp.route("/group-responses", methods=["GET", "POST"])
@role_required(*KEYERS)
def group_responses():
    """Responses given on behalf of a group the register did not know, with the nearest register group:
    tick the right ones to link them, one or many at a time."""
    form = ConfirmForm()
    if form.validate_on_submit():
        links = {}
        for value in request.form.getlist("link"):
            response_id, _, group_id = value.partition("-")
            if (r := args.whole_number(response_id)) is not None and (
                g := args.whole_number(group_id)
            ) is not None:
                links[r] = g
        try:
            count = service.link_responses_to_groups(current_user, links)
        except service.ConsultationError as error:
            show_refusal(error)
        else:
            flash(f"Linked {plural(count, 'response')} to the register.", "success")
        return redirect(url_for("consultations.group_responses", page=request.args.get("page") or None))
    pagination, rows = queries.unlinked_group_responses(args.page(request.args))
    return render_template("consultations/group-responses.html", pagination=pagination, rows=rows, form=form)


@contributes_to("group-page")
def _group_page_responses(group) -> dict:
    return {
        "responses": queries.responses_from_group(group.id),
        "can_open_responses": current_user.has_role(*READERS),
    }
