"""POST /api/v1/feedback: write tokens of officers and admins only, one record per Idempotency-Key however
often it is sent, the capture audited against the token's owner, and bad bodies refused as 422 problems."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.core.models import AuditEvent, utc_now
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.policy_factories import characteristic_id, make_policy

URL = "/api/v1/feedback"


def _body(**changes) -> dict:
    body = {
        "text": "The bus stop has no shelter",
        "source": "meeting",
        "received_at": (utc_now() - timedelta(hours=2)).isoformat(),
    }
    return body | changes


def _post(client, secret, body, key="device-1-item-1"):
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
    return client.post(URL, json=body, headers=headers)


def _count() -> int:
    return db.session.scalar(select(func.count(Feedback.id)))


def test_a_create_is_recorded_once_however_often_it_is_sent(client, make_token):
    secret, token = make_token("engagement_officer", scope="read_write")
    policy = make_policy()
    body = _body(
        policy_ids=[policy.id], characteristic_ids=[characteristic_id("Disability")], stance="oppose"
    )
    first = _post(client, secret, body)
    assert first.status_code == 201, first.get_data(as_text=True)
    again = _post(client, secret, body)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _count() == 1
    item = db.session.get(Feedback, first.get_json()["id"])
    assert item.captured_by_id == token.user_id and item.status == "coded" and item.policies == [policy]
    actor = db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "feedback.created"))
    assert actor == token.user_id
    assert _post(client, secret, body, key="device-1-item-2").status_code == 201
    assert _count() == 2


def test_the_same_key_with_another_body_is_refused(client, make_token):
    secret, _ = make_token("admin", scope="read_write")
    assert _post(client, secret, _body()).status_code == 201
    response = _post(client, secret, _body(text="Something else"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert _count() == 1


def test_a_read_token_cannot_write(client, make_token):
    secret, _ = make_token("engagement_officer", scope="read")
    response = _post(client, secret, _body())
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert _count() == 0


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead"])
def test_roles_that_do_not_record_feedback_on_the_pages_cannot_through_the_api(client, make_token, role):
    secret, _ = make_token(role, scope="read_write")
    assert _post(client, secret, _body()).status_code == 403
    assert _count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"text": ""}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": 42}, "text"),
        ({"source": "carrier pigeon"}, "source"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-01-01T10:00:00"}, "received_at"),  # no time zone
        ({"received_at": (utc_now() + timedelta(days=2)).isoformat()}, "received_at"),
        ({"policy_ids": [999999]}, "policy_ids"),
        ({"event_id": 999999}, "event_id"),
        ({"consultation_id": 999999}, "consultation_id"),
        ({"group_id": 999999}, "group_id"),
        ({"policy_ids": "1"}, "policy_ids"),
    ],
)
def test_bad_bodies_get_422_with_the_field_named(client, make_token, change, field):
    secret, _ = make_token("engagement_officer", scope="read_write")
    response = _post(client, secret, _body(**change))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]["json"]
    assert _count() == 0


@pytest.mark.parametrize("key", [None, "", "has space", "k" * 101])
def test_a_missing_or_bad_idempotency_key_is_refused(client, make_token, key):
    secret, _ = make_token("engagement_officer", scope="read_write")
    headers = {"Authorization": f"Bearer {secret}"} | ({} if key is None else {"Idempotency-Key": key})
    response = client.post(URL, json=_body(), headers=headers)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert _count() == 0
