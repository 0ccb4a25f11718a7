"""Fictional events and the feedback heard at them (about 2,000 items, half coded) for the demo."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from crm.auth.models import StaffUser
from crm.core import audit
from crm.core.models import Area, Barrier, Characteristic, CoproductionPrinciple, DeliveryArea, Theme
from crm.engagement import service
from crm.engagement.models import EVENT_KINDS, EngagementEvent, PrincipleAssessment, Programme
from crm.extensions import db
from crm.feedback.models import (
    Feedback,
    feedback_barrier,
    feedback_characteristic,
    feedback_policy,
    feedback_theme,
)
from crm.groups.models import CommunityGroup
from crm.policies.models import Policy

DEMO_MARKER = "(demo)"
SAYINGS = [
    "The buses stop running before my shift ends, so I can't take the evening jobs.",
    "I didn't know the skills courses were free; nobody told us at the community centre.",
    "The online form doesn't work with my screen reader.",
    "My English is not strong; a leaflet in Punjabi would help my mum.",
    "Childcare costs more than I would earn from the training placement.",
    "The venue had steps at the entrance and no ramp.",
    "We want to be asked before decisions are made, not after.",
    "Caring for my dad means I can only come to things in school hours.",
    "The trams feel unsafe late at night, especially for women on their own.",
    "Young people here feel the jobs fair was not for them.",
    "Veterans need someone who understands forces life when they look for work.",
    "Our mosque would host a session if you asked us.",
    "Data costs are a barrier: I can't apply for jobs on my phone.",
    "The Deaf club needs BSL interpreters booked well in advance.",
    "Rents are going up faster than wages; people are leaving the area.",
    "Care leavers need help with deposits for their first flat.",
    "The cost of living means we skip meals to pay for the bus.",
    "Trans people avoid the job centre because of how they are treated.",
    "New mums would come if there was a space to feed babies.",
    "Older people want a phone number, not a website.",
]


def seed_demo_events() -> bool:
    """Create 20 events and their feedback once. Returns whether anything was created."""
    if db.session.scalar(select(EngagementEvent.id).where(EngagementEvent.title.endswith(DEMO_MARKER))):
        return False
    rng = random.Random(5)
    areas = list(db.session.scalars(select(Area).where(Area.kind == "constituent")))
    officers = list(db.session.scalars(select(StaffUser.id).where(StaffUser.role == "engagement_officer")))
    policies = list(db.session.scalars(select(Policy)))
    # Carers are left unheard on purpose: the evidence demo shows a policy with that gap.
    characteristics = list(
        db.session.scalars(select(Characteristic.id).where(Characteristic.name != "Carers"))
    )
    themes = list(db.session.scalars(select(Theme.id)))
    barriers = list(db.session.scalars(select(Barrier.id)))
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    kinds = list(EVENT_KINDS)
    skills = db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Skills"))
    skills_street = service.create_programme(
        audit.SYSTEM,
        name=f"Skills Street {DEMO_MARKER}",
        description="A fictional street team talking to shoppers about adult skills courses, every week.",
        delivery_area_id=skills,
        coproduction_level="involve",
    )
    db.session.flush()
    events = []
    for number in range(20):
        area = areas[number % len(areas)]
        groups = list(
            db.session.scalars(
                select(CommunityGroup.id).join(CommunityGroup.areas).where(Area.id == area.id).limit(3)
            )
        )
        kind = kinds[number % len(kinds)] if number % 3 else "street_outreach"
        title = (
            "Skills Street" if kind == "street_outreach" else EVENT_KINDS[kind]
        ) + f" in {area.name} {DEMO_MARKER}"
        starts = now - timedelta(days=7 * number + 2, hours=rng.randint(0, 6))
        attendance = rng.randint(8, 120)
        values = service.EventValues(
            title=title,
            kind=kind,
            starts_at=starts,
            ends_at=starts + timedelta(hours=rng.choice([1, 2, 3])),
            area_id=area.id,
            venue=rng.choice(["Community centre", "High street", "Library", "Online", "Market"]),
            attendance=attendance,
            coproduction_level=rng.choice(["inform", "consult", "involve", "collaborate"]),
            provisions=rng.sample(["bsl", "hearing_loop", "step_free", "easy_read", "translation"], 2),
            notes="Fictional demo event.",
            programme_id=skills_street.id if kind == "street_outreach" else None,
            group_ids=groups,
            officer_ids=officers[:1],
            policy_ids=[policies[number % len(policies)].id] if policies else [],
            reach={c: rng.randint(1, attendance // 2) for c in rng.sample(characteristics, 3)},
        )
        events.append(service.create_event(audit.SYSTEM, values))
    _add_feedback(rng, events, characteristics, themes, barriers)
    return True


# Made-up ratings with a pattern worth seeing in the report: street outreach rarely shares power or pays
# people back, and the feedback loop is patchy. (Weights of met, partly met, not met, not assessed.)
PRINCIPLE_ODDS = {
    "shared-power": (1, 2, 5, 1),
    "recognising-lived-experience-as-expertise": (4, 3, 1, 1),
    "accessible-and-inclusive": (5, 2, 1, 0),
    "reciprocity": (1, 2, 4, 2),
    "building-relationships": (3, 3, 2, 1),
    "feedback-on-what-changed": (2, 3, 3, 1),
}
NOTES = {
    "not_met": "Decisions had already been made before the session.",
    "partly_met": "People shaped the questions but not the options.",
}


def seed_demo_principles() -> bool:
    """Assess the demo events and the demo programme against the starter principles, once (a demo made before
    principles existed gets them too). Returns whether anything was created."""
    demo_events = list(
        db.session.scalars(
            select(EngagementEvent)
            .where(EngagementEvent.title.endswith(DEMO_MARKER))
            .order_by(EngagementEvent.id)
        )
    )
    if not demo_events or db.session.scalar(
        select(PrincipleAssessment.id).where(PrincipleAssessment.event_id.in_([e.id for e in demo_events]))
    ):
        return False
    principles = list(
        db.session.scalars(
            select(CoproductionPrinciple)
            .where(CoproductionPrinciple.is_retired.is_(False))
            .order_by(CoproductionPrinciple.sort_order)
        )
    )
    rng = random.Random(15)
    ratings = ("met", "partly_met", "not_met", "not_assessed")

    def values():
        chosen = []
        for principle in principles:
            rating = rng.choices(ratings, PRINCIPLE_ODDS.get(principle.code, (1, 1, 1, 1)))[0]
            chosen.append(
                service.PrincipleValue(
                    principle.id, rating, NOTES.get(rating, "") if rng.random() < 0.3 else ""
                )
            )
        return chosen

    for event in demo_events[:16]:  # a few left unassessed, as in real life
        service.assess_principles(audit.SYSTEM, event, values())
    programme = db.session.scalar(select(Programme).where(Programme.name == f"Skills Street {DEMO_MARKER}"))
    if programme is not None:
        service.assess_principles(audit.SYSTEM, programme, values())
        if not programme.coproduction_level:
            service.update_programme(
                audit.SYSTEM,
                programme,
                name=programme.name,
                description=programme.description,
                delivery_area_id=programme.delivery_area_id,
                coproduction_level="involve",
            )
    return True


def _add_feedback(rng, events, characteristics, themes, barriers, total: int = 2000) -> None:
    rows = []
    for offset in range(total):
        event = events[offset % len(events)]
        coded = offset % 2 == 0
        rows.append(
            {
                "text": rng.choice(SAYINGS),
                "source": "event",
                "status": "coded" if coded else "new",
                "stance": rng.choice(["support", "oppose", "mixed", "neutral"]) if coded else None,
                "received_at": event.starts_at,
                "event_id": event.id,
                "consultation_id": event.consultation_id,
                "group_id": rng.choice(event.groups).id if event.groups and rng.random() < 0.4 else None,
                "created_at": event.starts_at,
                "updated_at": event.starts_at,
            }
        )
    # Inserted in one statement; the database hands out the ids, so PostgreSQL's sequence stays right.
    ids = db.session.scalars(
        insert(Feedback).returning(Feedback.id, sort_by_parameter_order=True), rows
    ).all()
    links = {"theme": [], "barrier": [], "characteristic": [], "policy": []}
    for offset, feedback_id in enumerate(ids):
        event = events[offset % len(events)]
        links["policy"] += [{"feedback_id": feedback_id, "policy_id": p.id} for p in event.policies]
        if rows[offset]["status"] == "coded":
            links["theme"].append({"feedback_id": feedback_id, "theme_id": rng.choice(themes)})
            links["characteristic"] += [
                {"feedback_id": feedback_id, "characteristic_id": c}
                for c in rng.sample(characteristics, rng.randint(1, 2))
            ]
            if rng.random() < 0.6:
                links["barrier"].append({"feedback_id": feedback_id, "barrier_id": rng.choice(barriers)})
    for kind, table in (
        ("theme", feedback_theme),
        ("barrier", feedback_barrier),
        ("characteristic", feedback_characteristic),
        ("policy", feedback_policy),
    ):
        if links[kind]:
            db.session.execute(insert(table), links[kind])
