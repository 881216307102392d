"""Reads on cohorts, enrollments and released lessons."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.types import Viewer
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.seats import seats_taken, seats_taken_annotation
from cohorts.statuses import MEMBER_STATUSES, CohortStatus, EnrollmentStatus
from content.models import Course, Lesson, Prerequisite
from content.selectors import is_course_instructor
from stagewise.errors import NotFound
from stagewise.permissions import is_staff

# Everyone sees cohorts in these statuses of published courses; drafts and the rest only their instructors.
PUBLIC_STATUSES = (CohortStatus.OPEN, CohortStatus.RUNNING, CohortStatus.ENDED)


def _with_seats(qs: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return qs.annotate(seats_taken=seats_taken_annotation())


def _visible_cohorts(user: Viewer) -> QuerySet[Cohort]:
    qs = Cohort.objects.select_related("course", "course__track")
    if is_staff(user):
        return qs
    public = Q(status__in=PUBLIC_STATUSES, course__is_published=True)
    if getattr(user, "is_authenticated", False):
        mine = Q(course__instructors=user) | Q(enrollments__learner=user)
        ids = qs.filter(public | mine).values("pk")
        return qs.filter(pk__in=ids)
    return qs.filter(public)


def cohort_is_visible(*, cohort: Cohort, user: Viewer) -> bool:
    """``_visible_cohorts`` for one cohort already in hand (its course loaded), for someone not enrolled in it."""
    if cohort.status in PUBLIC_STATUSES and cohort.course.is_published:
        return True
    return is_staff(user) or (
        getattr(user, "is_authenticated", False) and is_course_instructor(user=user, course=cohort.course)
    )


def cohort_list_for_user(*, user: Viewer, status: str | None = None, course_id: int | None = None) -> QuerySet[Cohort]:
    qs = _visible_cohorts(user)
    if status:
        qs = qs.filter(status=status)
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    return _with_seats(qs).order_by("starts_on", "id")


def cohort_get_for_user(*, user: Viewer, cohort_id: int) -> Cohort:
    cohort = _with_seats(_visible_cohorts(user)).filter(pk=cohort_id).first()
    if cohort is None:
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return cohort


def cohort_get_for_instructor(*, user: Viewer, cohort_id: int) -> Cohort:
    cohort = _with_seats(Cohort.objects.select_related("course", "course__track")).filter(pk=cohort_id).first()
    if cohort is None or not is_course_instructor(user=user, course=cohort.course):
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return cohort


def seats_left(cohort: Cohort) -> int:
    taken = getattr(cohort, "seats_taken", None)
    if taken is None:
        taken = seats_taken(cohort_id=cohort.pk)
    return max(cohort.capacity - taken, 0)


def upcoming_cohorts_by_course(*, course_ids: list[int]) -> dict[int, list[Cohort]]:
    """Open (and scheduled-open) cohorts of each course, soonest first, for the catalog; one query."""
    qs = _with_seats(
        Cohort.objects.filter(course_id__in=course_ids, status__in=(CohortStatus.OPEN, CohortStatus.RUNNING))
    ).order_by("starts_on", "id")
    result: dict[int, list[Cohort]] = {cid: [] for cid in course_ids}
    for cohort in qs:
        result[cohort.course_id].append(cohort)
    return result


def needs_application(*, learner: User, course: Course) -> bool:
    """Whether ``learner`` must apply (and be approved by an instructor) before enrolling in ``course``: always when
    the course admits by application, and for a later stage when they have not completed the stage before it."""
    if course.prerequisite == Prerequisite.APPROVAL:
        return True
    if course.prerequisite == Prerequisite.PREVIOUS_STAGE and course.stage > 1:
        return not Enrollment.objects.filter(
            learner=learner,
            status=EnrollmentStatus.COMPLETED,
            cohort__course__track_id=course.track_id,
            cohort__course__stage=course.stage - 1,
        ).exists()
    return False


def next_open_cohort(*, course_id: int, exclude_id: int | None = None) -> Cohort | None:
    """The course's open cohort that starts soonest (``exclude_id`` left out), with its seats counted; None if none."""
    qs = _with_seats(Cohort.objects.select_related("course").filter(course_id=course_id, status=CohortStatus.OPEN))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("starts_on", "id").first()


def next_stage_open_cohort(*, course: Course) -> Cohort | None:
    """The soonest open cohort of the next stage (same track, stage + 1, published) that takes enrollments now: where
    an active member of ``course`` may move up to. None when there is no next stage or none of its cohorts is open."""
    now = timezone.now()
    qs = _with_seats(
        Cohort.objects.select_related("course").filter(
            course__track_id=course.track_id,
            course__stage=course.stage + 1,
            course__is_published=True,
            status=CohortStatus.OPEN,
        )
    ).order_by("starts_on", "id")
    # The enrollment window is in each cohort's own time zone (properties, not columns): a few open cohorts at most.
    return next((c for c in qs if c.enrollment_opens_at <= now < c.enrollment_closes_at), None)


@dataclass(frozen=True)
class Admission:
    """How a learner gets into a course, and why: what the enroll page tells them before any form."""

    by_application: bool  # they must apply and be approved before paying
    reason: str  # "" (enroll directly), "approval" (the course admits by application) or "previous_stage"
    previous: Course | None = None  # the stage before, when not having completed it is the obstacle
    previous_cohort: Cohort | None = None  # that stage's next open cohort, if one is open


