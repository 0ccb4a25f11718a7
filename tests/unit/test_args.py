"""The one reader of query arguments and the bounded id converter: out-of-range and odd values are dropped."""

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from crm.core import args


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 7 ", 7),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("1" * 20, None),
        ("-1", None),
        ("²", None),
        ("٣", None),
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_whole_number_takes_only_ascii_digits_within_the_database_range(value, expected):
    assert args.whole_number(value) == expected


def test_ids_and_one_id_drop_what_no_table_can_hold():
    query = MultiDict(
        [("area", "3"), ("area", "99999999999999999999"), ("area", "²"), ("area", "x"), ("area", "5")]
    )
    assert args.ids(query, "area") == [3, 5]
    assert args.one_id(MultiDict({"group": "99999999999999999999"}), "group") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3), ("0", 1), ("-4", 1), ("100000000000000000000", args.MAX_PAGE), ("²", 1), ("x", 1), ("", 1)],
)
def test_a_page_number_is_always_a_page(value, expected):
    assert args.page(MultiDict({"page": value})) == expected


def test_query_arguments_and_form_fields_lose_their_nul_bytes(app):
    with app.test_request_context("/?q=a%00b", method="POST", data={"name": "Pat\x00 Smith"}):
        from flask import request

        assert request.args["q"] == "ab" and request.form["name"] == "Pat Smith"


def test_an_id_past_the_database_range_is_not_a_page(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/staff/groups/2147483647")[1] == {"group_id": 2147483647}
    for huge in (2**31, 2**63, 10**20):
        with pytest.raises(NotFound):
            adapter.match(f"/staff/groups/{huge}")


def test_a_typed_date_that_is_not_a_day_is_worded_the_govuk_way():
    assert args.typed_day_range_problems("31/2/2026", "yesterday") == {
        "date_from": "Start date must be a real date",
        "date_to": "End date must be a real date",
    }
    assert args.typed_day_range_problems("5/3/2026", "1/3/2026") == {
        "date_to": "The end date must be the same as or after the start date"
    }
    assert args.typed_day_range_problems("", "") == {}
