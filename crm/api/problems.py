"""Errors as RFC 9457 problem details (`application/problem+json`), for every error under /api/v1."""

import marshmallow as ma
from flask import Response, json
from werkzeug.exceptions import HTTPException

CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}
DETAILS = {
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "Your token or your role does not allow this.",
    404: "There is nothing here, or you may not see it.",
    422: "Some of what you sent is not valid: see 'errors'.",
    429: "Too many requests with this token: wait and try again.",
}


class ProblemSchema(ma.Schema):
    """What every API error looks like (documentation only: `problem` writes the body)."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Field-level messages, by location and field name"})


def problem(status: int, detail: str | None = None, errors=None, headers=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status, TITLES.get(status, "Error")),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error) -> Response:
    """A problem for any exception: an HTTP error keeps its status; anything else is a 500 with no detail."""
    if not isinstance(error, HTTPException):
        return problem(500, "Something went wrong on our side. Try again later.")
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429 and error.get_headers():
        headers.update({k: v for k, v in error.get_headers() if k.lower() == "retry-after"})
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or (DETAILS.get(error.code) if error.code in DETAILS else None)
    status = error.code or 500
    return problem(status, detail, errors, headers)
