"""The deposit challenge's rule (打卡返学费), pure: every day over has a counted check-in, make-ups up to k."""

import pytest

from cohorts.deposit.rules import (
    AT_RISK,
    ELIGIBLE,
    MISSED,
    NO_MAKEUPS_LEFT,
    OUT,
    REJECTED,
    TOO_MANY_MAKEUPS,
    DepositRule,
    deposit_standing_compute,
)

RULE = DepositRule(percent=50, makeups_allowed=1, makeup_limit=2, makeup_days_back=3)
C, R = "counted", "rejected"


def standing(checkins, *, today, duration=21, rule=RULE):
    return deposit_standing_compute(rule=rule, duration=duration, today=today, checkins=checkins)


def every(days, status=C, makeup=False):
    return [(day, status, makeup) for day in days]


def test_every_day_so_far_counted_is_eligible_and_today_may_still_be_open():
    result = standing(every(range(1, 12)), today=12)
    assert (result.state, result.day, result.total_days, result.reason, result.lost_day) == (ELIGIBLE, 12, 21, "", None)


def test_a_missed_day_inside_the_makeup_window_is_at_risk_until_it_is_made_up():
    at_risk = standing(every([1, 2, 4, 5]), today=6)
    assert (at_risk.state, at_risk.makeup_day, at_risk.makeup_by_day) == (AT_RISK, 3, 6)
    made_up = standing([*every([1, 2, 4, 5]), (3, C, True)], today=6)
    assert (made_up.state, made_up.makeups_used) == (ELIGIBLE, 1)


def test_a_missed_day_too_old_to_make_up_is_lost_on_that_day():
    result = standing(every([1, 2, 4, 5, 6, 7]), today=8)
    assert (result.state, result.reason, result.lost_day) == (OUT, MISSED, 3)


def test_a_rejected_check_in_never_counts():
    result = standing([*every([1, 2, 4, 5, 6, 7]), (3, R, False)], today=8)
    assert (result.state, result.reason, result.lost_day) == (OUT, REJECTED, 3)
    # still inside the window it can be made up
    assert standing([*every([1, 2]), (3, R, False)], today=4).state == AT_RISK


def test_make_ups_count_up_to_k_and_the_next_one_loses_its_day():
    two_makeups = [*every([1, 2, 4, 5, 7]), (3, C, True), (6, C, True)]
    result = standing(two_makeups, today=8)
    assert (result.state, result.reason, result.lost_day, result.makeups_used) == (OUT, TOO_MANY_MAKEUPS, 6, 2)
    allowed_two = DepositRule(percent=50, makeups_allowed=2, makeup_limit=2, makeup_days_back=3)
    assert standing(two_makeups, today=8, rule=allowed_two).state == ELIGIBLE


def test_a_missing_day_with_the_allowance_used_up_is_lost_at_once():
    result = standing([*every([1, 2, 4, 6]), (3, C, True)], today=7)
    assert (result.state, result.reason, result.lost_day) == (OUT, NO_MAKEUPS_LEFT, 5)
    no_makeups = DepositRule(percent=50, makeups_allowed=0, makeup_limit=2, makeup_days_back=3)
    assert standing(every([1]), today=3, rule=no_makeups).lost_day == 2


def test_the_course_limit_on_make_ups_binds_too():
    generous = DepositRule(percent=50, makeups_allowed=5, makeup_limit=1, makeup_days_back=3)
    result = standing([*every([1, 2, 4]), (3, C, True)], today=6, rule=generous)
    assert (result.state, result.reason, result.lost_day) == (OUT, NO_MAKEUPS_LEFT, 5)


@pytest.mark.parametrize(
    ("checkins", "state"),
    [
        (every(range(1, 8)), ELIGIBLE),
        ([*every([1, 2, 3, 4, 5, 6]), (7, C, True)], ELIGIBLE),
        (every(range(1, 7)), OUT),  # the last day, missed: nothing can be made up any more
        ([*every(range(1, 7)), (7, R, False)], OUT),
    ],
)
def test_once_the_cohort_is_over_the_standing_is_final(checkins, state):
    result = standing(checkins, today=8, duration=7)
    assert (result.state, result.over, result.day) == (state, True, 7)


def test_check_ins_outside_the_cohort_days_are_ignored():
    assert standing([*every(range(1, 8)), (0, C, False), (9, C, True)], today=8, duration=7).makeups_used == 0
