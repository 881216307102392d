"""Reading a member's deposit-challenge standing (the rule is in ``rules``)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cohorts.checkins import checkin_day
from cohorts.deposit.rules import DepositRule, Standing, deposit_standing_compute
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.selectors import enrollment_get_for_member
from cohorts.statuses import CohortStatus
from content.models import Course
from stagewise.errors import NotFound


def deposit_rule(course: Course) -> DepositRule:
    return DepositRule(
        percent=course.deposit_refund_percent,
        makeups_allowed=course.deposit_makeups_allowed,
        makeup_limit=course.makeup_limit,
        makeup_days_back=course.makeup_max_days_back,
    )


def deposit_today(*, cohort: Cohort, now: datetime) -> int:
    """The first cohort day not over at ``now``; past the end once the cohort has ended (nothing can be made up)."""
    if cohort.status in (CohortStatus.ENDED, CohortStatus.ARCHIVED) or now >= cohort.ends_at:
        return cohort.duration_days + 1
    return checkin_day(cohort=cohort, at=now)


def deposit_standing(*, enrollment: Enrollment, now: datetime | None = None) -> Standing | None:
    """Where the member stands in the course's deposit challenge at ``now``; None if the course has none. One query
    (the cohort and its course should come select_related)."""
    cohort = enrollment.cohort
    rule = deposit_rule(cohort.course)
    if rule.percent <= 0:
        return None
    now = now or timezone.now()
    rows = CheckIn.objects.filter(enrollment=enrollment).values_list("day", "status", "is_makeup")
    return deposit_standing_compute(
        rule=rule, duration=cohort.duration_days, today=deposit_today(cohort=cohort, now=now), checkins=list(rows)
    )


def deposit_standing_get_for_member(*, user: Viewer, cohort_id: int, now: datetime | None = None) -> Standing:
    """The member's own standing (NotFound as ``enrollment_get_for_member``; NotFound ``no_deposit_challenge`` when
    the course has none)."""
    enrollment = enrollment_get_for_member(user=user, cohort_id=cohort_id)
    standing = deposit_standing(enrollment=enrollment, now=now)
    if standing is None:
        raise NotFound(_("This course has no deposit challenge."), code="no_deposit_challenge")
    return standing
