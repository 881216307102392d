"""Reads on tracks, courses and lessons. ``*_get_for_user`` answers NotFound for missing and forbidden alike."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.types import Viewer
from content.models import Course, Lesson, Track
from stagewise.errors import Message, NotFound
from stagewise.permissions import is_staff


def track_list() -> QuerySet[Track]:
    return Track.objects.order_by("title", "id")


def track_list_owned_by(*, user: User) -> QuerySet[Track]:
    """The tracks ``user`` may add courses to: those they started or teach a course of (every one, for staff)."""
    if is_staff(user):
        return track_list()
    return track_list().filter(Q(owner=user) | Q(courses__instructors=user)).distinct()


def track_get(*, track_id: int) -> Track:
    track = Track.objects.filter(pk=track_id).first()
    if track is None:
        raise NotFound(_("No such track."), code="track_not_found")
    return track


def _visible_courses(user: Viewer) -> QuerySet[Course]:
    qs = Course.objects.select_related("track")
    if is_staff(user):
        return qs
    if getattr(user, "is_authenticated", False):
        return qs.filter(Q(is_published=True) | Q(instructors=user)).distinct()
    return qs.filter(is_published=True)


def course_list_for_user(*, user: Viewer, track_id: int | None = None) -> QuerySet[Course]:
    qs = _visible_courses(user)
    if track_id is not None:
        qs = qs.filter(track_id=track_id)
    return qs.order_by("track__title", "track_id", "stage", "id")


def course_get_for_user(*, user: Viewer, course_id: int) -> Course:
    course = _visible_courses(user).filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("No such course."), code="course_not_found")
    return course


def course_get_by_slug_for_user(*, user: Viewer, slug: str) -> Course:
    course = _visible_courses(user).filter(slug=slug).first()
    if course is None:
        raise NotFound(_("No such course."), code="course_not_found")
    return course


def next_stage_of(*, course: Course) -> Course | None:
    """The published course one stage up the same track, None at the top of the ladder (where completers get no
    upgrade offer)."""
    return Course.objects.filter(track_id=course.track_id, stage=course.stage + 1, is_published=True).first()


def is_course_instructor(*, user: Viewer, course: Course) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return course.instructors.filter(pk=user.pk).exists()


def course_get_for_instructor(*, user: Viewer, course_id: int) -> Course:
    """The course if ``user`` teaches it (or is staff); NotFound otherwise, exactly as if it did not exist."""
    course = Course.objects.select_related("track").filter(pk=course_id).first()
    if course is None or not is_course_instructor(user=user, course=course):
        raise NotFound(_("No such course."), code="course_not_found")
    return course


def course_list_taught_by(*, user: User) -> QuerySet[Course]:
    qs = Course.objects.select_related("track")
    if not is_staff(user):
        qs = qs.filter(instructors=user)
    return qs.order_by("track__title", "stage", "id")


def lesson_list_for_instructor(*, user: Viewer, course_id: int) -> QuerySet[Lesson]:
    course = course_get_for_instructor(user=user, course_id=course_id)
    return Lesson.objects.filter(course=course).order_by("day", "id")


def lesson_get_for_instructor(*, user: Viewer, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.select_related("course").filter(pk=lesson_id).first()
    if lesson is None or not is_course_instructor(user=user, course=lesson.course):
        raise NotFound(_("No such lesson."), code="lesson_not_found")
    return lesson


@dataclass(frozen=True)
class CourseWarning:
    code: str  # stable, for scripts: no_published_lessons
    message: Message


def course_warnings(*, course: Course) -> list[CourseWarning]:
    """What an instructor should hear about a published course that is allowed but probably a mistake."""
    if not course.is_published or course.lessons.filter(is_published=True).exists():
        return []
    return [
        CourseWarning(
            code="no_published_lessons",
            message=_(
                "The course is published, but none of its lessons is: its learners will find no lesson on any "
                "day. Publish them under Lessons."
            ),
        )
    ]
