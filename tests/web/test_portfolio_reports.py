"""Issue 14's portfolio reports: EIA coverage, barriers by characteristic and the coverage heat map. Each
figure is checked against the records behind it, the CSV against the page, and the links against the lists
they open."""

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.core.models import AuditEvent, Characteristic, DeliveryArea, utc_now
from crm.eias.models import EIA
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.policy_factories import make_event, make_feedback, make_policy

TODAY = date.today()


def _eia(policy, status, version=1, review_due=None):
    db.session.add(EIA(policy_id=policy.id, version=version, status=status, review_due=review_due))
    db.session.commit()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _seen(cell) -> str:
    """A cell's text as a sighted reader sees it (without the words only screen readers get)."""
    return "".join(
        str(text)
        for text in cell.find_all(string=True)
        if not text.find_parent(class_="govuk-visually-hidden")
    ).strip()


def _rows(table) -> dict[str, list[str]]:
    return {_seen(row.th): [_seen(cell) for cell in row.select("td")] for row in table.select("tbody tr")}


def _cells(page, caption: str) -> dict[str, list[str]]:
    return _rows(next(t for t in page.select("table") if caption in t.caption.text))


def _policies_in_every_state():
    current = make_policy("P-CURRENT", delivery_area="Transport", is_key=True)
    _eia(current, "superseded")  # an older version counts for nothing
    _eia(current, "published", version=2, review_due=TODAY + timedelta(days=30))
    overdue = make_policy("P-OVERDUE", delivery_area="Transport", is_key=True)
    _eia(overdue, "approved", review_due=TODAY - timedelta(days=1))
    drafting = make_policy("P-DRAFT", delivery_area="Skills")
    _eia(drafting, "in_review")
    make_policy("P-NONE", delivery_area="Skills", is_key=True)
    make_policy("P-NOAREA", delivery_area=None)
    make_policy("P-RETIRED", delivery_area="Skills", status="retired")  # not in any count
    return current


def test_eia_coverage_counts_each_policy_once_by_its_first_state(client, sign_in_as):
    _policies_in_every_state()
    sign_in_as("viewer")
    page = client.page("/staff/reports/eia-coverage")
    areas = _cells(page, "By delivery area")
    # Current, overdue, in progress, none, policies, share current
    assert areas["Transport"] == ["1", "1", "0", "0", "2", "50%"]
    assert areas["Skills"] == ["0", "0", "1", "1", "2", "0%"]
    assert areas["No delivery area given"] == ["0", "0", "0", "1", "1", "0%"]
    assert areas["All policies"] == ["1", "1", "1", "2", "5", "20%"]
    assert areas["Housing"] == ["0", "0", "0", "0", "0", "No policies"]
    chart = page.select_one("svg[role=img]")
    assert chart["aria-labelledby"] and "5 policies" in chart.desc.text
    # A bar per state, "No EIA" (2 policies) twice as long as the others (1 each).
    assert [rect["width"] for rect in chart.select("rect")] == ["155.0", "155.0", "155.0", "310.0"]
    states = {row.th.text: row.td.text for row in page.select(".app-chart__table tbody tr")}
    assert states == {
        "Current approved EIA": "1",
        "Review overdue": "1",
        "EIA in progress": "1",
        "No EIA": "2",
    }


def test_eia_coverage_for_key_policies_lists_and_filters_them(client, sign_in_as):
    _policies_in_every_state()
    sign_in_as("policy_lead")
    page = client.page("/staff/reports/eia-coverage?key=yes")
    assert _cells(page, "By delivery area")["All policies"] == ["1", "1", "0", "1", "3", "33%"]
    transport = db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Transport"))
    link = page.find("a", href=lambda h: h and f"delivery_area={transport}" in h and "state=overdue" in h)
    listed = client.page(link["href"])
    rows = [row.select("td") for row in listed.select("#policies ~ table tbody tr")]
    assert [(cells[0].a.text.split()[0], cells[3].text) for cells in rows] == [
        ("P-OVERDUE", "Review overdue")
    ]
    assert "1 policy" in listed.select_one("[role=status]").text


