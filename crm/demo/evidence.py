"""Demo evidence, all fictional: coded feedback from two events and some letters on the three demo
policies, decisions on what changed, an approved EIA citing feedback, an EIA in review, a policy with a clear
gap, and two published outcomes. Writes go through the real services, so every rule and audit applies.

It makes the few events and feedback items it needs itself, so it works whether or not other demo data exists.
"""

from datetime import date, time, timedelta

from sqlalchemy import insert, select

from crm.auth.models import StaffUser
from crm.consultations.models import Consultation, consultation_characteristic
from crm.core.models import Barrier, Characteristic, Theme, utc_now
from crm.core.time import uk_day_and_time, uk_today, utc_from_uk
from crm.eias import service as eia_service
from crm.engagement.models import EngagementEvent, EventReach
from crm.evidence import service as evidence_service
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.models import CommunityGroup
from crm.outcomes import service as outcome_service
from crm.policies.models import Policy

MARKER = "Skills Street at Oldbury Market (demo)"

# (text, characteristics, themes, barriers, stance)
BUS_OUTREACH = [
    (
        "I use a wheelchair and the last bus is often full, so I wait an hour for the next one.",
        ["Disability"],
        ["Transport and travel"],
        ["Physical access"],
        "support",
    ),
    (
        "The stop by the market has no dropped kerb. My frame catches every time.",
        ["Disability", "Age"],
        ["Access to services"],
        ["Physical access"],
        "mixed",
    ),
    (
        "Drivers pull away before I have sat down. After dark it is worse.",
        ["Disability", "Age"],
        ["Safety"],
        [],
        "oppose",
    ),
    (
        "Later buses would let me take the evening shift at the warehouse.",
        ["Socio-economic disadvantage"],
        ["Jobs and skills"],
        ["Cost"],
        "support",
    ),
    (
        "As a woman on my own I do not feel safe at the stop after 9pm.",
        ["Sex"],
        ["Safety"],
        ["Trust"],
        "mixed",
    ),
    (
        "My son is autistic. Announcements on the bus help him know where to get off.",
        ["Disability", "Carers"],
        ["Access to services"],
        ["Information not accessible"],
        "support",
    ),
]
SKILLS_FOCUS_GROUP = [
    (
        "Classes in the day are no good when you look after your mum.",
        ["Carers"],
        ["Jobs and skills"],
        ["Caring responsibilities"],
        "mixed",
    ),
    (
        "I left care at 18 and nobody told me about free courses.",
        ["Care experienced", "Age"],
        ["Jobs and skills"],
        ["Information not accessible"],
        "support",
    ),
    (
        "Please offer English classes with a creche.",
        ["Race", "Pregnancy and maternity"],
        ["Jobs and skills"],
        ["Childcare", "Language"],
        "support",
    ),
    (
        "Online-only enrolment shuts out people like my dad.",
        ["Age"],
        ["Digital inclusion"],
        ["Digital exclusion"],
        "oppose",
    ),
]
WARM_HOMES_LETTERS = [
    (
        "Insulation grants should reach private renters, not just owners.",
        ["Socio-economic disadvantage"],
        ["Housing"],
    ),
    (
        "My disabled daughter needs the heating on all day. Please prioritise us.",
        ["Disability"],
        ["Cost of living"],
    ),
    ("The application form was too long to fill in on a phone.", ["Disability"], ["Digital inclusion"]),
    ("A home visit to explain the grant would help older people.", ["Disability"], ["Housing"]),
    ("Damp is making my children ill.", ["Socio-economic disadvantage"], ["Health and wellbeing"]),
    ("Grants should cover heat pumps as well as boilers.", [], ["Environment and net zero"]),
]
CYCLE_LANE_LETTERS = [
    ("Separated lanes would let my children cycle to school.", ["Age"], ["Transport and travel"]),
    ("Blind people need kerbs between the lane and the pavement.", ["Disability"], ["Safety"]),
    ("Please keep loading bays for the shops on Far Gosford Street.", [], ["Jobs and skills"]),
    ("Cycle hire with adapted trikes would help disabled riders.", ["Disability"], ["Transport and travel"]),
    ("Lighting on the canal path is poor.", [], ["Safety"]),
    ("The new lanes made the road feel safer for me.", ["Sex"], ["Safety"]),
]


