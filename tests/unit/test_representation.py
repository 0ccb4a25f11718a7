"""The representation report's rules: a scope's figures are sums of published ones (ranges where a
consultation hid a figure), shares carry those ranges exactly, and the flag and score follow them."""

import itertools

import pytest

from crm.core.suppression import suppress_distribution
from crm.reports.representation import Figure, cohort_rows, combine, compare, score, shares

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def _published(counts: dict[str, int], minimum: int = 10):
    return suppress_distribution(counts, threshold=5, minimum=minimum)


def test_a_scope_of_fully_shown_consultations_adds_them_up_exactly():
    combined = combine([_published({"female": 30, "male": 20}), _published({"female": 12, "male": 8})])
    assert combined.figures == {"female": Figure(42, 42), "male": Figure(28, 28)}
    assert combined.left_out == 0


def test_a_hidden_figure_makes_a_range_and_a_withheld_table_is_left_out():
    one = _published({"female": 30, "male": 3, "prefer_not_to_say": 7})
    assert not one.cells["male"].shown  # fewer than 5: and so another goes too
    combined = combine([one, _published({"female": 2, "male": 3}), _published({"female": 40, "male": 40})])
    assert combined.left_out == 1  # 5 people: under the minimum of 10
    male = combined.figures["male"]
    assert not male.exact and male.low <= 43 <= male.high  # the true 3 + 40 lies in the range
    for code, true in {"female": 70, "prefer_not_to_say": 7}.items():
        figure = combined.figures[code]
        assert figure.low <= true <= (figure.high if figure.high is not None else true)


def test_the_range_holds_only_what_the_published_figures_allow():
    published = _published({"a": 3, "b": 20, "c": 6})
    figures = combine([published]).figures
    shown_total = published.total.value
    # Every hidden cell is a range of at least two values, and the true value is inside it.
    for code, true in {"a": 3, "b": 20, "c": 6}.items():
        figure = figures[code]
        assert figure.low <= true <= figure.high
        if not published.cells[code].shown:
            assert figure.high > figure.low
    assert sum(f.high for f in figures.values()) >= shown_total >= sum(f.low for f in figures.values())


@pytest.mark.parametrize(
    "figures",
    [
        {"a": Figure(0, 4), "b": Figure(20, 20), "c": Figure(5, 9)},
        {"a": Figure(3, 3), "b": Figure(7, 7)},
        {"a": Figure(1, 4), "b": Figure(2, 6), "prefer_not_to_say": Figure(9, 9)},
    ],
)
def test_share_ranges_are_the_true_bounds(figures):
    """Checked against every combination of counts the ranges allow."""
    heard = shares(figures)
    categories = [code for code in figures if code != "prefer_not_to_say"]
    ranges = [range(figures[c].low, figures[c].high + 1) for c in categories]
    seen = {c: [] for c in categories}
    for values in itertools.product(*ranges):
        if sum(values):
            for code, value in zip(categories, values, strict=True):
                seen[code].append(value / sum(values))
    for code in categories:
        assert heard[code].low == pytest.approx(min(seen[code]))
        assert heard[code].high == pytest.approx(max(seen[code]))
    assert "prefer_not_to_say" not in heard


def test_under_representation_and_the_score():
    figures = {"disabled": Figure(10, 10), "not_disabled": Figure(90, 90)}
    comparisons = {c.code: c for c in compare(figures, {"disabled": 0.2, "not_disabled": 0.8})}
    assert comparisons["disabled"].under_represented  # 10% against 20%
    assert comparisons["disabled"].ratio == "0.50"
    assert not comparisons["not_disabled"].under_represented
    assert score(list(comparisons.values())) == pytest.approx(90.0)  # 100 × (1 − ½ × (0.1 + 0.1))


def test_a_range_is_flagged_only_when_all_of_it_is_under_and_gets_no_score():
    figures = {"a": Figure(0, 4), "b": Figure(50, 50)}
    comparisons = {c.code: c for c in compare(figures, {"a": 0.5, "b": 0.5})}
    assert comparisons["a"].under_represented  # at most 4 of 54: well under half
    assert comparisons["a"].share.text == "0% to 7%"
    assert score(list(comparisons.values())) is None
    figures = {"a": Figure(0, 4), "b": Figure(5, 5)}
    comparisons = {c.code: c for c in compare(figures, {"a": 0.3, "b": 0.7})}
    assert not comparisons["a"].under_represented  # it could be 4 of 9, over its 30%


def test_a_cohort_adds_its_categories_up_and_keeps_a_hidden_one_a_range():
    class Cohort:
        def __init__(self, name, categories):
            self.name, self.categories = name, categories

    figures = {"a": Figure(30, 30), "b": Figure(0, 4), "c": Figure(20, 20), "prefer_not_to_say": Figure(9, 9)}
    population = {"a": 0.5, "b": 0.1, "c": 0.4}
    cohorts = [Cohort("A or B", ["q:a", "q:b"]), Cohort("Across questions", ["q:a", "other:x"])]
    (row,) = cohort_rows(cohorts, "q", figures, population)
    assert row.name == "A or B"
    assert row.comparison.heard == Figure(30, 34)
    # 30 / (30 + 20) to 34 / (34 + 20): "prefer not to say" is in neither side
    assert row.comparison.share.low == pytest.approx(0.6)
    assert row.comparison.share.high == pytest.approx(34 / 54)
    assert row.comparison.population == pytest.approx(0.6)
    assert not row.comparison.under_represented
