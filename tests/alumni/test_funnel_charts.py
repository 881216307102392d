"""The chart geometry (pure functions, no database)."""

import pytest

from alumni.funnel.charts import (
    RATES_HEIGHT,
    bar_percents,
    nice_ceiling,
    rates_chart,
    retention_chart,
    uplift_chart,
)


def test_funnel_bars_are_shares_of_the_first_step():
    assert bar_percents([7, 3, 2, 1]) == [100.0, 42.86, 28.57, 14.29]
    assert bar_percents([0, 0, 0, 0]) == [0.0, 0.0, 0.0, 0.0]
    assert bar_percents([]) == []


@pytest.mark.parametrize(
    ("value", "top"), [(0.034, 0.05), (0.16, 0.2), (0.21, 0.25), (0.333, 0.5), (0.8, 1.0), (1.0, 1.0), (0, 1.0)]
)
def test_axes_top_at_a_round_value(value, top):
    assert nice_ceiling(value) == pytest.approx(top)


def test_retention_lines_run_from_day_one_to_the_last_day():
    chart = retention_chart(series=[("stage-1", [(1, 1.0), (2, 0.5), (3, 0.0)]), ("empty", [])])
    [line] = chart.lines
    assert [p.x for p in line.points] == [chart.left, (chart.left + chart.right) / 2, chart.right]
    assert [p.y for p in line.points] == [chart.grid[-1].y, chart.grid[2].y, chart.axis_y]
    assert [label.label for label in chart.xlabels] == [1, 2, 3]


def test_a_long_cohort_labels_day_one_and_round_days_clear_of_it():
    chart = retention_chart(series=[("c", [(day, 0.5) for day in range(1, 15)])])
    assert [label.label for label in chart.xlabels] == [1, 4, 6, 8, 10, 12, 14]


def test_small_rates_fill_the_chart_and_whiskers_span_the_interval():
    chart = rates_chart(groups=[("treated", 0.12, 0.09, 0.16), ("holdout", 0.05, 0.02, 0.10)])
    assert [g.label for g in chart.grid] == ["0%", "5%", "10%", "15%", "20%"]  # not 0–100 %
    treated, holdout = chart.bars
    assert treated.y < holdout.y  # the taller bar
    assert treated.whisker_high < treated.y < treated.whisker_low  # the interval around the rate
    assert treated.y + treated.h == chart.axis_y < RATES_HEIGHT


def test_the_uplift_axis_is_symmetric_about_zero():
    chart = uplift_chart(estimate=0.07, low=0.01, high=0.11)
    assert chart.zero_x == (chart.left + chart.right) / 2
    assert chart.low_x < chart.estimate_x < chart.high_x
    assert [label for _, label in chart.ticks] == ["\u221220%", "\u221210%", "0%", "+10%", "+20%"]
