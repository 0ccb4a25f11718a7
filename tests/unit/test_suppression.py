import pytest

from crm.core.suppression import PRIMARY, SECONDARY, suppress_distribution, suppress_table


def _hidden(table):
    return {
        (r, c): cell.suppressed
        for r, row in enumerate(table)
        for c, cell in enumerate(row)
        if cell.suppressed
    }


def _recoverable(table) -> list:
    """Rows or columns (with their totals) where exactly one number is hidden: it can be worked out."""
    rows, cols = len(table), len(table[0])
    lines = [[table[r][c] for c in range(cols)] for r in range(rows)]
    lines += [[table[r][c] for r in range(rows)] for c in range(cols)]
    return [line for line in lines if sum(1 for cell in line if not cell.shown) == 1]


def test_counts_of_1_to_4_are_hidden_and_zeros_and_5_are_shown():
    result = suppress_distribution({"a": 0, "b": 1, "c": 4, "d": 5, "e": 20}, threshold=5)
    assert result.cells["a"].shown and result.cells["a"].text(5) == "0"
    assert result.cells["b"].suppressed == PRIMARY and result.cells["b"].text(5) == "fewer than 5"
    assert result.cells["c"].suppressed == PRIMARY
    assert result.cells["d"].shown and result.cells["e"].shown and result.total.shown
    assert result.total.value == 30


def test_a_single_hidden_cell_takes_the_next_smallest_with_it():
    # 3 hidden alone could be worked out as 50 - (40 + 7); so the 7 is hidden too, not the 40.
    result = suppress_distribution({"a": 3, "b": 40, "c": 7}, threshold=5)
    assert result.cells["a"].suppressed == PRIMARY
    assert result.cells["c"].suppressed == SECONDARY and result.cells["c"].text(5) == "hidden"
    assert result.cells["b"].shown and result.total.shown
    assert result.percentage("a") == "" and result.percentage("c") == "" and result.percentage("b") == "80%"


def test_the_secondary_cell_is_never_a_zero_because_hiding_a_zero_protects_nothing():
    result = suppress_distribution({"a": 2, "b": 0, "c": 9, "d": 30}, threshold=5)
    assert result.cells["b"].shown and result.cells["c"].suppressed == SECONDARY


def test_when_only_the_small_cell_is_non_zero_the_total_is_hidden_instead():
    result = suppress_distribution({"a": 0, "b": 3, "c": 0}, threshold=5)
    assert result.cells["b"].suppressed == PRIMARY
    assert not result.total.shown  # 3 is also below the threshold
    result = suppress_distribution({"a": 0, "b": 3}, threshold=2)
    assert result.cells["b"].shown  # the threshold is configurable


def test_two_small_cells_protect_each_other():
    result = suppress_distribution({"a": 2, "b": 3, "c": 50}, threshold=5)
    assert [result.cells[k].suppressed for k in "abc"] == [PRIMARY, PRIMARY, None]


def test_nothing_is_hidden_when_every_count_is_large_or_zero():
    result = suppress_distribution({"a": 0, "b": 12, "c": 5}, threshold=5)
    assert not result.any_suppressed


def test_a_table_spreads_secondary_suppression_across_rows_and_columns():
    counts = [
        [20, 3, 30],
        [25, 15, 40],
        [30, 35, 45],
    ]
    table = suppress_table(counts, threshold=5)
    hidden = _hidden(table)
    assert hidden[(0, 1)] == PRIMARY
    assert len(hidden) >= 4  # a single hidden cell needs partners in its row and in its column
    assert _recoverable(table) == []
    # totals are still right
    assert table[3][3].value == sum(map(sum, counts))


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_worked_out_from_any_line(seed):
    import random

    rng = random.Random(seed)
    counts = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(rng.randint(1, 5))]]
    width = len(counts[0])
    counts += [[rng.choice([0, 1, 2, 4, 7, 12, 25]) for _ in range(width)] for _ in range(rng.randint(0, 4))]
    table = suppress_table(counts, threshold=5)
    assert _recoverable(table) == []
    for r, row in enumerate(counts):
        for c, value in enumerate(row):
            if 0 < value < 5:
                assert table[r][c].suppressed == PRIMARY
            if value == 0:
                assert table[r][c].shown


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]], threshold=5)
    with pytest.raises(ValueError):
        suppress_table([[-1]], threshold=5)
    with pytest.raises(ValueError):
        suppress_table([[1]], threshold=0)
    assert suppress_distribution({}, 5).total.value == 0
