"""Outreach tasks: a gap in a policy's coverage turned into planned outreach, suggested groups, the events
logged against it, closing when the evidence arrives, the list, and who may do what."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent, Characteristic
from crm.evidence import service
from crm.evidence.models import OutreachTask
from crm.extensions import db
from tests.factories import make_group, make_user, reference_ids
from tests.policy_factories import make_event, make_feedback, make_policy


def _id(model, name) -> int:
    return reference_ids(model, name)[0]


def _due(days: int = 30) -> list[str]:
    day = service.uk_today() + timedelta(days=days)
    return [str(day.day), str(day.month), str(day.year)]


def _form(characteristic="Sex", area="Walsall", owner=None, **changes) -> dict:
    return {
        "characteristic_id": str(_id(Characteristic, characteristic)),
        "area_id": str(_id(Area, area)) if area else "",
        "due_on": _due(),
        "owner_id": str(owner.id) if owner else "",
        "notes": "Try the market days",
        **changes,
    }


def _task(policy, characteristic="Sex", area=None, owner=None, **values) -> OutreachTask:
    owner = owner or make_user(role="engagement_officer")
    task = service.create_outreach_task(
        owner,
        policy,
        service.OutreachValues(
            characteristic_id=_id(Characteristic, characteristic),
            area_id=_id(Area, area) if area else None,
            due_on=values.pop("due_on", service.uk_today() + timedelta(days=14)),
            owner_id=owner.id,
        ),
    )
    db.session.commit()
    return task


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutreachTask))


def test_an_officer_plans_outreach_from_a_gap_with_the_right_groups_suggested(client, sign_in_as):
    policy = make_policy()
    make_group("Walsall Women's Network", areas=("Walsall",), characteristics=("Sex",))
    make_group("Walsall Elders", areas=("Walsall",), characteristics=("Age",))
    make_group("Coventry Women's Aid", areas=("Coventry",), characteristics=("Sex",))
    make_group("Closed Women's Circle", areas=("Walsall",), characteristics=("Sex",), status="closed")
    officer = sign_in_as("engagement_officer")

    pack = client.page(f"/staff/policies/{policy.id}/evidence")
    sex_row = next(
        row for row in pack.select("#coverage-table tbody tr") if row.th.get_text(strip=True) == "Sex"
    )
    plan = next(link for link in sex_row.select("a") if "Plan outreach" in link.get_text())
    form_page = client.page(plan["href"])
    chosen = form_page.select_one("#characteristic_id option[selected]")
    assert chosen["value"] == str(_id(Characteristic, "Sex")) and "no evidence yet" in chosen.text

    response = client.submit(plan["href"], _form(owner=officer))
    task = db.session.scalar(select(OutreachTask))
    assert response.status_code == 302 and response.location == f"/staff/outreach/{task.id}"
    assert (task.characteristic.name, task.area.name, task.owner_id, task.status) == (
        "Sex",
        "Walsall",
        officer.id,
        "open",
    )
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "outreach_task")) == (
        "outreach_task.created"
    )
    page = client.page(f"/staff/outreach/{task.id}")
    groups = page.select_one("#suggested-groups").get_text(" ", strip=True)
    assert "Walsall Women's Network" in groups
    for absent in ("Walsall Elders", "Coventry Women's Aid", "Closed Women's Circle"):
        assert absent not in groups
    assert "1 group" in page.select_one("main").get_text(" ", strip=True)
    assert "coded as speaking for Sex" in page.select_one("#closing-rule").get_text(" ", strip=True)


def test_without_an_area_every_active_group_representing_it_is_suggested_capped_with_a_count():
    from crm.evidence import queries

    for number in range(23):
        make_group(
            f"Women's Group {number:02d}",
            areas=("Walsall" if number % 2 else "Coventry",),
            characteristics=("Sex",),
        )
    groups, total = queries.suggested_groups(_id(Characteristic, "Sex"), None)
    assert total == 23 and len(groups) == queries.SUGGESTED_GROUPS
    assert [group.name for group in groups][:2] == ["Women's Group 00", "Women's Group 01"]
    _, in_walsall = queries.suggested_groups(_id(Characteristic, "Sex"), _id(Area, "Walsall"))
    assert in_walsall == 11


def test_a_characteristic_already_heard_is_refused_next_to_the_field(client, sign_in_as):
    policy = make_policy()
    for number in range(5):
        make_feedback(f"Step-free please {number}", policies=[policy], characteristics=["Disability"])
    make_feedback("Later buses", policies=[policy], characteristics=["Age"])  # weak: one item
    officer = sign_in_as("engagement_officer")
    url = f"/staff/policies/{policy.id}/outreach/new"

    response = client.submit(url, _form("Disability", owner=officer))
    assert response.status_code == 200 and _count() == 0
    page = _soup(response)
    assert "has been heard on" in page.select_one("#characteristic_id-error").get_text()
    assert page.select_one(".govuk-error-summary a[href='#characteristic_id']")
    # Weak evidence is a gap too.
    assert client.submit(url, _form("Age", owner=officer)).status_code == 302
    assert _count() == 1
    # The same gap twice is refused while the first task is open.
    again = client.submit(url, _form("Age", owner=officer))
    assert again.status_code == 200 and "already an open outreach task" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_on": ["1", "1", "2020"]}, "due_on", "today or in the future"),
        ({"due_on": ["31", "2", "2030"]}, "due_on", "must be a real date"),
        ({"due_on": ["", "", ""]}, "due_on", "Enter the date"),
        ({"owner_id": "999999"}, "owner_id", "Select an owner from the list"),
        ({"owner_id": "100000000000000000000"}, "owner_id", "Select an owner from the list"),
        ({"characteristic_id": "²"}, "characteristic_id", "Select a characteristic"),
        ({"area_id": "999999"}, "area_id", "Select an area from the list"),
    ],
)
def test_bad_input_gets_an_error_next_to_the_field(client, sign_in_as, changes, field, message):
    policy = make_policy()
    officer = sign_in_as("engagement_officer")
    response = client.submit(f"/staff/policies/{policy.id}/outreach/new", _form(owner=officer, **changes))
    assert response.status_code == 200 and _count() == 0
    assert message in _soup(response).select_one(f"#{field}-error").get_text()


def test_a_viewer_cannot_own_a_task(client, sign_in_as):
    policy = make_policy()
    viewer = make_user(role="viewer")
    sign_in_as("admin")
    response = client.submit(f"/staff/policies/{policy.id}/outreach/new", _form(owner=viewer))
    assert response.status_code == 200 and _count() == 0


def test_the_task_closes_when_evidence_arrives_and_not_before(client, sign_in_as):
    policy, other = make_policy(), make_policy()
    task = _task(policy, "Sex")
    outreach = make_event([policy], title="Women's safety walk")
    elsewhere = make_event([policy], title="Bus station drop-in")  # not logged against the task
    unlinked = make_event([other], title="Other policy's workshop")
    sign_in_as("engagement_officer")
    url = f"/staff/outreach/{task.id}"

    refused = client.submit(f"{url}/events", {"event_name": "Other policy's workshop"}, form_page=url)
    assert refused.status_code == 200 and "is not linked to" in refused.get_data(as_text=True)
    assert unlinked not in task.events

    assert (
        client.submit(f"{url}/events", {"event_name": "Women's safety walk"}, form_page=url).status_code
        == 302
    )
    db.session.rollback()  # a new snapshot: the request committed
    assert [event.id for event in task.events] == [outreach.id] and task.status == "open"

    # Not yet: another characteristic, excluded feedback, and the right one at an event not logged here.
    make_feedback("Too few benches", event=outreach, source="event", characteristics=["Age"])
    make_feedback("Spam", event=outreach, source="event", characteristics=["Sex"], status="excluded")
    make_feedback("Lighting at stops", event=elsewhere, source="event", characteristics=["Sex"])
    make_event([policy], reach={"Sex": 40})
    client.page(url)
    db.session.rollback()  # a new snapshot: the request committed
    assert db.session.get(OutreachTask, task.id).status == "open"

    make_feedback("Unsafe waiting at night", event=outreach, source="event", characteristics=["Sex", "Age"])
    page = client.page(url)
    db.session.rollback()  # a new snapshot: the request committed
    closed = db.session.get(OutreachTask, task.id)
    assert (closed.status, closed.closed_by_event_id) == ("closed", outreach.id) and closed.closed_at
    assert "Answered by feedback from" in page.select_one("#task-summary").get_text(" ", strip=True)
    assert (
        db.session.scalar(select(AuditEvent.actor_label).where(AuditEvent.action == "outreach_task.answered"))
        == "system"
    )


def test_linking_an_event_whose_feedback_answers_the_gap_closes_the_task_at_once(client, sign_in_as):
    policy = make_policy()
    task = _task(policy, "Race")
    event = make_event([policy], title="Faith leaders' breakfast")
    make_feedback("Translate the leaflets", event=event, source="event", characteristics=["Race"])
    sign_in_as("admin")
    url = f"/staff/outreach/{task.id}"
    response = client.submit(f"{url}/events", {"event_name": "Faith leaders' breakfast"}, form_page=url)
    assert response.status_code == 302
    db.session.rollback()  # a new snapshot: the request committed
    assert db.session.get(OutreachTask, task.id).closed_by_event_id == event.id
    assert (
        "Outreach planned"
        not in client.page(f"/staff/policies/{policy.id}/evidence").select_one("#coverage-table").get_text()
    )


def test_the_evidence_pack_shows_open_tasks_beside_their_gaps(client, sign_in_as):
    lead = make_user(role="policy_lead")
    policy = make_policy(owner_id=lead.id)
    for number in range(5):
        make_feedback(f"Step-free please {number}", policies=[policy], characteristics=["Disability"])
    task = _task(policy, "Sex", area="Walsall")
    sign_in_as("equality_lead")
    rows = {
        row.th.get_text(strip=True): row
        for row in client.page(f"/staff/policies/{policy.id}/evidence").select("#coverage-table tbody tr")
    }
    link = rows["Sex"].find("a", href=f"/staff/outreach/{task.id}")
    assert link is not None and "Outreach planned in Walsall" in link.get_text(" ", strip=True)
    assert rows["Disability"].find("a", href=f"/staff/outreach/{task.id}") is None
    # Equality leads see tasks but do not plan them; nobody is offered outreach for a heard characteristic.
    assert "Plan outreach" not in rows["Age"].get_text()


def test_the_pack_offers_planning_for_gaps_only_and_viewers_see_no_tasks(client, sign_in_as):
    policy = make_policy()
    for number in range(5):
        make_feedback(f"Step-free please {number}", policies=[policy], characteristics=["Disability"])
    _task(policy, "Sex")
    sign_in_as("engagement_officer")
    rows = {
        row.th.get_text(strip=True): row.get_text(" ", strip=True)
        for row in client.page(f"/staff/policies/{policy.id}/evidence").select("#coverage-table tbody tr")
    }
    assert "Plan outreach" in rows["Age"] and "Plan outreach" not in rows["Disability"]
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    sign_in_as("viewer")
    table = client.page(f"/staff/policies/{policy.id}/evidence").select_one("#coverage-table").get_text()
    assert "Outreach planned" not in table and "Plan outreach" not in table


def test_the_list_filters_marks_overdue_tasks_and_pages(client, sign_in_as):
    first, second = make_policy(), make_policy()
    kim, sam = (
        make_user(role="engagement_officer", name="Kim"),
        make_user(role="engagement_officer", name="Sam"),
    )
    names = [row[0] for row in db.session.execute(select(Characteristic.name).order_by(Characteristic.id))]
    for number in range(27):
        _task(
            first,
            names[number % len(names)],
            area=("Walsall", "Coventry", "Dudley")[number // len(names)],
            owner=kim,
        )
    late = _task(second, "Sex", owner=sam)
    late.due_on = service.uk_today() - timedelta(days=2)  # it fell due while nobody acted
    done = _task(second, "Age", owner=sam)
    service.close_by_hand(sam, done)
    db.session.commit()
    sign_in_as("engagement_officer")

    def rows(query: str) -> list[str]:
        page = client.page(f"/staff/outreach?{query}")
        return [row.get_text(" ", strip=True) for row in page.select("#outreach-table tbody tr")]

    assert len(rows("")) == 25 and len(rows("page=2")) == 3  # 28 open tasks
    assert "Overdue" in rows("")[0]  # the soonest due come first
    assert len(rows(f"owner={sam.id}")) == 1 and len(rows(f"owner={sam.id}&status=all")) == 2
    assert len(rows(f"policy={second.id}&status=closed")) == 1
    assert rows(f"policy={first.id}&page=2")[0].count("Overdue") == 0


def test_roles(client, sign_in_as):
    lead = make_user(role="policy_lead")
    owned, not_owned = make_policy(owner_id=lead.id), make_policy()
    task, theirs = _task(owned, "Sex"), _task(not_owned, "Sex")
    sign_in_as("viewer")
    for url in ("/staff/outreach", f"/staff/outreach/{task.id}", f"/staff/policies/{owned.id}/outreach/new"):
        assert client.get(url).status_code == 403, url
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})

    from tests.factories import PASSWORD

    client.submit("/staff/sign-in", {"email": lead.email, "password": PASSWORD})
    assert client.get(f"/staff/outreach/{task.id}").status_code == 200
    assert client.get(f"/staff/outreach/{theirs.id}").status_code == 403
    assert client.get(f"/staff/policies/{not_owned.id}/outreach/new").status_code == 403
    listed = client.page("/staff/outreach").select("#outreach-table tbody tr")
    assert len(listed) == 1
    token = client.csrf_token(f"/staff/outreach/{task.id}")
    assert client.post(f"/staff/outreach/{task.id}/close", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/staff/outreach/{task.id}/events", data={"csrf_token": token}).status_code == 403
    response = client.submit(f"/staff/policies/{owned.id}/outreach/new", _form("Age", owner=lead))
    assert response.status_code == 302
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})

    sign_in_as("equality_lead")
    assert client.get(f"/staff/outreach/{theirs.id}").status_code == 200
    assert client.get(f"/staff/policies/{owned.id}/outreach/new").status_code == 403
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})

    sign_in_as("engagement_officer")
    url = f"/staff/outreach/{theirs.id}"
    assert client.submit(f"{url}/close", {}, form_page=url).status_code == 302
    db.session.rollback()  # a new snapshot: the request committed
    assert db.session.get(OutreachTask, theirs.id).status == "closed"


def test_a_new_event_for_the_task_starts_with_its_policy_and_area(client, sign_in_as):
    policy = make_policy()
    task = _task(policy, "Sex", area="Walsall")
    sign_in_as("engagement_officer")
    link = client.page(f"/staff/outreach/{task.id}").select_one("#new-event")["href"]
    form = client.page(link)
    assert form.select_one("#add_policy")["value"] == f"{policy.reference} {policy.title}"
    assert form.select_one("#area_id option[selected]").get_text(strip=True) == "Walsall"
    # A tampered address prefills nothing rather than failing.
    assert client.get("/staff/events/new?policy=99999999999&area=junk").status_code == 200


def test_the_staff_home_lists_the_owners_open_tasks_soonest_first_and_flags_the_overdue(client, sign_in_as):
    officer = sign_in_as("engagement_officer")
    policy = make_policy("BUS-1", "Evening buses")
    _task(policy, "Sex", owner=officer, due_on=service.uk_today() + timedelta(days=10))
    late = _task(policy, "Religion or belief", owner=officer)
    late.due_on = service.uk_today() - timedelta(days=2)  # planned earlier, and now past its day
    closed = _task(policy, "Age", owner=officer)
    closed.status = "closed"
    _task(policy, "Disability")  # someone else's
    db.session.commit()
    section = _soup(client.get("/staff/")).find("h3", string="Your outreach tasks").find_next("ul")
    items = [" ".join(li.get_text().split()) for li in section.find_all("li")]
    assert len(items) == 2
    assert items[0].startswith("Religion or belief for BUS-1") and items[0].endswith("Overdue")
    assert items[1].startswith("Sex for BUS-1") and "Overdue" not in items[1]


def test_the_staff_home_has_no_outreach_section_for_someone_with_no_open_tasks(client, sign_in_as):
    sign_in_as("engagement_officer")
    _task(make_policy("BUS-1", "Evening buses"), "Sex")
    assert "Your outreach tasks" not in client.get("/staff/").get_data(as_text=True)
