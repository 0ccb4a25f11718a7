"""Demo policies and consultations (clearly fictional), with about 300 responses through the real service."""

import random
from datetime import time, timedelta

from sqlalchemy import select

from crm.auth.models import StaffUser
from crm.consultations import monitoring, monitoring_store, service
from crm.consultations.models import Consultation
from crm.core import audit
from crm.core.models import DeliveryArea, utc_now
from crm.core.time import uk_today, utc_from_uk
from crm.extensions import db
from crm.policies.models import Policy
from crm.policies.service import create_policy

POLICIES = [
    ("DEMO-POL-001", "Fictional Adult Skills Strategy", "strategy", "Skills", "consultation"),
    ("DEMO-POL-002", "Imaginary Evening Bus Scheme", "scheme", "Transport", "in_development"),
    ("DEMO-POL-003", "Pretend Warm Homes Programme", "programme", "Housing", "adopted"),
]
# (slug, title, state, days from now it opens, days it runs)
CONSULTATIONS = [
    ("demo-evening-buses", "Evening buses in Sandwell (demo)", "open", -20, 40),
    ("demo-skills-draft", "Adult skills priorities (demo, draft)", "draft", 10, 30),
    ("demo-libraries-scheduled", "Community libraries (demo, scheduled)", "scheduled", 7, 28),
    ("demo-parks-closed", "Green spaces in Dudley (demo, closed)", "closed", -60, 30),
    ("demo-warm-homes-analysed", "Warm homes grants (demo, analysed)", "analysed", -120, 42),
    (
        "demo-cycle-lanes-outcome",
        "Cycle lanes in Coventry (demo, outcome published)",
        "outcome_published",
        -200,
        42,
    ),
]
COMMENTS = [
    "Buses after 9pm would let me take evening shifts.",
    "I do not feel safe waiting at the stop after dark.",
    "My mum uses a wheelchair and the late buses are often full.",
    "Please keep the fares the same in the evening.",
    "Real-time information at stops would help a lot.",
    "I would use a bus to the hospital for visiting hours.",
]


def seed_demo_consultations(rng: random.Random | None = None) -> bool:
    if db.session.scalar(select(Policy.id).where(Policy.reference == POLICIES[0][0])):
        return False
    rng = rng or random.Random(2027)
    owner = db.session.scalar(select(StaffUser).where(StaffUser.role == "policy_lead").order_by(StaffUser.id))
    delivery_areas = {
        row.name: row.id for row in db.session.execute(select(DeliveryArea.name, DeliveryArea.id))
    }
    policies = [
        create_policy(
            audit.SYSTEM,
            reference=reference,
            title=title,
            kind=kind,
            delivery_area_id=delivery_areas.get(area),
            is_key=kind in ("strategy", "scheme"),
            owner_id=owner.id if owner else None,
            status=status,
            summary=f"A demo {kind} for trying Community Voice out.",
        )
        for reference, title, kind, area, status in POLICIES
    ]
    today = uk_today()
    for index, (slug, title, state, opens_in, runs_for) in enumerate(CONSULTATIONS):
        # Opening at 9am and closing at 11:59pm UK time, as a real consultation would.
        opens_on = today + timedelta(days=opens_in)
        opens_at = utc_from_uk(opens_on, time(9, 0))
        consultation = service.create_consultation(
            audit.SYSTEM,
            title=title,
            slug=slug,
            summary="A fictional consultation made up for the demo.",
            background="Nothing here is real. It shows how a consultation looks to the public.",
            privacy_notice="Demo only: we use your answers to shape the plan.",
            opens_at=opens_at,
            closes_at=utc_from_uk(opens_on + timedelta(days=runs_for), time(23, 59)),
            formats=["easy_read", "bsl", "large_print"],
            asks_monitoring=True,
            asks_carer=index == 0,
            asks_care_experienced=index == 0,
            policy_ids=[policies[index % len(policies)].id],
        )
        _add_questions(consultation)
        if state != "draft":
            consultation.status = "scheduled" if state in ("open", "scheduled", "closed") else state
        if state == "open":
            _add_responses(consultation, 300, rng)
        elif state in ("closed", "analysed", "outcome_published"):
            _add_responses(consultation, 12, rng, received_at=opens_at + timedelta(days=2), channel="paper")
    return True


def _add_questions(consultation: Consultation) -> None:
    questions = [
        ("free_text", "What would make this better for you?", True, []),
        (
            "single_choice",
            "How often would you use it?",
            True,
            ["Every day", "Every week", "Now and then", "Never"],
        ),
        ("multiple_choice", "What gets in the way?", False, ["Cost", "Safety", "Information", "Access"]),
        ("agreement", "Do you agree with the proposal?", False, []),
    ]
    for kind, text, required, options in questions:
        service.add_question(
            audit.SYSTEM,
            consultation,
            kind=kind,
            text=text,
            hint="",
            required=required,
            max_length=1000,
            options=options,
        )


def _pick(rng, question, weights_for_first=0.6):
    codes = [code for code, _ in question.choices]
    roll = rng.random()
    if roll < 0.04:
        return monitoring.PREFER_NOT
    if roll < 0.08:
        return ""  # left blank: stored as "Not answered"
    # A skewed spread, so that rarer categories fall under the suppression threshold.
    if rng.random() < weights_for_first:
        return codes[0]
    return rng.choice(codes[:-1])


def _add_responses(consultation, how_many, rng, received_at=None, channel="online") -> None:
    """Through the real service (every rule applies), committed once at the end so it stays quick."""
    questions = consultation.questions
    start = received_at or utc_now() - timedelta(days=19)
    for number in range(how_many):
        given = {question.code: _pick(rng, question) for question in monitoring.asked_questions(consultation)}
        if rng.random() < 0.03:  # a few rare answers, so the demo shows "fewer than 5" and "hidden"
            given["ethnic_group"] = rng.choice(["white_roma", "other_arab", "mixed_white_black_african"])
        else:
            given["ethnic_group"] = rng.choice(
                ["white_british"] * 10 + ["asian_pakistani"] * 4 + ["asian_indian", "black_caribbean"]
            )
        answers = {
            questions[0].id: rng.choice(COMMENTS),
            questions[1].id: str(rng.randint(1, 4)),
            questions[2].id: sorted({str(rng.randint(1, 4)) for _ in range(rng.randint(0, 2))}),
            questions[3].id: str(rng.randint(1, 5)),
        }
        service.submit_response(
            consultation,
            answers=answers,
            token=service.new_submission_token(),
            respondent_kind="group" if number % 15 == 0 else "individual",
            group_name="Fictional Tipton Tenants Group" if number % 15 == 0 else "",
            consent=True,
            channel=channel,
            monitoring_answers=given,
            received_at=start + timedelta(minutes=90 * number) if received_at is None else received_at,
        )
    # Fictional people, so their answers are published at once rather than waiting for the commit.
    monitoring_store.publish_waiting(consultation.id, at_least=1)
