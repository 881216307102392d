""" "Notify me when a cohort opens": a learner asks, the first cohort of the course that opens mails them once.

A request is one ``OpeningAlert`` row, waiting while ``notified_at`` is empty (one waiting row per learner and
course, held by a partial unique constraint). The cohort transition to ``open`` calls ``opening_alerts_send`` in its
transaction: each waiting row is claimed with a conditional UPDATE, so a row is used up, and mailed, once.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.types import Viewer
from cohorts.models import Cohort, OpeningAlert
from cohorts.statuses import CohortStatus
from content.selectors import course_get_for_user
from stagewise.errors import Conflict
from stagewise.mail import mail_send


def opening_alert_waiting(*, user: Viewer, course_id: int) -> bool:
    """Whether ``user`` has asked to hear about the next cohort of the course and not been mailed yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    return OpeningAlert.objects.filter(learner_id=user.pk, course_id=course_id, notified_at__isnull=True).exists()


def opening_alert_request(*, learner: User, course_id: int, now: datetime | None = None) -> OpeningAlert:
    """Ask to be mailed when a cohort of the course opens. Asking twice keeps the one request.

    NotFound for a course the learner can't see; Conflict ``cohort_open`` while a cohort is open (enroll instead).
    """
    course = course_get_for_user(user=learner, course_id=course_id)
    if Cohort.objects.filter(course=course, status=CohortStatus.OPEN).exists():
        raise Conflict(_("A cohort of this course is open now: you can enroll."), code="cohort_open")
    waiting = OpeningAlert.objects.filter(learner=learner, course=course, notified_at__isnull=True).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            return OpeningAlert.objects.create(learner=learner, course=course, created_at=now or timezone.now())
    except IntegrityError:  # a second click raced the first
        return OpeningAlert.objects.get(learner=learner, course=course, notified_at__isnull=True)


def opening_alert_cancel(*, learner: User, course_id: int) -> bool:
    """Take the request back; False if there was none waiting."""
    deleted, _rows = OpeningAlert.objects.filter(
        learner=learner, course_id=course_id, notified_at__isnull=True
    ).delete()
    return deleted > 0


def opening_alerts_send(*, cohort: Cohort, now: datetime | None = None) -> int:
    """Mail everyone waiting for a cohort of ``cohort.course`` that ``cohort`` is open, and use their requests up.

    Call in the transaction that opens the cohort: the mails go out only if it commits. Each request is claimed with
    a conditional UPDATE, so two cohorts opening at once mail a learner once. Returns how many mails were queued.
    """
    now = now or timezone.now()
    sent = 0
    waiting = OpeningAlert.objects.filter(course_id=cohort.course_id, notified_at__isnull=True).select_related(
        "learner"
    )
    for alert in waiting:
        claimed = OpeningAlert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(
            notified_at=now, cohort=cohort
        )
        if claimed != 1:
            continue
        if mail_send(
            user=alert.learner,
            template="cohort_opened",
            context={"cohort": cohort, "course": cohort.course, "learner": alert.learner},
            key=f"cohort-opened:{alert.pk}",
        ):
            sent += 1
    return sent
