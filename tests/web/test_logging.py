"""Request logs, request ids and the slow-query log: what someone woken at 2am has to go on."""

import json
import logging

import pytest

from crm import create_app
from crm.extensions import db
from crm.logs import JsonFormatter
from tests.pagecheck import PageCheckingClient


def _records(caplog, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == name]


def _lines(caplog) -> str:
    """Every record as written, with the `extra` fields that caplog.text leaves out."""
    return "\n".join(JsonFormatter().format(record) for record in caplog.records)


@pytest.fixture
def boom_client(database_url):
    """An app like production's (errors handled, not raised into the test) with a page that fails."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False)
    app.test_client_class = PageCheckingClient

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_a_request_is_one_json_line_without_its_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    response = client.get("/privacy?q=Jo+Bloggs")
    [record] = _records(caplog, "crm.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["path"] == "/privacy" and line["status"] == 200
    assert line["user_id"] is None and line["request_id"] == response.headers["X-Request-Id"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "Bloggs" not in _lines(caplog)


def test_a_signed_in_request_logs_the_user_id_and_never_the_email_or_name(client, sign_in_as, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    user = sign_in_as("engagement_officer")
    client.get("/staff/")
    *_, sign_in, dashboard = _records(caplog, "crm.request")
    assert (sign_in.method, sign_in.status, sign_in.user_id) == ("POST", 302, user.id)
    assert (dashboard.path, dashboard.status, dashboard.user_id) == ("/staff/", 200, user.id)
    lines = _lines(caplog)
    assert user.email not in lines and user.name not in lines


def test_every_response_carries_a_new_request_id(client):
    ids = {client.get(url).headers["X-Request-Id"] for url in ("/", "/", "/static/dist/main.css")}
    assert len(ids) == 3


def test_a_sane_incoming_request_id_is_kept(client, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    response = client.get("/", headers={"X-Request-Id": "lb-2f6a.9_Z"})
    assert response.headers["X-Request-Id"] == "lb-2f6a.9_Z"
    assert _records(caplog, "crm.request")[0].request_id == "lb-2f6a.9_Z"


@pytest.mark.parametrize(
    "incoming", ["abc\nforged log line", "a" * 65, "<script>", "id with spaces", "é", ""]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    # Through the WSGI environ: Werkzeug's client refuses to send some of these as headers.
    response = client.get("/", environ_overrides={"HTTP_X_REQUEST_ID": incoming})
    returned = response.headers["X-Request-Id"]
    assert returned != incoming and len(returned) == 16 and returned.isalnum()


def test_the_404_page_shows_the_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert f"Quote reference <strong>{response.headers['X-Request-Id']}</strong>" in response.get_data(
        as_text=True
    )


def test_a_request_refused_by_csrf_is_logged_and_shows_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    response = client.post("/staff/sign-in", data={"email": "a@example.org", "csrf_token": "stale"})
    [record] = _records(caplog, "crm.request")
    assert record.status == 400 and record.duration_ms is not None  # our hook ran before CSRF refused
    assert record.request_id in response.get_data(as_text=True)


def test_an_unhandled_error_is_logged_with_the_id_the_500_page_shows(boom_client, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    response = boom_client.get("/boom")
    reference = response.headers["X-Request-Id"]
    assert response.status_code == 500 and f"<strong>{reference}</strong>" in response.get_data(as_text=True)
    [error] = [record for record in caplog.records if record.exc_info]
    assert error.request_id == reference
    assert "RuntimeError: boom" in json.loads(JsonFormatter().format(error))["traceback"]
    [line] = _records(caplog, "crm.request")
    assert (line.status, line.request_id) == (500, reference)


def test_slow_queries_are_logged_with_the_request_id_and_without_parameters(
    app, client, make_user, caplog, monkeypatch
):
    user = make_user(email="slow.query@example.org")
    monkeypatch.setitem(app.config, "SLOW_QUERY_MS", 0)
    caplog.set_level(logging.INFO, logger="crm")
    response = client.submit("/staff/sign-in", {"email": user.email, "password": "wrong"})
    user_lookups = [record for record in _records(caplog, "crm.sql") if "FROM staff_user" in record.statement]
    assert user_lookups and user_lookups[-1].request_id == response.headers["X-Request-Id"]
    assert user.email not in _lines(caplog)  # the lookup's parameter


def test_fast_queries_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    client.get("/")
    assert _records(caplog, "crm.request") and not _records(caplog, "crm.sql")
