"""Check-in (打卡) writes: record, edit, make up, and the instructor's review (feature, reject).

The cohort day of a check-in is always computed by ``cohorts.days`` from the cohort's time zone, with the
course's grace: until ``checkin_grace_hours`` past local midnight a check-in still counts for the day before, if that
day has no check-in yet; otherwise it counts for the new day, whose lesson is already out.
"""

import contextlib
from collections.abc import Container
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import User
from cohorts import days
from cohorts.feedback import feedback_checkin_featured, feedback_checkin_rejected
from cohorts.images import checkin_image_prepare
from cohorts.models import CheckIn, Cohort, Enrollment, Post, PostKind
from cohorts.selectors import cohort_get_for_user
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from content.selectors import is_course_instructor
from stagewise.errors import ApplicationError, Conflict, Invalid, NotFound, lazy_format

CLOSED_STATUSES = (CohortStatus.ENDED, CohortStatus.ARCHIVED, CohortStatus.CANCELLED)


def checkin_day(*, cohort: Cohort, at: datetime) -> int:
    """The earliest cohort day still taking check-ins at ``at`` (grace applied): in the grace window, the day before.
    Days before it are over (missed unless made up)."""
    return days.cohort_day_number(tz=cohort.timezone, starts_on=cohort.starts_on, at=at, grace=cohort.grace)


def checkin_days_open(*, cohort: Cohort, at: datetime) -> tuple[int, ...]:
    """The cohort days a new check-in made at ``at`` may count for, in the order they are tried.

    In the grace window: the day before, then the new day (its lesson is out) unless it is past the last day.
    Otherwise the one day ``checkin_day``. A day may lie outside the cohort (before its start, after its end):
    callers refuse those.
    """
    day = checkin_day(cohort=cohort, at=at)
    calendar_day = cohort.day_number(at)
    if calendar_day != day and calendar_day <= cohort.duration_days:
        return (day, calendar_day)
    return (day,)


def checkin_day_for(*, cohort: Cohort, at: datetime, counted: Container[int]) -> int:
    """The cohort day a learner whose counted check-ins are on days ``counted`` checks in for at ``at``: the first
    of ``checkin_days_open`` without a counted check-in, else the last (already checked in). The learner's "today"."""
    open_days = checkin_days_open(cohort=cohort, at=at)
    return next((day for day in open_days if day not in counted), open_days[-1])


def checkin_closes_at(*, cohort: Cohort, day: int) -> datetime:
    """The instant day ``day`` stops taking check-ins: the grace's wall-clock hour on the next local day."""
    return days.local_hour(
        tz=cohort.timezone, on=cohort.starts_on + timedelta(days=day), hour=cohort.course.checkin_grace_hours
    )


def _open_days(*, cohort: Cohort, now: datetime) -> tuple[int, ...]:
    """The days a check-in may count for now (``checkin_days_open``), or a clear refusal when the cohort isn't
    taking check-ins."""
    open_days = checkin_days_open(cohort=cohort, at=now)
    day = open_days[0]
    if cohort.status in (CohortStatus.DRAFT, CohortStatus.CANCELLED) or day < 1:
        raise Conflict(
            _("The cohort hasn't started yet; check-ins open on its first day."),
            code="cohort_not_started",
            extra={"starts_on": cohort.starts_on.isoformat()},
        )
    if cohort.status in CLOSED_STATUSES or day > cohort.duration_days:
        raise Conflict(_("The cohort has ended; check-ins are closed."), code="cohort_ended")
    return open_days


def _check_proof(*, cohort: Cohort, text: str, link: str, image: object | None) -> None:
    course = cohort.course
    if len(text.strip()) < course.checkin_min_text_length:
        raise Invalid(
            lazy_format(
                ngettext_lazy(
                    "Write at least %(num)d character about what you did.",
                    "Write at least %(num)d characters about what you did.",
                    course.checkin_min_text_length,
                ),
                num=course.checkin_min_text_length,
            ),
            code="text_too_short",
            extra={"field": "text", "min_length": course.checkin_min_text_length},
        )
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except Exception as exc:
            raise Invalid(
                _("The link must be a web address (https://…)."), code="invalid_link", extra={"field": "link"}
            ) from exc
    if course.checkin_requires_link and not link:
        raise Invalid(_("This course asks for a link to your work."), code="link_required", extra={"field": "link"})
    if course.checkin_requires_image and image is None:
        raise Invalid(_("This course asks for a photo or screenshot."), code="image_required", extra={"field": "image"})


