"""/api/v1: a REST API with an OpenAPI 3 document at /api/v1/openapi.json (flask-smorest, marshmallow).

Every error under /api/v1, unknown routes included, is RFC 9457 problem JSON, never an HTML page.
"""

import http

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from crm.api import problems
from crm.extensions import csrf

PREFIX = "/api/v1"


class CommunityVoiceApi(Api):
    ERROR_SCHEMA = problems.ProblemSchema

    def handle_http_exception(self, error):
        return problems.from_exception(error)

    def _register_responses(self):
        """flask-smorest's responses for each status (422 and the default error), as problem JSON."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, problems.CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_api(app: Flask) -> None:
    from crm.api.groups import groups
    from crm.api.open_data import open_csv, open_data
    from crm.api.resources import BLUEPRINTS

    app.config.update(
        API_TITLE="Community Voice API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Send a token from /staff/account/tokens as `Authorization: Bearer <token>`. "
                "Errors are application/problem+json (RFC 9457)."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = CommunityVoiceApi(app)
    for blueprint in (*BLUEPRINTS, groups, open_data):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # token auth only: cookies never authenticate an API call
    app.register_blueprint(open_csv)  # CSV siblings of the open data, outside the JSON document
