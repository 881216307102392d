"""SVG geometry of the learner's calendar heatmap and the instructor's check-in-rate chart.

Pure computation, no Django: the views add what is read (titles, weekday names, legend) in the reader's language.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol


class Day(Protocol):
    """A cohort day with its state (``cohorts.streaks.DayState``)."""

    @property
    def day(self) -> int: ...
    @property
    def date(self) -> date: ...
    @property
    def state(self) -> str: ...


class DayRate(Protocol):
    """A cohort day's check-in rate, 0..1 (``cohorts.streaks.DayRate``)."""

    @property
    def day(self) -> int: ...
    @property
    def rate(self) -> float: ...


# --- Heatmap: one cell per cohort day, seven columns from Monday, one row per week --------------------------------

HEATMAP_CELL = 40
HEATMAP_GAP = 4
HEATMAP_HEAD = 22  # the weekday names above the first row


@dataclass(frozen=True)
class HeatmapCell:
    x: int
    y: int
    day: int
    date: date
    state: str
    label: str  # the day of the month; a new month shows itself ("12/1") after the first cell


@dataclass(frozen=True)
class Heatmap:
    cell: int
    width: int
    height: int
    weekday_x: list[float]  # the centre of each column, Monday first
    cells: list[HeatmapCell]


def heatmap(*, days: Sequence[Day], starts_on: date) -> Heatmap:
    """The heatmap of ``days`` (cohort days 1..n in order) for a cohort whose first day is ``starts_on``."""
    step = HEATMAP_CELL + HEATMAP_GAP
    offset = starts_on.weekday()
    cells = []
    for state in days:
        index = offset + state.day - 1
        new_month = state.date.day == 1 and state.day > 1
        cells.append(
            HeatmapCell(
                x=(index % 7) * step,
                y=HEATMAP_HEAD + (index // 7) * step,
                day=state.day,
                date=state.date,
                state=state.state,
                label=f"{state.date.month}/{state.date.day}" if new_month else str(state.date.day),
            )
        )
    rows = (offset + len(days) + 6) // 7
    return Heatmap(
        cell=HEATMAP_CELL,
        width=7 * step - HEATMAP_GAP,
        height=HEATMAP_HEAD + rows * step - HEATMAP_GAP,
        weekday_x=[i * step + HEATMAP_CELL / 2 for i in range(7)],
        cells=cells,
    )


# --- Rate chart: one bar per cohort day so far, on a 0–100 % axis -------------------------------------------------

RATE_CHART_WIDTH = 400
RATE_CHART_HEIGHT = 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 6, 10, 24  # margins for the axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    day: int


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str  # "50%"


@dataclass(frozen=True)
class AxisLabel:
    x: float
    label: int  # the cohort day


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    left: int  # where the plot starts and ends, horizontally
    right: int
    bars: list[Bar]  # in the order of the rates given
    grid: list[GridLine]
    xlabels: list[AxisLabel]  # day 1 and about ten more, evenly spaced
    axis_y: int
    label_y: int


def rate_chart(*, rates: Sequence[DayRate], duration: int) -> RateChart:
    """The bar chart of ``rates`` for a cohort of ``duration`` days (the x axis always spans the whole cohort)."""
    plot_w = RATE_CHART_WIDTH - _LEFT - _RIGHT
    plot_h = RATE_CHART_HEIGHT - _TOP - _BOTTOM
    slot = plot_w / max(duration, 1)
    bar_w = max(slot * 0.7, 1.0)
    bars = []
    for rate in rates:
        h = rate.rate * plot_h
        bars.append(
            Bar(
                x=round(_LEFT + (rate.day - 1) * slot + (slot - bar_w) / 2, 2),
                y=round(_TOP + plot_h - h, 2),
                w=round(bar_w, 2),
                h=round(max(h, 0.0), 2),
                day=rate.day,
            )
        )
    step = max(1, -(-duration // 10))
    return RateChart(
        width=RATE_CHART_WIDTH,
        height=RATE_CHART_HEIGHT,
        left=_LEFT,
        right=RATE_CHART_WIDTH - _RIGHT,
        bars=bars,
        grid=[GridLine(y=round(_TOP + plot_h - p / 100 * plot_h, 2), label=f"{p}%") for p in (0, 25, 50, 75, 100)],
        xlabels=[
            AxisLabel(x=round(_LEFT + (day - 0.5) * slot, 2), label=day)
            for day in range(1, duration + 1)
            if day == 1 or day % step == 0
        ],
        axis_y=_TOP + plot_h,
        label_y=RATE_CHART_HEIGHT - 6,
    )


# --- NPS over time: one line per stage, a point per ended cohort, -100..100 ------------------------------------

NPS_CHART_WIDTH = 640
NPS_CHART_HEIGHT = 240
# Wider than the rate chart's: "−100" and the dates stay whole when a phone shrinks the chart and its labels grow.
_NPS_LEFT, _NPS_RIGHT, _NPS_TOP, _NPS_BOTTOM = 60, 12, 14, 32


@dataclass(frozen=True)
class NpsPoint:
    x: float
    y: float
    score: int
    key: int  # the cohort's id


@dataclass(frozen=True)
class NpsSeries:
    stage: int
    points: list[NpsPoint]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class DateLabel:
    x: float
    on: date  # formatted by the template, in the reader's language
    anchor: str  # SVG text-anchor: the first label starts at its point, the last ends at it


@dataclass(frozen=True)
class NpsChart:
    width: int
    height: int
    left: int
    right: int
    series: list[NpsSeries]
    grid: list[GridLine]
    xlabels: list[DateLabel]
    axis_y: float  # the time axis (the chart's bottom edge)


def nps_chart(*, points: Sequence[tuple[int, date, int | None, int]]) -> NpsChart:
    """``points``: (stage, the cohort's last day, its NPS or None without responses, the cohort's id). Time runs
    left to right from the first cohort's end to the last's; cohorts without responses are left out."""
    plot_w = NPS_CHART_WIDTH - _NPS_LEFT - _NPS_RIGHT
    plot_h = NPS_CHART_HEIGHT - _NPS_TOP - _NPS_BOTTOM
    scored = [(stage, ended, score, key) for stage, ended, score, key in points if score is not None]
    first = min((ended for _, ended, _, _ in scored), default=None)
    last = max((ended for _, ended, _, _ in scored), default=None)
    span = max(((last - first).days if first and last else 0), 1)

    def y(score: int) -> float:
        return round(_NPS_TOP + plot_h - (score + 100) / 200 * plot_h, 2)

    by_stage: dict[int, list[NpsPoint]] = {}
    for stage, ended, score, key in scored:
        assert score is not None and first is not None
        x = _NPS_LEFT + plot_w / 2 if first == last else _NPS_LEFT + (ended - first).days / span * plot_w
        by_stage.setdefault(stage, []).append(NpsPoint(x=round(x, 2), y=y(score), score=score, key=key))
    xlabels: list[DateLabel] = []
    if first is not None and last is not None:
        if first == last:
            xlabels.append(DateLabel(x=round(_NPS_LEFT + plot_w / 2, 2), on=first, anchor="middle"))
        else:
            xlabels.append(DateLabel(x=_NPS_LEFT, on=first, anchor="start"))
            xlabels.append(DateLabel(x=_NPS_LEFT + plot_w, on=last, anchor="end"))
    return NpsChart(
        width=NPS_CHART_WIDTH,
        height=NPS_CHART_HEIGHT,
        left=_NPS_LEFT,
        right=NPS_CHART_WIDTH - _NPS_RIGHT,
        series=[NpsSeries(stage=stage, points=by_stage[stage]) for stage in sorted(by_stage)],
        # a true minus sign, as the page's "−100 to 100" writes it
        grid=[GridLine(y=y(score), label=str(score).replace("-", "\u2212")) for score in (-100, -50, 0, 50, 100)],
        xlabels=xlabels,
        axis_y=_NPS_TOP + plot_h,
    )
