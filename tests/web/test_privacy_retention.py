"""Retention of data requests and of what people wrote in consultations (crm/privacy/retention.py)."""

from datetime import timedelta

from sqlalchemy import func, select

from crm.consultations.models import Answer, Response
from crm.core import retention
from crm.core.models import utc_now
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.privacy.models import DataRequest, DataRequestNote
from crm.privacy.rules import due_date
from tests.consultation_factories import make_consultation, respond


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["crm", "retention", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _request(closed_days_ago: int | None, received_days_ago: int = 900) -> DataRequest:
    received = utc_now() - timedelta(days=received_days_ago)
    request = DataRequest(
        kind="access",
        received_at=received,
        due_on=due_date(received),
        requester_email="sam@example.org",
        status="open" if closed_days_ago is None else "completed",
        closed_at=None if closed_days_ago is None else utc_now() - timedelta(days=closed_days_ago),
        notes=[DataRequestNote(text="Replied")],
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_data_requests_are_deleted_two_years_after_they_close(app):
    old, recent, still_open = (_request(days).id for days in (800, 100, None))
    assert "Requests to withdraw, copy, correct or erase your information" in _run(app, "--dry-run")
    output = _run(app, "--apply")
    assert "1 deleted" in output
    remaining = set(db.session.scalars(select(DataRequest.id)))
    assert remaining == {recent, still_open} and old not in remaining
    assert _count(DataRequestNote) == 2


def _closed_consultation(days_ago: int):
    consultation = make_consultation("open")
    respond(consultation, name="Pat Old", email="pat@example.org")
    consultation.status = "closed"
    consultation.closes_at = utc_now() - timedelta(days=days_ago)
    consultation.opens_at = consultation.closes_at - timedelta(days=30)
    db.session.commit()
    return consultation


def test_what_people_wrote_is_removed_six_years_after_the_consultation_closes_and_the_rows_stay(app):
    old, recent = _closed_consultation(7 * 365), _closed_consultation(30)
    edited = db.session.scalar(select(Feedback).where(Feedback.consultation_id == old.id))
    edited.original_text, edited.text = edited.text, "Corrected by an officer"
    db.session.commit()
    counts = (_count(Response), _count(Answer), _count(Feedback))
    output = _run(app, "--apply", "--batch", "1")
    assert (
        "Consultation responses and what they said (kept 6 years after the consultation closes, then "
        "anonymised" in output
    )
    assert (_count(Response), _count(Answer), _count(Feedback)) == counts  # nothing deleted: counts hold
    marker = retention.REMOVED_AT_END_OF_PERIOD
    old_texts = set(
        db.session.scalars(
            select(Answer.text)
            .join(Response)
            .where(Response.consultation_id == old.id, Answer.text.is_not(None))
        )
    )
    assert old_texts == {marker}
    assert set(db.session.scalars(select(Feedback.text).where(Feedback.consultation_id == old.id))) == {
        marker
    }
    assert db.session.get(Feedback, edited.id).original_text == marker  # the first words go too
    assert set(db.session.scalars(select(Feedback.text).where(Feedback.consultation_id == recent.id))) == {
        "More buses in the evening"
    }
    # Choice answers are not text people wrote: they stay, so the consultation's summary still adds up.
    assert _count(Answer, Answer.value.is_not(None)) > 0
    assert ": 0 due" in _run(app, "--dry-run").split("Consultation responses")[1].split("\n")[0]


def test_the_privacy_notice_says_what_happens_to_response_text():
    detail = retention.BY_KEY["response_text"].detail
    assert "removed" in detail and "stay" in detail
    assert retention.BY_KEY["response_text"].ending == retention.ANONYMISE
