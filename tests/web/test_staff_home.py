"""The staff home starts each role's day with its own work: consultations closing soon, feedback to code,
registrations to check, EIAs to approve, overdue actions and the lead's own policies."""

from datetime import date, timedelta

from crm.core.models import utc_now
from crm.eias.models import EIA, EIAAction
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.factories import make_group
from tests.policy_factories import make_feedback, make_policy


def _home(client) -> str:
    return client.page("/staff/").select_one("main").get_text(" ", strip=True)


def _eia(policy, status="draft", overdue_action=None) -> EIA:
    eia = EIA(policy_id=policy.id, version=1, status=status, submitted_at=utc_now())
    db.session.add(eia)
    db.session.flush()
    if overdue_action:
        db.session.add(
            EIAAction(
                eia_id=eia.id, description=overdue_action, owner="Transport team", due_date=date(2026, 1, 5)
            )
        )
    db.session.commit()
    return eia


def test_an_officer_sees_what_closes_soon_what_waits_to_be_coded_and_registrations(client, sign_in_as):
    now = utc_now()
    make_consultation(title="Closes in five days", closes_at=now + timedelta(days=5))
    make_consultation(title="Closes in a month", closes_at=now + timedelta(days=30))
    for number in range(2):
        make_feedback(f"Not coded {number}")
    make_feedback("Coded", characteristics=["Disability"], status="coded")
    registered = make_group("Fictional Self Registered Group")
    registered.is_verified = False
    db.session.commit()
    sign_in_as("engagement_officer")
    home = _home(client)
    assert "Closes in five days" in home and "Closes in a month" not in home
    assert "2 items not coded yet" in home
    assert "1 group registered itself and is not checked yet" in home
    assert "EIAs waiting for approval" not in home


def test_a_policy_lead_sees_their_own_policies_consultations_and_overdue_actions(
    client, sign_in_as, make_user
):
    lead = sign_in_as("policy_lead")
    other = make_user(role="policy_lead")
    mine = make_policy("BUS-1", "Evening buses", owner_id=lead.id)
    theirs = make_policy("PARK-1", "Parks", owner_id=other.id)
    now = utc_now()
    make_consultation(title="Buses survey", closes_at=now + timedelta(days=3), policy_ids=[mine.id])
    make_consultation(title="Parks survey", closes_at=now + timedelta(days=3), policy_ids=[theirs.id])
    _eia(mine, overdue_action="Add step-free stops")
    _eia(theirs, overdue_action="Benches in the park")
    home = _home(client)
    assert "BUS-1 Evening buses" in home and "PARK-1" not in home
    assert "Buses survey" in home and "Parks survey" not in home
    assert "Add step-free stops" in home and "Benches in the park" not in home
    assert "not coded yet" not in home  # coding is the officers' work


def test_an_equality_lead_sees_eias_waiting_for_approval_and_every_overdue_action(client, sign_in_as):
    policy = make_policy("HOME-2", "Warm homes")
    _eia(policy, status="in_review", overdue_action="Easy read leaflet")
    _eia(make_policy("DRAFT-1", "Still drafting"))
    sign_in_as("equality_lead")
    home = _home(client)
    assert "HOME-2 Warm homes, version 1" in home and "DRAFT-1" not in home
    assert "Easy read leaflet" in home


def test_a_viewer_sees_who_we_can_reach_and_no_work_of_their_own(client, sign_in_as):
    sign_in_as("viewer")
    home = _home(client)
    assert "Your work" not in home and "Who we can reach" in home
    assert "Sign out" in client.page("/staff/").select_one("header").get_text(" ", strip=True)
