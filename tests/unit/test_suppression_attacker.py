"""The exhaustive attacker: for thousands of seeded random small tables, take only what the module shows
(shown counts, shown totals, the labels and the rule) and enumerate every integer completion consistent with
it. Every hidden count must keep at least two possible values, and every shown figure must be the true one.

What the attacker knows of a hidden count: "fewer than k" is 0 to k - 1 when the module hides the zeros beside
hidden counts (HIDES_ZEROS), else 1 to k - 1 (zeros would be shown); "hidden" is k or more. The attacker is
also given the true grand total as an upper bound on every count, which only makes them stronger.
The enumeration is independent of the module's own check: sets of reachable sums here, intervals there.
"""

import functools
import random
from itertools import product
from operator import add

import pytest

from crm.core import suppression
from crm.core.suppression import PRIMARY, SECONDARY, WITHHELD, suppress_distribution, suppress_table

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free

THRESHOLDS = (5, 3)


def _domain(cell, threshold: int, cap: int) -> range:
    if cell.shown:
        return range(cell.value, cell.value + 1)
    if cell.suppressed == PRIMARY:
        return range(0 if getattr(suppression, "HIDES_ZEROS", False) else 1, threshold)
    assert cell.suppressed == SECONDARY
    return range(threshold, max(cap, threshold) + 1)


def _attack_distribution(cells, total, threshold: int, cap: int) -> list[set[int]]:
    """Possible values of each cell (then the total) given only what is shown."""
    domains = [_domain(cell, threshold, cap) for cell in cells]
    total_domain = set(_domain(total, threshold, cap))
    possible = []
    for i, own in enumerate(domains):
        sums = {0}
        for j, other in enumerate(domains):
            if j != i:
                sums = {s + v for s in sums for v in other if s + v <= cap}
        possible.append({v for v in own if any(v + s in total_domain for s in sums)})
    everything = {0}
    for domain in domains:
        everything = {s + v for s in everything for v in domain if s + v <= cap}
    possible.append(total_domain & everything)
    return possible


def _attack_table(table, threshold: int, cap: int) -> dict[tuple[int, int], set[int]]:
    """Possible values of every hidden cell of a table with its total row and column."""
    rows, cols = len(table) - 1, len(table[0]) - 1

    def bound(r: int, c: int) -> int:  # no count is above a shown total of its row or column
        shown = [table[r][cols].value] if table[r][cols].shown and c < cols else []
        shown += [table[rows][c].value] if table[rows][c].shown and r < rows else []
        return min([cap, *shown])

    domains = [
        [_domain(cell, threshold, bound(r, c)) for c, cell in enumerate(row)] for r, row in enumerate(table)
    ]
    row_choices = []
    for r in range(rows):
        choices = [values for values in product(*domains[r][:cols]) if sum(values) in domains[r][cols]]
        row_choices.append(choices)
    found: dict[tuple[int, int], set[int]] = {
        (r, c): set() for r in range(rows + 1) for c in range(cols + 1) if not table[r][c].shown
    }

    def valid_end(sums: tuple[int, ...]) -> bool:
        return sum(sums) in domains[rows][cols] and all(sums[c] in domains[rows][c] for c in range(cols))

    @functools.cache
    def completes(r: int, sums: tuple[int, ...]) -> bool:
        if r == rows:
            return valid_end(sums)
        return any(completes(r + 1, tuple(map(add, sums, values))) for values in row_choices[r])

    reachable = {tuple([0] * cols)}
    for r in range(rows):  # every prefix of rows, then every row that can follow it and still complete
        following = set()
        for sums in reachable:
            for values in row_choices[r]:
                after = tuple(map(add, sums, values))
                if completes(r + 1, after):
                    following.add(after)
                    for c in range(cols + 1):
                        if (r, c) in found:
                            found[(r, c)].add(sum(values) if c == cols else values[c])
        reachable = following
    for sums in reachable:
        for c in range(cols + 1):
            if (rows, c) in found:
                found[(rows, c)].add(sum(sums) if c == cols else sums[c])
    return found


def _random_count(rng: random.Random) -> int:
    return rng.choice([0, 0, 1, 2, 3, 4, rng.randint(0, 12), rng.randint(5, 12)])


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_no_hidden_count_of_one_question_can_be_pinned(threshold):
    rng = random.Random(20261129 + threshold)
    for _ in range(3000):
        counts = {f"c{i}": _random_count(rng) for i in range(rng.randint(2, 6))}
        result = suppress_distribution(counts, threshold)
        cells = [result.cells[key] for key in counts]
        for cell, value in zip(cells, counts.values(), strict=True):
            assert cell.value == value  # shown figures are true ones
        assert result.total.value == sum(counts.values())
        if result.withheld:
            assert all(cell.suppressed == WITHHELD for cell in [*cells, result.total])
            continue
        assert result.total.suppressed != SECONDARY  # other questions show the same total
        possible = _attack_distribution(cells, result.total, threshold, cap=sum(counts.values()))
        for cell, values in zip([*cells, result.total], possible, strict=True):
            assert cell.value in values, (counts, result)
            if not cell.shown:
                assert len(values) >= 2, f"{counts}: a hidden count is exactly {values} from {result}"


def test_no_hidden_cell_of_a_table_can_be_pinned(threshold=5):
    rng = random.Random(1129 + threshold)
    for _ in range(400):
        rows, cols = rng.randint(2, 3), rng.randint(2, 3)
        counts = [[_random_count(rng) for _ in range(cols)] for _ in range(rows)]
        table = suppress_table(counts, threshold)
        for r in range(rows):
            for c in range(cols):
                assert table[r][c].value == counts[r][c]
        assert table[rows][cols].value == sum(map(sum, counts))
        if table[0][0].suppressed == WITHHELD:  # nothing shown, nothing learnt
            assert all(cell.suppressed == WITHHELD for row in table for cell in row)
            continue
        possible = _attack_table(table, threshold, cap=sum(map(sum, counts)))
        for (r, c), values in possible.items():
            assert table[r][c].value in values
            assert len(values) >= 2, f"{counts}: cell {(r, c)} is exactly {values}"


def test_the_residual_sum_of_the_issue_cannot_be_worked_out():
    # Straight 6, Gay "fewer than 5", Bisexual "fewer than 5", total 8: with zeros shown each was exactly 1.
    counts = {"straight": 6, "gay_lesbian": 1, "bisexual": 1, "other": 0, "prefer_not_to_say": 0}
    result = suppress_distribution(counts, 5)
    cells = [result.cells[key] for key in counts]
    possible = _attack_distribution(cells, result.total, 5, cap=8)
    assert possible[1] != {1} and possible[2] != {1}
