from datetime import UTC, date, datetime

import pytest

from crm.auth.passwords import password_problem
from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db
from crm.templating import govuk_date, london_time


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


def test_dates_are_written_the_gov_uk_way():
    assert govuk_date(date(2026, 11, 27)) == "27 November 2026"
    assert govuk_date(datetime(2026, 3, 1, 0, 30, tzinfo=UTC)) == "1 March 2026"


def test_times_are_shown_in_uk_time_in_summer_and_winter():
    assert london_time(datetime(2026, 3, 31, 22, 59, tzinfo=UTC)) == "11:59pm on 31 March 2026"  # BST
    assert london_time(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "midday on 1 December 2026"  # GMT
    assert london_time(datetime(2026, 7, 1, 13, 0, tzinfo=UTC)) == "2pm on 1 July 2026"


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
