"""The public side under load: client addresses behind proxies, rate limits a real event survives and a script
does not, counters safe under threads and shared between workers."""

import os
import re
import threading
import time
from collections import Counter

import pytest
from flask import template_rendered
from flask.testing import FlaskClient
from flask_limiter.util import get_remote_address
from limits.storage import RedisStorage
from sqlalchemy import event, func, select, text

from crm import create_app
from crm.consultations import public_form, service
from crm.consultations.models import Response
from crm.core import audit
from crm.extensions import db, limiter
from crm.ratelimit import LockedMemoryStorage
from tests.consultation_factories import form_data, make_consultation

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt-reference"[^>]*>([^<]+)<')


def _url(consultation) -> str:
    return f"/consultations/{consultation.slug}/respond"


def _stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.fixture
def other_app(database_url, restore_limiter):
    """Build another app on this worker's database with some settings changed, and a page showing the
    address the app sees."""
    built = []

    def build(**overrides):
        other = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, **overrides)

        @other.get("/test/address")
        def address():
            return get_remote_address()

        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()


# ---- The client's address ------------------------------------------------------------------------------


def test_without_trusted_proxies_a_forged_forwarded_for_header_is_ignored(other_app):
    client = other_app().test_client()
    seen = client.get(
        "/test/address", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.5"}
    )
    assert seen.get_data(as_text=True) == "10.0.0.5"


