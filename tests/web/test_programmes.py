"""Issue 14 part 4: programmes of events, reported as a whole, and the events export."""

import csv
import io
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlalchemy import select

from crm.core import audit
from crm.core.models import AuditEvent, DeliveryArea
from crm.engagement.models import EngagementEvent, Programme
from crm.engagement.service import create_programme
from crm.extensions import db
from crm.policies.models import PolicyInfluence
from crm.reports.programmes import financial_quarter, quarter_label
from tests.policy_factories import make_event, make_feedback, make_policy
from tests.web.test_events import EVENT


def _programme(name="Skills Street") -> Programme:
    programme = create_programme(audit.SYSTEM, name=name, description="", delivery_area_id=None)
    db.session.commit()
    return programme


def _refused(client, url: str, data: dict) -> BeautifulSoup:
    response = client.submit(url, data)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _skills() -> str:
    return str(db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Skills")))


def test_an_officer_adds_a_programme_and_puts_an_event_in_it(client, sign_in_as):
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/programmes/new",
        {"name": "Skills Street", "description": "Weekly", "delivery_area_id": _skills()},
    )
    programme = db.session.scalar(select(Programme))
    assert response.status_code == 302 and response.location == f"/staff/programmes/{programme.id}"
    assert programme.delivery_area.name == "Skills"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "programme"))
    response = client.submit("/staff/events/new", {**EVENT, "programme_id": str(programme.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(EngagementEvent.programme_id)) == programme.id
    assert "Skills Street" in client.page("/staff/programmes").text


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the programme's name"),
        ({"name": "skills street"}, "name", "There is already a programme with this name"),
        ({"name": "New", "delivery_area_id": "999999"}, "delivery_area_id", "Not a valid choice"),
    ],
)
def test_bad_programme_details_are_refused_next_to_the_field(client, sign_in_as, values, field, message):
    _programme()
    sign_in_as("admin")
    page = _refused(client, "/staff/programmes/new", {"description": "", "delivery_area_id": "0", **values})
    assert message in page.select_one(f"#{field}-error").text
    assert db.session.scalar(select(db.func.count()).select_from(Programme)) == 1


def test_an_event_cannot_name_a_programme_that_is_not_there(client, sign_in_as):
    sign_in_as("engagement_officer")
    page = _refused(client, "/staff/events/new", {**EVENT, "programme_id": "999999"})
    assert page.select_one("#programme_id-error")
    assert db.session.scalar(select(EngagementEvent)) is None


def test_only_officers_and_admins_change_programmes(client, sign_in_as):
    programme = _programme()
    sign_in_as("policy_lead")
    assert client.get("/staff/programmes/new").status_code == 403
    assert client.get(f"/staff/programmes/{programme.id}/edit").status_code == 403
    assert client.get(f"/staff/programmes/{programme.id}").status_code == 200


def test_financial_quarters_run_april_to_march():
    assert financial_quarter(datetime(2026, 4, 1).date()) == (2026, 1)
    assert financial_quarter(datetime(2026, 12, 31).date()) == (2026, 3)
    assert financial_quarter(datetime(2027, 3, 31).date()) == (2026, 4)
    assert quarter_label((2026, 4)) == "Jan to Mar 2027"


def _report_events(programme):
    policy = make_policy("P-SKILLS")
    first = make_event(
        title="Session 1",
        kind="street_outreach",
        starts_at=datetime(2026, 5, 2, 10, tzinfo=UTC),
        attendance=40,
        reach={"Disability": 12, "Age": 3},
        programme_id=programme.id,
    )
    second = make_event(
        title="Session 2",
        kind="workshop",
        starts_at=datetime(2026, 8, 2, 10, tzinfo=UTC),
        attendance=20,
        reach={"Disability": 8, "Age": 9},
        programme_id=programme.id,
    )
    make_event(title="Elsewhere", attendance=500, reach={"Disability": 100})  # not in the programme
    heard = make_feedback(characteristics=["Disability"], themes=["Jobs and skills"], event=first)
    make_feedback(event=second)
    make_feedback(event=second, characteristics=["Age"], status="excluded")
    db.session.add(
        PolicyInfluence(
            policy_id=policy.id, feedback_id=heard.id, use="changed", decided_at=datetime.now(UTC)
        )
    )
    db.session.commit()


def test_the_programme_report_adds_up_its_own_events_only(client, sign_in_as):
    programme = _programme()
    _report_events(programme)
    sign_in_as("viewer")
    page = client.page(f"/staff/programmes/{programme.id}")
    summary = {row.dt.text.strip(): row.dd.text.strip() for row in page.select(".govuk-summary-list__row")}
    assert summary["Events"] == "2, from 2 May 2026 to 2 August 2026"
    assert summary["People taking part"] == "60"
    assert summary["Feedback heard"].startswith("2 items, 1 not yet coded")
    reach = page.find("caption", string=lambda s: s and "by quarter" in s).find_parent("table")
    header = [th.text for th in reach.select("thead th")]
    assert header == ["Characteristic", "Apr to Jun 2026", "Jul to Sep 2026", "All quarters"]
    rows = {row.th.text: [td.text for td in row.select("td")] for row in reach.select("tbody tr")}
    # Age's 3 is under the threshold; with the row totals shown, more must go so that it cannot be worked out.
    assert rows == {"Disability": ["hidden", "hidden", "20"], "Age": ["fewer than 5", "hidden", "12"]}
    assert "100" not in " ".join(rows["Disability"])
    influenced = page.find("a", string=lambda s: s and "P-SKILLS" in s).find_parent("tr")
    assert [td.text for td in influenced.select("td")] == ["1", "0", "0"]
    inbox = client.page(page.find("a", string="2 items")["href"])
    assert "2 items match these filters" in inbox.text


def _export(client, file_format, programme):
    response = client.get(f"/staff/events/export.{file_format}?programme={programme.id}")
    assert response.status_code == 200
    return response


def test_the_events_export_has_one_value_per_cell_and_real_dates(client, sign_in_as):
    programme = _programme()
    _report_events(programme)
    user = sign_in_as("viewer")
    rows = list(
        csv.reader(io.StringIO(_export(client, "csv", programme).get_data(as_text=True).lstrip("\ufeff")))
    )
    header = rows[0]
    assert [row[header.index("Title")] for row in rows[1:]] == ["Session 1", "Session 2"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Starts"] == "2026-05-02T11:00:00+01:00"  # UK summer time, with its offset
    assert first["Programme"] == "Skills Street" and first["Attendance"] == "40"
    assert first["Reach: Disability"] == "12" and first["Reach: Carers"] == ""
    assert first["Provision: Step-free access"] in ("Yes", "No")
    workbook = load_workbook(io.BytesIO(_export(client, "xlsx", programme).data))
    sheet = workbook.active
    starts = [cell.value for cell in next(sheet.iter_cols(min_col=4, max_col=4, min_row=2))]
    assert starts[0] == datetime(2026, 5, 2, 11, 0)  # a real date cell, in UK time
    assert (
        db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "events.exported").limit(1))
        == user.id
    )
