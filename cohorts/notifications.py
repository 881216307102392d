"""The daily mail to learners (lesson notices, check-in reminders) and ``send_claim`` for the webhook posts.

Both daily mails are the "reminders" mail topic: they go only to learners whose consent allows it
(``accounts.consent``), and carry a one-click unsubscribe (``List-Unsubscribe``) and a link in their footer.

Mail goes through ``stagewise.mail``, whose log holds each mail once under its key. Webhook posts that must not
go out twice are claimed first with a row in ``SendLog`` under a unique key; the second claimant (a second
scheduler run, a racing worker) gets nothing to send.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.consent import consent_filter, unsubscribe_headers, unsubscribe_url
from accounts.models import MailTopic, User
from cohorts import days
from cohorts.models import CheckIn, Cohort, Enrollment, SendLog
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from content.models import Lesson
from stagewise.mail import mail_send


def send_claim(*, key: str, kind: str, enrollment: Enrollment | None = None) -> SendLog | None:
    """Claim the right to send the message ``key``; None if someone already did."""
    try:
        with transaction.atomic():
            return SendLog.objects.create(key=key, kind=kind, enrollment=enrollment)
    except IntegrityError:
        return None


def _unsubscribe(learner: User) -> dict[str, str]:
    """The mail footer's unsubscribe link (``templates/mail/_layout.html``)."""
    return {"unsubscribe_url": unsubscribe_url(user=learner, topic=MailTopic.REMINDERS)}


def daily_notices_run(*, now: datetime | None = None) -> dict[str, int]:
    """The lesson-released notice at local morning and the check-in reminder at the cohort's reminder hour, to the
    members whose consent allows reminders (one query per cohort, none per learner); the check-in reminder also only
    to those who left the cohort's own reminder switch on.

    Idempotent: each (kind, enrollment, day) is one mail under its key in the mail log, queued once (again only
    if every try to send it failed). Safe to run every few minutes from several workers. Returns how many mails
    it queued.
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
        active = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE).select_related("learner")
        members = list(consent_filter(active, topic=MailTopic.REMINDERS, prefix="learner__"))
        if now >= days.local_hour(tz=cohort.timezone, on=local_today, hour=cohort.lesson_notice_hour):
            lesson = Lesson.objects.filter(course=cohort.course, day=day, is_published=True).first()
            if lesson is not None:
                for enrollment in members:
                    if mail_send(
                        user=enrollment.learner,
                        template="lesson_released",
                        context={"cohort": cohort, "lesson": lesson, "day": day, **_unsubscribe(enrollment.learner)},
                        key=f"lesson:{enrollment.pk}:{day}",
                        headers=unsubscribe_headers(user=enrollment.learner, topic=MailTopic.REMINDERS),
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
                if mail_send(
                    user=enrollment.learner,
                    template="checkin_reminder",
                    context={"cohort": cohort, "day": day, **_unsubscribe(enrollment.learner)},
                    key=f"reminder:{enrollment.pk}:{day}",
                    headers=unsubscribe_headers(user=enrollment.learner, topic=MailTopic.REMINDERS),
                ):
                    sent["reminder"] += 1
    return sent
