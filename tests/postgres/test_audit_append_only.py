"""On PostgreSQL the database itself refuses to change or delete audit events (migration 0010's trigger),
whoever asks and however: only a transaction that sets crm.allow_audit_purge may remove them."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crm.core import audit
from crm.core.models import AUDIT_PURGE_SETTING, AuditEvent
from crm.extensions import db


def _new_event(action: str) -> int:
    event = audit.record(audit.SYSTEM, action, None, ["title"], entity_type="policy")
    db.session.flush()
    event_id = event.id
    db.session.commit()  # and no transaction left open: TRUNCATE would wait for its lock
    return event_id


def _connect():
    connection = db.engine.connect()
    connection.exec_driver_sql("SET lock_timeout = '5s'")  # a test that waits on a lock fails, never hangs
    connection.commit()
    return connection


@pytest.fixture
def event_id():
    return _new_event("policy.created")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'policy.deleted' WHERE id = :id",
        "UPDATE audit_event SET changed_fields = '[]' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
        "TRUNCATE audit_event",
        # A replica session skips ordinary triggers (the suite's clean-up uses one): these fire all the same.
        "SET LOCAL session_replication_role = replica; DELETE FROM audit_event WHERE id = :id",
    ],
)
def test_sql_cannot_change_or_delete_an_audit_event(event_id, statement):
    with _connect() as connection:
        with pytest.raises(DBAPIError, match="audit events cannot be changed or deleted"):
            for part in statement.split("; "):
                connection.execute(text(part), {"id": event_id} if ":id" in part else {})
        connection.rollback()
    assert db.session.get(AuditEvent, event_id).action == "policy.created"


def test_a_purge_is_allowed_only_in_a_transaction_that_says_so(event_id):
    other = _new_event("policy.updated")
    with _connect() as connection:
        with connection.begin():
            connection.execute(text(f"SET LOCAL {AUDIT_PURGE_SETTING} = 'on'"))
            # Even then an event cannot be rewritten: a purge removes, it never edits.
            with pytest.raises(DBAPIError, match="cannot be changed"), connection.begin_nested():
                connection.execute(
                    text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": event_id}
                )
            connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
        # SET LOCAL ended with its transaction: the next one is refused again.
        with pytest.raises(DBAPIError, match="cannot be changed or deleted"), connection.begin():
            connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": other})
        remaining = connection.scalars(text("SELECT id FROM audit_event ORDER BY id")).all()
    assert remaining == [other]
