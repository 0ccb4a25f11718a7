"""Disclosure control: the one module every count of people by an equality-monitoring category goes through.

DESIGN.md section 4 rule 2; reference section 5.5. The rules, with k = SUPPRESSION_THRESHOLD (default 5,
2 to 100) and n = MIN_BREAKDOWN (default 10, from k to 10,000):

1. *Minimum n.* A breakdown of fewer than n people is not shown at all; the page says why.
2. *Primary.* A count from 1 to k - 1 is shown as "fewer than k". A zero that shares a row or column with such
   a count is shown as "fewer than k" too, so the label means "0 to k - 1" (the page says so) and a reader
   cannot use the zeros to narrow the hidden counts.
3. *No hidden count can be pinned.* An attacker who knows every shown count and total, these rules, that a
   "fewer than k" count is 0 to k - 1 and that a "hidden" count is k or more, must still find at least two
   possible values for every hidden count. The module checks this exactly (interval propagation over the
   table's sums, with branching: `_pinned`) and, while some hidden count is pinned, hides the next-smallest
   shown count in a row or column (a total last) that shares a sum with it ("hidden", secondary
   suppression). If nothing is left to hide, the whole breakdown is withheld.
4. *Related questions together.* Questions derived from one another are one table: a count that two of them
   share (long-term condition "No" is activity-limited "Not asked") is one cell, hidden in both or neither;
   their totals are one cell; and a question worked out from the others (disabled) is shown only when nothing
   in the group is hidden, since its counts are sums of the others' hidden ones.

A cell is shown exactly as counted: suppression never changes a shown figure.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PRIMARY = "primary"  # "fewer than k": 0 to k - 1
HIDES_ZEROS = True  # a zero beside a hidden count is "fewer than k" too, so that label means 0 to k - 1
SECONDARY = "secondary"  # "hidden": k or more
WITHHELD = "withheld"  # the whole breakdown is not shown
THRESHOLD_RANGE = (2, 100)
MIN_BREAKDOWN_MAX = 10_000
SEARCH_BUDGET = 20_000  # search nodes per check; past it a count is treated as pinned (more is hidden)


class SuppressionSettingsError(ValueError):
    """A threshold outside the range that protects anyone (or that leaves nothing to show)."""


def check_threshold(threshold) -> int:
    low, high = THRESHOLD_RANGE
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not low <= threshold <= high:
        raise SuppressionSettingsError(
            f"SUPPRESSION_THRESHOLD must be a whole number from {low} to {high}, not {threshold!r}: "
            f"below {low} nothing is hidden, and above {high} almost every figure would be"
        )
    return threshold


def check_min_breakdown(minimum, threshold: int) -> int:
    if (
        isinstance(minimum, bool)
        or not isinstance(minimum, int)
        or not threshold <= minimum <= MIN_BREAKDOWN_MAX
    ):
        raise SuppressionSettingsError(
            f"MIN_BREAKDOWN must be a whole number from SUPPRESSION_THRESHOLD ({threshold}) to "
            f"{MIN_BREAKDOWN_MAX:,}, not {minimum!r}"
        )
    return minimum


def check_settings(config: Mapping) -> None:
    """Refuse to start with a threshold that protects nobody or hides everything."""
    threshold = check_threshold(config.get("SUPPRESSION_THRESHOLD", 5))
    check_min_breakdown(config.get("MIN_BREAKDOWN", 10), threshold)


def settings() -> tuple[int, int]:
    """(threshold, minimum breakdown) from the running app's configuration, checked."""
    from flask import current_app

    threshold = check_threshold(current_app.config.get("SUPPRESSION_THRESHOLD", 5))
    return threshold, check_min_breakdown(current_app.config.get("MIN_BREAKDOWN", 10), threshold)


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
        if self.suppressed == WITHHELD:
            return "not shown"
        return f"{self.value:,}"

    def figure(self, threshold: int) -> int | str:
        """For a spreadsheet: the number when shown, otherwise the same words as the page."""
        return self.value if self.shown else self.text(threshold)


@dataclass(frozen=True)
class Distribution:
    """One question's answers: a cell per category and the total, suppressed together.

    `withheld` is why nothing of it may be shown (too few people, or derived from hidden counts); then
    every cell is hidden too, so code that forgets to look cannot show a figure.
    """

    cells: dict[str, Cell]
    total: Cell
    threshold: int
    withheld: str = ""

    def percentage(self, key: str) -> str:
        cell = self.cells[key]
        if not cell.shown or not self.total.shown or self.total.value == 0:
            return ""
        return f"{100 * cell.value / self.total.value:.0f}%"

    @property
    def any_suppressed(self) -> bool:
        return bool(self.withheld) or not self.total.shown or any(not c.shown for c in self.cells.values())


# --- the attacker's view: cells, sums and what a hidden label means -----------------------------------------


