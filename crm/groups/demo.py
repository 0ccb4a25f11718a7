"""Fictional community groups for the demo: every constituent area and every characteristic is covered."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from crm.core import audit
from crm.core.models import Area, Characteristic
from crm.extensions import db
from crm.groups import service
from crm.groups.service import ContactValues, GroupValues

# (name pattern, kind, characteristics it represents)
GROUP_TYPES = [
    ("{area} Deaf Forum", "network", ["Disability"]),
    ("{area} Disabled People's Network", "network", ["Disability"]),
    ("{area} Visually Impaired Club", "informal", ["Disability", "Age"]),
    ("{area} Older Citizens' Voice", "vcse", ["Age"]),
    ("{area} Youth Panel", "youth_panel", ["Age"]),
    ("{area} African Caribbean Elders", "vcse", ["Race", "Age"]),
    ("{area} South Asian Women's Circle", "informal", ["Race", "Sex"]),
    ("{area} Refugee and Migrant Welcome", "vcse", ["Race", "Religion or belief"]),
    ("{area} Interfaith Council", "faith", ["Religion or belief"]),
    ("{area} LGBT+ Community Group", "network", ["Sexual orientation", "Gender reassignment"]),
    ("{area} Trans Support Network", "network", ["Gender reassignment"]),
    ("{area} New Parents' Group", "informal", ["Pregnancy and maternity", "Sex"]),
    ("{area} Carers' Hub", "vcse", ["Carers", "Disability"]),
    ("{area} Care Leavers' Forum", "youth_panel", ["Care experienced", "Age"]),
    ("{area} Veterans' Breakfast Club", "informal", ["Armed forces community"]),
    ("{area} Food Bank Network", "vcse", ["Socio-economic disadvantage"]),
    ("{area} Widows and Widowers Club", "informal", ["Marriage and civil partnership", "Age"]),
    ("{area} Women's Enterprise Network", "network", ["Sex", "Socio-economic disadvantage"]),
]
DEMO_AREAS = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chidi",
    "Deepa",
    "Eamon",
    "Fatima",
    "Gareth",
    "Hui",
    "Imran",
    "Jas",
    "Kwame",
    "Leah",
    "Mohammed",
    "Nia",
    "Owen",
    "Parveen",
    "Rhys",
    "Sana",
    "Tomasz",
    "Uzma",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Adeyemi",
    "Begum",
    "Campbell",
    "Doyle",
    "Evans",
    "Farah",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Singh",
    "Thompson",
    "Williams",
    "Yilmaz",
]
CONSENT_WORDING = "You can contact me about consultations and events relevant to our group."


def seed_demo_groups() -> int:
    """Create about 70 fictional groups with contacts. Returns how many groups were created."""
    rng = random.Random(2026)
    areas = {a.name: a.id for a in db.session.scalars(select(Area))}
    characteristics = {c.name: c.id for c in db.session.scalars(select(Characteristic))}
    created = 0
    for index, area in enumerate(DEMO_AREAS):
        # Every area gets ten of the group types, rotating so each type appears in several areas.
        for offset in range(10):
            pattern, kind, served = GROUP_TYPES[(index * 3 + offset) % len(GROUP_TYPES)]
            values = GroupValues(
                name=pattern.format(area=area),
                kind=kind,
                description=f"A fictional demo group that brings together people in {area}.",
                access_needs=rng.sample(
                    ["bsl", "easy_read", "interpreter", "large_print"], rng.randint(0, 2)
                ),
                email=f"hello@{_web_name(pattern.format(area=area))}.example.org",
                status=rng.choices(["active", "dormant", "closed"], weights=[8, 1, 1])[0],
                area_ids=[areas[area]] + ([areas["Region-wide"]] if rng.random() < 0.1 else []),
                characteristic_ids=[characteristics[name] for name in served],
            )
            group = service.create_group(audit.SYSTEM, values)
            created += 1
            for _ in range(rng.randint(1, 2)):
                _add_demo_contact(rng, group)
    # Groups that registered themselves and wait for an officer, one of them a near-duplicate.
    for name, area, served in [
        ("The Walsall Deaf Forum CIC", "Walsall", ["Disability"]),
        ("Dudley Sikh Seniors", "Dudley", ["Religion or belief", "Age"]),
        ("Coventry Bangla Mothers", "Coventry", ["Race", "Pregnancy and maternity"]),
        ("Solihull Rural Carers", "Solihull", ["Carers"]),
    ]:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        service.register_group(
            GroupValues(
                name=name,
                kind="informal",
                description="Registered through the public form (demo).",
                lawful_basis="consent",
                area_ids=[areas[area]],
                characteristic_ids=[characteristics[c] for c in served],
            ),
            ContactValues(
                name=f"{first} {last}",
                email=f"{first}.{last}@example.org".lower().replace("'", ""),
                consent_given=True,
                consent_date=date.today(),
                consent_method="online_form",
                consent_wording=CONSENT_WORDING,
            ),
        )
        created += 1
    return created


def _web_name(name: str) -> str:
    return "".join(char for char in name.lower().replace(" ", "-") if char.isalnum() or char == "-")


def _add_demo_contact(rng: random.Random, group) -> None:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    consented = rng.random() < 0.75
    service.add_contact(
        audit.SYSTEM,
        group,
        ContactValues(
            name=f"{first} {last}",
            role=rng.choice(["Chair", "Secretary", "Coordinator", "Volunteer lead", "Treasurer"]),
            email=f"{first}.{last}.{group.id}@example.org".lower().replace("'", ""),
            phone=f"0121 496 {rng.randint(0, 9999):04d}",
            preferred_language=rng.choice(["", "", "Punjabi", "Urdu", "Polish", "Bengali", "BSL"]),
            consent_given=consented,
            consent_date=date.today() - timedelta(days=rng.randint(10, 700)) if consented else None,
            consent_method=rng.choice(["email", "phone", "in_person", "paper"]) if consented else "",
            consent_wording=CONSENT_WORDING if consented else "",
            do_not_contact=rng.random() < 0.05,
        ),
    )