def _fill(checkin: CheckIn, *, text: str, link: str, image: UploadedFile | None) -> None:
    checkin.text = text.strip()
    checkin.link = link.strip()
    if image is not None:
        prepared = checkin_image_prepare(upload=image)
        checkin.image.save(str(prepared.name), prepared, save=False)


def _member_enrollment_with_cohort(*, learner: User, cohort_id: int) -> Enrollment:
    """The learner's active enrollment with its cohort and course, in one query (the check-in hot path).

    Anyone else gets the same answers as ``enrollment_get_for_member``: NotFound ``cohort_not_found`` if they can't
    see the cohort, NotFound ``not_enrolled`` if they can but aren't an active member.
    """
    enrollment = None
    if getattr(learner, "is_authenticated", False):
        # (cohort, learner) is unique; get() leaves out the ORDER BY that first() would compile.
        with contextlib.suppress(Enrollment.DoesNotExist):
            enrollment = Enrollment.objects.select_related("cohort__course").get(cohort_id=cohort_id, learner=learner)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        cohort_get_for_user(user=learner, cohort_id=cohort_id)
        raise NotFound(_("Only active members of this cohort can check in."), code="not_enrolled")
    return enrollment


def _insert_with_post(*, checkin: CheckIn, author_id: int, cohort_id: int) -> None:
    """Insert a new check-in and its feed post, both or neither. Raises IntegrityError when the day already has a
    check-in (a savepoint keeps a caller's transaction usable)."""
    with transaction.atomic():
        checkin.save(force_insert=True)
        Post.objects.create(
            cohort_id=cohort_id,
            author_id=author_id,
            kind=PostKind.CHECKIN,
            checkin=checkin,
            created_at=checkin.created_at,
        )


def _redo_rejected(
    *, enrollment: Enrollment, day: int, text: str, link: str, image: Any, now: datetime
) -> CheckIn | None:
    """Day ``day`` already has a check-in: redo it if an instructor rejected it, else None (it stands)."""
    with transaction.atomic():
        existing = CheckIn.objects.select_for_update().filter(enrollment=enrollment, day=day).first()
        if existing is None or existing.status != CheckInStatus.REJECTED:
            return None
        _fill(existing, text=text, link=link, image=image)
        existing.status = CheckInStatus.COUNTED
        existing.rejection_reason = ""
        existing.created_at = now
        existing.save(update_fields=["text", "link", "image", "status", "rejection_reason", "created_at", "updated_at"])
        Post.objects.filter(checkin=existing).update(created_at=now)  # the redo rises to the top of the feed
    return existing


