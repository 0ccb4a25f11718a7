"""The rules of crm/core/suppression.py case by case; test_suppression_attacker.py tries every table."""

import pytest

from crm.core.suppression import (
    PRIMARY,
    SECONDARY,
    WITHHELD,
    SuppressionSettingsError,
    check_settings,
    suppress_distribution,
    suppress_related,
    suppress_table,
)

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def test_counts_of_1_to_4_are_fewer_than_5_and_so_are_the_zeros_beside_them():
    result = suppress_distribution({"a": 0, "b": 1, "c": 4, "d": 5, "e": 20}, threshold=5)
    assert result.cells["a"].suppressed == PRIMARY  # else "fewer than 5" would mean 1 to 4
    assert result.cells["b"].suppressed == PRIMARY and result.cells["b"].text(5) == "fewer than 5"
    assert result.cells["c"].suppressed == PRIMARY
    assert result.cells["d"].shown and result.cells["e"].shown and result.total.shown
    assert result.total.value == 30


def test_zeros_are_shown_when_nothing_is_hidden():
    result = suppress_distribution({"a": 0, "b": 12, "c": 5}, threshold=5)
    assert not result.any_suppressed and result.cells["a"].text(5) == "0"


def test_a_single_hidden_cell_takes_the_next_smallest_with_it():
    # 3 hidden alone could be worked out as 50 - (40 + 7); so the 7 is hidden too, not the 40.
    result = suppress_distribution({"a": 3, "b": 40, "c": 7}, threshold=5)
    assert result.cells["a"].suppressed == PRIMARY
    assert result.cells["c"].suppressed == SECONDARY and result.cells["c"].text(5) == "hidden"
    assert result.cells["b"].shown and result.total.shown
    assert result.percentage("a") == "" and result.percentage("c") == "" and result.percentage("b") == "80%"


def test_residual_sums_cannot_pin_the_hidden_cells():
    # The case: Straight 6, Gay and Bisexual "fewer than 5", total 8.
    result = suppress_distribution({"straight": 6, "gay": 1, "bisexual": 1, "other": 0}, threshold=5)
    assert result.cells["other"].suppressed == PRIMARY  # the 2 left over may be 0 + 2, 1 + 1, 2 + 0...
    # a residual of 1 over two hidden cells that cannot be zero would pin them: now they can be
    result = suppress_distribution({"a": 9, "b": 1, "c": 0}, threshold=5)
    assert result.cells["b"].suppressed == PRIMARY and result.cells["c"].suppressed == PRIMARY


def test_a_question_total_is_never_hidden_as_the_others_show_it():
    # 4 + 4 = 8 pins both; hiding the 8 would not help, as every other question shows the same total.
    result = suppress_distribution({"a": 4, "b": 4}, threshold=5)
    assert result.withheld and result.total.suppressed == WITHHELD
    result = suppress_distribution({"a": 3, "b": 40, "c": 7}, threshold=5)
    assert result.total.shown


def test_minimum_n_withholds_the_whole_breakdown():
    result = suppress_distribution({"a": 9}, threshold=5, minimum=10)
    assert result.withheld.startswith("Not shown: fewer than 10 people")
    assert result.cells["a"].suppressed == WITHHELD and result.total.suppressed == WITHHELD
    assert not suppress_distribution({"a": 10}, threshold=5, minimum=10).withheld


def test_related_questions_are_one_table():
    # The case: "Not asked (no long-term condition)" 7 shown while "No" is hidden.
    condition = {"yes": 4, "no": 7, "prefer_not_to_say": 0, "not_answered": 0}
    activity = {
        "yes_a_lot": 2,
        "yes_a_little": 2,
        "not_at_all": 0,
        "prefer_not_to_say": 0,
        "not_applicable": 7,
        "not_answered": 0,
    }
    disabled = {"disabled": 4, "not_disabled": 7, "prefer_not_to_say": 0, "not_answered": 0}
    result = suppress_related(
        {"condition": condition, "activity": activity, "disabled": disabled},
        threshold=5,
        same=[(("condition", "no"), ("activity", "not_applicable"))],
        derived=["disabled"],
    )
    assert result["condition"].cells["no"].suppressed == result["activity"].cells["not_applicable"].suppressed
    assert result["disabled"].withheld  # its "Disabled" is the sum of hidden activity counts
    assert not result["condition"].cells["yes"].shown


def test_a_table_spreads_secondary_suppression_across_rows_and_columns():
    counts = [[20, 3, 30], [25, 15, 40], [30, 35, 45]]
    table = suppress_table(counts, threshold=5)
    assert table[0][1].suppressed == PRIMARY
    assert sum(not cell.shown for row in table for cell in row) >= 4
    assert table[3][3].value == sum(map(sum, counts))


@pytest.mark.parametrize("threshold", [0, 1, 101, 1000, "5", True])
def test_a_threshold_outside_2_to_100_is_refused_with_a_clear_message(threshold):
    with pytest.raises(
        SuppressionSettingsError, match="SUPPRESSION_THRESHOLD must be a whole number from 2 to 100"
    ):
        check_settings({"SUPPRESSION_THRESHOLD": threshold, "MIN_BREAKDOWN": 10})
    with pytest.raises(SuppressionSettingsError):
        suppress_distribution({"a": 1}, threshold)


def test_a_minimum_n_below_the_threshold_is_refused():
    with pytest.raises(SuppressionSettingsError, match="MIN_BREAKDOWN must be"):
        check_settings({"SUPPRESSION_THRESHOLD": 5, "MIN_BREAKDOWN": 3})
    check_settings({"SUPPRESSION_THRESHOLD": 5, "MIN_BREAKDOWN": 10})


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]], threshold=5)
    with pytest.raises(ValueError):
        suppress_table([[-1]], threshold=5)
    assert suppress_distribution({}, 5).total.value == 0
