"""Charts everyone can read: small server-rendered SVG bar charts, drawn by templates/reports/charts.html.

Chosen over a charting library because what matters here is the accessible markup, not the drawing: each
chart is an `<svg role="img">` named by its title and described by a sentence, is always followed by a
visible table of the same figures (the chart is never the only way a number is given), needs no
JavaScript, prints, and uses the Okabe-Ito colours with a pattern for a second series, so no reader needs
to tell colours apart. The geometry is worked out here, so the template only places what it is given.

A figure that disclosure control hid has no bar: its row says "fewer than 5" or "hidden" instead.
"""

from dataclasses import dataclass, field

# Okabe & Ito's palette, distinguishable with any common colour-vision deficiency; the first is dark enough
# for 3:1 against white (WCAG 1.4.11).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7")
WIDTH = 640
LABEL_WIDTH = 220
FIGURE_WIDTH = 110
BAR_HEIGHT = 22
GAP = 10
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None when the figure is hidden: no bar is drawn
    text: str  # the figure as the table and the chart write it
    marker: float | None = None  # a comparison point on the same scale (say, the population share)
    marker_text: str = ""


@dataclass(frozen=True)
class PlacedBar:
    bar: Bar
    y: float
    width: float
    marker_x: float | None


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per category. `unit` is "%" for shares (scale 0 to 100) or "" for counts."""

    id: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    unit: str = ""
    marker_label: str = ""  # what the marker shows, for the key ("Population share")
    value_label: str = "Figure"
    colour: str = PALETTE[0]
    marker_colour: str = PALETTE[1]
    scale_max: float = field(default=0.0)

    @property
    def plot_width(self) -> float:
        return WIDTH - LABEL_WIDTH - FIGURE_WIDTH

    @property
    def maximum(self) -> float:
        if self.scale_max:
            return self.scale_max
        if self.unit == "%":
            return 100.0
        values = [v for bar in self.bars for v in (bar.value, bar.marker) if v is not None]
        return max(values, default=0.0) or 1.0

    @property
    def height(self) -> float:
        return TOP * 2 + len(self.bars) * (BAR_HEIGHT + GAP)

    @property
    def placed(self) -> list[PlacedBar]:
        top, scale = TOP, self.plot_width / self.maximum
        placed = []
        for index, bar in enumerate(self.bars):
            width = max(0.0, min(bar.value, self.maximum) * scale) if bar.value is not None else 0.0
            marker = min(bar.marker, self.maximum) * scale if bar.marker is not None else None
            placed.append(PlacedBar(bar, top + index * (BAR_HEIGHT + GAP), round(width, 1), marker))
        return placed

    @property
    def has_markers(self) -> bool:
        return any(bar.marker is not None for bar in self.bars)


def share(part: int, whole: int) -> float | None:
    """A percentage, or None when there is no whole to share."""
    return 100 * part / whole if whole else None


def percent_text(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"
