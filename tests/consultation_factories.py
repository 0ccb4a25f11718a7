"""Builders for consultations and responses, through the real services."""

from datetime import timedelta
from itertools import count

from crm.consultations import service
from crm.consultations.models import Consultation
from crm.core import audit, transaction
from crm.core.models import utc_now
from crm.extensions import db

_numbers = count(1)


def make_consultation(state: str = "open", questions: bool = True, **values) -> Consultation:
    """A consultation with a free-text, a single-choice, a multiple-choice and an agreement question."""
    number = next(_numbers)
    now = utc_now()
    consultation = service.create_consultation(
        audit.SYSTEM,
        title=values.pop("title", f"Test consultation {number}"),
        slug=values.pop("slug", f"test-consultation-{number}"),
        summary=values.pop("summary", "What should we do?"),
        privacy_notice="We use your answers to shape the plan.",
        opens_at=values.pop("opens_at", now - timedelta(days=1)),
        closes_at=values.pop("closes_at", now + timedelta(days=30)),
        asks_monitoring=values.pop("asks_monitoring", True),
        **values,
    )
    if questions:
        service.add_question(
            audit.SYSTEM,
            consultation,
            kind="free_text",
            text="What matters most to you?",
            hint="",
            required=True,
            max_length=500,
            options=[],
        )
        service.add_question(
            audit.SYSTEM,
            consultation,
            kind="single_choice",
            text="How do you travel?",
            hint="",
            required=True,
            max_length=None,
            options=["Bus", "Train", "Car"],
        )
        service.add_question(
            audit.SYSTEM,
            consultation,
            kind="multiple_choice",
            text="Which services do you use?",
            hint="",
            required=False,
            max_length=None,
            options=["Library", "Leisure centre", "Job centre"],
        )
        service.add_question(
            audit.SYSTEM,
            consultation,
            kind="agreement",
            text="Do you agree with the plan?",
            hint="",
            required=False,
            max_length=None,
            options=[],
        )
    if state != "draft":
        consultation.status = "scheduled"
        if state == "scheduled":
            consultation.opens_at = now + timedelta(days=1)
        elif state == "closed":
            consultation.closes_at = now - timedelta(minutes=1)
    db.session.commit()  # set-up data outlives a request that refuses and rolls back
    return consultation


def answers_for(consultation, text="More buses in the evening", travel="1", services=("1",), agree="2"):
    q = consultation.questions
    return {q[0].id: text, q[1].id: travel, q[2].id: list(services), q[3].id: agree}


def form_data(consultation, **changes) -> dict:
    """What the public form posts for a complete, valid response."""
    q = consultation.questions
    data = {
        "consultation_id": str(consultation.id),
        "token": service.new_submission_token(),
        "respondent_kind": "individual",
        f"q{q[0].id}": "More buses in the evening",
        f"q{q[1].id}": "1",
        f"q{q[2].id}": ["1", "3"],
        f"q{q[3].id}": "2",
        "about_sex": "female",
        "about_ethnic_group": "asian_indian",
        "about_long_term_condition": "yes",
        "about_disability_activity": "yes_a_little",
        "consent": "y",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def respond(consultation, commit=True, **values):
    """A response through the service. Committed as a request would be (so its monitoring answers are
    published once a batch is waiting), unless `commit` is false."""
    kwargs = {"answers": answers_for(consultation), "token": service.new_submission_token(), "consent": True}
    kwargs.update(values)
    if not commit:
        return service.submit_response(consultation, **kwargs)[0]
    with transaction.unit_of_work():
        response, _created = service.submit_response(consultation, **kwargs)
    return response
