"""Test set-up: each worker gets its own database, copied from a template built once by the real migrations.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL names one, in parallel
under pytest-xdist (a database per worker) and in random order (pytest-randomly). The template holds the
schema and the reference data; after each test the record tables are emptied and the reference tables are
put back only if the test changed them. Browser tests run in the PostgreSQL pass only.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock
from sqlalchemy import create_engine, delete, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from crm import create_app
from crm.core import jobs
from crm.core.models import AUDIT_PURGE_SETTING
from crm.extensions import db, limiter
from tests import mail_server
from tests.pagecheck import PageCheckingClient

ROOT = Path(__file__).resolve().parent.parent
# "gw0", "gw1"... under pytest-xdist; "main" when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _on_postgres() -> bool:
    return (_server_url() or "").startswith("postgresql")


# Browser tests need a live server and Chromium; once, on PostgreSQL, is enough. Tests of PostgreSQL's plans
# have nothing to check on SQLite. Neither is collected at all on SQLite (a skip would fail a CI run, where
# nothing may be skipped).
collect_ignore = [] if _on_postgres() else ["browser", "postgres"]
# The data migrations' tests make SQLite files of their own whatever the run's database: once is enough.
if _on_postgres():
    collect_ignore.append("architecture/test_data_migrations.py")
# Tests of the RQ worker itself need the Redis that REDIS_URL names; without it jobs run in the request, and
# every other job test runs that way (a skip would fail a CI run too).
if not os.environ.get("REDIS_URL"):
    collect_ignore.append("web/test_job_worker.py")


def _run_flask(url: str, *command: str) -> None:
    # In a subprocess, as in production, so Alembic's logging set-up cannot touch the test run's.
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": url}
    result = subprocess.run(  # noqa: S603 (this file's own fixed commands)
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"flask {' '.join(command)} failed:\n{result.stderr}"


def _build_template(url: str) -> None:
    """The schema from the real migrations, then the reference data, as a new installation gets them."""
    _run_flask(url, "db", "upgrade")
    _run_flask(url, "crm", "seed-reference")


class _Postgres:
    """Databases on the server TEST_DATABASE_URL names, called after the database it names (which is only
    the maintenance connection), so runs against differently named databases never collide."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.quote = self.engine.dialect.identifier_preparer.quote

    def name(self, suffix: str) -> str:
        return f"{self.url.database}_{suffix}"

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {self.quote(name)} WITH (FORCE)"))

    def create(self, name: str, template: str) -> None:
        self.drop(name)
        with self.engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {self.quote(name)} TEMPLATE {self.quote(template)}"))
            # A throwaway database need not wait for the disk at each commit (a crash may lose the last
            # few, nothing else): the tests commit thousands of times, and on a busy disk that wait was
            # most of the PostgreSQL pass. Not copied from the template, so set on every database.
            connection.execute(text(f"ALTER DATABASE {self.quote(name)} SET synchronous_commit = off"))

    def close(self) -> None:
        self.engine.dispose()