@dataclass
class _Model:
    """Cells (values) and sums: each line is [(cell index, +1 or -1)] adding to zero."""

    values: list[int]
    lines: list[list[tuple[int, int]]]
    totals: set[int] = field(default_factory=set)  # cells that are totals: hidden last

    def neighbours(self, index: int) -> set[int]:
        return {i for line in self.lines if any(j == index for j, _ in line) for i, _ in line}


class _OutOfBudget(Exception):
    pass


def _domain(value: int, label: str | None, threshold: int, cap: int) -> tuple[int, int]:
    if label is None:
        return value, value
    if label == PRIMARY:
        return 0, threshold - 1
    return threshold, max(cap, threshold)


def _propagate(lines, lo: list[int], hi: list[int]) -> bool:
    changed = True
    while changed:
        changed = False
        for line in lines:
            least = sum(lo[i] if s > 0 else -hi[i] for i, s in line)
            most = sum(hi[i] if s > 0 else -lo[i] for i, s in line)
            if least > 0 or most < 0:
                return False
            for i, s in line:
                rest_least = least - (lo[i] if s > 0 else -hi[i])
                rest_most = most - (hi[i] if s > 0 else -lo[i])
                if s > 0:
                    new_lo, new_hi = max(lo[i], -rest_most), min(hi[i], -rest_least)
                else:
                    new_lo, new_hi = max(lo[i], rest_least), min(hi[i], rest_most)
                if new_lo > new_hi:
                    return False
                if new_lo != lo[i] or new_hi != hi[i]:
                    lo[i], hi[i] = new_lo, new_hi
                    changed = True
    return True


def _feasible(lines, lo: list[int], hi: list[int], budget: list[int]) -> bool:
    """Is there an integer completion within the bounds? Exact: propagation, then halving a domain."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _OutOfBudget
    lo, hi = list(lo), list(hi)
    if not _propagate(lines, lo, hi):
        return False
    open_cells = [i for i in range(len(lo)) if lo[i] < hi[i]]
    if not open_cells:
        return True
    i = min(open_cells, key=lambda j: hi[j] - lo[j])
    middle = (lo[i] + hi[i]) // 2
    for low, high in ((lo[i], middle), (middle + 1, hi[i])):
        branch_lo, branch_hi = list(lo), list(hi)
        branch_lo[i], branch_hi[i] = low, high
        if _feasible(lines, branch_lo, branch_hi, budget):
            return True
    return False


def _pinned(model: _Model, labels: dict[int, str], threshold: int) -> list[int]:
    """Hidden cells that an attacker can narrow to one value (or that could not be proved otherwise)."""
    cap = max(model.values, default=0)
    bounds = [_domain(v, labels.get(i), threshold, cap) for i, v in enumerate(model.values)]
    lo = [b[0] for b in bounds]
    hi = [b[1] for b in bounds]
    pinned = []
    for i in labels:
        value = model.values[i]
        budget = [SEARCH_BUDGET]
        try:
            other = False
            if lo[i] <= value - 1:
                below_hi = list(hi)
                below_hi[i] = value - 1
                other = _feasible(model.lines, lo, below_hi, budget)
            if not other and value + 1 <= hi[i]:
                above_lo = list(lo)
                above_lo[i] = value + 1
                other = _feasible(model.lines, above_lo, hi, budget)
        except _OutOfBudget:
            other = False
        if not other:
            pinned.append(i)
    return pinned


def _suppress(model: _Model, threshold: int, hide_totals: bool = True) -> dict[int, str] | None:
    """Labels for the hidden cells, or None when no pattern short of hiding everything is safe.

    Without `hide_totals` a total is never hidden for secondary reasons: everyone answers every question,
    so one question's total is shown by the others, and hiding it in one would protect nothing."""
    values = model.values
    labels = {i: PRIMARY for i, v in enumerate(values) if 0 < v < threshold}
    for i in list(labels):
        for j in model.neighbours(i):
            if values[j] == 0:
                labels[j] = PRIMARY
    while True:
        pinned = _pinned(model, labels, threshold)
        if not pinned:
            return labels
        candidates = {
            j
            for i in pinned
            for j in model.neighbours(i)
            if j not in labels and (hide_totals or j not in model.totals)
        }
        if not candidates:
            return None
        chosen = min(candidates, key=lambda j: (j in model.totals, values[j], j))
        labels[chosen] = PRIMARY if values[chosen] < threshold else SECONDARY  # a zero: "fewer than k"


def _check_counts(values: Iterable[int]) -> None:
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        raise ValueError("Counts must be whole numbers, 0 or more")


# --- tables and distributions ----------------------------------------------------------------------------


