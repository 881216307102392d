"""Cohort lifecycle services: the transition table, the scheduler, admissions under concurrency."""

import itertools
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cohorts.days import local_date, local_midnight
from cohorts.models import Cohort, Enrollment
from cohorts.services import cohort_transition, cohort_transitions_run, enrollment_admit
from cohorts.statuses import COHORT_TRANSITIONS, CohortStatus
from cohorts.tasks import cohort_transitions_run_task
from stagewise.errors import Conflict
from tests import factories
from tests.concurrency import run_at_once

UTC = ZoneInfo("UTC")
NOTHING = {"opened": 0, "started": 0, "ended": 0}
S = CohortStatus


def ran(**counts: int) -> dict[str, int]:
    return NOTHING | counts


def run_at(instant: datetime) -> dict[str, int]:
    """Run the periodic task as beat would, with the clock set to ``instant``."""
    with time_machine.travel(instant, tick=False):
        return cohort_transitions_run_task()


def statuses(*cohorts: Cohort) -> list[str]:
    return [Cohort.objects.get(pk=cohort.pk).status for cohort in cohorts]


# The transition table -------------------------------------------------------------------------------------------


def test_the_lifecycle_is_the_documented_one():
    """draft → open → running → ended → archived, and cancelled from draft or open."""
    assert {
        S.DRAFT: {S.OPEN, S.CANCELLED},
        S.OPEN: {S.RUNNING, S.CANCELLED},
        S.RUNNING: {S.ENDED},
        S.ENDED: {S.ARCHIVED},
        S.ARCHIVED: set(),
        S.CANCELLED: set(),
    } == COHORT_TRANSITIONS


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), list(itertools.product(S.values, S.values)))
def test_cohort_transition_allows_exactly_the_table(old, new):
    cohort = factories.cohort(course=factories.course(), status=old)

    if new in COHORT_TRANSITIONS[old]:
        assert cohort_transition(cohort_id=cohort.pk, old=old, new=new) is True
        assert statuses(cohort) == [new]
    else:
        with pytest.raises(Conflict) as error:
            cohort_transition(cohort_id=cohort.pk, old=old, new=new)
        assert error.value.code == "invalid_transition"
        assert statuses(cohort) == [old]


@pytest.mark.django_db
def test_a_transition_from_a_stale_status_changes_nothing():
    # given a cohort someone else already opened
    cohort = factories.cohort(course=factories.course(), status=S.OPEN)

    # when a second worker tries to open it from draft
    changed = cohort_transition(cohort_id=cohort.pk, old=S.DRAFT, new=S.OPEN)

    # then it is told it lost, and the cohort is untouched
    assert changed is False
    assert statuses(cohort) == [S.OPEN]


# The scheduler ------------------------------------------------------------------------------------------------


