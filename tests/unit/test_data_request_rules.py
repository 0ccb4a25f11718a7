"""The legal clock and confirmation tokens of data requests."""

from datetime import UTC, date, datetime

import pytest

from crm.privacy import rules

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 10), date(2026, 4, 10)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # over the year's end
    ],
)
def test_one_calendar_month_is_the_same_day_next_month_or_its_last_day(received, due):
    assert rules.add_calendar_month(received) == due


def test_the_due_date_counts_from_the_uk_day_and_skips_a_weekend():
    # 23:30 on 30 April UTC is 00:30 on 1 May in British Summer Time: the UK day is 1 May.
    assert rules.due_date(datetime(2026, 4, 30, 23, 30, tzinfo=UTC)) == date(2026, 6, 1)  # 1 June is a Monday
    # 14 February 2026 + 1 month = Saturday 14 March 2026, so Monday 16 March.
    assert rules.due_date(datetime(2026, 2, 14, 12, tzinfo=UTC)) == date(2026, 3, 16)
    assert rules.due_date(datetime(2026, 3, 10, 12, tzinfo=UTC)) == date(2026, 4, 10)  # a Friday


def test_a_token_is_random_and_only_its_hash_is_kept():
    token, digest = rules.new_token()
    other, _ = rules.new_token()
    assert token != other and len(token) >= 40
    assert digest == rules.hash_token(token) and token not in digest and len(digest) == 64


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("CV-AB23-CD45", "CV-AB23-CD45"),
        (" cv-ab23-cd45 ", "CV-AB23-CD45"),
        ("CV AB23 CD45", "CV-AB23-CD45"),
        ("cvab23cd45", "CV-AB23-CD45"),
        ("hello", "HELLO"),
        ("", ""),
    ],
)
def test_receipt_references_are_read_as_people_type_them(typed, normal):
    assert rules.normalise_reference(typed) == normal
    assert bool(rules.REFERENCE_PATTERN.fullmatch(normal)) == normal.startswith("CV-")
