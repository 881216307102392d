"""SVG geometry of the marketer's charts: the funnel's bars, retention curves, and a campaign's treated-vs-holdout
rates with their intervals. Pure computation, no Django (as ``cohorts.charts``): the templates add the words, in the
reader's language.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str  # "50%"


@dataclass(frozen=True)
class AxisLabel:
    x: float
    label: int


# --- The funnel: a bar per step, as wide as its share of the first step --------------------------------------------


def bar_percents(counts: Sequence[int]) -> list[float]:
    """Each count as a percentage of the first (the widest bar): a step's bar is drawn that wide, 0–100."""
    first = counts[0] if counts else 0
    return [round(count * 100 / first, 2) if first else 0.0 for count in counts]


# --- Retention: check-in rate by cohort day, one line per stage or cohort, on a 0–100 % axis -----------------------

RETENTION_WIDTH = 640
RETENTION_HEIGHT = 260
# Wide margins: the labels grow when a phone shrinks the chart (as the NPS chart's).
_R_LEFT, _R_RIGHT, _R_TOP, _R_BOTTOM = 78, 16, 14, 34


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: int
    rate: float


@dataclass(frozen=True)
class Line:
    key: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    axis_y: int
    label_y: int
    lines: list[Line]
    grid: list[GridLine]
    xlabels: list[AxisLabel]


def retention_chart(*, series: Sequence[tuple[str, Sequence[tuple[int, float]]]]) -> LineChart:
    """``series``: (key, [(cohort day, rate 0–1), …]) per line. The x axis runs from day 1 to the longest line's last
    day."""
    plot_w = RETENTION_WIDTH - _R_LEFT - _R_RIGHT
    plot_h = RETENTION_HEIGHT - _R_TOP - _R_BOTTOM
    days = max((day for _, points in series for day, _ in points), default=1)
    span = max(days - 1, 1)

    def x(day: int) -> float:
        return round(_R_LEFT + (plot_w / 2 if days == 1 else (day - 1) / span * plot_w), 2)

    def y(rate: float) -> float:
        return round(_R_TOP + plot_h - min(max(rate, 0.0), 1.0) * plot_h, 2)

    lines = [
        Line(key=key, points=[Point(x=x(day), y=y(rate), day=day, rate=rate) for day, rate in points])
        for key, points in series
        if points
    ]
    step = max(1, math.ceil(days / 8))
    return LineChart(
        width=RETENTION_WIDTH,
        height=RETENTION_HEIGHT,
        left=_R_LEFT,
        right=RETENTION_WIDTH - _R_RIGHT,
        axis_y=_R_TOP + plot_h,
        label_y=RETENTION_HEIGHT - 8,
        lines=lines,
        grid=[GridLine(y=y(p / 100), label=f"{p}%") for p in (0, 25, 50, 75, 100)],
        # day 1, then every ``step``-th day clear of it (a "2" beside the "1" would run into it on a phone)
        xlabels=[
            AxisLabel(x=x(day), label=day) for day in range(1, days + 1) if day == 1 or (day % step == 0 and day > step)
        ],
    )


# --- A campaign: treated and holdout rates with their 95 % intervals; the uplift with its interval -----------------

RATES_WIDTH = 400
RATES_HEIGHT = 240
_B_LEFT, _B_RIGHT, _B_TOP, _B_BOTTOM = 64, 12, 16, 34


@dataclass(frozen=True)
class RateBar:
    key: str  # "treated" or "holdout"
    x: float
    y: float
    w: float
    h: float
    centre: float
    whisker_low: float  # y of the interval's ends (None-free: a group without people has no bar at all)
    whisker_high: float
    rate: float


@dataclass(frozen=True)
class RatesChart:
    width: int
    height: int
    left: int
    right: int
    axis_y: int
    label_y: int
    bars: list[RateBar]
    grid: list[GridLine]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (> 0): the top of an axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value - 1e-12:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _percent_label(fraction: float) -> str:
    percent = round(fraction * 100, 4)
    return f"{percent:g}%"


def rates_chart(*, groups: Sequence[tuple[str, float, float, float]]) -> RatesChart:
    """``groups``: (key, rate, interval low, interval high), rates 0–1. The axis tops at a round value above the
    highest interval, so small rates (a few per cent) fill the chart."""
    plot_w = RATES_WIDTH - _B_LEFT - _B_RIGHT
    plot_h = RATES_HEIGHT - _B_TOP - _B_BOTTOM
    top = min(nice_ceiling(max((high for *_, high in groups), default=0) or 0.01), 1.0)

    def y(rate: float) -> float:
        return round(_B_TOP + plot_h - min(rate, top) / top * plot_h, 2)

    slot = plot_w / max(len(groups), 1)
    bar_w = min(slot * 0.5, 90)
    bars = []
    for i, (key, rate, low, high) in enumerate(groups):
        x = _B_LEFT + i * slot + (slot - bar_w) / 2
        bars.append(
            RateBar(
                key=key,
                x=round(x, 2),
                y=y(rate),
                w=round(bar_w, 2),
                h=round(_B_TOP + plot_h - y(rate), 2),
                centre=round(x + bar_w / 2, 2),
                whisker_low=y(low),
                whisker_high=y(high),
                rate=rate,
            )
        )
    return RatesChart(
        width=RATES_WIDTH,
        height=RATES_HEIGHT,
        left=_B_LEFT,
        right=RATES_WIDTH - _B_RIGHT,
        axis_y=_B_TOP + plot_h,
        label_y=RATES_HEIGHT - 10,
        bars=bars,
        grid=[GridLine(y=y(top * i / 4), label=_percent_label(top * i / 4)) for i in range(5)],
    )


UPLIFT_WIDTH = 400
UPLIFT_HEIGHT = 90
_U_LEFT, _U_RIGHT, _U_MID, _U_LABEL = 24, 24, 36, 80


@dataclass(frozen=True)
class UpliftChart:
    width: int
    height: int
    left: int
    right: int
    mid_y: int
    label_y: int
    zero_x: float
    estimate_x: float
    low_x: float
    high_x: float
    ticks: list[tuple[float, str]]  # (x, "−5%")


def uplift_chart(*, estimate: float, low: float, high: float) -> UpliftChart:
    """The uplift (in percentage points, as fractions) and its interval on an axis symmetric about zero, so "no
    difference" sits in the middle and an interval that crosses it is seen to."""
    reach = nice_ceiling(max(abs(low), abs(high), abs(estimate), 0.001))
    plot_w = UPLIFT_WIDTH - _U_LEFT - _U_RIGHT

    def x(value: float) -> float:
        return round(_U_LEFT + (max(-reach, min(reach, value)) + reach) / (2 * reach) * plot_w, 2)

    def label(value: float) -> str:
        text = _percent_label(value)
        return text.replace("-", "\u2212") if value < 0 else ("+" + text if value > 0 else text)

    return UpliftChart(
        width=UPLIFT_WIDTH,
        height=UPLIFT_HEIGHT,
        left=_U_LEFT,
        right=UPLIFT_WIDTH - _U_RIGHT,
        mid_y=_U_MID,
        label_y=_U_LABEL,
        zero_x=x(0),
        estimate_x=x(estimate),
        low_x=x(low),
        high_x=x(high),
        ticks=[(x(v), label(v)) for v in (-reach, -reach / 2, 0.0, reach / 2, reach)],
    )