def _by_name(model, names) -> list:
    if not names:
        return []
    found = {item.name: item for item in db.session.scalars(select(model).where(model.name.in_(names)))}
    return [found[name] for name in names if name in found]


def _user(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def _groups(*names) -> list[CommunityGroup]:
    return list(db.session.scalars(select(CommunityGroup).where(CommunityGroup.name.in_(names))))


def _feedback(text, characteristics, themes, barriers=(), stance=None, **links) -> Feedback:
    item = Feedback(text=text, stance=stance, status="coded" if characteristics or themes else "new", **links)
    item.characteristics = _by_name(Characteristic, characteristics)
    item.themes = _by_name(Theme, themes)
    item.barriers = _by_name(Barrier, list(barriers))
    db.session.add(item)
    return item


def _event(title, kind, policy, days_ago, groups, reach, officer) -> EngagementEvent:
    start = utc_now() - timedelta(days=days_ago)
    event = EngagementEvent(
        title=title,
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Fictional venue for the demo",
        attendance=40,
        coproduction_level="involve",
        provisions=["step_free", "easy_read"],
        notes="Made up for the demo.",
        created_by_id=officer.id if officer else None,
    )
    event.policies = [policy]
    event.groups = groups
    for characteristic in _by_name(Characteristic, list(reach)):
        event.reach.append(
            EventReach(characteristic_id=characteristic.id, estimated_count=reach[characteristic.name])
        )
    db.session.add(event)
    return event


def _closed_consultation(policy: Policy, now) -> Consultation:
    """A consultation of our own for the second outcome, so the demo keeps one consultation in every state."""
    from crm.consultations import service as consultation_service
    from crm.core import audit

    opens_on = uk_day_and_time(now)[0] - timedelta(days=150)
    opens_at = utc_from_uk(opens_on, time(9, 0))  # 9am to 11:59pm UK time, as a real one would run
    consultation = consultation_service.create_consultation(
        audit.SYSTEM,
        title="Warm homes for private renters (demo, outcome published)",
        slug="demo-warm-homes-renters",
        summary="Should warm homes grants reach people who rent from a private landlord?",
        background="Nothing here is real. It shows a published outcome.",
        privacy_notice="Demo only.",
        opens_at=opens_at,
        closes_at=utc_from_uk(opens_on + timedelta(days=42), time(23, 59)),
        formats=["easy_read"],
        asks_monitoring=False,
        policy_ids=[policy.id],
    )
    consultation_service.add_question(
        audit.SYSTEM,
        consultation,
        kind="free_text",
        text="What would help you keep your home warm?",
        hint="",
        required=True,
        max_length=1000,
        options=[],
    )
    consultation.status = "scheduled"  # its dates are past, so it is closed
    return consultation


def seed_demo_evidence() -> bool:
    """Add the demo evidence once. Returns whether anything was created."""
    if db.session.scalar(select(EngagementEvent.id).where(EngagementEvent.title == MARKER)):
        return False
    policies = {
        p.reference: p for p in db.session.scalars(select(Policy).where(Policy.reference.like("DEMO-POL-%")))
    }
    if len(policies) < 3:
        return False
    skills, buses, homes = policies["DEMO-POL-001"], policies["DEMO-POL-002"], policies["DEMO-POL-003"]
    officer = _user("officer@example.org")
    lead = _user("policy@example.org")
    equality = _user("equality@example.org")
    if not (officer and lead and equality):
        return False
    now = utc_now()

    # Evidence: two events and letters, coded by characteristic, theme and barrier.
    outreach = _event(
        MARKER,
        "street_outreach",
        buses,
        30,
        _groups(
            "Sandwell Deaf Forum", "Sandwell Disabled People's Network", "Sandwell Older Citizens' Voice"
        ),
        {"Disability": 25, "Age": 30, "Sex": 20},
        officer,
    )
    focus = _event(
        "Adult skills focus group at a fictional library (demo)",
        "focus_group",
        skills,
        45,
        _groups("Walsall Carers' Hub", "Walsall Care Leavers' Forum"),
        {"Carers": 8, "Care experienced": 6},
        officer,
    )
    db.session.flush()
    bus_items = [
        _feedback(
            text,
            chars,
            themes,
            barriers,
            stance,
            source="event",
            event_id=outreach.id,
            group_id=outreach.groups[index % len(outreach.groups)].id if outreach.groups else None,
            received_at=outreach.starts_at,
            captured_by_id=officer.id,
        )
        for index, (text, chars, themes, barriers, stance) in enumerate(BUS_OUTREACH)
    ]
    skills_items = [
        _feedback(
            text,
            chars,
            themes,
            barriers,
            stance,
            source="event",
            event_id=focus.id,
            received_at=focus.starts_at,
            captured_by_id=officer.id,
        )
        for text, chars, themes, barriers, stance in SKILLS_FOCUS_GROUP
    ]
    warm_homes = _closed_consultation(homes, now)
    cycle_lanes = db.session.scalar(
        select(Consultation).where(Consultation.slug == "demo-cycle-lanes-outcome")
    )
    letters = []
    for consultation, rows in ((warm_homes, WARM_HOMES_LETTERS), (cycle_lanes, CYCLE_LANE_LETTERS)):
        if consultation is None:
            continue
        for text, chars, themes in rows:
            letters.append(
                _feedback(
                    text,
                    chars,
                    themes,
                    source="letter",
                    consultation_id=consultation.id,
                    received_at=(consultation.closes_at or now) - timedelta(days=3),
                    captured_by_id=officer.id,
                )
            )
    # A direct link: an email about the warm homes programme, so its pack draws on all three routes.
    _feedback(
        "Could the warm homes grant include draught-proofing for mosques and temples used as warm spaces?",
        ["Religion or belief"],
        ["Community and belonging"],
        source="email",
        received_at=now - timedelta(days=12),
        captured_by_id=officer.id,
    ).policies = [homes]
    # The clear gap: the cycle lanes consultation (warm homes policy) set out to hear from young people and
    # carers; no feedback speaks for carers, so the pack flags it as a target not reached.
    if cycle_lanes is not None:
        for characteristic in _by_name(Characteristic, ["Age", "Carers"]):
            db.session.execute(
                insert(consultation_characteristic).values(
                    consultation_id=cycle_lanes.id, characteristic_id=characteristic.id
                )
            )
    # Outreach planned for that gap: carers have not been heard on the warm homes policy.
    carers = _by_name(Characteristic, ["Carers"])
    if carers:
        evidence_service.create_outreach_task(
            officer,
            homes,
            evidence_service.OutreachValues(
                characteristic_id=carers[0].id,
                due_on=uk_today() + timedelta(days=28),
                owner_id=officer.id,
                notes="Ask the carers' centres about a drop-in at their coffee mornings (demo)",
            ),
        )

    # What changed because of what people said.
    evidence_service.record_influence(
        lead, buses, [bus_items[0].id, bus_items[3].id], "changed", "Added a 00:30 departure on route 51"
    )
    evidence_service.record_influence(
        lead,
        buses,
        [bus_items[1].id, bus_items[2].id],
        "mitigation",
        "Dropped kerbs at 12 stops; driver training",
    )
    evidence_service.record_influence(
        lead,
        buses,
        [bus_items[5].id],
        "no_change",
        "Audio announcements are already on every bus in the fleet",
    )
    evidence_service.record_influence(
        lead, skills, [skills_items[0].id], "changed", "Evening and weekend classes added"
    )

    # An approved EIA on the evening bus scheme, citing feedback.
    approved = eia_service.start_eia(lead, buses)
    eia_service.update_eia(lead, approved, _eia_values("Evening buses on four routes in Sandwell"))
    cited = {"Disability": bus_items[:3] + [bus_items[5]], "Age": bus_items[1:3], "Sex": [bus_items[4]]}
    cited["Socio-economic disadvantage"] = [bus_items[3]]
    cited["Carers"] = [bus_items[5]]
    for finding in approved.findings:
        name = finding.characteristic.name
        items = cited.get(name, [])
        if name == "Disability":
            direction, severity = "negative", "high"
            narrative = (
                "Full buses and stops without dropped kerbs keep wheelchair and frame users off late buses."
            )
        elif items:
            direction, severity = "positive", "medium"
            narrative = (
                f"Later buses widen access to work and services; concerns raised about {name.lower()}."
            )
        else:
            direction, severity = "neutral", "none"
            narrative = "No different impact identified; we will keep listening through the pilot."
        eia_service.update_finding(lead, finding, direction, severity, narrative, [i.id for i in items])
    eia_service.add_action(
        lead,
        approved,
        "Fit dropped kerbs at the 12 busiest evening stops",
        "Bus stops team",
        date.today() + timedelta(days=120),
        "in_progress",
        "Quarterly audit of stop accessibility",
    )
    eia_service.submit_eia(lead, approved)
    eia_service.review_eia(equality, approved, "approve", "Good use of outreach evidence.")

    # An EIA in review on the adult skills strategy.
    in_review = eia_service.start_eia(lead, skills)
    eia_service.update_eia(lead, in_review, _eia_values("Adult skills offer across the region"))
    for finding in in_review.findings:
        items = [i for i in skills_items if finding.characteristic in i.characteristics]
        narrative = (
            "What people told us shows barriers to taking part."
            if items
            else "No evidence yet: see data gaps."
        )
        eia_service.update_finding(
            lead,
            finding,
            "negative" if items else "unknown",
            "medium" if items else "",
            narrative,
            [i.id for i in items],
        )
    eia_service.submit_eia(lead, in_review)

    # Two published outcomes.
    for consultation, did in (
        (warm_homes, "Grants now open to private renters, with a home visit offered to anyone who asks."),
        (
            cycle_lanes,
            "Kerb-separated lanes on Far Gosford Street, with loading bays kept outside shop hours.",
        ),
    ):
        if consultation is None:
            continue
        quoted = [item.id for item in letters if item.consultation_id == consultation.id][:2]
        outcome_service.save_outcome(
            officer,
            consultation,
            {
                "we_asked": consultation.summary or "What do you think of the proposal?",
                "you_said": "People welcomed the plan and asked us to make it easier to take part.",
                "we_did": did,
            },
            quoted,
        )
        outcome_service.publish_outcome(officer, consultation)
    return True


def _eia_values(scope: str) -> dict:
    return {
        "scope": scope,
        "aims": "Make it easier for residents to reach work, learning and services.",
        "affected": "Residents, especially those without a car; staff who run the service.",
        "decision": "Fictional board meeting (demo).",
        "screening_decision": "full",
        "screening_reason": "Disabled, older and low-income residents rely on it most.",
        "data_sources": "Census 2021, consultation responses, street outreach and focus groups.",
        "data_gaps": "Little heard from carers and armed forces communities.",
        "aim_eliminate": "Staff trained in disability awareness; complaints monitored by characteristic.",
        "aim_opportunity": "Removes barriers to evening work and learning.",
        "aim_relations": "Co-produced with community groups through the pilot.",
        "outcome": "adjust",
        "justification": "Mitigations address the negative impacts found.",
        "review_due": date.today() + timedelta(days=300),
    }
