"""Records stay current from events: enrollments, refunds, consent, survey answers, awards, cohort ends, imports —
each enqueues a refresh after commit; check-ins enqueue nothing and are picked up by the periodic job."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import AlumniRecord, ImportedFacts
from alumni.records.compute import records_compute
from alumni.records.services import record_refresh
from alumni.records.tasks import ACTIVE_CURSOR_KEY, records_refresh_active_task
from billing.services.refunds import staff_refund
from cohorts.checkins import checkin_record
from cohorts.signals import award_published, cohort_closed
from cohorts.statuses import EnrollmentStatus
from cohorts.survey.services import survey_submit
from cohorts.transitions import enrollment_transition
from tests import factories
from tests.alumni import records_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(celery_eager):
    """The refresh task runs inline, after the commit the callbacks capture."""


def _record(learner) -> AlumniRecord:
    return AlumniRecord.objects.get(learner=learner)


def test_enrolling_gives_a_record_and_withdrawing_updates_it(django_capture_on_commit_callbacks):
    learner = factories.learner(name="José")
    cohort = h.running_cohort(course=factories.course())

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = factories.enrollment(cohort=cohort, learner=learner)
    assert _record(learner).cohorts_taken == 1

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_transition(enrollment_id=enrollment.pk, old=EnrollmentStatus.ACTIVE, new=EnrollmentStatus.WITHDRAWN)
    assert _record(learner).cohort_ids == [cohort.pk]  # took it, left it
    assert _record(learner).checkin_rate == 0


def test_paying_brings_the_record_up_to_date_from_the_worker(client, settings, django_capture_on_commit_callbacks):
    """The payment webhook enqueues nothing for records itself: the order's ``order_paid`` (heard in a worker)
    refreshes the learner's record with the enrollment now active and the amount paid."""
    from tests.alumni.attribution_world import pay

    learner = factories.learner(name="张伟")
    order = pay(client, settings, django_capture_on_commit_callbacks, learner=learner)
    assert order.status == "paid"
    assert (_record(learner).cohorts_taken, _record(learner).total_paid_minor) == (1, 19900)


def test_a_refund_updates_what_they_paid(django_capture_on_commit_callbacks):
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=h.ended_cohort(course=factories.course()), learner=learner)
    payment = h.paid_order(enrollment=enrollment, amount=19900)  # no provider id: the refund needs no provider call
    record_refresh(learner_id=learner.pk)
    assert _record(learner).total_refunded_minor == 0

    with django_capture_on_commit_callbacks(execute=True):
        staff_refund(actor=factories.staff(), payment_id=payment.pk, amount_minor=4000)

    assert (_record(learner).total_paid_minor, _record(learner).total_refunded_minor) == (19900, 4000)


def test_consent_changes_reach_the_record(django_capture_on_commit_callbacks):
    learner = factories.learner()
    with django_capture_on_commit_callbacks(execute=True):
        factories.enrollment(cohort=h.ended_cohort(course=factories.course()), learner=learner)
    assert _record(learner).marketing_consent is False

    with django_capture_on_commit_callbacks(execute=True):
        consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=True, source="profile")
    assert _record(learner).marketing_consent is True

    with django_capture_on_commit_callbacks(execute=True):
        consent_set(user=learner, topic="all", subscribed=False, source="one_click")
    assert _record(learner).marketing_consent is False


def test_a_closed_cohort_a_survey_answer_and_an_award_reach_the_record(django_capture_on_commit_callbacks):
    learner = factories.learner(name="张伟")
    cohort = h.ended_cohort(course=factories.course(), ended_days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = factories.enrollment(cohort=cohort, learner=learner)
    assert _record(learner).cohorts_completed == 0

    # the cohort's close and the awards round send these after their own commits (tested in tests/cohorts)
    h.outcome(enrollment=enrollment, completed=True)
    cohort.outcomes_evaluated_at = timezone.now()
    cohort.save(update_fields=["outcomes_evaluated_at"])
    with django_capture_on_commit_callbacks(execute=True):
        cohort_closed.send(sender=type(cohort), cohort_id=cohort.pk)
    assert (_record(learner).cohorts_completed, _record(learner).highest_stage_completed) == (1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        survey_submit(learner=learner, cohort_id=cohort.pk, score=10, answers=[])
    assert _record(learner).nps_score == 10

    h.final_award(cohort=cohort, learner=learner)
    award = learner.awards.get()
    with django_capture_on_commit_callbacks(execute=True):
        award_published.send(sender=type(award), award_id=award.pk)
    assert _record(learner).awards == 1


def test_imported_history_reaches_the_record(django_capture_on_commit_callbacks):
    learner = factories.learner(name="𠮷野家")
    with django_capture_on_commit_callbacks(execute=True):
        ImportedFacts.objects.create(learner=learner, source="roster", cohorts_taken=3, highest_stage_completed=2)
    assert (_record(learner).cohorts_taken, _record(learner).source) == (3, "import")


def test_a_check_in_enqueues_nothing_and_the_periodic_job_picks_it_up(django_capture_on_commit_callbacks):
    # given a learner on day 3 of a running cohort, with a record, and the periodic job's cursor set
    learner = factories.learner()
    cohort = h.running_cohort(course=factories.course(), day=3)
    with django_capture_on_commit_callbacks(execute=True):
        factories.enrollment(cohort=cohort, learner=learner)
    cache.delete(ACTIVE_CURSOR_KEY)
    assert records_refresh_active_task() == 0  # the first run only notes where the tables are
    before = _record(learner).last_active_at

    # when they check in
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        checkin_record(learner=learner, cohort_id=cohort.pk, text="Finished today's task, notes attached.")

    # then the check-in asked nothing of alumni records
    assert not any("record" in getattr(cb, "__qualname__", "") for cb in callbacks)
    assert _record(learner).last_active_at == before

    # and the next run of the periodic job brings the record up to date, once
    assert records_refresh_active_task() == 1
    assert _record(learner).last_active_at is not None
    assert records_refresh_active_task() == 0


def test_the_query_count_of_a_batch_does_not_grow_with_its_size(django_assert_max_num_queries):
    course = factories.course()
    cohort = h.ended_cohort(course=course)
    learners = []
    for i in range(12):
        learner = factories.learner(name=f"Alum {i}")
        enrollment = factories.enrollment(cohort=cohort, learner=learner)
        h.checkins(enrollment=enrollment, days=[1, 2])
        h.paid_order(enrollment=enrollment, refunded=100)
        h.survey(enrollment=enrollment, score=8)
        learners.append(learner.pk)
    now = timezone.now() + timedelta(minutes=1)

    with django_assert_max_num_queries(18):
        assert len(records_compute(learner_ids=learners[:1], now=now)) == 1
    with django_assert_max_num_queries(18):
        assert len(records_compute(learner_ids=learners, now=now)) == 12
