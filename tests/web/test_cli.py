from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.core.models import Characteristic
from crm.extensions import db


def _create(app, password_input, role="viewer"):
    return app.test_cli_runner().invoke(
        args=["crm", "create-user", "--email", "Cli.User@example.org", "--name", "Cli User", "--role", role],
        input=password_input,
    )


def test_create_user_asks_for_the_password_twice_on_standard_input(app):
    result = _create(app, "amber-walrus-tunnel-kettle\namber-walrus-tunnel-kettle\n")
    assert result.exit_code == 0, result.output
    assert "Created viewer account for cli.user@example.org" in result.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "cli.user@example.org"))
    assert user.role == "viewer"


def test_create_user_refuses_passwords_that_do_not_match(app):
    result = _create(app, "amber-walrus-tunnel-kettle\nsomething-else-entirely\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(StaffUser)) is None


def test_create_user_refuses_a_weak_password_with_the_reason(app):
    result = _create(app, "password1234\npassword1234\n")
    assert result.exit_code != 0 and "too common" in result.output


def test_create_user_refuses_an_unknown_role(app):
    result = _create(app, "amber-walrus-tunnel-kettle\namber-walrus-tunnel-kettle\n", role="emperor")
    assert result.exit_code != 0


def test_seed_demo_runs_twice_and_changes_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["crm", "seed-demo"])
    assert first.exit_code == 0 and "admin@example.org" in first.output
    users = db.session.scalar(select(db.func.count()).select_from(StaffUser))
    characteristics = db.session.scalar(select(db.func.count()).select_from(Characteristic))
    from crm.core.email import OutboundEmail
    from crm.engagement.models import Invitation

    # invitations a development service would have sent, for the admin's email page
    invited = db.session.scalar(select(db.func.count()).select_from(Invitation))
    assert invited > 0
    assert db.session.scalar(select(db.func.count()).select_from(OutboundEmail)) == invited
    second = runner.invoke(args=["crm", "seed-demo"])
    assert "already loaded" in second.output
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == invited
    assert db.session.scalar(select(db.func.count()).select_from(StaffUser)) == users == 5
    assert db.session.scalar(select(db.func.count()).select_from(Characteristic)) == characteristics == 13


def test_seed_demo_makes_consultations_in_every_state_with_responses_and_suppressed_monitoring(app):
    from sqlalchemy import func

    from crm.consultations.models import Consultation, MonitoringAnswer, Response
    from crm.consultations.monitoring_store import counts as monitoring_counts
    from crm.core.suppression import suppress_distribution
    from crm.demo import seed_demo

    assert seed_demo() is True
    consultations = db.session.scalars(select(Consultation)).all()
    states = {consultation.current_status for consultation in consultations}
    assert states == {"draft", "scheduled", "open", "closed", "analysed", "outcome_published"}
    from crm.core.time import UK

    # they open at 9am and close at 11:59pm UK time, not at the minute the demo was loaded
    assert {c.closes_at.astimezone(UK).strftime("%H:%M") for c in consultations} == {"23:59"}
    assert {c.opens_at.astimezone(UK).strftime("%H:%M") for c in consultations} == {"09:00"}
    open_one = next(c for c in consultations if c.current_status == "open")
    count = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.consultation_id == open_one.id)
    )
    assert count == 300
    ethnic = monitoring_counts(open_one.id)["ethnic_group"]
    assert suppress_distribution(ethnic, 5).any_suppressed
    before = db.session.scalar(select(func.count()).select_from(MonitoringAnswer))
    assert seed_demo() is False
    assert db.session.scalar(select(func.count()).select_from(MonitoringAnswer)) == before
