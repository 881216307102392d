"""The deposit challenge's rule, as a pure function of a member's check-ins (unit-tested without a database).

A member stays eligible while every cohort day that is over has a counted check-in; rejected check-ins never count;
make-ups count, up to the challenge's allowance. A missed (or rejected) day that may still be made up, with a make-up
left, keeps the member eligible but at risk; otherwise the day is lost and the member is out for good.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from cohorts.statuses import CheckInStatus

ELIGIBLE = "eligible"  # every day over so far is counted
AT_RISK = "at_risk"  # a day is missing, and may still be made up
OUT = "out"  # a day is lost: no refund at the end

# Why a member is out.
MISSED = "missed"  # no check-in, and too late to make it up
REJECTED = "rejected"  # the check-in was rejected, and too late to redo or make it up
TOO_MANY_MAKEUPS = "too_many_makeups"  # this day's make-up is one more than the challenge allows
NO_MAKEUPS_LEFT = "no_makeups_left"  # missing, and the make-ups the challenge allows are used up


@dataclass(frozen=True)
class DepositRule:
    percent: int  # refund share of what was paid; 0: no challenge
    makeups_allowed: int  # make-ups that still count for the challenge
    makeup_limit: int  # make-ups the course allows at all
    makeup_days_back: int  # how many days back a make-up may be made


@dataclass(frozen=True)
class Standing:
    state: str  # ELIGIBLE, AT_RISK or OUT
    day: int  # the cohort day the member is on, 1..total_days (total_days once it is over)
    total_days: int
    percent: int
    makeups_used: int  # counted make-ups
    makeups_allowed: int
    over: bool  # every day of the cohort is over: the standing is final
    reason: str = ""  # why OUT (MISSED, REJECTED, TOO_MANY_MAKEUPS, NO_MAKEUPS_LEFT)
    lost_day: int | None = None  # the day it was lost
    makeup_day: int | None = None  # AT_RISK: the first day to make up
    makeup_by_day: int | None = None  # AT_RISK: the last cohort day on which it can be made up


def deposit_standing_compute(
    *, rule: DepositRule, duration: int, today: int, checkins: Iterable[tuple[int, str, bool]]
) -> Standing:
    """``checkins``: (day, status, is_makeup) of one member; ``today``: the first cohort day not over yet (the
    cohort's check-in day, grace applied; ``duration + 1`` once the cohort is over, when nothing can be made up).

    Days are judged in order; the first lost day decides. A missing day within the make-up window takes one of the
    make-ups left (the fewer of the challenge's and the course's allowance, less those used)."""
    counted: dict[int, bool] = {}
    rejected: set[int] = set()
    for day, status, makeup in checkins:
        if not 1 <= day <= duration:
            continue
        if status == CheckInStatus.COUNTED:
            counted[day] = makeup
        elif status == CheckInStatus.REJECTED:
            rejected.add(day)
    used = sum(1 for makeup in counted.values() if makeup)
    budget = min(rule.makeups_allowed, rule.makeup_limit) - used
    over = today > duration
    base = Standing(
        state=ELIGIBLE,
        day=min(max(today, 1), duration),
        total_days=duration,
        percent=rule.percent,
        makeups_used=used,
        makeups_allowed=rule.makeups_allowed,
        over=over,
    )
    seen = 0
    to_make_up: list[int] = []
    for day in range(1, min(today, duration + 1)):
        if day in counted:
            if counted[day]:
                seen += 1
                if seen > rule.makeups_allowed:
                    return replace(base, state=OUT, reason=TOO_MANY_MAKEUPS, lost_day=day)
            continue
        if not over and today - day <= rule.makeup_days_back:
            if budget > 0:
                budget -= 1
                to_make_up.append(day)
                continue
            return replace(base, state=OUT, reason=NO_MAKEUPS_LEFT, lost_day=day)
        return replace(base, state=OUT, reason=REJECTED if day in rejected else MISSED, lost_day=day)
    if to_make_up:
        first = to_make_up[0]
        return replace(
            base, state=AT_RISK, makeup_day=first, makeup_by_day=min(first + rule.makeup_days_back, duration)
        )
    return base
