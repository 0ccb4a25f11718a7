"""Pagers count up to a limit, never a whole table, and any page number in a URL gets a page, not an error."""

import pytest
from sqlalchemy import event, select

from crm.core import pagination
from crm.extensions import db
from crm.groups.models import CommunityGroup
from tests.factories import make_group


@pytest.fixture
def twelve_groups():
    for number in range(12):
        make_group(f"Paged Group {number:02d}")


def _page(number, per_page=5):
    return pagination.paginate(select(CommunityGroup).order_by(CommunityGroup.name), number, per_page)


def test_a_total_past_the_count_limit_is_a_lower_bound(app, twelve_groups, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 8)
    with app.test_request_context():
        first = _page(1)
        assert [group.name for group in first.items][0] == "Paged Group 00"
        assert first.total_is_lower_bound and first.total_text == "more than 8"
        assert first.has_next and not first.has_prev
        # The pages shown stop at the limit: the last one is not known, so it is not offered.
        assert (
            None not in list(first.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1))[:2]
        )
        last = _page(3)
        assert [group.name for group in last.items] == ["Paged Group 10", "Paged Group 11"]
        assert not last.has_next and last.total == 12 and last.total_text == "12"


def test_the_last_page_knows_its_total_without_a_count(app, twelve_groups):
    with app.test_request_context():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = _page(1, per_page=20)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert page.total == 12 and not page.has_next and page.pages == 1
        assert not any("count(" in statement.lower() for statement in statements)


def test_an_exact_total_under_the_limit(app, twelve_groups):
    with app.test_request_context():
        page = _page(2)
        assert page.total == 12 and not page.total_is_lower_bound
        assert page.pages == 3 and page.has_next and page.has_prev


@pytest.mark.parametrize("number", ["-3", "0", "abc", "99999999999999999999", "1e9", "2.5"])
def test_a_tampered_page_number_gets_a_page(client, sign_in_as, twelve_groups, number):
    sign_in_as("viewer")
    response = client.get(f"/staff/groups?page={number}")
    assert response.status_code == 200
    response = client.get(f"/staff/feedback?page={number}")
    assert response.status_code == 200


def test_a_page_number_past_the_deepest_page_lands_on_it(app):
    with app.test_request_context():
        page = _page(10**9, per_page=25)
        assert page.page == pagination.MAX_OFFSET // 25 + 1
        assert page.items == []
