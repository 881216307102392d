"""An alumni record says what the source tables say: learning, money, consent, imported history, who has one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import AlumniRecord, ImportedFacts
from alumni.records.services import record_refresh, records_refresh
from cohorts.statuses import EnrollmentStatus
from tests import factories
from tests.alumni import records_helpers as h

pytestmark = pytest.mark.django_db


def _history():
    """张伟 completed stage 1 (5 of 7 days, a 3-day streak, an award, NPS 9, paid ¥199 and got ¥50 back) and is on
    day 3 of stage 2 (both days so far checked in)."""
    learner = factories.learner(name="张伟", language="zh-hans", timezone="Asia/Shanghai")
    track = factories.track()
    stage1 = factories.course(track=track, stage=1)
    stage2 = factories.course(track=track, stage=2)
    ended = h.ended_cohort(course=stage1, ended_days_ago=12)
    first = factories.enrollment(cohort=ended, learner=learner)
    h.checkins(enrollment=first, days=[1, 2, 3, 5, 6], rejected=[7])
    h.outcome(enrollment=first, completed=True)
    h.paid_order(enrollment=first, amount=19900, refunded=5000)
    h.final_award(cohort=ended, learner=learner)
    h.survey(enrollment=first, score=9)
    running = h.running_cohort(course=stage2, day=3)
    second = factories.enrollment(cohort=running, learner=learner)
    h.checkins(enrollment=second, days=[1, 2])
    return learner, ended, running


def test_a_learners_history_becomes_their_record():
    # given a learner with a finished stage and a running one
    learner, ended, running = _history()
    consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=True, source="settings")

    # when their record is refreshed
    assert record_refresh(learner_id=learner.pk)

    # then every fact is there
    record = AlumniRecord.objects.get(learner=learner)
    assert record.highest_stage_completed == 1
    assert record.cohorts_taken == 2
    assert record.cohorts_completed == 1
    assert record.cohort_ids == sorted([ended.pk, running.pk])
    assert record.course_ids == sorted([ended.course_id, running.course_id])
    assert record.last_cohort_ended_on == ended.ends_on
    # 5 of 7 days, then 2 of the 2 days closed so far (today, day 3, is still open): 7 of 9
    assert record.checkin_rate == pytest.approx(7 / 9, abs=1e-4)
    assert record.longest_streak == 3
    assert record.awards == 1
    assert record.nps_score == 9
    assert (record.currency, record.total_paid_minor, record.total_refunded_minor, record.orders) == (
        "CNY",
        19900,
        5000,
        1,
    )
    assert (record.language, record.time_zone) == ("zh-hans", "Asia/Shanghai")
    assert record.marketing_consent is True
    assert record.upgraded is False
    assert record.last_active_at is not None
    assert record.source == "direct"


def test_the_currency_is_the_one_paid_most_in():
    learner = factories.learner(name="José")
    for currency, amount in [("USD", 4900), ("CNY", 19900), ("CNY", 9900)]:
        course = factories.course(currency=currency, price_minor=amount)
        enrollment = factories.enrollment(cohort=h.ended_cohort(course=course), learner=learner)
        h.paid_order(enrollment=enrollment, amount=amount, currency=currency)

    record_refresh(learner_id=learner.pk)

    record = AlumniRecord.objects.get(learner=learner)
    assert (record.currency, record.total_paid_minor, record.orders) == ("CNY", 29800, 3)


def test_imported_history_merges_into_the_record():
    # given a learner with one stage-1 cohort here and a longer history elsewhere
    learner = factories.learner(name="𠮷野家 🍜")
    enrollment = factories.enrollment(
        cohort=h.ended_cohort(course=factories.course(), ended_days_ago=40), learner=learner
    )
    h.outcome(enrollment=enrollment, completed=True)
    h.paid_order(enrollment=enrollment, amount=19900)
    ImportedFacts.objects.create(
        learner=learner,
        source="Xiaoe-tech export 2025",
        highest_stage_completed=3,
        cohorts_taken=4,
        last_cohort_ended_on=h.days_ago(5),
        currency="CNY",
        total_paid_minor=50000,
    )
    ImportedFacts.objects.create(learner=learner, source="USD roster", currency="USD", total_paid_minor=999)

    record_refresh(learner_id=learner.pk)

    record = AlumniRecord.objects.get(learner=learner)
    assert record.highest_stage_completed == 3
    assert record.cohorts_taken == 5
    assert record.last_cohort_ended_on == h.days_ago(5)
    assert (record.currency, record.total_paid_minor) == ("CNY", 69900)  # the dollars are another currency
    assert (record.source, record.imported_from) == ("import", "Xiaoe-tech export 2025")


def test_someone_only_imported_has_a_record_too():
    learner = factories.learner()
    ImportedFacts.objects.create(learner=learner, source="WeChat group roster", cohorts_taken=1)

    record_refresh(learner_id=learner.pk)

    record = AlumniRecord.objects.get(learner=learner)
    assert (record.cohorts_taken, record.source, record.currency) == (1, "import", "")


def test_who_has_a_record():
    course = factories.course()
    cohort = factories.cohort(course=course)
    applicant = factories.learner()
    factories.enrollment(cohort=cohort, learner=applicant, status=EnrollmentStatus.APPLIED)
    team = [factories.instructor(), factories.marketer(), factories.staff()]
    for person in team:
        factories.enrollment(cohort=cohort, learner=person)
    stranger = factories.learner()

    written = records_refresh(learner_ids=[applicant.pk, stranger.pk, *(p.pk for p in team)])

    # an applicant is a lead worth knowing (nothing taken yet); the team and people with no history are not alumni
    assert written == 1
    assert AlumniRecord.objects.get().learner == applicant
    assert AlumniRecord.objects.get().cohorts_taken == 0


def test_a_learner_who_joins_the_team_loses_their_record():
    learner = factories.learner()
    factories.enrollment(cohort=factories.cohort(course=factories.course()), learner=learner)
    record_refresh(learner_id=learner.pk)
    learner.is_marketer = True
    learner.save(update_fields=["is_marketer"])

    assert record_refresh(learner_id=learner.pk) is False
    assert not AlumniRecord.objects.exists()


def test_refresh_keeps_the_rfm_scores_until_the_nightly_scoring():
    learner = factories.learner()
    factories.enrollment(cohort=h.ended_cohort(course=factories.course()), learner=learner)
    record_refresh(learner_id=learner.pk)
    AlumniRecord.objects.filter(learner=learner).update(rfm_recency=5, rfm_group="champions")

    record_refresh(learner_id=learner.pk, now=timezone.now() + timedelta(days=1))

    assert AlumniRecord.objects.get(learner=learner).rfm_group == "champions"


def test_a_withdrawn_learner_took_the_cohort_but_has_no_end_of_their_own():
    learner = factories.learner()
    cohort = h.ended_cohort(course=factories.course())
    factories.enrollment(cohort=cohort, learner=learner, status=EnrollmentStatus.WITHDRAWN)

    record_refresh(learner_id=learner.pk)

    record = AlumniRecord.objects.get(learner=learner)
    assert (record.cohorts_taken, record.last_cohort_ended_on, record.checkin_rate) == (1, None, 0)
