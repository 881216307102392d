"""Applications: a questionnaire per course, an instructor's decision, a payment deadline for the approved.

A course that admits by application (``Prerequisite.APPROVAL``) takes learners only this way; for a later stage,
an application is how a learner without the previous stage asks an instructor to let them in.
"""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import Application, ApplicationQuestion, QuestionKind
from billing.signals import application_decided, application_submitted
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from content.models import Course
from content.selectors import course_get_for_instructor, is_course_instructor
from stagewise.errors import Conflict, Invalid, NotFound


def questions_for(*, course_id: int) -> list[ApplicationQuestion]:
    return list(ApplicationQuestion.objects.filter(course_id=course_id).order_by("position", "id"))


def questions_replace(*, actor: User, course_id: int, questions: list[dict[str, Any]]) -> list[ApplicationQuestion]:
    """An instructor sets the course's questionnaire (the whole list, in order).

    An item with the ``id`` of one of the course's questions changes that question in place, so the answers already
    given to it keep their question; the course's questions left out are deleted; items without an id are new.
    """
    course = course_get_for_instructor(user=actor, course_id=course_id)
    existing = {q.pk: q for q in ApplicationQuestion.objects.filter(course=course)}
    rows = []
    for position, item in enumerate(questions, start=1):
        kind = item.get("kind", QuestionKind.TEXT)
        if kind not in QuestionKind.values:
            raise Invalid(_("Unknown kind of question."), code="invalid_question")
        prompt = str(item.get("prompt", "")).strip()
        if not prompt:
            raise Invalid(_("A question needs its text."), code="invalid_question")
        choices = [str(c).strip() for c in item.get("choices") or [] if str(c).strip()]
        if kind == QuestionKind.CHOICE and len(choices) < 2:
            raise Invalid(_("A choice question needs at least two choices."), code="invalid_question")
        question = existing.get(item.get("id") or 0) or ApplicationQuestion(course=course)
        question.position = position
        question.kind = kind
        question.prompt = prompt[:300]
        question.choices = choices if kind == QuestionKind.CHOICE else []
        question.required = bool(item.get("required", True))
        rows.append(question)
    kept = {q.pk for q in rows if q.pk is not None}
    with transaction.atomic():
        ApplicationQuestion.objects.filter(course=course).exclude(pk__in=kept).delete()
        ApplicationQuestion.objects.bulk_update(
            [q for q in rows if q.pk is not None], ["position", "kind", "prompt", "choices", "required"]
        )
        ApplicationQuestion.objects.bulk_create([q for q in rows if q.pk is None])
    return questions_for(course_id=course.pk)


def _check_answers(*, course: Course, answers: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for question in questions_for(course_id=course.pk):
        value = str(answers.get(str(question.pk), "")).strip()
        if not value:
            if question.required:
                raise Invalid(
                    _("Please answer: %(question)s") % {"question": question.prompt},
                    code="answer_missing",
                    extra={"question_id": question.pk},
                )
            continue
        if question.kind == QuestionKind.CHOICE and value not in question.choices:
            raise Invalid(_("Pick one of the choices."), code="answer_invalid", extra={"question_id": question.pk})
        if question.kind == QuestionKind.LINK and urlparse(value).scheme not in ("http", "https"):
            raise Invalid(_("A link starts with https://."), code="answer_invalid", extra={"question_id": question.pk})
        clean[str(question.pk)] = value[:5000]
    return clean


def application_submit(
    *, learner: User, cohort_id: int, answers: dict[str, str], now: datetime | None = None
) -> Application:
    """Apply to a cohort: the enrollment starts as ``applied`` and waits for an instructor, who is mailed."""
    now = now or timezone.now()
    cohort = Cohort.objects.select_related("course").filter(pk=cohort_id, status=CohortStatus.OPEN).first()
    if cohort is None:
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    clean = _check_answers(course=cohort.course, answers=answers)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                cohort=cohort, learner=learner, status=EnrollmentStatus.APPLIED, status_changed_at=now
            )
            application = Application.objects.create(enrollment=enrollment, answers=clean, submitted_at=now)
    except IntegrityError as exc:
        raise Conflict(_("You have already applied to or enrolled in this cohort."), code="already_applied") from exc
    transaction.on_commit(lambda: application_submitted.send(sender=Application, application_id=application.pk))
    return application


def application_decide(
    *, actor: User, application_id: int, approve: bool, note: str = "", now: datetime | None = None
) -> Application:
    """An instructor of the course (or staff) approves or rejects. The approved get a payment deadline and a mail."""
    now = now or timezone.now()
    application = (
        Application.objects.select_related("enrollment", "enrollment__cohort", "enrollment__cohort__course")
        .filter(pk=application_id)
        .first()
    )
    if application is None or not is_course_instructor(user=actor, course=application.enrollment.cohort.course):
        raise NotFound(_("No such application."), code="application_not_found")
    new = EnrollmentStatus.APPROVED if approve else EnrollmentStatus.REJECTED
    with transaction.atomic():
        if not enrollment_transition(
            enrollment_id=application.enrollment_id, old=EnrollmentStatus.APPLIED, new=new, now=now
        ):
            raise Conflict(_("This application has already been decided."), code="already_decided")
        application.decided_at = now
        application.decided_by = actor
        application.note = note[:1000]
        application.payment_deadline = now + timedelta(days=settings.BILLING_PAYMENT_DEADLINE_DAYS) if approve else None
        application.save(update_fields=["decided_at", "decided_by", "note", "payment_deadline"])
        transaction.on_commit(lambda: application_decided.send(sender=Application, application_id=application.pk))
    application.enrollment.refresh_from_db(fields=["status"])
    return application


def approval_is_current(*, enrollment: Enrollment, now: datetime) -> bool:
    """An approved enrollment may still pay (its payment deadline has not passed)."""
    deadline = Application.objects.filter(enrollment=enrollment).values_list("payment_deadline", flat=True).first()
    return deadline is None or now < deadline


def applications_expire_overdue(*, now: datetime | None = None) -> int:
    """Approved learners who did not pay by their deadline: approved → expired. Periodic; conditional UPDATEs."""
    now = now or timezone.now()
    expired = 0
    overdue = Application.objects.filter(
        payment_deadline__lte=now, enrollment__status=EnrollmentStatus.APPROVED
    ).values_list("enrollment_id", flat=True)
    for enrollment_id in overdue:
        if enrollment_transition(
            enrollment_id=enrollment_id, old=EnrollmentStatus.APPROVED, new=EnrollmentStatus.EXPIRED, now=now
        ):
            expired += 1
    return expired


def application_queue(*, actor: User, cohort_id: int) -> list[Application]:
    cohort = Cohort.objects.select_related("course").filter(pk=cohort_id).first()
    if cohort is None or not is_course_instructor(user=actor, course=cohort.course):
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return list(
        Application.objects.filter(enrollment__cohort_id=cohort_id)
        .select_related("enrollment", "enrollment__learner")
        .order_by("enrollment__status", "submitted_at", "id")
    )
