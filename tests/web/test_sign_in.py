from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.auth.models import SignInThrottle
from crm.core.models import AuditEvent, utc_now
from crm.extensions import db
from crm.security import safe_next
from tests.factories import PASSWORD


def _sign_in(client, email, password):
    return client.submit("/staff/sign-in", {"email": email, "password": password})


def _actions():
    return [event.action for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_staff_pages_send_signed_out_visitors_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.location.startswith("/staff/sign-in")


def test_correct_details_sign_in_and_land_on_the_dashboard(client, make_user):
    user = make_user(role="policy_lead", name="Pat Lead")
    response = _sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.location == "/staff/"
    page = client.page("/staff/")
    assert "Pat Lead" in page.text and "Policy lead" in page.text
    assert "auth.signed_in" in _actions()


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, make_user):
    user = make_user()
    response = client.submit("/staff/sign-in?next=/staff/", {"email": user.email, "password": PASSWORD})
    assert response.location == "/staff/"
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    response = client.submit(
        "/staff/sign-in?next=//evil.example",
        {"email": user.email, "password": PASSWORD},
        form_page="/staff/sign-in",
    )
    assert response.location == "/staff/"


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/\\evil.example",
        "https://evil.example",
    ],
)
def test_a_next_with_control_characters_or_another_host_goes_to_the_dashboard(client, make_user, target):
    # Browsers drop tabs and newlines from a URL, so "/<tab>/evil.example" would be "//evil.example"; and a
    # CR or LF cannot go in a Location header at all (it used to be a 500).
    user = make_user()
    response = client.submit(
        f"/staff/sign-in?next={target}",
        {"email": user.email, "password": PASSWORD},
        form_page="/staff/sign-in",
    )
    assert response.status_code == 302 and response.location == "/staff/"


def test_safe_next_keeps_only_paths_on_this_site():
    assert safe_next("/staff/groups?page=2") == "/staff/groups?page=2"
    for target in (
        None,
        "",
        "//evil.example",
        "/\t/x",
        "/\t/evil.example",
        "/\x00",
        "/\u2028/x",
        "staff",
        "/\\x",
    ):
        assert safe_next(target) is None, target


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user()
    wrong = _sign_in(client, user.email, "not-the-password")
    unknown = _sign_in(client, "nobody@example.org", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "Enter a correct email address and password" in text
        assert "<title>Error: Sign in" in text


def test_empty_fields_get_messages_next_to_the_fields(client):
    response = _sign_in(client, "", "")
    text = response.get_data(as_text=True)
    assert "Enter your email address" in text and "Enter your password" in text


def test_over_long_input_is_refused_with_a_message(client):
    response = _sign_in(client, "a" * 300 + "@example.org", "p" * 500)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in text
    assert "Password must be 128 characters or fewer" in text


def test_a_stale_form_gets_the_expired_page_not_an_error(client):
    response = client.post(
        "/staff/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": "stale"}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_six_wrong_passwords_lock_the_account_for_fifteen_minutes(client, make_user):
    user = make_user()
    for _ in range(5):
        _sign_in(client, user.email, "wrong-password-here")
    response = _sign_in(client, user.email, PASSWORD)  # even the right password is refused now
    text = response.get_data(as_text=True)
    assert "too many failed attempts" in text
    assert client.get("/staff/").status_code == 302
    assert _actions().count("auth.sign_in_failed") == 5 and "auth.locked_out" in _actions()

    throttle = db.session.scalar(select(SignInThrottle).where(SignInThrottle.email == user.email))
    assert timedelta(minutes=14) < throttle.locked_until - utc_now() <= timedelta(minutes=15)
    throttle.locked_until = utc_now() - timedelta(seconds=1)  # the fifteen minutes pass
    db.session.commit()
    assert _sign_in(client, user.email, PASSWORD).status_code == 302


def test_lockout_looks_the_same_for_an_email_with_no_account(client):
    for _ in range(5):
        _sign_in(client, "ghost@example.org", "wrong-password-here")
    text = _sign_in(client, "ghost@example.org", "wrong-password-here").get_data(as_text=True)
    assert "too many failed attempts" in text


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    response = _sign_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_sign_out_ends_the_session_and_is_audited(client, sign_in_as):
    sign_in_as("viewer")
    response = client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
    assert "auth.signed_out" in _actions()


def test_session_expires_after_thirty_idle_minutes(client, sign_in_as, app):
    sign_in_as("viewer")
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 1
    response = client.get("/staff/")
    assert response.status_code == 302 and response.location.startswith("/staff/sign-in")
    assert client.get("/staff/").status_code == 302


def test_session_stays_alive_while_in_use(client, sign_in_as):
    sign_in_as("viewer")
    with client.session_transaction() as session:
        session["last_seen"] -= 29 * 60
    assert client.get("/staff/").status_code == 200


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    user = make_user()
    response = _sign_in(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


COOKIE = "community_voice_session"


def _copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie, as a thief with the cookie would."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def test_signing_out_ends_every_copy_of_the_session(app, client, sign_in_as):
    sign_in_as("viewer")
    thief = _copy_of(app, client)
    assert thief.get("/staff/").status_code == 200  # the copy works while the session lasts
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    response = thief.get("/staff/")
    assert response.status_code == 302 and response.location.startswith("/staff/sign-in")


@pytest.mark.parametrize("change", ["role", "deactivate", "password"])
def test_a_role_change_deactivation_or_new_password_ends_the_persons_sessions(
    client, sign_in_as, make_user, change
):
    from crm.auth import service

    user = sign_in_as("policy_lead")
    admin = make_user(role="admin")
    assert client.get("/staff/").status_code == 200
    if change == "role":
        service.update_user(admin, user, user.name, "viewer")
    elif change == "deactivate":
        service.set_active(admin, user, False)
    else:
        service.set_password(admin, user, "a-brand-new-walrus-teapot")
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    if change != "deactivate":  # signing in again starts a session that works
        password = "a-brand-new-walrus-teapot" if change == "password" else PASSWORD
        assert _sign_in(client, user.email, password).status_code == 302
        assert client.get("/staff/").status_code == 200


def test_a_session_in_constant_use_still_ends_after_twelve_hours(client, sign_in_as, app):
    sign_in_as("viewer")
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() + 1
    response = client.get("/staff/")  # last_seen is a moment ago: only the absolute limit applies
    assert response.status_code == 302 and response.location.startswith("/staff/sign-in")


def test_failures_from_one_address_lock_that_address_only(client, make_user):
    user = make_user()
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    owner = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(5):
        client.submit(
            "/staff/sign-in", {"email": user.email, "password": "wrong-password-here"}, environ_base=attacker
        )
    refused = client.submit(
        "/staff/sign-in", {"email": user.email, "password": PASSWORD}, environ_base=attacker
    )
    assert "too many failed attempts" in refused.get_data(as_text=True)
    allowed = client.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD}, environ_base=owner)
    assert allowed.status_code == 302 and allowed.location == "/staff/"
