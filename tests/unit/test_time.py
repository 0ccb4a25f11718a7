"""crm/core/time.py: days and times typed in UK time, stored in UTC, written the GOV.UK way (rule 8)."""

from datetime import UTC, date, datetime, time

import pytest
from werkzeug.datastructures import MultiDict

from crm.core import args
from crm.core.time import (
    end_of_uk_day,
    govuk_date,
    govuk_date_time,
    govuk_month,
    parse_day,
    parse_day_boxes,
    parse_govuk_date,
    parse_time_of_day,
    start_of_uk_day,
    uk_day_and_time,
    uk_midday,
    utc_from_uk,
)

# The clocks change on the last Sunday of March (01:00 GMT becomes 02:00 BST) and of October (02:00 BST
# becomes 01:00 GMT): in 2026, 29 March and 25 October.
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)


# ---- Reading days ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "27/3/2026",
        "27/03/2026",
        "2026-03-27",
        "27 3 2026",
        "27 03 2026",
        "27-3-2026",
        "27-03-2026",
        " 27/3/2026 ",
    ],
)
def test_each_way_people_write_a_day_is_read(text):
    assert parse_day(text) == date(2026, 3, 27)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "   ",
        "31/2/2026",
        "27/13/2026",
        "2026/03/27",
        "27.3.2026",
        "27 March 2026",
        "27/3/26",
        "soon",
    ],
)
def test_anything_else_is_not_a_day(text):
    assert parse_day(text) is None


def test_the_uk_reads_the_day_first():
    assert parse_day("3/4/2026") == date(2026, 4, 3)


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        (("27", "3", "2026"), date(2026, 3, 27)),
        ((" 27 ", "03 ", " 2026"), date(2026, 3, 27)),
        (("29", "2", "2028"), date(2028, 2, 29)),
        (("29", "2", "2027"), None),
        (("31", "2", "2026"), None),
        (("", "3", "2026"), None),
        (("27", "", "2026"), None),
        (("27", "3", ""), None),
        (("27/3/2026", "", ""), None),
        (("27", "3", "26"), None),
        (("day", "3", "2026"), None),
    ],
)
def test_the_gov_uk_date_input_needs_three_boxes_that_make_a_real_day(boxes, expected):
    assert parse_day_boxes(*boxes) == expected


def test_a_list_filter_reads_the_day_a_date_input_sends_and_ignores_anything_else():
    query = MultiDict({"from": "2026-11-27", "to": "27/11/2026", "bad": "2026-02-30", "words": "<script>"})
    assert args.day(query, "from") == date(2026, 11, 27)
    assert args.day(query, "to") == date(2026, 11, 27)  # where the browser shows a plain text box
    assert [args.day(query, name) for name in ("bad", "words", "missing")] == [None, None, None]


