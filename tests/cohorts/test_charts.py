"""Chart geometry (cohorts.charts): pure functions, no database, no translation."""

from dataclasses import dataclass
from datetime import date, timedelta

from cohorts import charts


@dataclass(frozen=True)
class Day:
    day: int
    date: date
    state: str


@dataclass(frozen=True)
class Rate:
    day: int
    rate: float


def _days(starts_on: date, count: int, state: str = "counted") -> list[Day]:
    return [Day(day=n, date=starts_on + timedelta(days=n - 1), state=state) for n in range(1, count + 1)]


def test_heatmap_starts_in_the_column_of_the_first_weekday():
    # given a cohort starting on a Wednesday (2026-03-04)
    starts_on = date(2026, 3, 4)
    # when
    chart = charts.heatmap(days=_days(starts_on, 7), starts_on=starts_on)
    # then day 1 is in the third column of the first row, day 6 wraps to Monday of the second row
    first, sixth = chart.cells[0], chart.cells[5]
    assert (first.x, first.y) == (2 * 44, 22)
    assert (sixth.x, sixth.y) == (0, 22 + 44)
    assert [cell.day for cell in chart.cells] == list(range(1, 8))


def test_heatmap_size_follows_the_number_of_weeks():
    monday = date(2026, 3, 2)
    one_week = charts.heatmap(days=_days(monday, 7), starts_on=monday)
    three_weeks = charts.heatmap(days=_days(monday, 21), starts_on=monday)
    eight_days = charts.heatmap(days=_days(monday, 8), starts_on=monday)
    assert one_week.width == three_weeks.width == 7 * 44 - 4
    assert one_week.height == 22 + 44 - 4
    assert three_weeks.height == 22 + 3 * 44 - 4
    assert eight_days.height == 22 + 2 * 44 - 4
    assert one_week.weekday_x == [20.0, 64.0, 108.0, 152.0, 196.0, 240.0, 284.0]


def test_heatmap_labels_a_new_month_but_not_the_first_day():
    # given a cohort from 2026-11-29 over the turn of the month, and one starting on the first
    late = charts.heatmap(days=_days(date(2026, 11, 29), 4), starts_on=date(2026, 11, 29))
    first = charts.heatmap(days=_days(date(2026, 12, 1), 2), starts_on=date(2026, 12, 1))
    # then
    assert [cell.label for cell in late.cells] == ["29", "30", "12/1", "2"]
    assert [cell.label for cell in first.cells] == ["1", "2"]


def test_heatmap_keeps_each_days_state():
    starts_on = date(2026, 3, 2)
    days = [Day(1, starts_on, "counted"), Day(2, starts_on + timedelta(days=1), "missed")]
    chart = charts.heatmap(days=days, starts_on=starts_on)
    assert [(cell.day, cell.state, cell.date) for cell in chart.cells] == [
        (1, "counted", starts_on),
        (2, "missed", starts_on + timedelta(days=1)),
    ]


def test_heatmap_of_no_days_is_just_the_header():
    chart = charts.heatmap(days=[], starts_on=date(2026, 3, 2))
    assert chart.cells == [] and chart.height == 22 - 4


def test_rate_chart_bars_stand_on_the_axis_and_reach_their_rate():
    # given a 10-day cohort, three days in
    chart = charts.rate_chart(rates=[Rate(1, 1.0), Rate(2, 0.5), Rate(3, 0.0)], duration=10)
    # then the plot is 348 wide (10 slots of 34.8) and 166 high, the axis at 176
    assert chart.axis_y == 176 and chart.left == 46 and chart.right == 394
    full, half, empty = chart.bars
    assert (full.y, full.h) == (10, 166)
    assert (half.y, half.h) == (93, 83)
    assert (empty.y, empty.h) == (176, 0)
    assert all(bar.y + bar.h == chart.axis_y for bar in chart.bars)
    # each bar is 70 % of its day's slot, centred in it
    assert full.w == round(34.8 * 0.7, 2)
    assert full.x == round(46 + (34.8 - 34.8 * 0.7) / 2, 2)
    assert half.x == round(full.x + 34.8, 2)
    assert [bar.day for bar in chart.bars] == [1, 2, 3]


def test_rate_chart_grid_and_axis_labels():
    chart = charts.rate_chart(rates=[], duration=21)
    assert [(line.y, line.label) for line in chart.grid] == [
        (176, "0%"),
        (134.5, "25%"),
        (93, "50%"),
        (51.5, "75%"),
        (10, "100%"),
    ]
    # day 1, then every third day: about ten labels whatever the length
    assert [label.label for label in chart.xlabels] == [1, 3, 6, 9, 12, 15, 18, 21]
    assert chart.label_y == 194
    assert [label.label for label in charts.rate_chart(rates=[], duration=5).xlabels] == [1, 2, 3, 4, 5]


def test_rate_chart_of_a_zero_length_cohort_does_not_divide_by_zero():
    chart = charts.rate_chart(rates=[], duration=0)
    assert chart.bars == [] and chart.xlabels == []
