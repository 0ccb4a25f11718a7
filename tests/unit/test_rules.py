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
