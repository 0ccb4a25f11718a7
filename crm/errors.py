"""Error pages. Every error a person can reach gets a page in plain English, never a stack trace."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm.api import is_api_request, problems
from crm.core import transaction
from crm.logs import request_id

TITLES = {
    400: "There was a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "This action is not allowed here",
    413: "The file or form you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}

# Forms whose post can be sent again after an error without being saved twice.
SAFE_TO_SEND_AGAIN = {"public_consultations.respond"}


def render_error(error):
    status = error.code if isinstance(error, HTTPException) else 500
    if status >= 500:
        transaction.discard()  # a failed statement leaves the session unusable until it is rolled back
    if is_api_request():  # programs get problem JSON, never a page
        return problems.from_exception(error)
    template = f"errors/{status}.html" if status in (403, 404, 429) else "errors/generic.html"
    response = render_template(
        template,
        status=status,
        title=TITLES.get(status, TITLES[500]),
        reference=request_id(),
        # The response form carries a one-time token: sending it again shows the receipt if it was saved.
        send_again=status >= 500 and request.endpoint in SAFE_TO_SEND_AGAIN and request.method == "POST",
    )
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return response, status, headers


def init_errors(app) -> None:
    for status in TITLES:
        app.register_error_handler(status, render_error)
    # Every other HTTP error (flask-smorest's 422, 415, ...) and anything unexpected, as problem JSON for
    # the API (pages keep Flask's own handling of the rare codes without a page of their own).
    app.register_error_handler(HTTPException, _other_http_error)

    @app.errorhandler(CSRFError)
    def form_expired(error):
        return render_template("errors/form-expired.html", reference=request_id()), 400


def _other_http_error(error):
    if is_api_request():
        return problems.from_exception(error)
    return error
