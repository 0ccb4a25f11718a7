"""Test set-up: the schema comes from the real migrations; every table is emptied after each test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL names one.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text

from crm import create_app
from crm.core.reference import seed_reference_data
from crm.core.transaction import unit_of_work
from crm.extensions import db, limiter
from tests.pagecheck import PageCheckingClient

ROOT = Path(__file__).resolve().parent.parent


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _empty_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _run_migrations(url: str) -> None:
    # In a subprocess, as in production, so Alembic's logging set-up cannot touch the test run's.
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"migrations failed:\n{result.stderr}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _empty_postgres_schema(url)
    _run_migrations(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = PageCheckingClient
    with app.app_context(), unit_of_work():
        seed_reference_data()
    return app


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts with reference data only and leaves nothing behind."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
    with unit_of_work():
        seed_reference_data()
    limiter.reset()
    db.session.remove()
    ctx.pop()


@pytest.fixture
def client(app) -> PageCheckingClient:
    return app.test_client()


@pytest.fixture
def make_user():
    from tests.factories import make_user

    return make_user


@pytest.fixture
def sign_in_as(client):
    """Sign the test client in through the real form as a new user of `role`."""
    from tests.factories import PASSWORD, make_user

    def sign_in(role: str, **kwargs):
        user = make_user(role=role, **kwargs)
        response = client.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        return user

    return sign_in


def pytest_sessionfinish(session, exitstatus):
    """Under CI nothing may be skipped: a missing PostgreSQL or Chromium must fail the run, not hide."""
    if os.environ.get("CI") == "true":
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter and reporter.stats.get("skipped"):
            session.exitstatus = 1


@pytest.fixture
def count_queries(client):
    """How many SQL statements fetching one page costs: for proving a list makes no query per row."""
    from sqlalchemy import event

    def count(url: str) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            client.page(url)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    return count
