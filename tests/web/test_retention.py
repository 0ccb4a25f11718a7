"""Retention: one table says how long each kind of data is kept; the notice and the command obey it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.consultations.models import Response
from crm.core import retention
from crm.core.models import AuditEvent, utc_now
from crm.extensions import db
from crm.groups.models import Contact
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["crm", "retention", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _closed_consultation(days_ago: int, respondents=()):
    """A consultation that closed `days_ago`, with a response from each (name, email) of `respondents`."""
    consultation = make_consultation("open")
    for name, email in respondents:
        respond(consultation, name=name, email=email)
    consultation.status = "closed"
    consultation.closes_at = utc_now() - timedelta(days=days_ago)
    consultation.opens_at = consultation.closes_at - timedelta(days=30)
    db.session.commit()
    return consultation


def test_the_privacy_notice_states_every_period_the_table_holds(client):
    page = client.get("/privacy").get_data(as_text=True)
    for data_class in retention.DATA_CLASSES:
        assert data_class.name.replace("'", "&#39;") in page
        assert data_class.kept_for in page


def test_a_dry_run_lists_what_is_due_and_changes_nothing(app):
    _closed_consultation(days_ago=400, respondents=[("Pat Old", "pat.old@example.org")])
    output = _run(app, "--dry-run")
    assert "Respondents' names and email addresses (kept 1 year after the consultation closes" in output
    assert ": 1 due" in output
    assert db.session.scalar(select(Response.name)) == "Pat Old"


def test_apply_removes_respondent_details_only_when_due_and_is_on_record(app):
    old = _closed_consultation(400, [(f"Old {number}", f"old{number}@example.org") for number in range(3)])
    _closed_consultation(30, [("Recent Person", "recent@example.org")])

    output = _run(app, "--apply", "--batch", "2")  # two batches, each its own unit of work
    assert "3 anonymised" in output
    rows = db.session.execute(select(Response.consultation_id, Response.name, Response.email)).all()
    assert {(name, email) for cid, name, email in rows if cid == old.id} == {("", "")}
    assert ("Recent Person", "recent@example.org") in {(name, email) for _cid, name, email in rows}
    applied = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "retention.applied")
    )
    assert applied == 2
    # Running it again finds nothing more and records nothing more.
    assert "Respondents' names and email addresses" in _run(app, "--apply")
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "retention.applied")
        )
        == 2
    )


def test_contacts_of_groups_closed_long_ago_lose_their_details(app):
    closed = make_group("Closed Long Ago", status="closed")
    open_group = make_group("Still Going")
    gone = make_contact(closed, name="Sam Gone", email="sam@example.org", phone="0121 000 0000")
    kept = make_contact(open_group, name="Kim Kept", email="kim@example.org")
    closed.updated_at = utc_now() - timedelta(days=800)
    db.session.commit()

    _run(app, "--apply")
    gone, kept = db.session.get(Contact, gone.id), db.session.get(Contact, kept.id)
    assert (gone.name, gone.email, gone.phone, gone.do_not_contact) == ("Former contact", "", "", True)
    assert (kept.name, kept.email) == ("Kim Kept", "kim@example.org")


def test_dry_run_and_apply_together_are_refused(app):
    result = app.test_cli_runner().invoke(args=["crm", "retention", "--dry-run", "--apply"])
    assert result.exit_code != 0 and "not both" in result.output


def test_a_handler_for_a_class_the_table_does_not_hold_is_refused():
    with pytest.raises(KeyError):
        retention.ends("shoe_sizes", due=lambda cutoff: 0)


def test_audit_events_past_their_period_are_purged_and_the_rest_kept(app):
    from crm.core import audit

    old = audit.record(audit.SYSTEM, "group.created", None, [], entity_type="community_group")
    old.occurred_at = utc_now() - timedelta(days=7 * 365)
    recent = audit.record(audit.SYSTEM, "group.updated", None, [], entity_type="community_group")
    db.session.commit()
    old_id, recent_id = old.id, recent.id

    assert "The record of who did what in Community Voice (kept 6 years, then deleted): 1 due" in _run(app)
    _run(app, "--apply")
    remaining = set(db.session.scalars(select(AuditEvent.id)))
    assert old_id not in remaining and recent_id in remaining


def test_monitoring_answers_go_at_the_end_of_their_period_and_the_figures_stay_frozen(
    app, client, sign_in_as
):
    from crm.consultations import retention as consultation_retention
    from crm.consultations.models import MonitoringAnswer, MonitoringSnapshot, MonitoringWaiting
    from crm.core import transaction

    def tables(page):
        return {table.caption.text: table.get_text(" ", strip=True) for table in page.select("table")}

    old = _closed_consultation(800)
    recent = _closed_consultation(30)
    for consultation in (old, recent):
        consultation.status = "open"
        consultation.closes_at = utc_now() + timedelta(days=1)
        db.session.commit()
        for number in range(17):  # three batches would need 15: two responses still wait
            respond(consultation, monitoring_answers={"sex": "female" if number % 3 else "male"})
    old.closes_at = utc_now() - timedelta(days=800)
    recent.closes_at = utc_now() - timedelta(days=30)
    db.session.commit()
    sign_in_as("equality_lead")
    url = f"/staff/consultations/{old.id}/monitoring"
    before = tables(client.page(url))
    assert before

    def held(consultation):
        return sum(
            db.session.scalar(select(func.count()).where(model.consultation_id == consultation.id))
            for model in (MonitoringAnswer, MonitoringWaiting)
        )

    due = held(old)
    assert (
        f"Equality monitoring answers (kept 2 years after the consultation closes, then deleted): {due:,} due"
        in (_run(app, "--dry-run"))
    )
    cutoff = retention.BY_KEY["monitoring_answers"].cutoff(utc_now())
    with transaction.unit_of_work():  # a run stopped after its first batch
        assert consultation_retention.delete_monitoring_answers(cutoff, 40) == 40
    page = client.page(url)
    assert tables(page) == before and "These figures were frozen on" in page.text
    assert f"{due - 40:,} deleted" in _run(app, "--apply", "--batch", "50")  # running it again finishes it
    assert held(old) == 0 and held(recent) > 0
    assert db.session.scalar(select(func.count()).select_from(MonitoringSnapshot)) == 1
    assert tables(client.page(url)) == before
    assert "0 due" in _run(app, "--dry-run").split("Equality monitoring answers")[1].splitlines()[0]


class _Clock:
    """A frozen clock for the code that reads `utc_now` where it is used: set it, and time stands there."""

    def __init__(self, monkeypatch, *modules):
        self.now = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
        for module in modules:
            monkeypatch.setattr(module, "utc_now", lambda: self.now)


def _sign_in_records() -> set[tuple[str, str]]:
    from crm.auth.models import SignInThrottle

    db.session.expire_all()
    return {
        tuple(row) for row in db.session.execute(select(SignInThrottle.email, SignInThrottle.client_address))
    }


def test_failed_sign_in_records_are_deleted_90_days_after_the_last_failure(app, monkeypatch):
    import crm.core.models
    from crm.auth import service

    clock = _Clock(monkeypatch, service, crm.core.models)  # the command reads crm.core.models.utc_now

    def fail(email, address):
        service.sign_in(email, "wrong password", 5, timedelta(minutes=15), client_address=address)
        db.session.commit()

    fail("old@example.org", "192.0.2.1")
    clock.now += timedelta(days=60)
    fail("renewed@example.org", "192.0.2.2")
    fail("recent@example.org", "192.0.2.3")
    clock.now += timedelta(days=25)
    fail("renewed@example.org", "192.0.2.2")  # a later failure starts its clock again

    clock.now += timedelta(days=6)  # 91 days after the first failure, 31 after the others
    output = _run(app)
    assert "Failed sign-ins to staff accounts" in output and "90 days after the last failed attempt" in output
    assert ": 1 due" in output.split("Failed sign-ins")[1].splitlines()[0]
    assert len(_sign_in_records()) == 3  # a dry run changes nothing
    _run(app, "--apply")
    assert _sign_in_records() == {("renewed@example.org", "192.0.2.2"), ("recent@example.org", "192.0.2.3")}

    clock.now += timedelta(days=60)  # 91 days after "recent", 66 after the second failure of "renewed"
    _run(app, "--apply")
    assert _sign_in_records() == {("renewed@example.org", "192.0.2.2")}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.applied")).all()
    assert [event.changed_fields for event in events] == [["sign_in_records"], ["sign_in_records"]]


def test_a_lockout_still_running_is_not_deleted_with_its_record(app, monkeypatch):
    import crm.core.models
    from crm.auth import service

    clock = _Clock(monkeypatch, service, crm.core.models)
    for _attempt in range(5):  # locked out for a year (an installation may choose a long lockout)
        service.sign_in("locked@example.org", "wrong", 5, timedelta(days=365), client_address="192.0.2.9")
    db.session.commit()
    clock.now += timedelta(days=100)
    _run(app, "--apply")
    assert _sign_in_records() == {("locked@example.org", "192.0.2.9")}
    clock.now += timedelta(days=400)
    _run(app, "--apply")
    assert _sign_in_records() == set()


def test_the_privacy_notice_lists_sign_in_records(client):
    text = " ".join(client.page("/privacy").text.split())
    assert "Failed sign-ins to staff accounts" in text and "90 days after the last failed attempt" in text
