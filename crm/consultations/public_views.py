"""The public side: the consultation hub, a consultation's page, its response form and the confirmation with a
receipt."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address

from crm.consultations import public_form, queries, service
from crm.consultations.forms import response_form_class, response_values
from crm.extensions import limiter

bp = Blueprint("public_consultations", __name__)
MAX_FORM_BYTES = 200 * 1024


def _consultation(slug: str):
    consultation = queries.public_consultation(slug)
    if consultation is None:
        abort(404)
    return consultation


@bp.get("/")
def hub():
    return render_template(
        "consultations/hub.html",
        open_consultations=queries.open_consultations(),
        closed=queries.recently_closed(),
    )


@bp.get("/consultations/<slug:slug>")
def view(slug: str):
    return render_template("consultations/public-view.html", consultation=_consultation(slug))


def _unavailable(consultation, status: int = 200):
    return render_template("consultations/public-unavailable.html", consultation=consultation), status


def _address_and_consultation() -> str:
    return f"{get_remote_address()}/{request.view_args['slug']}"


@bp.route("/consultations/<slug:slug>/respond", methods=["GET", "POST"])
# Per address and consultation, so a room of people on one connection can all respond; and per address over
# every consultation, so a script cannot multiply its allowance by the number of consultations open.
@limiter.limit(
    lambda: current_app.config["RESPONSE_RATE_LIMIT_PER_CONSULTATION"],
    key_func=_address_and_consultation,
    methods=["POST"],
)
@limiter.limit(lambda: current_app.config["RESPONSE_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
def respond(slug: str):
    if (request.content_length or 0) > MAX_FORM_BYTES:
        abort(413)  # a response is text: anything bigger is not a person filling in the form
    consultation = _consultation(slug)
    if not consultation.is_open:
        return _unavailable(consultation, 200 if request.method == "GET" else 409)
    form = response_form_class(consultation)()
    if request.method == "GET":
        form.token.data = service.new_submission_token()
        form.consultation_id.data = str(consultation.id)
    elif form.validate_on_submit():
        if form.consultation_id.data != str(consultation.id):
            abort(400)  # the form was changed to point at another consultation
        if form.website.data:
            return render_template("consultations/public-refused.html", consultation=consultation), 400
        try:
            response, _created = service.submit_response(consultation, **response_values(form, consultation))
        except service.ConsultationUnavailable:
            return _unavailable(consultation, 409)
        except service.ResponseInvalid as error:
            for name, message in error.errors.items():
                field = getattr(form, name, None)
                if name == "token" or field is None:
                    form.token.data = service.new_submission_token()
                    field = form.submit
                field.errors = [*field.errors, message]
        else:
            session["receipt"] = {"slug": consultation.slug, "reference": response.reference}
            return redirect(url_for("public_consultations.confirmation", slug=consultation.slug))
    return render_template(
        "consultations/public-respond.html",
        consultation=consultation,
        form=form,
        fields=public_form.fields(consultation, form, blank=request.method == "GET"),
    )


@bp.get("/consultations/<slug:slug>/respond/confirmation")
def confirmation(slug: str):
    consultation = _consultation(slug)
    receipt = session.get("receipt")
    if not receipt or receipt.get("slug") != consultation.slug:
        return redirect(url_for("public_consultations.view", slug=consultation.slug))
    return render_template(
        "consultations/public-confirmation.html", consultation=consultation, reference=receipt["reference"]
    )
