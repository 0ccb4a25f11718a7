"""Small-number suppression for equality aggregates (rule 4.2; reference section 5.5).

Primary suppression hides every count from 1 to threshold - 1 ("fewer than 5" with the default threshold of
5); true zeros are shown. Secondary suppression then makes sure no hidden count can be worked out from the
totals: in any line of a table (a row or a column together with its total) where exactly one number is hidden,
the smallest other non-zero number in that line is hidden as well (or the line's total, when there is no such
number). This repeats until every line is safe, because hiding a cell can expose the crossing line.
"""

from dataclasses import dataclass

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    value: int
    suppressed: str | None = None  # None, PRIMARY or SECONDARY

    @property
    def shown(self) -> bool:
        return self.suppressed is None

    def text(self, threshold: int) -> str:
        if self.suppressed == PRIMARY:
            return f"fewer than {threshold}"
        if self.suppressed == SECONDARY:
            return "hidden"
        return f"{self.value:,}"


@dataclass(frozen=True)
class Distribution:
    """One question's answers: a cell per category and the total, suppressed together."""

    cells: dict[str, Cell]
    total: Cell
    threshold: int

    def percentage(self, key: str) -> str:
        cell = self.cells[key]
        if not cell.shown or not self.total.shown or self.total.value == 0:
            return ""
        return f"{100 * cell.value / self.total.value:.0f}%"

    @property
    def any_suppressed(self) -> bool:
        return not self.total.shown or any(not cell.shown for cell in self.cells.values())


def _is_primary(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_table(counts: list[list[int]], threshold: int) -> list[list[Cell]]:
    """Suppress a table of counts. Returns the table with a total column and a total row added.

    The returned grid has len(counts) + 1 rows of len(counts[0]) + 1 cells; the last row and column are
    the totals, and the bottom-right cell is the grand total.
    """
    if threshold < 1:
        raise ValueError("The threshold must be at least 1")
    rows = len(counts)
    cols = len(counts[0]) if rows else 0
    if any(len(row) != cols for row in counts):
        raise ValueError("Every row needs the same number of cells")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("Counts cannot be negative")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(grid[r][c] for r in range(rows)) for c in range(cols + 1)])
    hidden = {
        (r, c): PRIMARY
        for r in range(rows + 1)
        for c in range(cols + 1)
        if _is_primary(grid[r][c], threshold)
    }

    # Each line: the cells that add up, then the cell holding their total.
    lines = [([(r, c) for c in range(cols)], (r, cols)) for r in range(rows + 1)]
    lines += [([(r, c) for r in range(rows)], (rows, c)) for c in range(cols + 1)]
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            members = [*parts, total]
            if sum(1 for cell in members if cell in hidden) != 1:
                continue
            candidates = sorted(
                (grid[r][c], (r, c)) for r, c in parts if (r, c) not in hidden and grid[r][c] > 0
            )
            if candidates:
                hidden[candidates[0][1]] = SECONDARY
            elif total not in hidden:
                hidden[total] = SECONDARY
            else:  # the only hidden number is the total and every part is zero: nothing to protect
                continue
            changed = True
    return [[Cell(grid[r][c], hidden.get((r, c))) for c in range(cols + 1)] for r in range(rows + 1)]


def suppress_distribution(counts: dict[str, int], threshold: int) -> Distribution:
    """Suppress one question's counts (category -> count) with its total."""
    keys = list(counts)
    if not keys:
        return Distribution({}, Cell(0), threshold)
    table = suppress_table([[counts[key] for key in keys]], threshold)
    row = table[0]
    return Distribution({key: row[index] for index, key in enumerate(keys)}, row[-1], threshold)
