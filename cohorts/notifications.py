"""Mail to learners, sent once: reminders, lesson notices, strikes, removals, nudges.

Every message that must not go out twice is claimed first with a row in ``SendLog`` under a unique key;
the second claimant (a second scheduler run, a racing worker) gets nothing to send.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cohorts import days
from cohorts.models import CheckIn, Cohort, Enrollment, SendLog
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from content.models import Lesson

logger = logging.getLogger(__name__)


def send_claim(*, key: str, kind: str, enrollment: Enrollment | None = None) -> SendLog | None:
    """Claim the right to send the message ``key``; None if someone already did."""
    try:
        with transaction.atomic():
            return SendLog.objects.create(key=key, kind=kind, enrollment=enrollment)
    except IntegrityError:
        return None


def learner_mail(*, user: Any, template: str, context: dict[str, Any]) -> None:
    """Render ``mail/<template>_subject.txt``, ``.txt`` and ``.html`` in the learner's language and send."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
        body = render_to_string(f"mail/{template}.txt", context)
        html = render_to_string(f"mail/{template}.html", context)
    send_mail(subject, body, None, [user.email], html_message=html)


def _deliver(*, log: SendLog, user: Any, template: str, context: dict[str, Any]) -> bool:
    """Send a claimed message; on failure give the claim back so the next run retries."""
    try:
        learner_mail(user=user, template=template, context=context)
    except Exception:
        logger.exception("sending %s failed; it will be retried", log.key)
        SendLog.objects.filter(pk=log.pk).delete()
        return False
    SendLog.objects.filter(pk=log.pk).update(sent_at=timezone.now())
    return True


def daily_notices_run(*, now: datetime | None = None) -> dict[str, int]:
    """The lesson-released notice at local morning and the check-in reminder at the cohort's reminder hour.

    Idempotent: each (kind, enrollment, day) is claimed once in ``SendLog``. Safe to run every few minutes
    from several workers.
    """
    now = now or timezone.now()
    sent = {"lesson": 0, "reminder": 0}
    horizon = now.date() + timedelta(days=1)
    cohorts = Cohort.objects.filter(status=CohortStatus.RUNNING, starts_on__lte=horizon).select_related("course")
    for cohort in cohorts:
        day = cohort.day_number(now)
        if not 1 <= day <= cohort.duration_days:
            continue
        local_today = cohort.local_date(now)
        members = list(
            Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE).select_related("learner")
        )
        if now >= days.local_hour(tz=cohort.timezone, on=local_today, hour=cohort.lesson_notice_hour):
            lesson = Lesson.objects.filter(course=cohort.course, day=day, is_published=True).first()
            if lesson is not None:
                for enrollment in members:
                    log = send_claim(key=f"lesson:{enrollment.pk}:{day}", kind="lesson", enrollment=enrollment)
                    if log and _deliver(
                        log=log,
                        user=enrollment.learner,
                        template="lesson_released",
                        context={"cohort": cohort, "lesson": lesson, "day": day},
                    ):
                        sent["lesson"] += 1
        if now >= days.local_hour(tz=cohort.timezone, on=local_today, hour=cohort.reminder_hour):
            done = set(
                CheckIn.objects.filter(enrollment__cohort=cohort, day=day, status=CheckInStatus.COUNTED).values_list(
                    "enrollment_id", flat=True
                )
            )
            for enrollment in members:
                if enrollment.pk in done or not enrollment.reminders_enabled:
                    continue
                log = send_claim(key=f"reminder:{enrollment.pk}:{day}", kind="reminder", enrollment=enrollment)
                if log and _deliver(
                    log=log,
                    user=enrollment.learner,
                    template="checkin_reminder",
                    context={"cohort": cohort, "day": day},
                ):
                    sent["reminder"] += 1
    return sent