def suppress_table(counts: list[list[int]], threshold: int) -> list[list[Cell]]:
    """Suppress a two-dimensional table (say characteristic by area). Returns it with a total column and a
    total row added: len(counts) + 1 rows of len(counts[0]) + 1 cells, the bottom-right the grand total."""
    check_threshold(threshold)
    rows = len(counts)
    cols = len(counts[0]) if rows else 0
    if any(len(row) != cols for row in counts):
        raise ValueError("Every row needs the same number of cells")
    _check_counts(v for row in counts for v in row)
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(grid[r][c] for r in range(rows)) for c in range(cols + 1)])
    width = cols + 1

    def index(r: int, c: int) -> int:
        return r * width + c

    lines = [[*((index(r, c), 1) for c in range(cols)), (index(r, cols), -1)] for r in range(rows + 1)]
    lines += [[*((index(r, c), 1) for r in range(rows)), (index(rows, c), -1)] for c in range(cols + 1)]
    totals = {index(r, cols) for r in range(rows + 1)} | {index(rows, c) for c in range(cols + 1)}
    model = _Model([v for row in grid for v in row], lines, totals)
    labels = _suppress(model, threshold)
    if labels is None:
        labels = dict.fromkeys(range(len(model.values)), WITHHELD)
    return [[Cell(grid[r][c], labels.get(index(r, c))) for c in range(width)] for r in range(rows + 1)]


def suppress_counts(counts: Mapping[str, int], threshold: int) -> dict[str, Cell]:
    """Counts that add up to nothing shown (theme mentions overlap; a response count stands alone): with no
    sum to subtract from, primary suppression is all that is needed, and zeros are shown."""
    check_threshold(threshold)
    _check_counts(counts.values())
    return {key: Cell(value, PRIMARY if 0 < value < threshold else None) for key, value in counts.items()}


def _withheld(counts: Mapping[str, int], threshold: int, reason: str) -> Distribution:
    return Distribution(
        {key: Cell(value, WITHHELD) for key, value in counts.items()},
        Cell(sum(counts.values()), WITHHELD),
        threshold,
        reason,
    )


def too_few_reason(minimum: int) -> str:
    return f"Not shown: fewer than {minimum} people answered, so any breakdown could identify someone."


def too_few_themes_reason(minimum: int) -> str:
    return f"The themes are not shown: fewer than {minimum} people responded, so they could identify someone."


def suppress_distribution(counts: Mapping[str, int], threshold: int, minimum: int = 0) -> Distribution:
    """Suppress one question's counts (category -> count) with its total."""
    return suppress_related({"": counts}, threshold, minimum)[""]


def suppress_related(
    questions: Mapping[str, Mapping[str, int]],
    threshold: int,
    minimum: int = 0,
    same: Sequence[tuple[tuple[str, str], tuple[str, str]]] = (),
    derived: Iterable[str] = (),
) -> dict[str, Distribution]:
    """Suppress questions that are related as one table.

    `same` pairs cells that count the same people ((question, code), (question, code)); the totals of the
    questions (everyone who answered) are one cell. A `derived` question is shown only when nothing in the
    others is hidden and none of its own counts is under the threshold; otherwise it is withheld. Unrelated
    questions need no grouping: any answers to them fit any answers to others with the same total.
    """
    check_threshold(threshold)
    for counts in questions.values():
        _check_counts(counts.values())
    derived = set(derived)
    result: dict[str, Distribution] = {}
    totals = {name: sum(counts.values()) for name, counts in questions.items()}
    if not questions:
        return result
    if minimum and any(total < minimum for total in totals.values()):
        # everyone answers every question, so one small total means the group is small
        return {
            name: _withheld(counts, threshold, too_few_reason(minimum)) for name, counts in questions.items()
        }
    source = [name for name in questions if name not in derived]
    values: list[int] = []
    where: dict[tuple[str, str], int] = {}
    total_cells: dict[int, int] = {}  # one cell per distinct total value (equal when the data are whole)
    lines = []
    for name in source:
        line = []
        for code, value in questions[name].items():
            if (name, code) not in where:
                twin = next((a if b == (name, code) else b for a, b in same if (name, code) in (a, b)), None)
                if twin is not None and twin in where and values[where[twin]] == value:
                    where[(name, code)] = where[twin]
                else:
                    where[(name, code)] = len(values)
                    values.append(value)
            line.append((where[(name, code)], 1))
        if totals[name] not in total_cells:
            total_cells[totals[name]] = len(values)
            values.append(totals[name])
        where[(name, "")] = total_cells[totals[name]]
        lines.append([*line, (where[(name, "")], -1)])
    model = _Model(values, lines, set(total_cells.values()))
    labels = _suppress(model, threshold, hide_totals=False)
    for name in source:
        counts = questions[name]
        if labels is None:
            result[name] = _withheld(counts, threshold, "Not shown: no safe way to show part of it.")
            continue
        result[name] = Distribution(
            {code: Cell(value, labels.get(where[(name, code)])) for code, value in counts.items()},
            Cell(totals[name], labels.get(where[(name, "")])),
            threshold,
        )
    anything_hidden = labels is None or bool(labels)
    for name in questions:
        if name not in derived:
            continue
        counts = questions[name]
        if anything_hidden or any(0 < v < threshold for v in counts.values()):
            result[name] = _withheld(
                counts,
                threshold,
                "Not shown: it is worked out from the questions above, and some of their figures are hidden.",
            )
        else:
            result[name] = Distribution(
                {c: Cell(v) for c, v in counts.items()}, Cell(totals[name]), threshold
            )
    return {name: result[name] for name in questions}
