"""Group rules: a warning, then removal (seat freed, records kept, learner told, audited), staff reinstate;
nudges for members who went quiet."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from cohorts import checkins, moderation
from cohorts.models import AuditEvent, CheckIn, Enrollment
from cohorts.selectors import seats_left
from cohorts.statuses import CohortStatus, EnrollmentStatus
from stagewise.errors import Conflict, Forbidden, NotFound
from stagewise.models import MailLog, MailStatus
from tests import factories

UTC = ZoneInfo("UTC")


@pytest.fixture
def group(db, settings, celery_eager):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING, capacity=2
    )
    troll = factories.learner(name="Troll 🧌")
    friend = factories.learner(name="王芳", language="zh-hans")
    troll_enrollment = factories.enrollment(cohort=cohort, learner=troll)
    factories.enrollment(cohort=cohort, learner=friend)
    return {"teacher": teacher, "cohort": cohort, "troll": troll, "friend": friend, "enrollment": troll_enrollment}


def test_first_strike_warns_second_removes_and_frees_the_seat(group, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 3, 3, 12, tzinfo=UTC), tick=False):
        checkins.checkin_record(learner=group["troll"], cohort_id=group["cohort"].pk, text="spam")
    assert seats_left(group["cohort"]) == 0

    with django_capture_on_commit_callbacks(execute=True):
        warning = moderation.strike_issue(
            actor=group["teacher"], enrollment_id=group["enrollment"].pk, reason="Spam links"
        )
    assert warning.number == 1
    assert Enrollment.objects.get(pk=group["enrollment"].pk).status == EnrollmentStatus.ACTIVE
    assert "warning" in mail.outbox[-1].subject.lower()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.strike_issue(actor=group["teacher"], enrollment_id=group["enrollment"].pk, reason="Spam again")
    enrollment = Enrollment.objects.get(pk=group["enrollment"].pk)
    assert enrollment.status == EnrollmentStatus.REMOVED
    assert seats_left(group["cohort"]) == 1
    assert CheckIn.objects.filter(enrollment=enrollment).count() == 1  # records kept
    assert "removed" in mail.outbox[-1].subject.lower()
    event = AuditEvent.objects.get(action="enrollment.removed")
    assert (event.actor, event.target_id, event.details["reason"]) == (group["teacher"], enrollment.pk, "Spam again")

    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False), pytest.raises(NotFound):
        checkins.checkin_record(learner=group["troll"], cohort_id=group["cohort"].pk, text="let me in")
    with pytest.raises(Conflict):
        moderation.strike_issue(actor=group["teacher"], enrollment_id=enrollment.pk, reason="Once more")


def test_only_the_cohorts_instructors_strike_and_only_staff_reinstate(group):
    for actor in (group["friend"], factories.instructor()):
        with pytest.raises(NotFound):
            moderation.strike_issue(actor=actor, enrollment_id=group["enrollment"].pk, reason="Because")
    for _ in range(2):
        moderation.strike_issue(actor=group["teacher"], enrollment_id=group["enrollment"].pk, reason="Rude words")
    with pytest.raises(Forbidden):
        moderation.enrollment_reinstate(actor=group["teacher"], enrollment_id=group["enrollment"].pk, reason="sorry")
    staff = factories.staff()
    back = moderation.enrollment_reinstate(actor=staff, enrollment_id=group["enrollment"].pk, reason="Apologised")
    assert back.status == EnrollmentStatus.ACTIVE
    assert AuditEvent.objects.filter(action="enrollment.reinstated", actor=staff).count() == 1


def test_reinstating_into_a_full_cohort_is_refused(group):
    for _ in range(2):
        moderation.strike_issue(actor=group["teacher"], enrollment_id=group["enrollment"].pk, reason="Rude words")
    factories.enrollment(cohort=group["cohort"], learner=factories.learner())  # the freed seat is taken
    with pytest.raises(Conflict) as exc:
        moderation.enrollment_reinstate(actor=factories.staff(), enrollment_id=group["enrollment"].pk, reason="ok")
    assert exc.value.code == "cohort_full"


def test_nudge_lists_quiet_members_and_sends_once_a_day(group, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):  # day 1
        checkins.checkin_record(learner=group["friend"], cohort_id=group["cohort"].pk, text="day one")
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False):  # day 3: days 1-2 closed
        candidates = moderation.nudge_candidates(actor=group["teacher"], cohort_id=group["cohort"].pk)
        assert [(c.display_name, c.days_missed) for c in candidates] == [("Troll 🧌", 2)]
    with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):  # day 4: friend missed 2, 3
        candidates = moderation.nudge_candidates(actor=group["teacher"], cohort_id=group["cohort"].pk)
        ids = [c.enrollment_id for c in candidates]
        assert len(ids) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert moderation.nudge_send(actor=group["teacher"], cohort_id=group["cohort"].pk, enrollment_ids=ids) == 2
            assert moderation.nudge_send(actor=group["teacher"], cohort_id=group["cohort"].pk, enrollment_ids=ids) == 0
    zh_mail = next(m for m in mail.outbox if m.to == [group["friend"].email])
    assert "想念" in zh_mail.subject or "We miss you" in zh_mail.subject
    with pytest.raises(NotFound):
        moderation.nudge_candidates(actor=group["friend"], cohort_id=group["cohort"].pk)


def test_nudges_go_out_after_the_request_and_a_failed_one_on_the_next_try_the_same_day(
    group, smtp, django_capture_on_commit_callbacks
):
    """The instructor's request only queues the nudges; a worker sends them after commit. When the mail server
    refuses them to the end, a second nudge the same day sends them (it used to skip them: the claim stayed)."""
    with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):  # day 4: both quiet
        ids = [e.pk for e in Enrollment.objects.filter(cohort=group["cohort"])]
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            assert moderation.nudge_send(actor=group["teacher"], cohort_id=group["cohort"].pk, enrollment_ids=ids) == 2
        assert mail.outbox == [] and len(after_commit) == 2  # nothing sent inside the request
        assert set(MailLog.objects.values_list("status", flat=True)) == {MailStatus.QUEUED}

        with smtp(refuse=-1) as server:
            for callback in after_commit:
                callback()
        assert server.messages == []
        assert set(MailLog.objects.values_list("status", flat=True)) == {MailStatus.FAILED}

        with smtp() as server, django_capture_on_commit_callbacks(execute=True):
            assert moderation.nudge_send(actor=group["teacher"], cohort_id=group["cohort"].pk, enrollment_ids=ids) == 2
            assert moderation.nudge_send(actor=group["teacher"], cohort_id=group["cohort"].pk, enrollment_ids=ids) == 0
        assert sorted(m["To"] for m in server.parsed()) == sorted([group["troll"].email, group["friend"].email])


def test_a_member_back_on_track_today_is_not_nudged(group):
    # days 1-2 missed, checks in on day 3 (today): not "needs a nudge"
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False):
        checkins.checkin_record(learner=group["friend"], cohort_id=group["cohort"].pk, text="back")
        names = [
            c.display_name for c in moderation.nudge_candidates(actor=group["teacher"], cohort_id=group["cohort"].pk)
        ]
    assert names == ["Troll 🧌"]


def test_reminders_and_rules_only_for_active_members(group):
    removed = group["enrollment"]
    for _ in range(2):
        moderation.strike_issue(actor=group["teacher"], enrollment_id=removed.pk, reason="Rude words")
    with pytest.raises(NotFound):
        moderation.reminders_set(learner=group["troll"], cohort_id=group["cohort"].pk, enabled=False)
    with pytest.raises(NotFound):
        moderation.enrollment_rules_accept(learner=group["troll"], cohort_id=group["cohort"].pk)
    first = datetime(2026, 3, 2, 9, tzinfo=UTC)
    accepted = moderation.enrollment_rules_accept(learner=group["friend"], cohort_id=group["cohort"].pk, now=first)
    again = moderation.enrollment_rules_accept(
        learner=group["friend"], cohort_id=group["cohort"].pk, now=datetime(2026, 3, 5, tzinfo=UTC)
    )
    assert accepted.rules_accepted_at == first == again.rules_accepted_at


def test_nudge_lists_members_with_a_low_check_in_rate_even_when_they_checked_in_yesterday(db):
    """A learner at 2 of 8 days never missed two days in a row at the end; they are behind all the same."""
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=10, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    behind, steady = factories.learner(name="Behind"), factories.learner(name="Steady")
    for learner, days in ((behind, (7, 8)), (steady, (1, 2, 4, 5, 7, 8))):
        factories.enrollment(cohort=cohort, learner=learner)
        for day in days:
            with time_machine.travel(datetime(2026, 3, 1 + day, 12, tzinfo=UTC), tick=False):
                checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=f"day {day}")

    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):  # day 9: days 1-8 closed
        candidates = moderation.nudge_candidates(actor=teacher, cohort_id=cohort.pk)
        assert [(c.display_name, c.counted_days, c.closed_days, c.rate_percent, c.days_missed) for c in candidates] == [
            ("Behind", 2, 8, 25, 0)
        ]
        # the instructor can turn the rate rule off: then only days in a row count
        cohort.nudge_below_rate_percent = 0
        cohort.save(update_fields=["nudge_below_rate_percent"])
        assert moderation.nudge_candidates(actor=teacher, cohort_id=cohort.pk) == []


def test_cohort_settings_through_the_api_refuse_with_the_field_and_are_audited(group, api_client):
    client = api_client(group["teacher"])
    url = f"/api/v1/cohorts/{group['cohort'].pk}/settings"
    body = {"rules": "Be kind.", "reminder_hour": 7, "strikes_to_remove": 3, "nudge_after_days": 4}

    refused = client.put(url, {**body, "nudge_below_rate_percent": 120}, content_type="application/json")
    assert refused.status_code == 422
    assert (
        refused.json()["code"] == "invalid_nudge_rate"
        and refused.json()["details"]["field"] == "nudge_below_rate_percent"
    )

    saved = client.put(url, {**body, "nudge_below_rate_percent": 30}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["reminder_hour"] == 7
    assert client.get(url).json() == {**body, "nudge_below_rate_percent": 30}
    event = AuditEvent.objects.get(action="cohort.settings_changed")
    assert event.details["reminder_hour"] == [20, 7] and event.actor == group["teacher"]
    # members and outsiders: the same 404
    assert api_client(group["friend"]).get(url).status_code == 404
