import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.consultations import monitoring, monitoring_store, service
from crm.consultations.models import MonitoringAnswer, effective_status
from crm.core import audit
from crm.core.models import AuditEvent, utc_now
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.consultation_factories import make_consultation, respond

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2027, 3, 31, 22, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 - timedelta(seconds=1), "scheduled"),
        (T0, "open"),
        (T1 - timedelta(seconds=1), "open"),
        (T1, "closed"),
    ],
)
def test_a_scheduled_consultation_opens_and_closes_by_its_dates(now, expected):
    assert effective_status("scheduled", T0, T1, now) == expected


@pytest.mark.parametrize("status", ["draft", "analysed", "outcome_published"])
def test_other_statuses_do_not_move_with_the_clock(status):
    assert effective_status(status, T0, T1, T0 + timedelta(days=2)) == status


def test_lifecycle_runs_in_order_and_refuses_skips():
    consultation = make_consultation(state="draft")
    with pytest.raises(service.ConsultationError):
        service.transition(audit.SYSTEM, consultation, "analyse")
    assert service.transition(audit.SYSTEM, consultation, "schedule") == "open"  # its dates are now
    assert service.available_actions(consultation) == ["close"]
    assert service.transition(audit.SYSTEM, consultation, "close") == "closed"
    assert service.transition(audit.SYSTEM, consultation, "analyse") == "analysed"
    assert service.transition(audit.SYSTEM, consultation, "publish-outcome") == "outcome_published"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == [
        "consultation.schedule",
        "consultation.close",
        "consultation.analyse",
        "consultation.publish_outcome",
    ]


def test_scheduling_needs_dates_in_the_future_and_a_question():
    consultation = make_consultation(state="draft", questions=False)
    with pytest.raises(service.ConsultationError, match="Add at least one question"):
        service.transition(audit.SYSTEM, consultation, "schedule")
    consultation = make_consultation(state="draft", opens_at=None, closes_at=None)
    with pytest.raises(service.ConsultationError, match="Set the opening and closing dates"):
        service.transition(audit.SYSTEM, consultation, "schedule")
    past = utc_now() - timedelta(days=1)
    consultation = make_consultation(state="draft", opens_at=past - timedelta(days=5), closes_at=past)
    with pytest.raises(service.ConsultationError, match="closing date has passed"):
        service.transition(audit.SYSTEM, consultation, "schedule")


def test_closing_must_follow_opening():
    now = utc_now()
    with pytest.raises(service.ConsultationError, match="closing date must be after"):
        make_consultation(opens_at=now, closes_at=now)


def test_questions_cannot_change_once_a_response_exists():
    consultation = make_consultation()
    question = consultation.questions[0]
    service.move_question(audit.SYSTEM, consultation.questions[1], "up")
    assert [q.text for q in consultation.questions][:2] == ["How do you travel?", "What matters most to you?"]
    service.move_question(audit.SYSTEM, question, "up")
    respond(consultation)
    for attempt in (
        lambda: service.add_question(
            audit.SYSTEM,
            consultation,
            kind="free_text",
            text="New?",
            hint="",
            required=False,
            max_length=None,
            options=[],
        ),
        lambda: service.update_question(
            audit.SYSTEM,
            question,
            kind="free_text",
            text="Changed",
            hint="",
            required=False,
            max_length=None,
            options=[],
        ),
        lambda: service.delete_question(audit.SYSTEM, question),
        lambda: service.move_question(audit.SYSTEM, question, "down"),
    ):
        with pytest.raises(service.ConsultationError, match="already has responses"):
            attempt()


def test_receipt_references_are_readable_and_unique():
    references = {service.new_receipt_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(r"CV-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", reference)


def test_a_response_makes_feedback_from_free_text_and_keeps_monitoring_apart():
    consultation = make_consultation()
    response = respond(
        consultation,
        monitoring_answers={"sex": "female", "religion": monitoring.PREFER_NOT, "long_term_condition": "no"},
    )
    feedback = db.session.scalar(select(Feedback))
    assert feedback.text == "More buses in the evening" and feedback.response_id == response.id
    assert feedback.answer_id is not None and feedback.consultation_id == consultation.id
    assert feedback.source == "response" and feedback.status == "new"
    for _others in range(4):  # published once a batch of five is waiting
        respond(consultation)
    ids = monitoring_store.answer_ids(response.reference)
    codes = dict(
        db.session.execute(
            select(MonitoringAnswer.question, MonitoringAnswer.answer).where(MonitoringAnswer.id.in_(ids))
        ).all()
    )
    assert codes["sex"] == "female"
    assert codes["religion"] == monitoring.PREFER_NOT
    assert codes["age_band"] == monitoring.NOT_ANSWERED  # blank is not the same as "prefer not to say"
    assert codes["disability_activity"] == monitoring.NOT_APPLICABLE
    assert codes["disabled"] == "not_disabled"
    assert "carer" not in codes  # switched off for this consultation
    columns = set(MonitoringAnswer.__table__.columns.keys())
    assert columns == {"id", "consultation_id", "question", "answer"}  # nothing to join a person on


def test_disability_is_worked_out_from_the_two_gss_questions():
    consultation = make_consultation()
    assert (
        monitoring.normalise(
            consultation, {"long_term_condition": "yes", "disability_activity": "yes_a_lot"}
        )["disabled"]
        == "disabled"
    )
    assert (
        monitoring.normalise(
            consultation, {"long_term_condition": "yes", "disability_activity": "not_at_all"}
        )["disabled"]
        == "not_disabled"
    )
    assert monitoring.normalise(consultation, {"long_term_condition": monitoring.PREFER_NOT})["disabled"] == (
        monitoring.PREFER_NOT
    )
    assert monitoring.normalise(consultation, {})["disabled"] == monitoring.NOT_ANSWERED


def test_every_monitoring_question_offers_prefer_not_to_say_and_ethnicity_has_19_categories():
    for question in monitoring.QUESTIONS:
        assert (monitoring.PREFER_NOT, "Prefer not to say") in question.choices
        assert monitoring.NOT_ANSWERED in question.codes
    assert sum(len(categories) for categories in monitoring.ETHNIC_GROUPS.values()) == 19
    assert len(monitoring.ETHNIC_GROUPS) == 5


def test_spam_excludes_the_feedback_and_reinstating_brings_it_back():
    consultation = make_consultation()
    response = respond(consultation)
    service.set_response_status(audit.SYSTEM, response, "spam")
    assert db.session.scalar(select(Feedback.status)) == "excluded"
    service.set_response_status(audit.SYSTEM, response, "accepted")
    assert db.session.scalar(select(Feedback.status)) == "new"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "response.status_changed")
        )
        == 2
    )
