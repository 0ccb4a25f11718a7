"""Schemathesis runs every operation in the OpenAPI document against the app in process: no 5xx, and
every response (errors included) matches what the document says, with a real token."""

import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from crm import create_app
from tests.policy_factories import make_feedback, make_policy

# The document is read from an app of its own at collection time; the calls go to the test's app (below),
# whose database the fixtures fill.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app("test"))


@pytest.fixture
def bearer(make_token):
    policy = make_policy()
    make_feedback("The buses stop too early", policies=[policy], themes=["Safety"])
    secret, _ = make_token("engagement_officer", scope="read_write")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The same examples on every run, so CI never fails on a case no one has seen here.
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_document_says(app, case, bearer):
    # A cursor is opaque: only one the API gave out is valid, and a made-up one is rightly refused (422),
    # which schemathesis would report as valid data rejected. Cursor paging is tested in test_resources.py.
    if case.query and len(str(case.query.get("cursor", ""))) <= 100:  # a longer one is a negative case
        case.query.pop("cursor", None)
    # Likewise a valid key sent again with another body is rightly refused: each valid key is made unique.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(r"[\x21-\x7e]{1,100}", key):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    # A create may name records (a group, an event) that do not exist: valid by the schema, rightly refused.
    excluded = [positive_data_acceptance] if case.method == "POST" else []
    # A case made without the Authorization header is one that must be refused for it (401): sending the
    # real token would make it valid, and schemathesis would report it accepted.
    headers = bearer if "Authorization" in (case.headers or {}) else {}
    case.call_and_validate(headers=headers, app=app, excluded_checks=excluded)
