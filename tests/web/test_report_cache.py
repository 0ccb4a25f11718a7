"""The slowest reports keep their figures for REPORT_CACHE_SECONDS, say when they were worked out, and work
them out again once that has passed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.reports.models import ReportCache
from tests.policy_factories import make_feedback, make_policy


@pytest.fixture
def kept_ten_minutes(app):
    app.config["REPORT_CACHE_SECONDS"] = 600
    yield
    app.config["REPORT_CACHE_SECONDS"] = 0


def _transport_total(client) -> str:
    page = client.page("/staff/reports/barriers")
    row = next(tr for tr in page.select("tbody tr") if tr.th.text == "Transport")
    return row.select("td")[-1].text.split()[0]


def test_barrier_figures_are_kept_then_worked_out_again(client, sign_in_as, kept_ten_minutes):
    make_feedback(barriers=["Transport"], characteristics=["Disability"])
    sign_in_as("viewer")
    assert _transport_total(client) == "1"
    assert "they are kept for up to 10 minutes" in client.page("/staff/reports/barriers").text
    make_feedback(barriers=["Transport"], characteristics=["Disability"])
    assert _transport_total(client) == "1"  # kept: not worked out again yet
    for kept in db.session.scalars(select(ReportCache)):
        kept.computed_at -= timedelta(minutes=11)
    db.session.commit()
    assert _transport_total(client) == "2"


def test_the_heat_map_keeps_each_page_apart(client, sign_in_as, kept_ten_minutes):
    policy = make_policy("P-ONE")
    make_feedback(policies=[policy], characteristics=["Age"])
    sign_in_as("viewer")
    page = client.page("/staff/reports/coverage")
    assert "Figures worked out" in page.text
    assert page.select_one("tbody tr td").text == "1"
    make_policy("P-TWO")  # a new page of policies is a new question: worked out, not read from the old one
    make_feedback(policies=[policy], characteristics=["Age"])
    rows = {
        tr.th.a.text: tr.select_one("td").text
        for tr in client.page("/staff/reports/coverage").select("tbody tr")
    }
    assert rows == {"P-ONE": "2", "P-TWO": "0"}