ZONES = ["Asia/Shanghai", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Honolulu", "America/New_York"]


@pytest.mark.django_db
@pytest.mark.parametrize("tz", ZONES)
def test_scheduled_draft_opens_at_local_midnight_of_the_window(tz):
    cohort = factories.cohort(
        course=factories.course(),
        status=S.DRAFT,
        scheduled=True,
        timezone=tz,
        enrollment_opens_on=date(2026, 6, 1),
        starts_on=date(2026, 6, 20),
    )
    opens = local_midnight(tz=tz, on=date(2026, 6, 1))

    assert run_at(opens - timedelta(seconds=1)) == NOTHING
    assert statuses(cohort) == [S.DRAFT]
    assert run_at(opens) == ran(opened=1)
    assert statuses(cohort) == [S.OPEN]
    assert Cohort.objects.get(pk=cohort.pk).status_changed_at == opens


@pytest.mark.django_db
def test_unscheduled_draft_is_left_to_its_instructor():
    cohort = factories.cohort(
        course=factories.course(), status=S.DRAFT, enrollment_opens_on=date(2026, 6, 1), starts_on=date(2026, 6, 15)
    )

    assert run_at(datetime(2026, 6, 5, tzinfo=UTC)) == NOTHING
    assert statuses(cohort) == [S.DRAFT]


@pytest.mark.django_db
@pytest.mark.parametrize("tz", [*ZONES, "Europe/London", "America/Santiago"])
@pytest.mark.parametrize("starts_on", [date(2026, 6, 10), date(2026, 3, 8), date(2026, 9, 6), date(2026, 10, 25)])
def test_open_cohort_runs_at_local_midnight_of_day_one(tz, starts_on):
    cohort = factories.cohort(course=factories.course(), timezone=tz, starts_on=starts_on)
    day1 = local_midnight(tz=tz, on=starts_on)

    assert run_at(day1 - timedelta(seconds=1)) == NOTHING
    assert run_at(day1) == ran(started=1)
    assert statuses(cohort) == [S.RUNNING]


@pytest.mark.django_db
@pytest.mark.parametrize("tz", [*ZONES, "Etc/GMT+12"])
@pytest.mark.parametrize("grace_hours", [0, 3, 12])
def test_running_cohort_ends_after_its_last_day_plus_the_grace(tz, grace_hours):
    course = factories.course(duration_days=7, checkin_grace_hours=grace_hours)
    cohort = factories.cohort(course=course, timezone=tz, starts_on=date(2026, 6, 1), status=S.RUNNING)
    over = local_midnight(tz=tz, on=date(2026, 6, 8)) + timedelta(hours=grace_hours)

    assert run_at(over - timedelta(seconds=1)) == NOTHING
    assert statuses(cohort) == [S.RUNNING]
    assert run_at(over) == ran(ended=1)
    assert statuses(cohort) == [S.ENDED]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tz", "ends_on"),
    [
        ("America/New_York", date(2026, 6, 6)),
        ("America/New_York", date(2026, 10, 31)),  # the grace runs through the fall-back night
        ("America/New_York", date(2026, 3, 7)),  # ... and through the spring-forward night
        ("Europe/London", date(2026, 10, 24)),
        ("America/Santiago", date(2026, 9, 5)),  # the next day has no midnight
    ],
)
def test_the_cohort_ends_exactly_when_the_last_days_check_in_grace_is_over(tz, ends_on):
    course = factories.course(duration_days=7, checkin_grace_hours=3)
    cohort = factories.cohort(
        course=course, timezone=tz, starts_on=ends_on - timedelta(days=6), status=S.RUNNING, ends_on=ends_on
    )

    assert local_date(tz=tz, at=cohort.ends_at - timedelta(seconds=1), grace=cohort.grace) == ends_on
    assert local_date(tz=tz, at=cohort.ends_at, grace=cohort.grace) == ends_on + timedelta(days=1)


@pytest.mark.django_db
def test_statuses_the_scheduler_never_touches():
    course = factories.course()
    long_ago = date(2026, 1, 1)
    cohorts = [
        factories.cohort(course=course, starts_on=long_ago, status=status, scheduled=True)
        for status in (S.CANCELLED, S.ENDED, S.ARCHIVED)
    ]

    assert run_at(datetime(2026, 6, 1, tzinfo=UTC)) == NOTHING
    assert statuses(*cohorts) == [S.CANCELLED, S.ENDED, S.ARCHIVED]


@pytest.mark.django_db
def test_running_twice_changes_nothing_the_second_time():
    course = factories.course(duration_days=7)
    now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    to_open = factories.cohort(
        course=course, status=S.DRAFT, scheduled=True, starts_on=date(2026, 6, 30), enrollment_opens_on=date(2026, 6, 1)
    )
    to_start = factories.cohort(course=course, starts_on=date(2026, 6, 14))
    to_end = factories.cohort(course=course, starts_on=date(2026, 6, 1), status=S.RUNNING)

    first = run_at(now)
    changed_at = [Cohort.objects.get(pk=c.pk).status_changed_at for c in (to_open, to_start, to_end)]
    second = run_at(now + timedelta(minutes=5))

    assert first == ran(opened=1, started=1, ended=1)
    assert second == NOTHING
    assert statuses(to_open, to_start, to_end) == [S.OPEN, S.RUNNING, S.ENDED]
    assert [Cohort.objects.get(pk=c.pk).status_changed_at for c in (to_open, to_start, to_end)] == changed_at


