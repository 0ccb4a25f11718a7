"""Clearly fictional demo data for trying the service out. Loaded once; later runs change nothing."""

from sqlalchemy import select

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.auth.service import create_user
from crm.core import audit
from crm.extensions import db
from crm.groups.demo import seed_demo_groups

DEMO_ACCOUNTS = [
    ("admin@example.org", "Ada Admin", roles.ADMIN, "demo-amber-lighthouse-42"),
    ("officer@example.org", "Olu Officer", roles.ENGAGEMENT_OFFICER, "demo-cobalt-lighthouse-42"),
    ("policy@example.org", "Priya Policy", roles.POLICY_LEAD, "demo-jade-lighthouse-42"),
    ("equality@example.org", "Eve Equality", roles.EQUALITY_LEAD, "demo-ruby-lighthouse-42"),
    ("viewer@example.org", "Victor Viewer", roles.VIEWER, "demo-slate-lighthouse-42"),
]


def _seed_contact_details() -> None:
    """What /contact shows in the demo (admins change it at /staff/admin/contact-details)."""
    from crm.privacy.service import save_organisation_details

    save_organisation_details(
        audit.SYSTEM,
        {
            "name": "West Midlands Combined Authority",
            "address": "16 Summer Lane\nBirmingham\nB19 3SD",
            "email": "equity.inclusion@example.org",
            "phone": "0121 200 2787",
            "dpo_name": "Data Protection Officer",
            "dpo_email": "dpo@example.org",
        },
    )


def seed_demo() -> bool:
    """Create the demo records if they are not there yet. Returns whether anything was created."""
    from crm.bodies.demo import seed_demo_bodies
    from crm.consultations.demo import seed_demo_consultations
    from crm.demo.events import seed_demo_events, seed_demo_principles
    from crm.demo.evidence import seed_demo_evidence
    from crm.demo.invitations import seed_demo_invitations
    from crm.reports.demo import seed_demo_baselines

    created = False
    if not db.session.scalar(select(StaffUser.id).where(StaffUser.email == DEMO_ACCOUNTS[0][0])):
        for email, name, role, password in DEMO_ACCOUNTS:
            create_user(audit.SYSTEM, email, name, role, password)
        seed_demo_groups()
        _seed_contact_details()
        created = True
    created = seed_demo_consultations() or created
    created = seed_demo_events() or created
    created = seed_demo_principles() or created
    created = seed_demo_baselines() or created
    created = seed_demo_evidence() or created
    created = seed_demo_invitations() or created
    return seed_demo_bodies() or created