# ---- Reading times of day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9am", time(9)),
        ("11:59pm", time(23, 59)),
        ("11.59 PM", time(23, 59)),
        ("23:59", time(23, 59)),
        ("09:05", time(9, 5)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("midday", time(12)),
        ("noon", time(12)),
        ("12 noon", time(12)),
        ("Midnight", time(0)),
        ("midnight", time(0)),
        ("9", None),
        ("25:00", None),
        ("13pm", None),
        ("0am", None),
        ("9:60", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_times_are_read_the_way_people_write_them(text, expected):
    assert parse_time_of_day(text) == expected


# ---- UK time and UTC -------------------------------------------------------------------------------------


def test_a_consultation_closing_at_1159pm_on_31_march_closes_then_in_summer_time():
    closes = utc_from_uk(date(2027, 3, 31), parse_time_of_day("11:59pm"))
    assert closes == datetime(2027, 3, 31, 22, 59, tzinfo=UTC)  # BST is UTC+1
    in_winter = utc_from_uk(date(2027, 1, 31), parse_time_of_day("23:59"))
    assert in_winter == datetime(2027, 1, 31, 23, 59, tzinfo=UTC)  # GMT is UTC
    assert govuk_date_time(closes) == "11:59pm on 31 March 2027"


def test_the_hour_the_clocks_go_back_in_october_is_read_as_the_first_of_the_two():
    assert utc_from_uk(FALL_BACK, time(0, 30)) == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # BST
    assert utc_from_uk(FALL_BACK, time(1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still BST
    assert utc_from_uk(FALL_BACK, time(2, 30)) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # GMT


def test_the_last_sunday_of_october_lasts_25_hours_and_the_last_of_march_23():
    assert start_of_uk_day(FALL_BACK) == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert end_of_uk_day(FALL_BACK) == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
    assert start_of_uk_day(SPRING_FORWARD) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert end_of_uk_day(SPRING_FORWARD) == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def test_a_day_ends_where_the_next_begins():
    assert end_of_uk_day(date(2026, 12, 31)) == start_of_uk_day(date(2027, 1, 1))
    assert end_of_uk_day(date(2026, 12, 31)) == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)  # GMT


def test_a_day_without_a_time_is_kept_at_uk_midday():
    assert uk_midday(date(2026, 7, 1)) == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert uk_midday(date(2026, 12, 1)) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, (None, "")),
        (datetime(2027, 3, 31, 22, 59, tzinfo=UTC), (date(2027, 3, 31), "23:59")),
        (datetime(2026, 12, 1, 9, 5, tzinfo=UTC), (date(2026, 12, 1), "09:05")),
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), (date(2026, 7, 1), "00:30")),
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), (FALL_BACK, "01:30")),  # BST
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), (FALL_BACK, "01:30")),  # GMT: the hour again
    ],
)
def test_a_stored_date_time_is_split_into_the_uk_day_and_time_a_form_shows(stored, expected):
    assert uk_day_and_time(stored) == expected


def test_a_split_date_time_joins_back_to_the_same_instant():
    stored = datetime(2027, 3, 31, 22, 59, tzinfo=UTC)
    day, clock = uk_day_and_time(stored)
    assert utc_from_uk(day, parse_time_of_day(clock)) == stored


# ---- Writing for people ----------------------------------------------------------------------------------


def test_dates_are_written_the_gov_uk_way():
    assert govuk_date(date(2026, 11, 27)) == "27 November 2026"
    assert govuk_date(datetime(2026, 3, 1, 0, 30, tzinfo=UTC)) == "1 March 2026"
    assert govuk_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"  # already July in BST
    assert govuk_date(None) == ""


def test_times_are_shown_in_uk_time_in_summer_and_winter():
    assert govuk_date_time(datetime(2026, 3, 31, 22, 59, tzinfo=UTC)) == "11:59pm on 31 March 2026"  # BST
    assert govuk_date_time(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "midday on 1 December 2026"  # GMT
    assert govuk_date_time(datetime(2026, 7, 1, 13, 0, tzinfo=UTC)) == "2pm on 1 July 2026"
    assert govuk_date_time(datetime(2026, 7, 1, 8, 5, tzinfo=UTC)) == "9:05am on 1 July 2026"
    assert govuk_date_time(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == "midnight on 1 December 2026"
    assert govuk_date_time(None) == ""


def test_either_side_of_the_october_change_shows_the_clock_on_the_wall():
    assert govuk_date_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "1:30am on 25 October 2026"  # BST
    assert govuk_date_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "1:30am on 25 October 2026"  # GMT
    assert govuk_date_time(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)) == "2am on 25 October 2026"


def test_months_are_uk_months():
    assert govuk_month(datetime(2026, 11, 27, 14, 0, tzinfo=UTC)) == "November 2026"
    assert govuk_month(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == "June 2026"  # 00:30 BST on 1 June


def test_a_day_as_the_app_writes_it_is_read_back():
    assert parse_govuk_date(govuk_date(date(2026, 3, 3))) == date(2026, 3, 3)
    assert parse_govuk_date(" 27 march 2026 ") == date(2026, 3, 27)
    assert parse_govuk_date("31 February 2026") is None and parse_govuk_date("Skills Street") is None
