"""API tokens: made at /staff/account/tokens, shown once, stored hashed, and refused the moment they are
revoked, expire or their owner is deactivated; a signed-in browser session is never an API credential."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.auth import tokens
from crm.auth.models import ApiToken
from crm.auth.service import set_active
from crm.core import audit
from crm.core.models import AuditEvent, utc_now
from crm.core.time import uk_today
from crm.extensions import db

POLICIES = "/api/v1/policies"


def _date_fields(day) -> dict:
    return {"expires_on": [str(day.day), str(day.month), str(day.year)]}


def _create(client, name="Notebook", scope="read", day=None):
    data = {"name": name, "scope": scope, **_date_fields(day or uk_today() + timedelta(days=30))}
    return client.submit("/staff/account/tokens/new", data)


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_token_is_shown_once_stored_hashed_and_works(client, sign_in_as):
    user = sign_in_as("policy_lead")
    created = _create(client)
    assert created.status_code == 201
    secret = re.search(r"cv_[A-Za-z0-9_\-]{43}", created.get_data(as_text=True)).group(0)

    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([getattr(token, column.key) for column in ApiToken.__table__.columns])
    listing = client.get("/staff/account/tokens").get_data(as_text=True)
    assert "Notebook" in listing and secret not in listing

    response = client.get(POLICIES, headers=_bearer(secret))
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    assert (
        db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "api_token.created"))
        == user.id
    )


@pytest.mark.parametrize(
    ("day_offset", "message"),
    [(0, "Expiry date must be in the future"), (400, "no more than a year from today")],
)
def test_expiry_must_be_within_a_year(client, sign_in_as, day_offset, message):
    sign_in_as("viewer")
    response = _create(client, day=uk_today() + timedelta(days=day_offset))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_the_form_suggests_ninety_days(client, sign_in_as):
    sign_in_as("viewer")
    day = uk_today() + timedelta(days=90)
    page = client.get("/staff/account/tokens/new").get_data(as_text=True)
    assert f'value="{day.year}"' in page


def test_a_viewer_cannot_have_a_write_token(client, sign_in_as):
    sign_in_as("viewer")
    response = _create(client, scope="read_write")
    assert "Viewers can only have read-only tokens" in response.get_data(as_text=True)


def test_revoking_stops_the_token_at_once(client, sign_in_as, make_token):
    user = sign_in_as("equality_lead")
    secret, token = make_token(user=user)
    assert client.get(POLICIES, headers=_bearer(secret)).status_code == 200
    client.submit(f"/staff/account/tokens/{token.id}/revoke", form_page="/staff/account/tokens")
    _assert_problem(client.get(POLICIES, headers=_bearer(secret)), 401)


def test_nobody_revokes_another_persons_token_from_their_own_page(client, sign_in_as, make_token):
    _, token = make_token("policy_lead")
    sign_in_as("engagement_officer")
    response = client.submit(f"/staff/account/tokens/{token.id}/revoke", form_page="/staff/account/tokens")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_an_admin_lists_and_revokes_anyones_token(client, sign_in_as, make_token):
    secret, token = make_token("policy_lead")
    sign_in_as("admin")
    assert token.name in client.get("/staff/admin/tokens").get_data(as_text=True)
    client.submit(f"/staff/admin/tokens/{token.id}/revoke", form_page="/staff/admin/tokens")
    _assert_problem(client.get(POLICIES, headers=_bearer(secret)), 401)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "api_token.revoked"))


def test_expired_tokens_are_refused(client, make_token):
    secret, token = make_token()
    token.expires_at = utc_now() - timedelta(seconds=1)
    db.session.commit()
    _assert_problem(client.get(POLICIES, headers=_bearer(secret)), 401)


def test_a_deactivated_persons_tokens_stop_working(client, make_token, make_user):
    secret, token = make_token("engagement_officer")
    assert client.get(POLICIES, headers=_bearer(secret)).status_code == 200
    set_active(audit.SYSTEM, token.user, False)
    db.session.commit()
    _assert_problem(client.get(POLICIES, headers=_bearer(secret)), 401)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer cv_not-a-real-token",
        "Bearer x" * 300,
        "Token cv_abc",
    ],
)
def test_missing_malformed_and_unknown_tokens_get_401(client, header):
    headers = {} if header is None else {"Authorization": header}
    body = _assert_problem(client.get(POLICIES, headers=headers), 401)
    assert "token" in body["detail"].lower()


def test_a_signed_in_session_is_not_an_api_credential(client, sign_in_as):
    sign_in_as("admin")
    _assert_problem(client.get(POLICIES), 401)


def test_calls_are_rate_limited_per_token(app, client, make_token, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    first, _ = make_token()
    second, _ = make_token()
    assert client.get(POLICIES, headers=_bearer(first)).status_code == 200
    assert client.get(POLICIES, headers=_bearer(first)).status_code == 200
    limited = client.get(POLICIES, headers=_bearer(first))
    _assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get(POLICIES, headers=_bearer(second)).status_code == 200  # another token, its own count


def test_authenticate_refuses_what_is_not_a_token(make_token):
    secret, _ = make_token()
    assert tokens.authenticate(secret) is not None
    assert tokens.authenticate(secret[:-1]) is None
    assert tokens.authenticate(secret.removeprefix("cv_")) is None


def test_a_counter_store_that_is_down_lets_calls_through(client, make_token, monkeypatch):
    from crm.extensions import limiter

    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(limiter.limiter, "hit", broken)
    secret, _ = make_token()
    assert client.get(POLICIES, headers=_bearer(secret)).status_code == 200