def test_eia_coverage_csv_holds_the_page_figures_and_is_audited(client, sign_in_as):
    _policies_in_every_state()
    user = sign_in_as("equality_lead")
    rows = _csv(client.get("/staff/reports/eia-coverage.csv"))
    assert rows[0][:5] == [
        "Delivery area",
        "Current approved EIA",
        "Review overdue",
        "EIA in progress",
        "No EIA",
    ]
    by_area = {row[0]: row[1:] for row in rows[1:]}
    assert by_area["Transport"] == ["1", "1", "0", "0", "2", "50%"]
    assert by_area["All policies"] == ["1", "1", "1", "2", "5", "20%"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reports.eia_coverage_exported"))
    assert event.actor_id == user.id


def _barrier_items():
    policy = make_policy()
    make_feedback(characteristics=["Disability", "Age"], barriers=["Transport", "Cost"], policies=[policy])
    make_feedback(characteristics=["Disability"], barriers=["Transport"])
    make_feedback(barriers=["Transport"])  # speaks for nobody: in the barrier's total only
    make_feedback(characteristics=["Disability"], barriers=["Transport"], status="excluded")
    make_feedback(
        characteristics=["Disability"], barriers=["Transport"], received_at=utc_now() - timedelta(days=400)
    )


def test_barriers_by_characteristic_count_what_the_inbox_lists(client, sign_in_as):
    _barrier_items()
    sign_in_as("viewer")
    page = client.page("/staff/reports/barriers")
    table = page.select_one("table")
    header = [th.text.strip() for th in table.select("thead th")]
    rows = _rows(table)
    disability, age = header.index("Disability") - 1, header.index("Age") - 1
    assert (
        rows["Transport"][disability] == "3"
        and rows["Transport"][age] == "1"
        and rows["Transport"][-1] == "4"
    )
    assert rows["Cost"][disability] == "1" and rows["Cost"][-1] == "1"
    link = next(a for a in table.select("a") if a.text == "3 items: Transport, Disability")
    inbox = client.page(link["href"])
    assert "3 items match these filters" in inbox.text

    recent = (TODAY - timedelta(days=30)).strftime("%d/%m/%Y")
    page = client.page(f"/staff/reports/barriers?date_from={recent}")
    rows = _rows(page.select_one("table"))
    assert rows["Transport"][disability] == "2" and rows["Transport"][-1] == "3"
    link = next(a for a in page.select("table a") if a.text == "2 items: Transport, Disability")
    inbox = client.page(link["href"])
    assert "2 items match these filters" in inbox.text

    figures = _csv(client.get(f"/staff/reports/barriers.csv?date_from={recent}"))
    transport = next(row for row in figures if row[0] == "Transport")
    assert transport[figures[0].index("Disability")] == "2" and transport[-1] == "3"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=31/2/2026", "date_from", "Start date must be a real date"),
        (
            "date_from=2/3/2026&date_to=1/3/2026",
            "date_to",
            "The end date must be the same as or after the start date",
        ),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field(client, sign_in_as, query, field, message):
    sign_in_as("viewer")
    page = client.page(f"/staff/reports/barriers?{query}")
    assert page.title.text.startswith("Error: ")
    assert page.select_one(".govuk-error-summary").find("a", href=f"#{field}").text == message
    assert message in page.select_one(f"#{field}-error").text
    download = client.get(f"/staff/reports/barriers.csv?{query}")
    assert download.status_code == 302  # back to the page that says what is wrong


def test_the_heat_map_counts_each_item_once_per_policy_by_any_path(client, sign_in_as):
    policy = make_policy("P-HEAT")
    other = make_policy("P-COLD")
    consultation = make_consultation()
    consultation.policies = [policy]
    db.session.commit()
    event = make_event(policies=[policy])
    # Reaches P-HEAT three ways at once: counts once.
    make_feedback(characteristics=["Disability"], consultation=consultation, event=event, policies=[policy])
    for _ in range(5):
        make_feedback(characteristics=["Age"], event=event)
    make_feedback(characteristics=["Disability"], policies=[policy], status="excluded")
    make_feedback(characteristics=["Race"], policies=[other])
    sign_in_as("viewer")
    page = client.page("/staff/reports/coverage")
    table = page.select_one("table")
    header = [th.text.strip() for th in table.select("thead th")]
    rows = {row.th.a.text: row.select("td") for row in table.select("tbody tr")}
    cell = dict(zip(header[1:], rows["P-HEAT"], strict=True))
    assert cell["Items reached"].text == "6"
    assert cell["Disability"].text.startswith("1") and "app-heat--1" in cell["Disability"]["class"]
    assert "weak evidence" in cell["Disability"].text
    assert cell["Age"].text.startswith("5") and "app-heat--2" in cell["Age"]["class"]
    assert cell["Race"].text.startswith("0") and "not heard" in cell["Race"].text
    link = cell["Age"].a["href"]
    age = db.session.scalar(select(Characteristic.id).where(Characteristic.name == "Age"))
    assert link.endswith(f"/staff/policies/{policy.id}/evidence?characteristic={age}")
    figures = _csv(client.get("/staff/reports/coverage.csv"))
    heat = next(row for row in figures if row[0] == "P-HEAT")
    assert (
        heat[2] == "6"
        and heat[figures[0].index("Age")] == "5"
        and heat[figures[0].index("Disability")] == "1"
    )


def test_reports_need_sign_in(client):
    for url in (
        "/staff/reports",
        "/staff/reports/eia-coverage",
        "/staff/reports/barriers",
        "/staff/reports/coverage",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/sign-in" in response.location


def test_the_reports_index_links_every_report(client, sign_in_as):
    sign_in_as("viewer")
    page = client.page("/staff/reports")
    links = {a["href"] for a in page.select("main a")}
    assert {"/staff/reports/eia-coverage", "/staff/reports/barriers", "/staff/reports/coverage"} <= links
