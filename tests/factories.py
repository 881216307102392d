"""Shared personas and factories: a learner, an instructor, another instructor, a marketer, staff, outsiders."""

import itertools
import secrets
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from cohorts import days
from cohorts.invitations import token_digest
from cohorts.models import Cohort, Enrollment, Invitation, SeatHold
from cohorts.statuses import CohortStatus, EnrollmentStatus
from content.models import Course, Lesson, Track

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def user(*, name: str | None = None, **fields: Any) -> User:
    n = next(_seq)
    fields.setdefault("email", f"user{n}@example.test")
    fields.setdefault("display_name", name or f"User {n}")
    return User.objects.create_user(password=PASSWORD, **fields)


def learner(**fields: Any) -> User:
    return user(**fields)


def instructor(**fields: Any) -> User:
    return user(is_instructor=True, **fields)


def marketer(**fields: Any) -> User:
    return user(is_marketer=True, **fields)


def staff(**fields: Any) -> User:
    return user(is_staff=True, **fields)


def track(**fields: Any) -> Track:
    n = next(_seq)
    fields.setdefault("slug", f"track-{n}")
    fields.setdefault("title", f"Track {n}")
    return Track.objects.create(**fields)


def course(*, teacher: User | None = None, **fields: Any) -> Course:
    n = next(_seq)
    fields.setdefault("track", track())
    fields.setdefault("stage", 1)
    fields.setdefault("stage_label", "Beginner")
    fields.setdefault("slug", f"course-{n}")
    fields.setdefault("title", f"Course {n}")
    fields.setdefault("price_minor", 19900)
    fields.setdefault("currency", "CNY")
    fields.setdefault("duration_days", 7)
    fields.setdefault("is_published", True)
    obj = Course.objects.create(**fields)
    if teacher is not None:
        obj.instructors.add(teacher)
    return obj


def lesson(*, course: Course, day: int, **fields: Any) -> Lesson:
    fields.setdefault("title", f"Day {day}")
    fields.setdefault("body", f"Lesson body for day {day}.")
    fields.setdefault("is_published", True)
    return Lesson.objects.create(course=course, day=day, **fields)


def local_today(tz: str = "Asia/Shanghai") -> date:
    """Today's date in ``tz`` (the factories' cohorts are in Asia/Shanghai): a cohort's days are counted in its own
    time zone, so a date relative to "today" built from the UTC date is a day off for 8 hours of every UTC day."""
    return days.local_date(tz=tz, at=timezone.now())


def cohort(*, course: Course, starts_on: date | None = None, **fields: Any) -> Cohort:
    tz = fields.setdefault("timezone", "Asia/Shanghai")
    starts_on = starts_on or local_today(tz) + timedelta(days=10)
    fields.setdefault("name", f"Cohort {next(_seq)}")
    fields.setdefault("enrollment_opens_on", starts_on - timedelta(days=20))
    fields.setdefault("enrollment_closes_on", starts_on)
    fields.setdefault("ends_on", starts_on + timedelta(days=course.duration_days - 1))
    fields.setdefault("capacity", 30)
    fields.setdefault("status", CohortStatus.OPEN)
    return Cohort.objects.create(course=course, starts_on=starts_on, **fields)


def enrollment(*, cohort: Cohort, learner: User, status: str = EnrollmentStatus.ACTIVE) -> Enrollment:
    return Enrollment.objects.create(cohort=cohort, learner=learner, status=status)


def invitation(*, cohort: Cohort, email: str, valid_for: timedelta = timedelta(days=14)) -> str:
    """An invitation of ``email`` to ``cohort`` by one of its instructors; returns the token its link carries."""
    token = secrets.token_urlsafe(16)
    now = timezone.now()
    Invitation.objects.create(
        cohort=cohort,
        email=email,
        token_digest=token_digest(token),
        invited_by=cohort.course.instructors.first(),
        created_at=now,
        expires_at=now + valid_for,
    )
    return token


def held_seat(*, cohort: Cohort, expires_in: timedelta = timedelta(minutes=30), offer: bool = False) -> Enrollment:
    """A learner holding a seat while paying (or, ``offer``, a waitlisted learner offered a freed seat). A negative
    ``expires_in`` leaves a hold that has run out but isn't released yet."""
    status = EnrollmentStatus.WAITLISTED if offer else EnrollmentStatus.PENDING_PAYMENT
    held = enrollment(cohort=cohort, learner=learner(), status=status)
    SeatHold.objects.create(
        cohort=cohort, enrollment=held, is_waitlist_offer=offer, expires_at=timezone.now() + expires_in
    )
    return held
