"""Cohort reads: which day is released, how many seats are left, who may see a cohort."""

from datetime import date, timedelta

import pytest

from cohorts.days import local_midnight
from cohorts.models import CheckIn
from cohorts.selectors import (
    checkin_list_for_member,
    cohort_get_for_user,
    cohort_list_for_user,
    enrollment_get_for_member,
    released_day,
    seats_left,
)
from cohorts.statuses import CohortStatus, EnrollmentStatus
from stagewise.errors import NotFound
from tests import factories

S = CohortStatus
E = EnrollmentStatus
TZ = "Asia/Kathmandu"
STARTS = date(2026, 6, 10)


def day_start(n: int):
    return local_midnight(tz=TZ, on=STARTS + timedelta(days=n - 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "at", "expected"),
    [
        (S.OPEN, day_start(1) - timedelta(seconds=1), 0),
        (S.OPEN, day_start(1), 1),  # the scheduler may be a few minutes late
        (S.RUNNING, day_start(3) + timedelta(hours=5), 3),
        (S.RUNNING, day_start(7), 7),
        (S.ENDED, day_start(40), 7),  # capped at the cohort's length
        (S.ARCHIVED, day_start(400), 7),
        (S.DRAFT, day_start(3), 0),
        (S.CANCELLED, day_start(3), 0),
    ],
)
def test_released_day(status, at, expected):
    cohort = factories.cohort(course=factories.course(duration_days=7), starts_on=STARTS, timezone=TZ, status=status)

    assert released_day(cohort=cohort, now=at) == expected


@pytest.mark.django_db
def test_seats_left_counts_members_and_live_holds_as_the_checkout_does():
    """The catalog must show the seats the checkout will find: members plus live seat holds (a learner paying, a
    waitlisted learner offered a seat). A pending payment whose hold ran out holds nothing."""
    from cohorts.seats import seats_taken

    cohort = factories.cohort(course=factories.course(), capacity=10)
    members = [E.ACTIVE, E.COMPLETED, E.NOT_COMPLETED]
    others = [E.APPLIED, E.APPROVED, E.REJECTED, E.WAITLISTED, E.WITHDRAWN, E.REMOVED, E.EXPIRED, E.PENDING_PAYMENT]
    for status in members + others:
        factories.enrollment(cohort=cohort, learner=factories.learner(), status=status)
    factories.held_seat(cohort=cohort)
    factories.held_seat(cohort=cohort, offer=True)
    factories.held_seat(cohort=cohort, expires_in=timedelta(minutes=-1))
    taken = len(members) + 2

    annotated = cohort_list_for_user(user=None).get(pk=cohort.pk)

    assert seats_taken(cohort_id=cohort.pk) == taken
    assert seats_left(cohort) == 10 - taken
    assert seats_left(annotated) == 10 - taken


@pytest.mark.django_db
def test_a_draft_is_visible_to_its_instructors_and_staff_only():
    teacher, other_teacher = factories.instructor(), factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher), status=S.DRAFT)

    assert cohort_get_for_user(user=teacher, cohort_id=cohort.pk) == cohort
    assert cohort_get_for_user(user=factories.staff(), cohort_id=cohort.pk) == cohort
    for outsider in (other_teacher, factories.learner(), factories.marketer(), None):
        with pytest.raises(NotFound) as error:
            cohort_get_for_user(user=outsider, cohort_id=cohort.pk)
        assert error.value.code == "cohort_not_found"


@pytest.mark.django_db
def test_members_and_instructors_see_a_cohort_once_with_the_right_seat_count():
    """Joins on enrollments must not duplicate rows (and break counts) for members and instructors alike."""
    teacher, learner = factories.instructor(), factories.learner()
    cohort = factories.cohort(course=factories.course(teacher=teacher))
    factories.enrollment(cohort=cohort, learner=learner)
    factories.enrollment(cohort=cohort, learner=factories.learner())

    for user in (teacher, learner):
        rows = cohort_list_for_user(user=user)
        assert [c.pk for c in rows] == [cohort.pk]
        assert rows.count() == 1
        assert seats_left(rows.get()) == 28


@pytest.mark.django_db
def test_a_members_own_checkins_are_for_members_only():
    # given a public cohort with a member who checked in twice, a removed member and a visitor
    cohort = factories.cohort(course=factories.course(), starts_on=STARTS, timezone=TZ, status=S.RUNNING)
    member, removed, visitor = factories.learner(), factories.learner(), factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=member)
    factories.enrollment(cohort=cohort, learner=removed, status=E.REMOVED)
    for day in (1, 2):
        CheckIn.objects.create(
            enrollment=enrollment, day=day, local_date=STARTS + timedelta(days=day - 1), created_at=day_start(day)
        )

    # when / then
    assert enrollment_get_for_member(user=member, cohort_id=cohort.pk) == enrollment
    assert [c.day for c in checkin_list_for_member(user=member, cohort_id=cohort.pk)] == [2, 1]
    for outsider in (removed, visitor, None):
        with pytest.raises(NotFound) as error:
            checkin_list_for_member(user=outsider, cohort_id=cohort.pk)
        assert error.value.code == "not_enrolled"
    draft = factories.cohort(course=factories.course(), status=S.DRAFT)
    with pytest.raises(NotFound) as error:
        enrollment_get_for_member(user=visitor, cohort_id=draft.pk)
    assert error.value.code == "cohort_not_found"
