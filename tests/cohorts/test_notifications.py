"""Reminders and lesson notices: sent once per learner per day at the cohort's local hours, in the learner's
language, never to those who checked in or opted out — even when the job runs twice or concurrently."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from cohorts import checkins, moderation
from cohorts.notifications import daily_notices_run
from cohorts.statuses import CohortStatus
from stagewise.models import MailLog
from tests import factories
from tests.concurrency import run_at_once

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cohort_with_members(transactional_db, settings, celery_eager):
    """Mail goes out after commit (``stagewise.mail``): these tests commit for real."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    factories.lesson(course=course, day=2, title="Reading data · 读取数据")
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="Asia/Shanghai", status=CohortStatus.RUNNING
    )
    zh = factories.learner(name="张伟", language="zh-hans")
    en = factories.learner(name="José", language="en")
    done = factories.learner(name="Done Already")
    quiet = factories.learner(name="Opted Out")
    for user in (zh, en, done, quiet):
        factories.enrollment(cohort=cohort, learner=user)
    return {"cohort": cohort, "zh": zh, "en": en, "done": done, "quiet": quiet}


def test_reminder_at_the_local_hour_once_in_the_learners_language(cohort_with_members):
    c = cohort_with_members
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):  # day 2, morning
        checkins.checkin_record(learner=c["done"], cohort_id=c["cohort"].pk, text="did it")
        moderation.reminders_set(learner=c["quiet"], cohort_id=c["cohort"].pk, enabled=False)
        first = daily_notices_run()
    assert first == {"lesson": 4, "reminder": 0}
    mail.outbox.clear()

    with time_machine.travel(datetime(2026, 3, 3, 19, 59, tzinfo=SH), tick=False):
        assert daily_notices_run() == {"lesson": 0, "reminder": 0}
    with time_machine.travel(datetime(2026, 3, 3, 20, 0, tzinfo=SH), tick=False):
        assert daily_notices_run() == {"lesson": 0, "reminder": 2}
        assert daily_notices_run() == {"lesson": 0, "reminder": 0}  # a second run sends nothing
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([c["zh"].email, c["en"].email])
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "打卡" in by_to[c["zh"].email].subject or "打卡" in by_to[c["zh"].email].body
    assert "check in" in by_to[c["en"].email].subject
    assert "张伟" in by_to[c["zh"].email].alternatives[0][0]


def test_no_notices_before_the_start_or_after_the_end(cohort_with_members):
    for moment in (datetime(2026, 3, 1, 21, 0, tzinfo=SH), datetime(2026, 3, 9, 21, 0, tzinfo=SH)):
        with time_machine.travel(moment, tick=False):
            assert daily_notices_run() == {"lesson": 0, "reminder": 0}
    assert mail.outbox == []


def test_no_reminders_once_the_cohort_has_ended(cohort_with_members):
    """Marked ended, a cohort gets no reminder even at its reminder hour on its last local day."""
    cohort = cohort_with_members["cohort"]
    cohort.status = CohortStatus.ENDED
    cohort.save(update_fields=["status"])
    with time_machine.travel(datetime(2026, 3, 8, 21, 0, tzinfo=SH), tick=False):
        assert daily_notices_run() == {"lesson": 0, "reminder": 0}
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(settings, celery_eager):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    course = factories.course(duration_days=7)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    for _ in range(8):
        factories.enrollment(cohort=cohort, learner=factories.learner())

    def run() -> int:
        return daily_notices_run(now=datetime(2026, 3, 3, 21, 0, tzinfo=ZoneInfo("UTC")))["reminder"]

    totals = run_at_once([run] * 4)
    assert sum(totals) == 8
    assert MailLog.objects.filter(kind="reminder").count() == 8
    assert len(mail.outbox) == 8


def _unsubscribe_path(message) -> str:
    """The path of the mail's List-Unsubscribe URL (the test client speaks to this site only)."""
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_reminders_follow_the_learners_consent_and_carry_a_one_click_unsubscribe(cohort_with_members):
    """Unsubscribed from reminders, or from everything: neither the lesson notice nor the check-in reminder comes.
    The others' mails carry List-Unsubscribe (one click, RFC 8058) and the same link in their footer."""
    from accounts.consent import consent_set
    from accounts.models import MailTopic

    c = cohort_with_members
    consent_set(user=c["done"], topic=MailTopic.REMINDERS, subscribed=False, source="profile")
    consent_set(user=c["quiet"], topic="all", subscribed=False, source="one_click")
    consent_set(user=c["en"], topic=MailTopic.UPGRADE_OFFERS, subscribed=False, source="profile")  # not this topic
    with time_machine.travel(datetime(2026, 3, 3, 20, 0, tzinfo=SH), tick=False):
        assert daily_notices_run() == {"lesson": 2, "reminder": 2}
    assert sorted({m.to[0] for m in mail.outbox}) == sorted([c["zh"].email, c["en"].email])
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert url in message.body and url in message.alternatives[0][0]
    zh_html = next(m for m in mail.outbox if m.to == [c["zh"].email]).alternatives[0][0]
    assert "退订" in zh_html  # the footer in the learner's language


def test_the_reminder_mails_own_unsubscribe_link_stops_them(cohort_with_members, client):
    c = cohort_with_members
    with time_machine.travel(datetime(2026, 3, 3, 20, 0, tzinfo=SH), tick=False):
        daily_notices_run()
    reminder = next(m for m in mail.outbox if m.to == [c["en"].email] and "check in" in m.subject)
    # the mail client's one click
    assert client.post(_unsubscribe_path(reminder), {"List-Unsubscribe": "One-Click"}).status_code == 200
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 3, 4, 20, 0, tzinfo=SH), tick=False):
        assert daily_notices_run() == {"lesson": 0, "reminder": 3}
    assert c["en"].email not in {m.to[0] for m in mail.outbox}


def test_consent_is_asked_in_the_member_query_not_per_learner(cohort_with_members):
    """Consent is part of the cohort's one member query: no query per learner asks about subscriptions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.consent import consent_set
    from accounts.models import MailTopic

    c = cohort_with_members
    for _ in range(3):
        learner = factories.learner()
        factories.enrollment(cohort=c["cohort"], learner=learner)
        consent_set(user=learner, topic=MailTopic.REMINDERS, subscribed=False, source="profile")
    with (
        time_machine.travel(datetime(2026, 3, 3, 20, 0, tzinfo=SH), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert daily_notices_run() == {"lesson": 4, "reminder": 4}
    asking = [q["sql"] for q in queries.captured_queries if "accounts_mailsubscription" in q["sql"]]
    assert len(asking) == 1
