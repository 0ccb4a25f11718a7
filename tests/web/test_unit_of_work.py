"""A request is one unit of work: saved whole after a success, or not at all after a refusal or an error."""

import pytest
from flask import abort
from sqlalchemy import func, select

from crm import create_app
from crm.core import audit
from crm.core.models import AuditEvent
from crm.core.rules import RuleBroken, show_refusal
from crm.core.transaction import unit_of_work
from crm.extensions import db
from crm.policies.models import Policy
from crm.policies.service import create_policy


def _policy_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Policy))


@pytest.fixture
def app_with_routes(app):
    """A second app on the same database, with routes that change data and then end in different ways."""
    other = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    def add(reference):
        create_policy(
            audit.SYSTEM,
            reference=reference,
            title="Test",
            kind="policy",
            status="emerging",
        )

    @other.post("/test/succeeds")
    def succeeds():
        add("UOW-OK")
        return "saved"

    @other.post("/test/raises")
    def raises():
        add("UOW-RAISES")
        raise RuntimeError("half-way")

    @other.post("/test/not-found")
    def not_found():
        add("UOW-404")
        abort(404)

    @other.post("/test/refused")
    def refused():
        add("UOW-REFUSED")
        show_refusal(RuleBroken("title", "Refused"))
        return "shown with the reason", 200

    other.config.update(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    return other


@pytest.mark.parametrize(
    ("url", "status", "kept"),
    [
        ("/test/succeeds", 200, 1),
        ("/test/raises", 500, 0),
        ("/test/not-found", 404, 0),
        ("/test/refused", 200, 0),
    ],
)
def test_a_request_keeps_its_changes_only_when_it_succeeds(app_with_routes, url, status, kept):
    with app_with_routes.test_client() as client:
        assert client.post(url).status_code == status
    with app_with_routes.app_context():
        assert _policy_count() == kept
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == kept


def test_a_unit_of_work_that_raises_keeps_nothing():
    with pytest.raises(RuntimeError), unit_of_work():
        create_policy(
            audit.SYSTEM,
            reference="UOW-CLI",
            title="Test",
            kind="policy",
            status="emerging",
        )
        raise RuntimeError("the command failed")
    assert _policy_count() == 0
