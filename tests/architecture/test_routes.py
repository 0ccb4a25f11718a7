"""Every staff route demands sign-in and a role; URLs are kebab-case with typed parameters."""

import re

import pytest

from crm import create_app
from crm.auth import roles

_app = create_app("test")
PUBLIC_STAFF_ENDPOINTS = {"auth.sign_in_page"}
STAFF_RULES = [
    rule
    for rule in _app.url_map.iter_rules()
    if rule.rule.startswith("/staff") and rule.endpoint not in PUBLIC_STAFF_ENDPOINTS
]


def _example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        options = getattr(converter, "items", None)  # an `any(...)` converter lists its choices
        values[name] = sorted(options)[0] if options else 1
    return rule.build(values)[1]


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def test_there_are_staff_routes_to_check():
    assert len(STAFF_RULES) >= 10


@pytest.mark.parametrize("rule", STAFF_RULES, ids=lambda rule: f"{rule.endpoint}")
def test_every_staff_view_declares_the_roles_it_allows(rule):
    view = _app.view_functions[rule.endpoint]
    allowed = getattr(view, "allowed_roles", None)
    assert allowed, f"{rule.rule} has no @role_required"
    assert allowed <= set(roles.ALL)


@pytest.mark.parametrize("rule", STAFF_RULES, ids=lambda rule: f"{rule.endpoint}")
def test_signed_out_visitors_are_sent_to_sign_in(client, rule):
    token = client.csrf_token()
    response = client.open(_example_url(rule), method=_method(rule), data={"csrf_token": token})
    assert response.status_code == 302, rule.rule
    assert response.location.startswith("/staff/sign-in")


@pytest.mark.parametrize("rule", STAFF_RULES, ids=lambda rule: f"{rule.endpoint}")
def test_roles_not_allowed_get_403(app, client, make_user, rule):
    allowed = app.view_functions[rule.endpoint].allowed_roles
    for role in sorted(set(roles.ALL) - allowed):
        user = make_user(role=role)
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        token = client.csrf_token("/staff/")
        response = client.open(_example_url(rule), method=_method(rule), data={"csrf_token": token})
        assert response.status_code == 403, f"{role} reached {rule.rule}"


def test_a_viewer_can_change_nothing():
    for rule in STAFF_RULES:
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint != "auth.sign_out":
            assert roles.VIEWER not in _app.view_functions[rule.endpoint].allowed_roles, rule.rule


def test_urls_are_kebab_case_with_typed_parameters():
    for rule in _app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        static_parts = re.sub(r"<[^>]+>", "", rule.rule)
        assert re.fullmatch(r"[a-z0-9/\-.]*", static_parts), f"{rule.rule} is not kebab-case"
        for name, converter in rule._converters.items():
            assert type(converter).__name__ != "UnicodeConverter", f"{rule.rule}: <{name}> has no type"


def test_no_route_changes_or_deletes_audit_events():
    """The audit log is read-only through the app: its routes only read (GET), and there are just the two."""
    audit_rules = [rule for rule in _app.url_map.iter_rules() if "audit" in f"{rule.rule} {rule.endpoint}"]
    assert {rule.endpoint for rule in audit_rules} == {"auth.audit_log", "auth.export_audit_log"}
    writes = [
        f"{rule.rule} {sorted(rule.methods)}"
        for rule in audit_rules
        if rule.methods - {"GET", "HEAD", "OPTIONS"}
    ]
    assert not writes, f"audit routes that accept writes: {writes}"