def checkin_record(
    *,
    learner: User,
    cohort_id: int,
    text: str = "",
    link: str = "",
    image: UploadedFile | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Check in for today (the cohort's local day), and post it to the cohort's feed.

    In the grace window the check-in counts for the day before if that day has none, else for the new day: the
    days of ``checkin_days_open`` are tried in order, and the unique constraint on (enrollment, day) decides
    which one is free, races included. A day whose check-in an instructor rejected is redone instead. Refused,
    with nothing changed: before the start, after the end, by a non-member, or when every open day is checked
    in. The common case costs one read and one transaction with two inserts.
    """
    now = now or timezone.now()
    enrollment = _member_enrollment_with_cohort(learner=learner, cohort_id=cohort_id)
    cohort = enrollment.cohort
    open_days = _open_days(cohort=cohort, now=now)
    _check_proof(cohort=cohort, text=text, link=link, image=image)
    for day in open_days:
        checkin = CheckIn(
            enrollment=enrollment,
            day=day,
            local_date=days.day_date(starts_on=cohort.starts_on, day=day),
            created_at=now,
        )
        _fill(checkin, text=text, link=link, image=image)
        try:
            _insert_with_post(checkin=checkin, author_id=learner.pk, cohort_id=cohort.pk)
        except IntegrityError:
            if checkin.image:
                checkin.image.delete(save=False)
            redone = _redo_rejected(enrollment=enrollment, day=day, text=text, link=link, image=image, now=now)
            if redone is not None:
                return redone
            continue
        return checkin
    raise Conflict(_("You already checked in today."), code="already_checked_in", extra={"day": open_days[-1]})


def makeup_refusal(*, cohort: Cohort, day: int, now: datetime) -> ApplicationError | None:
    """Why day ``day`` can't be made up at ``now``, or None if it can (given a reason, the proof and a make-up left):
    the one rule of which days may be made up, for ``checkin_makeup`` and the learner's page. ``cohort.course``
    should be loaded."""
    if now >= cohort.ends_at or cohort.status in CLOSED_STATUSES:
        return Conflict(_("The cohort has ended; make-ups are closed."), code="cohort_ended")
    today = checkin_day(cohort=cohort, at=now)
    if not 1 <= day < min(today, cohort.duration_days + 1):
        return Invalid(_("Make-ups are for days that are already over."), code="makeup_day_invalid", extra={"day": day})
    max_days_back = cohort.course.makeup_max_days_back
    if today - day > max_days_back:
        return Invalid(
            lazy_format(
                ngettext_lazy(
                    "Make-ups are possible for at most %(num)d day back.",
                    "Make-ups are possible for at most %(num)d days back.",
                    max_days_back,
                ),
                num=max_days_back,
            ),
            code="makeup_too_late",
            extra={"day": day, "max_days_back": max_days_back},
        )
    return None


def checkin_makeup(
    *,
    learner: User,
    cohort_id: int,
    day: int,
    reason: str,
    text: str = "",
    link: str = "",
    image: UploadedFile | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """A make-up check-in (补卡) for a missed day at most ``makeup_max_days_back`` days ago.

    At most ``makeup_limit`` per enrollment: the enrollment row is locked while counting so two make-ups
    sent at once can't both slip under the limit.
    """
    now = now or timezone.now()
    enrollment = _member_enrollment_with_cohort(learner=learner, cohort_id=cohort_id)
    cohort = enrollment.cohort
    course = cohort.course
    refusal = makeup_refusal(cohort=cohort, day=day, now=now)
    if refusal is not None:
        raise refusal
    if len(reason.strip()) < 2:
        raise Invalid(
            _("Say briefly why you missed the day."), code="makeup_reason_required", extra={"field": "reason"}
        )
    _check_proof(cohort=cohort, text=text, link=link, image=image)
    with transaction.atomic():
        Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        used = CheckIn.objects.filter(enrollment=enrollment, is_makeup=True, status=CheckInStatus.COUNTED).count()
        if used >= course.makeup_limit:
            raise Conflict(
                lazy_format(
                    ngettext_lazy(
                        "You have used your %(num)d make-up for this cohort.",
                        "You have used all %(num)d make-ups for this cohort.",
                        course.makeup_limit,
                    ),
                    num=course.makeup_limit,
                ),
                code="makeup_limit_reached",
                extra={"limit": course.makeup_limit},
            )
        existing = CheckIn.objects.select_for_update().filter(enrollment=enrollment, day=day).first()
        if existing is not None:
            if existing.status != CheckInStatus.REJECTED:
                raise Conflict(_("That day already has a check-in."), code="already_checked_in", extra={"day": day})
            # A rejected day can be made up like a missed one: the row becomes the make-up.
            _fill(existing, text=text, link=link, image=image)
            existing.status = CheckInStatus.COUNTED
            existing.rejection_reason = ""
            existing.is_makeup = True
            existing.makeup_reason = reason.strip()[:300]
            existing.created_at = now
            existing.save(
                update_fields=[
                    "text",
                    "link",
                    "image",
                    "status",
                    "rejection_reason",
                    "is_makeup",
                    "makeup_reason",
                    "created_at",
                    "updated_at",
                ]
            )
            Post.objects.filter(checkin=existing).update(created_at=now)
            return existing
        checkin = CheckIn(
            enrollment=enrollment,
            day=day,
            local_date=days.day_date(starts_on=cohort.starts_on, day=day),
            is_makeup=True,
            makeup_reason=reason.strip()[:300],
            created_at=now,
        )
        _fill(checkin, text=text, link=link, image=image)
        try:
            _insert_with_post(checkin=checkin, author_id=learner.pk, cohort_id=cohort.pk)
        except IntegrityError as exc:
            raise Conflict(
                _("That day already has a check-in."), code="already_checked_in", extra={"day": day}
            ) from exc
    return checkin


def checkin_update(
    *,
    learner: User,
    checkin_id: int,
    text: str | None = None,
    link: str | None = None,
    image: UploadedFile | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Edit one's own check-in until its day closes (make-ups: until the day they were made closes)."""
    now = now or timezone.now()
    checkin = (
        CheckIn.objects.select_related("enrollment__cohort__course")
        .filter(pk=checkin_id, enrollment__learner=learner)
        .first()
    )
    if checkin is None:
        raise NotFound(_("No such check-in."), code="checkin_not_found")
    cohort = checkin.enrollment.cohort
    closing_day = checkin_day(cohort=cohort, at=checkin.created_at) if checkin.is_makeup else checkin.day
    if now >= checkin_closes_at(cohort=cohort, day=closing_day):
        raise Conflict(_("This day is closed; the check-in can't be edited any more."), code="checkin_closed")
    if checkin.status == CheckInStatus.REJECTED:
        raise Conflict(_("This check-in was rejected; check in again instead."), code="checkin_rejected")
    new_text = checkin.text if text is None else text
    new_link = checkin.link if link is None else link
    _check_proof(
        cohort=cohort, text=new_text, link=new_link, image=image if image is not None else (checkin.image or None)
    )
    _fill(checkin, text=new_text, link=new_link, image=image)
    checkin.save(update_fields=["text", "link", "image", "updated_at"])
    return checkin


def _checkin_for_instructor(*, actor: User, checkin_id: int) -> CheckIn:
    """The check-in if ``actor`` teaches its cohort's course (or is staff); the same NotFound whether it is missing
    or another cohort's, so ids can't be probed."""
    checkin = (
        CheckIn.objects.select_related("enrollment__cohort__course", "enrollment__learner")
        .filter(pk=checkin_id)
        .first()
    )
    if checkin is None or not is_course_instructor(user=actor, course=checkin.enrollment.cohort.course):
        raise NotFound(_("No such check-in."), code="checkin_not_found")
    return checkin


def checkin_reject(*, actor: User, checkin_id: int, reason: str, now: datetime | None = None) -> CheckIn:
    """Reject a check-in: it stops counting, and the learner may redo it that same day. The learner is told."""
    checkin = _checkin_for_instructor(actor=actor, checkin_id=checkin_id)
    if len(reason.strip()) < 2:
        raise Invalid(_("Tell the learner why."), code="reason_required", extra={"field": "reason"})
    now = now or timezone.now()
    with transaction.atomic():
        updated = CheckIn.objects.filter(pk=checkin.pk, status=CheckInStatus.COUNTED).update(
            status=CheckInStatus.REJECTED,
            rejection_reason=reason.strip()[:300],
            is_featured=False,
            reviewed_by=actor,
            reviewed_at=now,
        )
        if updated != 1:
            raise Conflict(_("This check-in is already rejected."), code="already_rejected")
        checkin.refresh_from_db()
        feedback_checkin_rejected(actor=actor, checkin=checkin, post_id=checkin.post.pk, at=now)
    return checkin


def checkin_feature(*, actor: User, checkin_id: int, featured: bool = True, now: datetime | None = None) -> CheckIn:
    """Feature (精选) a counted check-in, or un-feature it."""
    checkin = _checkin_for_instructor(actor=actor, checkin_id=checkin_id)
    if featured and checkin.status != CheckInStatus.COUNTED:
        raise Conflict(_("A rejected check-in can't be featured."), code="checkin_rejected")
    checkin.is_featured = featured
    checkin.reviewed_by = actor
    checkin.reviewed_at = now or timezone.now()
    with transaction.atomic():
        checkin.save(update_fields=["is_featured", "reviewed_by", "reviewed_at", "updated_at"])
        if featured:
            feedback_checkin_featured(actor=actor, checkin=checkin, post_id=checkin.post.pk)
    return checkin
