"""The bar chart's geometry: bars to scale, hidden figures without a bar, markers on the same scale."""

import pytest

from crm.reports.charts import LABEL_WIDTH, WIDTH, Bar, BarChart

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free

PLOT = WIDTH - LABEL_WIDTH - 110


def _chart(*bars, unit=""):
    return BarChart(id="c", title="T", description="D", bars=tuple(bars), unit=unit)


def test_counts_scale_to_the_largest_figure_and_a_hidden_one_has_no_bar():
    chart = _chart(Bar("A", 10, "10"), Bar("B", 5, "5"), Bar("C", None, "fewer than 5"))
    widths = [placed.width for placed in chart.placed]
    assert widths == [PLOT, PLOT / 2, 0.0]
    assert [placed.y for placed in chart.placed] == [8, 40, 72]
    assert not chart.has_markers


def test_shares_scale_to_a_hundred_and_markers_share_the_scale():
    chart = _chart(Bar("A", 25.0, "25%", marker=50.0, marker_text="50%"), Bar("B", 0.0, "0%"), unit="%")
    first, second = chart.placed
    assert first.width == round(PLOT / 4, 1) and first.marker_x == PLOT / 2
    assert second.width == 0.0 and second.marker_x is None
    assert chart.has_markers


def test_nothing_to_draw_still_has_a_scale():
    chart = _chart(Bar("A", 0, "0"))
    assert chart.maximum == 1.0 and chart.placed[0].width == 0.0
