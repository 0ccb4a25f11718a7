"""The pure parts of the benchmark: percentiles and the issue's goals, each judged met or missed by how much.

Goals (issue 11): every list, report and the evidence pack at a million items under 300 ms p95 and within 2×
its SQL floor; growth from 10,000 to 1,000,000 items at most 2× for first pages; a 200,000-row export starts
sending within 1 s, finishes within 3× of COPY and stays under 100 MB above the worker's resting memory;
public submissions at least half the bare Flask + INSERT floor.
"""

import math
from dataclasses import asdict, dataclass

PAGE_P95_MS = 300.0
PAGE_FLOOR_RATIO = 2.0
GROWTH_RATIO = 2.0
EXPORT_FIRST_BYTE_S = 1.0
EXPORT_COPY_RATIO = 3.0
EXPORT_MEMORY_MB = 100.0
SUBMISSIONS_SHARE = 0.5


def percentile(samples, wanted: float) -> float:
    """The nearest-rank percentile (p50 of 20 samples is the 10th smallest): no interpolation, so a
    reported figure is always one that was measured."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(wanted / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Verdict:
    goal: str
    value: float | None
    limit: float
    met: bool | None  # None: could not be measured
    missed_by: str  # "" when met

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def text(self) -> str:
        if self.met is None:
            return f"{self.goal}: not measured"
        return f"{self.goal}: met" if self.met else f"{self.goal}: missed by {self.missed_by}"


def at_most(goal: str, value: float | None, limit: float, unit: str = "", digits: int = 0) -> Verdict:
    """Met when value <= limit; otherwise missed by the excess, and by what factor."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Verdict(goal, None, limit, None, "")
    if value <= limit:
        return Verdict(goal, value, limit, True, "")
    excess = f"{value - limit:,.{digits}f}{unit}"
    factor = f" ({value / limit:.1f}× the limit)" if limit > 0 else ""
    return Verdict(goal, value, limit, False, excess + factor)


def at_least(goal: str, value: float | None, limit: float, unit: str = "", digits: int = 1) -> Verdict:
    """Met when value >= limit; otherwise missed by the shortfall."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Verdict(goal, None, limit, None, "")
    if value >= limit:
        return Verdict(goal, value, limit, True, "")
    short = f"{limit - value:,.{digits}f}{unit}"
    factor = f" ({value / limit:.2f} of the limit)" if limit > 0 else ""
    return Verdict(goal, value, limit, False, short + factor)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    if math.isnan(numerator) or math.isnan(denominator):
        return None
    return numerator / denominator


def page_goals(p95_ms: float | None, app_p50_ms: float | None, floor_p50_ms: float | None) -> list[Verdict]:
    return [
        at_most(f"p95 under {PAGE_P95_MS:.0f} ms", p95_ms, PAGE_P95_MS, " ms"),
        at_most(
            f"within {PAGE_FLOOR_RATIO:.0f}× the SQL floor",
            ratio(app_p50_ms, floor_p50_ms),
            PAGE_FLOOR_RATIO,
            "×",
            1,
        ),
    ]


def growth_goal(small_p50_ms: float | None, big_p50_ms: float | None) -> Verdict:
    return at_most(
        f"growth 10,000→1,000,000 at most {GROWTH_RATIO:.0f}×",
        ratio(big_p50_ms, small_p50_ms),
        GROWTH_RATIO,
        "×",
        1,
    )


def export_goals(
    first_byte_s: float | None, total_s: float | None, copy_s: float | None, memory_mb: float | None
) -> list[Verdict]:
    return [
        at_most(f"first byte within {EXPORT_FIRST_BYTE_S:.0f} s", first_byte_s, EXPORT_FIRST_BYTE_S, " s", 2),
        at_most(f"within {EXPORT_COPY_RATIO:.0f}× COPY", ratio(total_s, copy_s), EXPORT_COPY_RATIO, "×", 1),
        at_most(f"under {EXPORT_MEMORY_MB:.0f} MB above resting", memory_mb, EXPORT_MEMORY_MB, " MB", 0),
    ]


def submissions_goal(app_per_s: float | None, floor_per_s: float | None) -> Verdict:
    return at_least(
        f"at least {SUBMISSIONS_SHARE:.1f}× the bare Flask + INSERT floor",
        ratio(app_per_s, floor_per_s),
        SUBMISSIONS_SHARE,
        "",
        2,
    )