def _run_directory(tmp_path_factory) -> Path:
    """A directory shared by every worker of this run (and by no other run)."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if WORKER != "main" else basetemp


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """This worker's own database, copied from the run's template; the first worker to get here builds it."""
    shared = _run_directory(tmp_path_factory)
    server_url = _server_url()
    if server_url and not _on_postgres():
        pytest.fail(f"TEST_DATABASE_URL must name a PostgreSQL database, not {server_url!r}")
    # One worker at a time: the first builds the template, and copies never overlap a build.
    with FileLock(shared / "template.lock"):
        built = shared / "template.built"
        if server_url:
            server = _Postgres(server_url)
            template = server.name("tpl")
            if not built.exists():
                # From template0, which nobody can connect to: template1 refuses while anyone is on it.
                server.create(template, template="template0")
                _build_template(server.url_of(template))
                built.touch()
            mine = server.name(WORKER)
            server.create(mine, template=template)
            url = server.url_of(mine)
        else:
            template_file = shared / "template.db"
            if not built.exists():
                _build_template(f"sqlite:///{template_file}")
                built.touch()
            mine = tmp_path_factory.mktemp("db") / "test.db"
            shutil.copyfile(template_file, mine)
            url = f"sqlite:///{mine}"
    yield url
    if server_url:
        server.drop(mine)
        server.close()


def _drop_postgres_template() -> None:
    server = _Postgres(_server_url())
    server.drop(server.name("tpl"))
    server.close()


def _sqlite_without_fsync(dbapi_connection, connection_record):
    # A throwaway file need not reach the disk at each commit; waiting for it was a twentieth of the run.
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def job_settings(tmp_path_factory) -> dict:
    """This test process's own job queue (on the Redis that REDIS_URL names, when the run sets one: the
    PostgreSQL pass of `make test`) and its own folder for job files, so parallel workers never share."""
    return {
        "JOB_QUEUE": f"cv-test-{WORKER}-{uuid.uuid4().hex[:8]}",
        "JOB_FILES": str(tmp_path_factory.mktemp("job-files")),
    }


@pytest.fixture(scope="session")
def app(database_url, job_settings):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, **job_settings)
    app.test_client_class = PageCheckingClient
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_without_fsync)
            db.engine.dispose()  # in case anything connected already
    yield app
    with app.app_context():
        db.engine.dispose()


class _Baseline:
    """The database as the template left it: record tables empty, reference tables holding these rows.

    Which tables are which is read from the template itself, so a new reference list is covered without
    listing it here. A test that changed a reference table (the admin screens, merging themes...) gets it put
    back row for row, ids and timestamps included; the others cost one small SELECT per reference table.
    """

    def __init__(self, connection):
        self.reference_rows = {}
        self.record_tables = []
        for table in db.metadata.sorted_tables:
            rows = self._rows(connection, table)
            if rows:
                self.reference_rows[table] = rows
            else:
                self.record_tables.append(table)

    @staticmethod
    def _rows(connection, table):
        return connection.execute(select(table).order_by(*table.primary_key.columns)).all()

    def restore(self, connection) -> None:
        with _foreign_keys_unchecked(connection), connection.begin():
            if connection.dialect.name == "postgresql":
                # One round trip rather than one per table: psycopg sends a parameterless script as is.
                name = connection.dialect.identifier_preparer.format_table
                deletes = [f"DELETE FROM {name(table)}" for table in reversed(self.record_tables)]  # noqa: S608
                # Audit events are append-only (migration 0010): only a transaction saying so may purge them.
                purge = f"SET LOCAL {AUDIT_PURGE_SETTING} = 'on'"
                connection.exec_driver_sql("; ".join([purge, *deletes]))
            else:
                for table in reversed(self.record_tables):
                    connection.execute(delete(table))
            changed = [
                table for table, rows in self.reference_rows.items() if self._rows(connection, table) != rows
            ]
            for table in reversed(changed):
                connection.execute(delete(table))
            for table in changed:
                connection.execute(table.insert(), [row._asdict() for row in self.reference_rows[table]])


@contextmanager
def _foreign_keys_unchecked(connection):
    """Emptying every table cannot break a reference, and checking each deleted row is slow where a foreign
    key has no index (community_group.merged_into_id: ten thousand groups took seconds to delete)."""
    if connection.dialect.name == "sqlite":
        # Only outside a transaction does SQLite take this.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
    else:
        # PostgreSQL checks foreign keys with triggers, which a replica session does not fire.
        connection.exec_driver_sql("SET session_replication_role = replica")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql("SET session_replication_role = DEFAULT")
            connection.commit()


@pytest.fixture(scope="session")
def _baseline(app):
    with app.app_context(), db.engine.connect() as connection:
        baseline = _Baseline(connection)
    assert baseline.reference_rows, "the template holds no reference data"
    return baseline


@pytest.fixture(autouse=True)
def _clean_database(app, _baseline):
    """Each test starts with reference data only and leaves nothing behind."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    with db.engine.connect() as connection:
        _baseline.restore(connection)
    limiter.reset()
    db.session.remove()
    ctx.pop()


