"""The co-production report's rules that need no database: ordering principles and adding up rows."""

from types import SimpleNamespace

import pytest

from crm.engagement.models import COPRODUCTION_LEVELS, PRINCIPLE_RATINGS, PrincipleRating
from crm.reports.coproduction import LevelRow, PrincipleCount, most_often_not_met

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def _line(name, not_met, partly_met, met=0, retired=False):
    return PrincipleCount(SimpleNamespace(name=name, is_retired=retired), not_met, partly_met, met)


def test_principles_most_often_not_met_come_first_then_partly_met_then_the_admins_order():
    lines = [_line("A", 1, 0), _line("B", 3, 0), _line("C", 1, 4), _line("D", 0, 0), _line("E", 1, 0)]
    assert [line.principle.name for line in most_often_not_met(lines)] == ["B", "C", "A", "E", "D"]


def test_a_principle_counts_what_was_assessed_and_says_when_it_is_retired():
    line = _line("Reciprocity", 2, 3, 4, retired=True)
    assert line.assessed == 9
    assert line.label == "Reciprocity (retired)"
    assert _line("Shared power", 0, 0).label == "Shared power"


def test_a_level_row_totals_its_levels():
    row = LevelRow("Apr to Jun 2026", dict.fromkeys(COPRODUCTION_LEVELS, 2))
    assert row.total == 2 * len(COPRODUCTION_LEVELS) == 10


def test_not_assessed_is_a_rating_and_the_default_the_ratings_read_in_order():
    assert list(PRINCIPLE_RATINGS.values()) == ["Not assessed", "Met", "Partly met", "Not met"]
    assert PrincipleRating.NOT_ASSESSED == "not_assessed"
    assert list(COPRODUCTION_LEVELS) == ["inform", "consult", "involve", "collaborate", "empower"]
