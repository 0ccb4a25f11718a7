"""Every list filter and search is answered from an index on PostgreSQL, checked with EXPLAIN.

Each page is requested, every statement it ran is explained with the same parameters, and the index that
should serve its filter must appear in a plan. So that the planner chooses as it would on a real register,
the tables get a few thousand filler rows (copies of a real one) and fresh statistics first.
"""

from sqlalchemy import event, select, text

from crm.core import audit
from crm.core.models import Theme
from crm.extensions import db
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group, make_user
from tests.policy_factories import make_event, make_feedback, make_policy


def _plans_of(client, url: str) -> str:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = []
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            plans += [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
    return "\n".join(plans)


def _fill(table: str, template_id: int, rows: int, **replaced: str) -> None:
    """`rows` copies of one row of `table`, with `replaced` columns set by SQL over `n`, the copy number."""
    columns = [column.name for column in db.metadata.tables[table].columns if column.name != "id"]
    values = [replaced.get(column, column) for column in columns]
    copies = f"generate_series(1, {rows}) AS n"
    db.session.execute(
        text(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names from the models)
            f"SELECT {', '.join(values)} FROM {table}, {copies} WHERE id = {template_id}"
        )
    )


def _records():
    policy = make_policy()
    consultation = make_consultation("open", policy_ids=[policy.id])
    event_row = make_event([policy])
    group = make_group("Deaf Forum Walsall")
    contact = make_contact(group, name="Ann Example", email="ann@example.org")
    response = respond(consultation)
    housing = db.session.scalar(select(Theme.id).where(Theme.name == "Housing"))
    make_feedback(
        "The buses stop too early", consultation=consultation, source="response", themes=["Housing"]
    )
    make_feedback("Hearing loops at stops", event=event_row, group=group)
    make_feedback("Ramps please", policies=[policy])
    filler = make_feedback("Filler about nothing in particular")
    officer = make_user(name="Audited Officer")
    audit.record(officer, "policy.viewed", policy)
    audited = audit.record(audit.SYSTEM, "filler.event", None, entity_type="filler")
    db.session.flush()
    _fill(
        "community_group",
        group.id,
        20000,
        name="'Filler group ' || n",
        match_key="'filler group ' || n",
        description="'Filler ' || n",
    )
    _fill("feedback", filler.id, 20000, received_at="received_at - n * interval '1 minute'")
    _fill("contact", contact.id, 20000, name="'Filler person ' || n", email="'filler' || n || '@example.org'")
    _fill(
        "response",
        response.id,
        20000,
        reference="'FILL-' || n",
        submission_token="'filler-' || n",
        received_at="received_at - n * interval '1 minute'",
    )
    _fill(
        "audit_event",
        audited.id,
        20000,
        action="'filler.' || (n % 40)",
        entity_id="n::text",
        occurred_at="occurred_at - n * interval '1 minute'",
    )
    db.session.commit()
    for table in ("community_group", "feedback", "contact", "response", "audit_event"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    return {"policy": policy.id, "consultation": consultation.id, "housing": housing, "officer": officer.id}


PAGES = [
    ("/staff/groups?q=forum", ["ix_community_group_name_trgm", "ix_community_group_description_trgm"]),
    ("/staff/contacts?q=ann", ["ix_contact_name_trgm", "ix_contact_email_trgm"]),
    # a name with a typo: the picker's near-duplicates come from the matcher's index (migration 0015)
    (
        "/staff/pick/groups?q=Wlasall+Forum+Groop",
        ["ix_community_group_name_trgm", "ix_community_group_match_key_trgm"],
    ),
    ("/staff/feedback?q=buses", ["ix_feedback_text_search"]),
    ("/staff/feedback?theme={housing}", ["ix_feedback_theme_theme_id"]),
    ("/staff/feedback", ["ix_feedback_received_at"]),
    (
        "/staff/policies/{policy}/evidence",
        ["ix_feedback_consultation_id", "ix_feedback_event_id", "ix_feedback_policy_policy_id"],
    ),
    ("/staff/consultations/{consultation}/responses", ["ix_response_consultation_received"]),
    ("/staff/admin/audit", ["ix_audit_event_occurred_at"]),
    ("/staff/admin/audit?actor={officer}", ["ix_audit_event_actor_occurred"]),
    ("/staff/admin/audit?action=policy.viewed", ["ix_audit_event_action_occurred"]),
    ("/staff/admin/audit?entity_type=policy&entity_id={policy}", ["ix_audit_event_entity_occurred"]),
    ("/staff/admin/audit?date_from=1/1/2026&date_to=2/1/2026", ["ix_audit_event_occurred_at"]),
]


def test_each_filter_is_served_by_an_index(client, sign_in_as):
    records = _records()  # once for every page: the filler takes a few seconds
    sign_in_as("admin")
    missing = []
    for url, indexes in PAGES:
        plans = _plans_of(client, url.format(**records))
        missing += [f"{url} does not use {index}" for index in indexes if index not in plans]
    assert not missing, "\n".join(missing)
