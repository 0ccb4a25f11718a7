import pytest

from crm.auth.passwords import password_problem
from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-one", "12 characters or more"),
        ("x" * 129, "128 characters or fewer"),
        ("password1234", "too common"),
        ("qwertyuiop12", "too common"),
        ("amber-walrus-tunnel-kettle", None),
    ],
)
def test_password_policy(app, password, problem):
    result = password_problem(password)
    assert (result is None) if problem is None else (problem in result)


def test_a_password_made_of_the_persons_own_name_is_refused(app):
    problem = password_problem("priya-walrus-example-2026", user_inputs=["Priya", "Example"])
    assert problem == "Password must not include your name or email address"


def test_audit_events_cannot_be_changed_or_deleted(app):
    event = audit.record(audit.SYSTEM, "test.happened", None, entity_type="nothing")
    db.session.commit()
    event.action = "test.rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("sam@example.org", True),
        ("sam@example", False),
        ("sam example@example.org", False),
        ("@example.org", False),
    ],
)
def test_an_email_address_is_checked_as_the_forms_check_it(value, valid):
    from crm.core.rules import is_email_address

    assert is_email_address(value) is valid


def test_a_choice_stores_its_value_and_shows_its_label():
    from crm.eias.models import EIA_STATUSES, EIAStatus

    assert EIAStatus.IN_REVIEW == "in_review"
    assert EIAStatus("in_review").label == "In review"
    assert EIA_STATUSES["in_review"] == "In review"
    assert list(EIA_STATUSES) == [status.value for status in EIAStatus]