def admission_for(*, learner: User, course: Course) -> Admission:
    """``needs_application`` with its reason: for a later stage, the stage before and where to take it next."""
    if not needs_application(learner=learner, course=course):
        return Admission(by_application=False, reason="")
    if course.prerequisite == Prerequisite.APPROVAL:
        return Admission(by_application=True, reason="approval")
    previous = (
        Course.objects.filter(track_id=course.track_id, stage=course.stage - 1, is_published=True)
        .select_related("track")
        .first()
    )
    return Admission(
        by_application=True,
        reason="previous_stage",
        previous=previous,
        previous_cohort=next_open_cohort(course_id=previous.pk) if previous is not None else None,
    )


def applications_waiting(*, cohort_ids: list[int]) -> dict[int, int]:
    """How many applications wait for an instructor's decision in each cohort (absent: none); one query."""
    rows = (
        Enrollment.objects.filter(cohort_id__in=cohort_ids, status=EnrollmentStatus.APPLIED)
        .values("cohort_id")
        .annotate(n=Count("id"))
        .values_list("cohort_id", "n")
    )
    return dict(rows)


def applications_waiting_for_instructor(*, user: User) -> list[dict[str, Any]]:
    """The cohorts of the courses ``user`` teaches that have applications waiting for a decision, soonest first,
    each with its count; one query."""
    rows = (
        Cohort.objects.filter(course__instructors=user, enrollments__status=EnrollmentStatus.APPLIED)
        .annotate(waiting=Count("enrollments"))
        .select_related("course")
        .order_by("starts_on", "id")
    )
    return [{"cohort": cohort, "count": cohort.waiting} for cohort in rows]


def enrollment_for(*, user: Viewer, cohort: Cohort) -> Enrollment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(cohort=cohort, learner_id=user.pk).first()


def enrollment_get_for_member(*, user: Viewer, cohort_id: int) -> Enrollment:
    """The user's enrollment in a cohort they are a member of, with the cohort (and its course) attached.

    NotFound as ``cohort_get_for_user`` for a cohort they can't see; NotFound ``not_enrolled`` for one they can
    see but are not a member of.
    """
    cohort = cohort_get_for_user(user=user, cohort_id=cohort_id)
    enrollment = enrollment_for(user=user, cohort=cohort)
    if enrollment is None or enrollment.status not in MEMBER_STATUSES:
        raise NotFound(_("You are not a member of this cohort."), code="not_enrolled")
    enrollment.cohort = cohort
    return enrollment


def checkin_list_for_member(*, user: Viewer, cohort_id: int) -> QuerySet[CheckIn]:
    """The member's own check-ins in a cohort, latest day first (NotFound as ``enrollment_get_for_member``)."""
    enrollment = enrollment_get_for_member(user=user, cohort_id=cohort_id)
    return CheckIn.objects.filter(enrollment=enrollment).order_by("-day")


def is_cohort_member(*, user: Viewer, cohort: Cohort) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Enrollment.objects.filter(cohort=cohort, learner_id=user.pk, status__in=MEMBER_STATUSES).exists()


def released_day(*, cohort: Cohort, now: datetime | None = None) -> int:
    """The highest day whose lesson is out (0 before the start), capped at the cohort's length.

    Follows the cohort's clock, not its status: an open cohort whose first local midnight has passed releases
    day 1 even if the scheduler has not marked it running yet.
    """
    now = now or timezone.now()
    if cohort.status in (CohortStatus.DRAFT, CohortStatus.CANCELLED):
        return 0
    return max(0, min(cohort.day_number(now), cohort.duration_days))


def lesson_list_for_cohort(*, user: Viewer, cohort_id: int, now: datetime | None = None) -> QuerySet[Lesson]:
    """Instructors see every lesson of the course; members see published lessons released so far.

    Anyone else gets NotFound, as if the cohort did not exist.
    """
    cohort = cohort_get_for_user(user=user, cohort_id=cohort_id)
    lessons = Lesson.objects.filter(course_id=cohort.course_id).order_by("day", "id")
    if is_course_instructor(user=user, course=cohort.course):
        return lessons
    if not is_cohort_member(user=user, cohort=cohort):
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return lessons.filter(is_published=True, day__lte=released_day(cohort=cohort, now=now))


def lesson_get_for_cohort(*, user: Viewer, cohort_id: int, day: int, now: datetime | None = None) -> Lesson:
    lesson = lesson_list_for_cohort(user=user, cohort_id=cohort_id, now=now).filter(day=day).first()
    if lesson is None:
        raise NotFound(_("No such lesson, or it is not released yet."), code="lesson_not_found")
    return lesson


def cohort_list_for_learner(*, user: User) -> QuerySet[Enrollment]:
    """The learner's enrollments with their cohorts; ``cohort_seats_taken`` is annotated so a page costs one query."""
    seats = seats_taken_annotation(cohort_ref="cohort")
    return (
        Enrollment.objects.filter(learner=user)
        .select_related("cohort", "cohort__course", "cohort__course__track")
        .annotate(cohort_seats_taken=seats)
        .order_by("-cohort__starts_on", "-id")
    )


def lesson_attachment_for_user(*, user: Viewer, lesson_id: int, now: datetime | None = None) -> Lesson:
    """A lesson with an attachment, if ``user`` teaches its course or is a member of a cohort that has the lesson
    released. NotFound otherwise, as if it did not exist."""
    lesson = Lesson.objects.select_related("course").filter(pk=lesson_id).exclude(attachment="").first()
    if lesson is None:
        raise NotFound(_("No such attachment."), code="attachment_not_found")
    if is_course_instructor(user=user, course=lesson.course):
        return lesson
    if lesson.is_published and getattr(user, "is_authenticated", False):
        memberships = Enrollment.objects.filter(
            learner_id=user.pk, cohort__course_id=lesson.course_id, status__in=MEMBER_STATUSES
        ).select_related("cohort")
        if any(lesson.day <= released_day(cohort=e.cohort, now=now) for e in memberships):
            return lesson
    raise NotFound(_("No such attachment."), code="attachment_not_found")