@pytest.mark.django_db
def test_after_a_long_outage_one_run_catches_up_through_every_due_step():
    cohort = factories.cohort(
        course=factories.course(duration_days=3),
        status=S.DRAFT,
        scheduled=True,
        enrollment_opens_on=date(2026, 5, 1),
        starts_on=date(2026, 5, 10),
    )

    assert run_at(datetime(2026, 6, 1, tzinfo=UTC)) == ran(opened=1, started=1, ended=1)
    assert statuses(cohort) == [S.ENDED]


# Concurrency (PostgreSQL) ---------------------------------------------------------------------------------------


def _in_threads(n: int, work) -> list:
    """Run ``work()`` in ``n`` threads released together: what each returned, or the exception it raised."""
    return run_at_once([work] * n)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scheduler_runs_make_each_transition_exactly_once():
    # given cohorts due for every kind of transition
    course = factories.course(duration_days=7)
    now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    for _ in range(10):
        factories.cohort(
            course=course,
            status=S.DRAFT,
            scheduled=True,
            starts_on=date(2026, 6, 30),
            enrollment_opens_on=date(2026, 6, 1),
        )
        factories.cohort(course=course, starts_on=date(2026, 6, 14))
        factories.cohort(course=course, starts_on=date(2026, 6, 1), status=S.RUNNING)

    # when eight workers run the scheduler at the same moment
    results = _in_threads(8, lambda: cohort_transitions_run(now=now))

    # then every cohort moved exactly once, whichever worker moved it
    assert all(isinstance(result, dict) for result in results), results
    totals = {key: sum(result[key] for result in results) for key in NOTHING}
    assert totals == {"opened": 10, "started": 10, "ended": 10}
    assert sum(totals.values()) == Cohort.objects.count()
    assert sorted(Cohort.objects.values_list("status", flat=True)) == sorted(
        [S.OPEN] * 10 + [S.RUNNING] * 10 + [S.ENDED] * 10
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_never_oversell_a_cohort():
    teacher = factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher), capacity=3)
    learners = [factories.learner() for _ in range(10)]
    queue = list(learners)
    lock = threading.Lock()

    def admit_next():
        with lock:
            learner = queue.pop()
        return enrollment_admit(cohort_id=cohort.pk, learner=learner)

    results = _in_threads(10, admit_next)

    admitted = [r for r in results if isinstance(r, Enrollment)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(admitted) == 3
    assert len(refused) == 7 and {r.code for r in refused} == {"cohort_full"}
    assert Enrollment.objects.filter(cohort=cohort).count() == 3


@pytest.mark.django_db
def test_an_admit_leaves_the_seats_held_for_payers_and_waitlist_offers():
    """A complimentary seat counts seats as the checkout does: otherwise an admit while a waitlisted learner holds
    an offer would oversell the cohort once they pay."""
    from cohorts.models import SeatHold
    from cohorts.moderation import enrollment_reinstate
    from cohorts.statuses import EnrollmentStatus

    teacher = factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher), capacity=3, status=CohortStatus.OPEN)
    factories.enrollment(cohort=cohort, learner=factories.learner())
    factories.held_seat(cohort=cohort)
    offered = factories.held_seat(cohort=cohort, offer=True)
    removed = factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.REMOVED)

    with pytest.raises(Conflict) as full:
        enrollment_admit(cohort_id=cohort.pk, learner=factories.learner())
    assert full.value.code == "cohort_full"
    with pytest.raises(Conflict) as still_full:
        enrollment_reinstate(actor=factories.staff(), enrollment_id=removed.pk, reason="Appeal")
    assert still_full.value.code == "cohort_full"

    SeatHold.objects.filter(enrollment=offered).update(status="released")  # the offer lapsed
    admitted = enrollment_admit(cohort_id=cohort.pk, learner=factories.learner())
    assert admitted.status == EnrollmentStatus.ACTIVE
