"""The audit viewer (/staff/admin/audit): admins only, filtered and paged in SQL, exported as audited CSV."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db

URL = "/staff/admin/audit"


def _event(actor, action, entity_type="policy", entity_id="1", when=None, fields=()):
    event = AuditEvent(
        actor_id=None if isinstance(actor, str) else actor.id,
        actor_label=actor if isinstance(actor, str) else actor.email,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changed_fields=list(fields),
        occurred_at=when or datetime(2026, 6, 1, 12, tzinfo=UTC),
    )
    db.session.add(event)
    db.session.commit()
    return event


def _rows(page) -> list[list[str]]:
    table = page.select_one("#audit-events")
    if table is None:
        return []
    return [[cell.get_text(strip=True) for cell in row.select("td")] for row in table.select("tbody tr")]


def test_admin_sees_events_newest_first_and_filters_by_each_field(client, sign_in_as, make_user):
    admin = sign_in_as("admin")
    officer = make_user(name="Olive Officer")
    _event(officer, "policy.created", "policy", "7", datetime(2026, 3, 1, 9, tzinfo=UTC), ["title"])
    _event(officer, "policy.updated", "policy", "7", datetime(2026, 3, 5, 9, tzinfo=UTC), ["status"])
    _event(audit.SYSTEM, "group.created", "community_group", "3", datetime(2026, 4, 1, 9, tzinfo=UTC))

    everything = [row[2] for row in _rows(client.page(URL))]
    # The admin's own sign-in is on record too, and is the newest.
    assert everything == ["auth.signed_in", "group.created", "policy.updated", "policy.created"]

    assert [r[2] for r in _rows(client.page(f"{URL}?actor={officer.id}"))] == [
        "policy.updated",
        "policy.created",
    ]
    assert [r[2] for r in _rows(client.page(f"{URL}?action=policy.created"))] == ["policy.created"]
    assert [r[2] for r in _rows(client.page(f"{URL}?entity_type=community_group"))] == ["group.created"]
    by_record = _rows(client.page(f"{URL}?entity_type=policy&entity_id=7"))
    assert [r[2] for r in by_record] == ["policy.updated", "policy.created"]
    assert by_record[0][3] == "policy 7" and by_record[0][4] == "status"
    assert _rows(client.page(f"{URL}?entity_type=policy&entity_id=8")) == []
    # Days are UK days: 1 March to 5 March takes both policy events, 2 March to 5 March only the later one.
    ranged = _rows(client.page(f"{URL}?date_from=1/3/2026&date_to=5/3/2026"))
    assert [r[2] for r in ranged] == ["policy.updated", "policy.created"]
    assert [r[2] for r in _rows(client.page(f"{URL}?date_from=2026-03-02&date_to=2026-03-05"))] == [
        "policy.updated"
    ]
    page = client.page(URL)
    assert {o["value"] for o in page.select("#action option")} >= {"", "policy.created", "auth.signed_in"}
    assert "Olive Officer" in [o.get_text() for o in page.select("#actor option")]
    assert admin.email in page.select_one("#audit-events").get_text()


def test_events_are_paged(client, sign_in_as):
    sign_in_as("admin")
    for number in range(60):
        _event(audit.SYSTEM, "policy.updated", "policy", str(number), datetime(2026, 1, 1, tzinfo=UTC))
    first = client.page(URL)
    assert len(_rows(first)) == 50
    assert first.select_one(".govuk-pagination__next a")["href"].endswith("page=2")
    assert len(_rows(client.page(f"{URL}?page=2"))) == 11  # and the admin's sign-in
    assert client.get(f"{URL}?page=100000000000000000000").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=31/2/2026", "date_from", "Enter a real date"),
        ("date_to=yesterday", "date_to", "Enter a real date"),
        ("date_from=5/3/2026&date_to=1/3/2026", "date_to", "must be the same as or after"),
        ("entity_id=42", "entity_id", "Choose the kind of record"),
    ],
)
def test_bad_filters_show_an_error_next_to_the_field(client, sign_in_as, query, field, message):
    sign_in_as("admin")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    page = client.page(f"{URL}?{query}")
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(".govuk-error-summary")
    assert page.title.get_text().startswith("Error:")


@pytest.mark.parametrize(
    "query",
    [
        "action=no.such.action",
        "entity_type=no_such_table",
        "actor=99999999999999999999",
        "actor=abc",
        "entity_type=policy&entity_id=%00",
        "date_from=%00",
        "page=-4",
    ],
)
def test_unknown_or_tampered_values_are_ignored_never_a_500(client, sign_in_as, query):
    sign_in_as("admin")
    _event(audit.SYSTEM, "policy.created")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("policy.created") >= 1


def test_export_is_the_filtered_events_as_formula_safe_csv_and_is_audited(client, sign_in_as, make_user):
    admin = sign_in_as("admin")
    officer = make_user()
    _event(officer, "policy.created", "policy", "=1+1", fields=["title"])
    _event(officer, "group.created", "community_group", "3")
    response = client.get("/staff/admin/audit/export.csv?action=policy.created&entity_type=policy")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When (UK time)", "Person", "Action", "Kind of record", "Record", "Fields"]
    # ISO 8601 in UK time with its offset (British Summer Time in June), for analysts' tools
    assert rows[1:] == [
        ["2026-06-01T13:00:00+01:00", officer.email, "policy.created", "policy", "'=1+1", "title"]
    ]
    export = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported_csv"))
    assert export.actor_id == admin.id and export.changed_fields == ["action", "entity_type"]
    assert "policy.created" not in str(export.changed_fields)


def test_export_with_a_bad_date_goes_back_to_the_list_and_exports_nothing(client, sign_in_as):
    sign_in_as("admin")
    response = client.get("/staff/admin/audit/export.csv?date_from=soon")
    assert response.status_code == 302 and "date_from=soon" in response.location
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported_csv")) is None


@pytest.mark.parametrize("role", ["engagement_officer", "policy_lead", "equality_lead", "viewer"])
def test_only_admins_see_the_audit_log(client, sign_in_as, role):
    sign_in_as(role)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/export.csv").status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    for url in (URL, f"{URL}/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/sign-in" in response.location


def test_the_admin_page_links_to_the_audit_log(client, sign_in_as):
    sign_in_as("admin")
    assert client.page("/staff/admin").select_one(f'a[href="{URL}"]').get_text() == "Audit log"
