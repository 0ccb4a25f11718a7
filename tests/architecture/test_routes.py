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


# A person's own credentials, not records: a viewer signs out, and makes and revokes their own (read-only)
# API tokens.
OWN_ACCOUNT_ENDPOINTS = {"auth.sign_out", "tokens.new_token", "tokens.revoke_my_token"}


def test_a_viewer_can_change_nothing():
    for rule in STAFF_RULES:
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint not in OWN_ACCOUNT_ENDPOINTS:
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


# ---- /api/v1: every route but the OpenAPI document and open data takes a token, and names scope and roles

PUBLIC_API_PREFIXES = ("/api/v1/open",)
PUBLIC_API_ENDPOINTS = {"api-docs.openapi_json"}
API_RULES = [
    rule
    for rule in _app.url_map.iter_rules()
    if rule.rule.startswith("/api/")
    and rule.endpoint not in PUBLIC_API_ENDPOINTS
    and not rule.rule.startswith(PUBLIC_API_PREFIXES)
]


def _api_handlers(rule):
    """(method, handler) for each method a rule answers: a MethodView's methods, or the view itself."""
    view = _app.view_functions[rule.endpoint]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    view_class = getattr(view, "view_class", None)
    return [(method, getattr(view_class, method.lower()) if view_class else view) for method in methods]


def test_there_are_api_routes_to_check():
    assert len(API_RULES) >= 5
    assert all(rule.rule.startswith("/api/v1/") for rule in API_RULES)


@pytest.mark.parametrize("rule", API_RULES, ids=lambda rule: rule.endpoint)
def test_every_api_route_declares_its_scope_and_roles(rule):
    for method, handler in _api_handlers(rule):
        assert getattr(handler, "api_scope", None) in ("read", "read_write"), (
            f"{method} {rule.rule}: no token"
        )
        assert handler.allowed_roles and handler.allowed_roles <= set(roles.ALL)
        if method != "GET":
            assert handler.api_scope == "read_write", f"{method} {rule.rule} changes data with a read token"
            assert roles.VIEWER not in handler.allowed_roles, f"a viewer can {method} {rule.rule}"


@pytest.mark.parametrize("rule", API_RULES, ids=lambda rule: rule.endpoint)
def test_api_calls_without_a_token_get_401_problem_json(client, sign_in_as, rule):
    sign_in_as("admin")  # a browser session must not count
    for method, _ in _api_handlers(rule):
        response = client.open(_example_url(rule), method=method, json={})
        assert response.status_code == 401, f"{method} {rule.rule}"
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("rule", API_RULES, ids=lambda rule: rule.endpoint)
def test_api_roles_not_allowed_get_403(client, rule):
    from datetime import timedelta

    from crm.auth import tokens
    from crm.core.time import uk_today
    from crm.extensions import db
    from tests.factories import make_user

    for method, handler in _api_handlers(rule):
        for role in sorted(set(roles.ALL) - handler.allowed_roles - {roles.VIEWER}):
            created = tokens.create_token(
                make_user(role=role), "t", "read_write", uk_today() + timedelta(days=9)
            )
            db.session.commit()
            response = client.open(
                _example_url(rule),
                method=method,
                json={},
                headers={"Authorization": f"Bearer {created.secret}"},
            )
            assert response.status_code == 403, f"{role} reached {method} {rule.rule}"