@pytest.fixture
def restore_limiter(app):
    """For a test that builds another app: the limiter is one object, and each app it is set up for gives it
    that app's counter storage (Redis, say). Put this app's own back, so later tests count in memory."""
    yield
    limiter.init_app(app)


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


@pytest.fixture(scope="session")
def _mail_server():
    """This test process's SMTP server (tests/mail_server.py), started the first time a test needs it."""
    controller, mailbox = mail_server.start()
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, monkeypatch, _mail_server) -> mail_server.Mailbox:
    """Email is sent, by SMTP, to the real local server above for this test: read `mailbox.received`."""
    _mail_server.received.clear()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _mail_server.port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    yield _mail_server
    _mail_server.received.clear()


@pytest.fixture(scope="session")
def _job_worker(app, database_url, job_settings, tmp_path_factory, _mail_server):
    """A real RQ worker for this test process's queue, started the first time a test needs one and only
    when the run sets REDIS_URL: `python -m tests.job_worker`, the app's own Worker in a process of its own,
    forking a work horse per job as in production. Without REDIS_URL jobs run in the request."""
    if not jobs.queue_url(app):
        yield None
        return
    log = tmp_path_factory.mktemp("job-worker") / "worker.log"
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": database_url, **job_settings}
    env.update(TEST_SMTP_HOST="127.0.0.1", TEST_SMTP_PORT=str(_mail_server.port))  # see tests/mail_server.py
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.job_worker"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    yield worker
    worker.send_signal(signal.SIGTERM)  # RQ's warm shut-down: an idle worker stops at once
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    forget_queue(app, job_settings["JOB_QUEUE"])


def forget_queue(app, name: str) -> None:
    """Take a test queue, its jobs and its registries out of Redis (each job's own record expires soon)."""
    import rq

    queue = rq.Queue(name, connection=jobs.redis_connection(app))
    registries = (
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.deferred_job_registry,
        queue.scheduled_job_registry,
        queue.canceled_job_registry,
    )
    queue.connection.delete(*(registry.key for registry in registries))
    queue.delete(delete_jobs=True)


@pytest.fixture
def finish_job(app, client, _job_worker):
    """Follow a job's page (as a person would, pressing "Check progress") until the job has finished,
    and return the page. With REDIS_URL the worker above runs the job; without, the request already did."""
    if _job_worker is not None:
        assert _job_worker.poll() is None, "the job worker has stopped"

    def follow(url: str, timeout: float = 60) -> BeautifulSoup:
        deadline = time.monotonic() + timeout
        while True:
            page = client.page(url)
            if page.select_one("#job-status")["data-job-status"] in ("done", "failed"):
                return page
            assert time.monotonic() < deadline, f"the job at {url} did not finish: {page.title.text}"
            time.sleep(0.2)

    return follow


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass leaves out tests of rules alone (marked database_free): the SQLite pass ran them,
    and no database can change their answer."""
    if not _on_postgres():
        return
    left_out = [item for item in items if item.get_closest_marker("database_free") is not None]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item.get_closest_marker("database_free") is None]


def pytest_sessionfinish(session, exitstatus):
    """Drop the run's template database; under CI, fail a run that skipped anything."""
    # The controller (or the only process) finishes after every worker, so nothing still uses the template.
    if WORKER == "main" and _on_postgres():
        _drop_postgres_template()
    # Under CI nothing may be skipped: a missing PostgreSQL or Chromium must fail the run, not hide.
    if os.environ.get("CI") == "true":
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter and reporter.stats.get("skipped"):
            session.exitstatus = 1


@pytest.fixture
def count_queries(client):
    """How many SQL statements fetching one page costs: for proving a list makes no query per row."""

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
