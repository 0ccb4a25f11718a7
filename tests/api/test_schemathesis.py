"""Schemathesis runs every operation in the OpenAPI document against the app in process: no 5xx, and
every response (errors included) matches what the document says, with a real token."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from crm import create_app
from tests.policy_factories import make_feedback, make_policy

# The document is read from an app of its own at collection time; the calls go to the test's app (below),
# whose database the fixtures fill.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app("test"))


@pytest.fixture
def bearer(make_token):
    policy = make_policy()
    make_feedback("The buses stop too early", policies=[policy], themes=["Safety"])
    secret, _ = make_token("engagement_officer")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_document_says(app, case, bearer):
    # A cursor is opaque: only one the API gave out is valid, and a made-up one is rightly refused (422),
    # which schemathesis would report as valid data rejected. Cursor paging is tested in test_resources.py.
    if case.query:
        case.query.pop("cursor", None)
    case.call_and_validate(headers=bearer, app=app)
