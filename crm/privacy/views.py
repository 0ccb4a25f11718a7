"""People's rights: the public contact page and data request form, the links emailed to people, and the
staff queue at /staff/data-requests."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import data_request_handler, role_required
from crm.core import args
from crm.core.rules import show_refusal
from crm.extensions import limiter
from crm.feedback.models import STATUSES as FEEDBACK_STATUSES
from crm.groups.messages import contact_for_token
from crm.privacy import exports, queries, service
from crm.privacy.forms import (
    DataRequestForm,
    IdentityForm,
    OrganisationDetailsForm,
    TokenForm,
    UpdateRequestForm,
)
from crm.privacy.models import KINDS, DataRequest

bp = Blueprint("privacy", __name__)


# ---- Public ----------------------------------------------------------------------------------------------


@bp.get("/contact")
def contact():
    return render_template("privacy/contact.html", details=queries.organisation_details())


@bp.route("/contact/data-request", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DATA_REQUEST_RATE_LIMIT"], methods=["POST"])
def data_request_form():
    form = DataRequestForm()
    if request.method == "GET" and request.args.get("kind") in KINDS:
        form.kind.data = request.args["kind"]
    if request.method == "GET" and request.args.get("reference"):  # the link in a response's receipt
        form.reference.data = request.args["reference"].strip()[:20]
    if form.validate_on_submit():
        try:
            filed = service.file_request(
                form.kind.data,
                form.name.data,
                form.email.data,
                form.reference.data,
                form.description.data,
                confirm_url=lambda token: url_for("privacy.confirm", token=token, _external=True),
                lifetime=current_app.config["DATA_REQUEST_LINK_LIFETIME"],
            )
        except service.DataRequestError as error:
            show_refusal(error, form)
        else:
            session["data_request"] = {
                "reference": filed.reference,
                "gave_reference": bool(filed.receipt_reference),
            }
            return redirect(url_for("privacy.data_request_sent"))
    return render_template("privacy/data-request.html", form=form)


@bp.get("/contact/data-request/sent")
def data_request_sent():
    sent = session.get("data_request")
    if not sent:
        return redirect(url_for("privacy.data_request_form"))
    return render_template("privacy/data-request-sent.html", sent=sent)


def _token_form() -> TokenForm:
    form = TokenForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    return form


@bp.route("/contact/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DATA_REQUEST_RATE_LIMIT"], methods=["POST"])
def confirm():
    form = _token_form()
    if form.validate_on_submit():
        result = service.confirm_request(form.token.data)
        if result.outcome == "confirmed":
            session["data_request_confirmed"] = result.request.reference
            return redirect(url_for("privacy.confirmed"))
    else:
        result = service.find_by_token(form.token.data or "")
    if result.outcome == "ok":
        return render_template("privacy/confirm.html", form=form, data_request=result.request)
    # A used, expired or unknown link: say which, with what to do next (410 Gone for a link that is over).
    status = 404 if result.outcome == "invalid" else 410
    return render_template("privacy/confirm-problem.html", outcome=result.outcome), status


@bp.get("/contact/confirmed")
def confirmed():
    reference = session.get("data_request_confirmed")
    if not reference:
        return redirect(url_for("privacy.contact"))
    return render_template("privacy/confirmed.html", reference=reference)


@bp.route("/contact/stop-emails", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DATA_REQUEST_RATE_LIMIT"], methods=["POST"])
def withdraw_consent():
    form = _token_form()
    contact = contact_for_token(form.token.data or "")
    if contact is None:
        return render_template("privacy/stop-emails.html", form=form, invalid=True), 404
    if form.validate_on_submit():
        service.withdraw_contact_consent(contact)
        # Post, then redirect: a refresh does not post again, and the done page is a page of its own.
        return redirect(url_for("privacy.consent_withdrawn"))
    return render_template("privacy/stop-emails.html", form=form)


@bp.get("/contact/stop-emails/done")
def consent_withdrawn():
    return render_template("privacy/stop-emails.html", done=True)


# ---- Staff -----------------------------------------------------------------------------------------------


@bp.get("/staff/data-requests")
@data_request_handler
def data_requests():
    view = args.one_of(request.args, "view", queries.VIEWS) or "open"
    return render_template(
        "privacy/data-requests.html",
        pagination=queries.data_requests(view, args.page(request.args)),
        view=view,
        views=queries.VIEWS,
    )


def _request(request_id: int) -> DataRequest:
    found = queries.data_request(request_id)
    if found is None:
        abort(404)
    return found


def _show(data_request: DataRequest, update_form=None, identity_form=None):
    found = queries.person_records(data_request)
    service.record_viewed(current_user, data_request)
    if update_form is None:
        update_form = UpdateRequestForm(formdata=None, status=data_request.status)
    return render_template(
        "privacy/data-request-show.html",
        data_request=data_request,
        found=found,
        update_form=update_form,
        identity_form=identity_form or IdentityForm(formdata=None),
        item_statuses=FEEDBACK_STATUSES,
    )


@bp.get("/staff/data-requests/<int:request_id>")
@data_request_handler
def show(request_id: int):
    return _show(_request(request_id))


@bp.post("/staff/data-requests/<int:request_id>/update")
@data_request_handler
def update(request_id: int):
    data_request = _request(request_id)
    form = UpdateRequestForm()
    if form.validate_on_submit():
        try:
            service.update_request(current_user, data_request, form.status.data, form.note.data)
        except service.DataRequestError as error:
            show_refusal(error, form)
        else:
            flash("Request updated.", "success")
            return redirect(url_for("privacy.show", request_id=request_id))
    return _show(data_request, update_form=form), 400


@bp.post("/staff/data-requests/<int:request_id>/identity")
@data_request_handler
def identity(request_id: int):
    data_request = _request(request_id)
    form = IdentityForm()
    if form.validate_on_submit():
        try:
            service.record_identity_checked(current_user, data_request, form.how.data)
        except service.DataRequestError as error:
            show_refusal(error, form)
        else:
            flash("Identity check recorded.", "success")
            return redirect(url_for("privacy.show", request_id=request_id))
    return _show(data_request, identity_form=form), 400


@bp.post("/staff/data-requests/<int:request_id>/withdraw")
@data_request_handler
def withdraw(request_id: int):
    data_request = _request(request_id)
    if TokenForm().validate_on_submit():
        try:
            response = service.withdraw_response(current_user, data_request)
        except service.DataRequestError as error:
            show_refusal(error)
        else:
            flash(
                f"Response {response.reference} withdrawn: it counts nowhere and its equality monitoring "
                "answers are deleted.",
                "success",
            )
    return redirect(url_for("privacy.show", request_id=request_id))


@bp.post("/staff/data-requests/<int:request_id>/erase")
@data_request_handler
def erase(request_id: int):
    data_request = _request(request_id)
    if TokenForm().validate_on_submit():
        try:
            result = service.erase(current_user, data_request)
        except service.DataRequestError as error:
            show_refusal(error)
        else:
            message = (
                f"Erased {result.responses} response(s), {result.contacts} contact record(s) and the text of "
                f"{result.feedback} feedback item(s). Counts and evidence citations are kept."
            )
            left = result.groups_left_without_contact
            if left:  # one banner: a page has room for one notification
                message += (
                    f" {', '.join(left)} now {'has' if len(left) == 1 else 'have'} no contact: "
                    f"{'its record is' if len(left) == 1 else 'their records are'} kept. "
                    "Find a new contact, or close the group."
                )
            flash(message, "warning" if left else "success")
    return redirect(url_for("privacy.show", request_id=request_id))


@bp.get("/staff/data-requests/<int:request_id>/export.zip")
@data_request_handler
def export(request_id: int):
    data_request = _request(request_id)
    found = queries.person_records(data_request)
    service.record_export(current_user, data_request, found)
    return exports.download(data_request, found)


@bp.route("/staff/admin/contact-details", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def contact_details():
    details = queries.organisation_details()
    form = OrganisationDetailsForm(obj=details)
    if form.validate_on_submit():
        try:
            changed = service.save_organisation_details(current_user, form.data)
        except service.DataRequestError as error:
            show_refusal(error, form)
        else:
            flash("Contact details saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("privacy.contact_details"))
    return render_template("privacy/contact-details.html", form=form)