def test_behind_one_trusted_proxy_the_address_it_adds_is_the_clients(other_app):
    client = other_app(TRUSTED_PROXIES=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    seen = client.get("/test/address", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base=proxy)
    assert seen.get_data(as_text=True) == "203.0.113.9"
    # Whatever the client wrote itself stands to the left of what our proxy added, and is not read.
    forged = client.get(
        "/test/address", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, environ_base=proxy
    )
    assert forged.get_data(as_text=True) == "203.0.113.9"


def test_trusted_proxies_must_be_a_whole_number(monkeypatch, database_url):
    for name, value in (
        ("SECRET_KEY", "a-production-secret"),
        ("DATABASE_URL", database_url),
        ("REDIS_URL", "redis://127.0.0.1:6379/0"),
        ("TRUSTED_PROXIES", "two"),
    ):
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be a whole number"):
        create_app("production")


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RESPONSE_RATE_LIMIT_PER_CONSULTATION", "2 per minute")
    consultation = make_consultation()
    token = client.csrf_token(_url(consultation))
    statuses = [
        client.post(
            _url(consultation),
            data={**form_data(consultation), "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        ).status_code
        for number in range(3)
    ]
    assert statuses == [302, 302, 429]


# ---- Limits a real event survives and a script does not ------------------------------------------------


class _Script(FlaskClient):
    """A client that reads no page, as a script would: a thousand pages' markup checks would be most of the
    test's time. Each request gets its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def flood(self, consultations, posts: int, address: str) -> list[int]:
        token = CSRF.search(self.get(_url(consultations[0])).get_data(as_text=True))[1]
        # The honeypot filled in, as bots do: a post that gets past the limits stores nothing.
        forms = [{**form_data(c, website="http://spam.example"), "csrf_token": token} for c in consultations]
        return [
            self.post(
                _url(consultations[number % len(consultations)]),
                data=forms[number % len(consultations)],
                environ_base={"REMOTE_ADDR": address},
            ).status_code
            for number in range(posts)
        ]


def test_a_script_posting_hundreds_a_minute_is_refused_with_a_clear_page(app, client):
    per_consultation = int(app.config["RESPONSE_RATE_LIMIT_PER_CONSULTATION"].split()[0])
    per_address = int(app.config["RESPONSE_RATE_LIMIT_PER_ADDRESS"].split()[0])
    consultations = [make_consultation() for _ in range(3)]
    script = _Script(app)
    # Five times the limit stands for a thousand: from the 61st post in a minute on, every one is refused.
    at_one = script.flood(consultations[:1], 5 * per_consultation, "203.0.113.50")
    assert at_one.count(400) == per_consultation and at_one.count(429) == 4 * per_consultation
    # Spread over every open consultation, the address's own limit holds.
    spread = script.flood(consultations, 3 * per_consultation, "203.0.113.51")
    assert spread.count(400) == per_address and spread.count(429) == 3 * per_consultation - per_address
    # The person (or script) sees the service's own page, which says what to do.
    refused = client.submit(
        _url(consultations[0]), form_data(consultations[0]), environ_base={"REMOTE_ADDR": "203.0.113.50"}
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    page = refused.get_data(as_text=True)
    assert "Too many requests" in page and "Wait a few minutes" in page and "govuk-service-navigation" in page
    assert _stored() == 0


# ---- Counters: one store for every worker in production, safe under threads in one process --------------


def test_production_refuses_to_start_without_redis(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app("production")


def test_counters_are_kept_in_redis_when_it_is_configured_and_in_locked_memory_otherwise(other_app):
    other_app(REDIS_URL="redis://127.0.0.1:6379/0")
    assert isinstance(limiter.storage, RedisStorage)
    other_app()
    assert type(limiter.storage) is LockedMemoryStorage


def test_responses_are_still_taken_when_the_counters_store_is_down(other_app, caplog):
    # Port 1: nothing listens, so every count fails at once.
    down = other_app(REDIS_URL="redis://127.0.0.1:1/0", WTF_CSRF_ENABLED=False)
    with down.app_context():
        consultation = make_consultation()
        data = form_data(consultation)
    sent = down.test_client().post(_url(consultation), data=data)
    assert sent.status_code == 302 and _stored() == 1
    assert "Failed to rate limit" in caplog.text


@pytest.fixture
def busy_machine(monkeypatch):
    """Widen the window that the limiter's storage must survive: after a thread replaces the storage's
    stopped expiry timer, it pauses before starting it, as on a busy machine. `limits`' own memory storage
    then starts one timer twice ("threads can only be started once") nearly every time two threads meet."""
    storage = limiter.storage

    def replace_timer(self, timer):
        self.__dict__["timer"] = timer
        time.sleep(0.002)  # the GIL is released: another thread may run here

    slow = type(f"Slow{type(storage).__name__}", (type(storage),), {})
    slow.timer = property(lambda self: self.__dict__["timer"], replace_timer)
    monkeypatch.setattr(storage, "__class__", slow)
    return storage


def _wait_for_the_expiry_timer_to_stop(storage) -> None:
    # It sweeps once, 10 ms after it starts; the next count must then start a new one, which is the race.
    storage.timer.join()


def test_the_limiter_storage_counts_right_when_threads_arrive_together(busy_machine):
    errors, rounds, threads_per_round = [], 20, 8
    for round_number in range(rounds):
        _wait_for_the_expiry_timer_to_stop(busy_machine)
        barrier = threading.Barrier(threads_per_round)

        def count(round_number=round_number, barrier=barrier):
            barrier.wait()
            try:
                busy_machine.incr(f"round-{round_number}", 60)
            except Exception as error:  # any error at all is the failure this test looks for
                errors.append(error)

        started = [threading.Thread(target=count) for _ in range(threads_per_round)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    assert errors == []
    assert [busy_machine.get(f"round-{number}") for number in range(rounds)] == [threads_per_round] * rounds


def test_fifty_people_behind_one_address_respond_at_once_and_all_get_receipts(app, busy_machine, caplog):
    """A drop-in session on one library's wifi: 50 people, one address, pressing "Send" together, in rounds
    of ten, each round after the limiter's expiry timer has stopped, so each round races to start it."""
    consultation = make_consultation()
    url, library = _url(consultation), {"REMOTE_ADDR": "192.0.2.10"}
    people = []
    for _ in range(50):
        browser = _Script(app)  # each person has their own browser, and so their own session
        page = browser.get(url, environ_base=library).get_data(as_text=True)
        data = {**form_data(consultation), "csrf_token": CSRF.search(page)[1], "token": TOKEN.search(page)[1]}
        people.append((browser, data))
    results = [None] * 50

    def send(index, barrier):
        browser, data = people[index]
        barrier.wait()
        sent = browser.post(url, data=data, environ_base=library)
        receipt = browser.get(sent.location, environ_base=library) if sent.status_code == 302 else None
        results[index] = (sent.status_code, receipt and RECEIPT.search(receipt.get_data(as_text=True))[1])

    for first in range(0, 50, 10):
        _wait_for_the_expiry_timer_to_stop(busy_machine)
        barrier = threading.Barrier(10)
        started = [threading.Thread(target=send, args=(i, barrier)) for i in range(first, first + 10)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    assert [status for status, _ in results] == [302] * 50
    assert "Failed to rate limit" not in caplog.text  # an error in the limiter is logged, not shown
    references = {reference for _, reference in results}
    db.session.expire_all()
    assert len(references) == 50 and references == set(db.session.scalars(select(Response.reference)))


# ---- The database dropping the connection as a response is saved ----------------------------------------


ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
# before: the connection drops before the commit reaches the database, so nothing is saved.
# after: the commit is saved, but the connection drops before the app hears so (the worst case).
# mid-request: it drops as the response is written, unnoticed by the driver, so the rollback fails too.
# terminated: PostgreSQL itself ends the connection (pg_terminate_backend) just before the commit.
DROPS = ["before", "after", "mid-request", *(["terminated"] if ON_POSTGRES else [])]


@pytest.fixture
def connection_drops(app, monkeypatch):
    """Arm one connection failure of a given kind, as when the database server goes away mid-request."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # pages as production shows them
    dialect, engine = db.engine.dialect, db.engine
    commit, rollback, armed = dialect.do_commit, dialect.do_rollback, []
    lost = dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    def failing_commit(connection):
        when = armed.pop() if armed and armed[-1] in ("before", "after", "terminated") else None
        if when == "terminated":
            with engine.connect() as other:
                pid = connection.dbapi_connection.info.backend_pid
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        elif when == "after":
            commit(connection)
        if when in ("before", "after"):
            connection.dbapi_connection.close()
            raise lost
        return commit(connection)

    def failing_insert(conn, cursor, statement, *args):
        if armed == ["mid-request"] and statement.startswith("INSERT INTO response"):
            armed[:] = ["rollback"]
            raise lost

    def failing_rollback(connection):
        if armed == ["rollback"]:
            armed.clear()
            raise lost
        return rollback(connection)

    monkeypatch.setattr(dialect, "do_commit", failing_commit)
    monkeypatch.setattr(dialect, "do_rollback", failing_rollback)
    event.listen(engine, "before_cursor_execute", failing_insert)
    yield armed.append
    event.remove(engine, "before_cursor_execute", failing_insert)
    assert armed == [], "the failure was armed but never happened"


@pytest.mark.parametrize("drop", DROPS)
def test_a_response_is_never_lost_or_saved_twice_when_the_connection_drops(client, connection_drops, drop):
    consultation = make_consultation()
    url = _url(consultation)
    page = client.get(url).get_data(as_text=True)
    data = {**form_data(consultation), "csrf_token": CSRF.search(page)[1], "token": TOKEN.search(page)[1]}
    connection_drops(drop)
    failed = client.post(url, data=data)
    # The service's own page, which tells the person what to do.
    assert failed.status_code == 500
    text = failed.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text and "govuk-service-navigation" in text
    assert "Go back and send it again" in text
    if ON_POSTGRES or drop != "before":
        # On SQLite the driver leaves transactions to the database until the first INSERT, so the savepoint
        # the response is written in opens the transaction and its release commits it: saved either way.
        assert _stored() == (1 if drop == "after" else 0)
    # They send the same form again (their browser's back button, or reloading the page).
    again = client.post(url, data=data)
    assert again.status_code == 302
    receipt = client.page(again.location).select_one("#receipt-reference").text
    db.session.expire_all()
    assert list(db.session.scalars(select(Response.reference))) == [receipt]
    # The app recovered without a restart: the next person's response is saved as usual.
    assert client.submit(url, form_data(consultation)).status_code == 302 and _stored() == 2


# ---- A fast form: rendered once per version of a consultation, and a post of few queries -------------------


@pytest.fixture
def statements(app):
    """The SQL statements sent while the block runs."""
    sent = []

    def record(conn, cursor, statement, *args):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


def test_the_form_is_one_query_and_a_response_one_read_and_one_insert_per_table(client, statements):
    consultation = make_consultation()
    data = {**form_data(consultation), "csrf_token": client.csrf_token(_url(consultation))}
    statements.clear()
    client.get(_url(consultation))
    assert len(statements) == 1  # the consultation with its questions and policies
    statements.clear()
    assert client.post(_url(consultation), data=data).status_code == 302
    reads = [s for s in statements if s.startswith("SELECT")]
    inserts = Counter(re.match(r"INSERT INTO (\w+)", s)[1] for s in statements if s.startswith("INSERT"))
    # the response's one read, then, in a transaction of its own, the look at which monitoring answers wait
    assert len(reads) == 2 and "monitoring_waiting" in reads[1], reads
    assert set(inserts) == {"monitoring_waiting", "response", "answer", "feedback", "audit_event"}
    # SQLite cannot return the ids of a many-row INSERT in order, so there each answer is its own INSERT.
    one_per_answer = 0 if ON_POSTGRES else inserts["answer"] - 1
    # Two reads, a savepoint (so a form sent twice at once is caught by the token's unique key), five INSERTs.
    assert len(statements) - one_per_answer <= 9, statements


@pytest.fixture
def renders(app):
    """Which templates were rendered, by name."""
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    public_form.forget_all()
    yield names
    template_rendered.disconnect(record, app)


def test_the_blank_form_is_rendered_once_and_what_is_personal_never_shared(client, renders):
    consultation = make_consultation()
    first, second = client.get(_url(consultation)), app_client(client).get(_url(consultation))
    assert renders.count("consultations/_response-fields.html") == 1
    one, two = first.get_data(as_text=True), second.get_data(as_text=True)
    assert CSRF.search(one)[1] != CSRF.search(two)[1] and TOKEN.search(one)[1] != TOKEN.search(two)[1]
    assert first.headers["Content-Security-Policy"] != second.headers["Content-Security-Policy"]
    assert _fields(one) == _fields(two) and "What matters most to you?" in _fields(one)
    # Someone's answers and errors are never kept for the next person: a form shown again is rendered afresh.
    data = {**form_data(consultation, email="not an email"), "csrf_token": CSRF.search(one)[1]}
    refused = client.post(_url(consultation), data=data)
    assert "Enter an email address in the correct format" in refused.get_data(as_text=True)
    assert renders.count("consultations/_response-fields.html") == 2
    third = app_client(client).get(_url(consultation)).get_data(as_text=True)
    assert "not an email" not in third and "govuk-error-message" not in third


def test_a_changed_question_is_shown_at_once(client, renders):
    consultation = make_consultation()
    assert "What matters most to you?" in client.get(_url(consultation)).get_data(as_text=True)
    service.update_question(
        audit.SYSTEM,
        consultation.questions[0],
        kind="free_text",
        text="What would help you most?",
        hint="",
        required=True,
        max_length=500,
        options=[],
    )
    db.session.commit()
    page = client.get(_url(consultation)).get_data(as_text=True)
    assert "What would help you most?" in page and "What matters most to you?" not in page


def app_client(client):
    """Another visitor, with their own session."""
    return client.application.test_client()


def _fields(page: str) -> str:
    """The part of the form that is the same for everyone: from the first question to the privacy notice."""
    return page[page.index("About your response") : page.index('<h2 class="govuk-heading-m">Privacy</h2>')]
