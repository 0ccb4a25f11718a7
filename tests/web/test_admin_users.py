import pytest
from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.core.models import AuditEvent
from crm.extensions import db


def _user(email):
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


NEW_USER = {
    "email": "new.person@example.org",
    "name": "New Person",
    "role": "equality_lead",
    "password": "purple-otter-lantern-river",
}


def test_admin_creates_an_account_which_can_then_sign_in(client, sign_in_as):
    sign_in_as("admin")
    response = client.submit("/staff/admin/users/new", NEW_USER)
    assert response.status_code == 302
    user = _user("new.person@example.org")
    assert user.role == "equality_lead" and user.password_hash != NEW_USER["password"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.entity_id == str(user.id) and "password_hash" in event.changed_fields
    assert NEW_USER["password"] not in str(event.changed_fields)
    link = client.page("/staff/admin/users").select_one(f'a[href="/staff/admin/users/{user.id}"]')
    assert link.text == "New Person"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": ""}, "Enter an email address"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"name": ""}, "Enter the person’s full name"),
        ({"name": "x" * 121}, "Full name must be 120 characters or fewer"),
        ({"role": "emperor"}, "Select a role from the list"),
        ({"password": "short"}, "Password must be 12 characters or more"),
        ({"password": "password1234"}, "too common or too easy to guess"),
    ],
)
def test_bad_account_details_get_a_message_and_save_nothing(client, sign_in_as, changes, message):
    sign_in_as("admin")
    response = client.submit("/staff/admin/users/new", {**NEW_USER, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _user("new.person@example.org") is None


def test_a_second_account_with_the_same_email_is_refused(client, sign_in_as, make_user):
    sign_in_as("admin")
    make_user(email="new.person@example.org")
    response = client.submit("/staff/admin/users/new", {**NEW_USER, "email": "New.Person@example.org"})
    assert "There is already an account with this email address" in response.get_data(as_text=True)


def test_script_tags_in_a_name_are_shown_as_text_not_run(client, sign_in_as):
    sign_in_as("admin")
    client.submit("/staff/admin/users/new", {**NEW_USER, "name": "<script>alert(1)</script>"})
    text = client.get("/staff/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_admin_changes_a_role_and_it_is_audited(client, sign_in_as, make_user):
    sign_in_as("admin")
    other = make_user(role="viewer")
    url = f"/staff/admin/users/{other.id}"
    response = client.submit(url, {"name": other.name, "role": "policy_lead"})
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.role == "policy_lead"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.changed_fields == ["role"]


def test_admin_cannot_change_their_own_role_or_deactivate_themselves(client, sign_in_as):
    admin = sign_in_as("admin")
    url = f"/staff/admin/users/{admin.id}"
    response = client.submit(url, {"name": admin.name, "role": "viewer"})
    assert "You cannot change your own role" in response.get_data(as_text=True)
    client.submit(f"{url}/deactivate", form_page=url)
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.is_active_account


def test_deactivated_staff_are_signed_out_and_can_be_reactivated(app, client, sign_in_as, make_user):
    sign_in_as("admin")
    other = make_user(role="viewer")
    other_client = app.test_client()
    other_client.submit("/staff/sign-in", {"email": other.email, "password": "correct-horse-battery-staple"})
    assert other_client.get("/staff/").status_code == 200

    url = f"/staff/admin/users/{other.id}"
    client.submit(f"{url}/deactivate", form_page=url)
    db.session.refresh(other)
    assert not other.is_active_account
    assert other_client.get("/staff/").status_code == 302  # their open session no longer works

    client.submit(f"{url}/reactivate", form_page=url)
    db.session.refresh(other)
    assert other.is_active_account


def test_unknown_user_is_a_404(client, sign_in_as):
    sign_in_as("admin")
    assert client.get("/staff/admin/users/999999").status_code == 404
