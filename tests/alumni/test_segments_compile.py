"""The filter tree selects exactly the alumni a marketer means: every operator on every kind of field, nested and
negated groups, relative dates at the clock's "now", and the event conditions."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from alumni.models import Conversion, Delivery, DeliveryStatus, Segment, SegmentMembership
from alumni.segments.compile import segment_queryset
from cohorts.completion.models import EnrollmentOutcome
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.alumni.segment_helpers import cond, group, names, record

pytestmark = pytest.mark.django_db


def select(*conditions, op="and"):
    return names(segment_queryset(group(op, *conditions)))


@pytest.fixture
def people():
    return {
        "ann": record(
            "Ann",
            total_paid_minor=50000,
            highest_stage_completed=2,
            nps_score=9,
            language="en",
            checkin_rate=0.9,
            upgraded=True,
            source="referral",
            utm_campaign="Spring-Sale",
            course_ids=[3, 14, 15],
            rfm_group="champions",
            marketing_consent=True,
        ),
        "bo": record(
            "Bo",
            total_paid_minor=12000,
            highest_stage_completed=1,
            nps_score=None,
            language="zh-hans",
            checkin_rate=0.4,
            source="",
            course_ids=[14],
            rfm_group="at_risk",
        ),
        "cy": record(
            "Cy",
            total_paid_minor=0,
            highest_stage_completed=None,
            nps_score=3,
            language="en",
            checkin_rate=0.0,
            source="import",
            course_ids=[],
            rfm_group="lost",
        ),
    }


def test_number_operators(people):
    assert select(cond("total_paid_minor", "eq", 12000)) == {"Bo"}
    assert select(cond("total_paid_minor", "ne", 12000)) == {"Ann", "Cy"}
    assert select(cond("total_paid_minor", "lt", 12000)) == {"Cy"}
    assert select(cond("total_paid_minor", "lte", 12000)) == {"Bo", "Cy"}
    assert select(cond("total_paid_minor", "gt", 12000)) == {"Ann"}
    assert select(cond("total_paid_minor", "gte", 12000)) == {"Ann", "Bo"}
    assert select(cond("total_paid_minor", "between", [1, 50000])) == {"Ann", "Bo"}
    assert select(cond("total_paid_minor", "in", [0, 50000])) == {"Ann", "Cy"}


def test_empty_and_not_empty_on_a_number_that_may_be_unknown(people):
    assert select(cond("highest_stage_completed", "empty")) == {"Cy"}
    assert select(cond("highest_stage_completed", "not_empty")) == {"Ann", "Bo"}
    # "not equal" keeps the unknown ones: Bo never answered the survey, so his score is not 9
    assert select(cond("nps_score", "ne", 9)) == {"Bo", "Cy"}
    # and "not (< 5)" too: nothing is known to be below 5 about him
    assert select(cond("nps_score", "lt", 5, negate=True)) == {"Ann", "Bo"}


def test_decimal_bool_and_choice(people):
    assert select(cond("checkin_rate", "gte", 0.5)) == {"Ann"}
    assert select(cond("checkin_rate", "between", [0.1, 0.5])) == {"Bo"}
    assert select(cond("upgraded", "eq", True)) == {"Ann"}
    assert select(cond("upgraded", "eq", False)) == {"Bo", "Cy"}
    assert select(cond("language", "eq", "zh-hans")) == {"Bo"}
    assert select(cond("language", "ne", "zh-hans")) == {"Ann", "Cy"}
    assert select(cond("rfm_group", "in", ["at_risk", "lost"])) == {"Bo", "Cy"}


def test_text_operators(people):
    assert select(cond("source", "eq", "referral")) == {"Ann"}
    assert select(cond("source", "ne", "referral")) == {"Bo", "Cy"}
    assert select(cond("source", "in", ["referral", "import"])) == {"Ann", "Cy"}
    assert select(cond("utm_campaign", "contains", "spring")) == {"Ann"}  # any case
    assert select(cond("source", "empty")) == {"Bo"}
    assert select(cond("source", "not_empty")) == {"Ann", "Cy"}
    assert select(cond("name", "contains", "a")) == {"Ann"}
    # LIKE's wildcards are text like any other
    assert select(cond("utm_campaign", "contains", "%")) == set()


def test_json_list_contains_is_exact_on_ids(people):
    assert select(cond("course_ids", "contains", 14)) == {"Ann", "Bo"}
    assert select(cond("course_ids", "contains", 1)) == set()  # 1 is not 14 nor 15
    assert select(cond("course_ids", "contains", 4)) == set()  # nor part of 14
    assert select(cond("course_ids", "contains", 3)) == {"Ann"}
    assert select(cond("course_ids", "contains", [15, 99])) == {"Ann"}  # any of
    assert select(cond("course_ids", "contains", 14, negate=True)) == {"Cy"}
    assert select(cond("course_ids", "empty")) == {"Cy"}
    assert select(cond("course_ids", "not_empty")) == {"Ann", "Bo"}


def test_nested_groups_and_negation(people):
    # (paid ≥ 10000 and (stage ≥ 2 or language = zh)) → Ann, Bo
    tree = group(
        "and",
        cond("total_paid_minor", "gte", 10000),
        group("or", cond("highest_stage_completed", "gte", 2), cond("language", "eq", "zh-hans")),
    )
    assert names(segment_queryset(tree)) == {"Ann", "Bo"}
    # the same with the inner group negated → nobody who paid is neither stage 2 nor Chinese
    tree["children"][1]["negate"] = True
    assert names(segment_queryset(tree)) == set()
    # the whole tree negated → everyone else
    tree["children"][1]["negate"] = False
    tree["negate"] = True
    assert names(segment_queryset(tree)) == {"Cy"}
    # three levels deep
    deep = group("or", group("and", group("or", cond("source", "eq", "import")), cond("nps_score", "lt", 5)))
    assert names(segment_queryset(deep)) == {"Cy"}


def test_an_empty_group_narrows_nothing(people):
    assert names(segment_queryset(group("and"))) == {"Ann", "Bo", "Cy"}
    assert select(cond("source", "eq", "import"), group("and"), op="or") == {"Cy"}


def test_relative_dates_are_resolved_at_the_clock_of_evaluation():
    # given records last active at fixed instants
    with time_machine.travel(datetime(2027, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        record("Recent", last_active_at=timezone.now() - timedelta(days=2), last_cohort_ended_on=date(2027, 3, 3))
        record("Older", last_active_at=timezone.now() - timedelta(days=20), last_cohort_ended_on=date(2027, 2, 1))
        record("Never")
        week_ago = cond("last_active_at", "gte", {"days": -7})
        ended_since = cond("last_cohort_ended_on", "gte", {"days": -7})
        # then on 10 March, "active since 7 days ago" is Recent only
        assert select(week_ago) == {"Recent"}
        assert select(ended_since) == {"Recent"}
        assert select(cond("last_active_at", "eq", {"days": -2})) == {"Recent"}
        assert select(cond("last_active_at", "lt", "today")) == {"Recent", "Older"}
        assert select(cond("last_active_at", "between", [{"days": -30}, {"days": -10}])) == {"Older"}
        assert select(cond("last_active_at", "empty")) == {"Never"}
        assert select(cond("last_cohort_ended_on", "lt", {"days": 3})) == {"Recent", "Older"}
        assert select(cond("last_cohort_ended_on", "eq", "2027-02-01")) == {"Older"}
    # and ten days later the same tree selects nobody: the date moved with the clock
    with time_machine.travel(datetime(2027, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        assert select(week_ago) == set()
        assert select(ended_since) == set()
    # an explicit "now" wins over the clock
    assert names(segment_queryset(group("and", week_ago), now=datetime(2027, 3, 9, 0, 0, tzinfo=UTC))) == {"Recent"}


def test_a_day_is_a_utc_day_at_its_edges():
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        record("Late", last_active_at=datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
        record("Early", last_active_at=datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
        assert select(cond("last_active_at", "eq", "today")) == {"Late"}
        assert select(cond("last_active_at", "gt", "today")) == {"Early"}
        assert select(cond("last_active_at", "lte", "2026-12-31")) == {"Late"}


def _ended_enrollment(*, learner, course, ends_on, outcome=EnrollmentStatus.COMPLETED):
    cohort = factories.cohort(
        course=course, starts_on=ends_on - timedelta(days=course.duration_days - 1), status=CohortStatus.ENDED
    )
    enrollment = factories.enrollment(cohort=cohort, learner=learner, status=outcome)
    EnrollmentOutcome.objects.create(
        enrollment=enrollment,
        outcome=outcome,
        counted_days=10,
        makeup_days=0,
        total_days=10,
        rate_percent=100,
        final_task_done=True,
        longest_streak=10,
        required_rate_percent=80,
        required_final_task=True,
        evaluated_outcome=outcome,
        evaluated_at=timezone.now(),
    )
    return enrollment


def test_completed_course_and_cohort_ended_each_match_any_enrollment_unless_joined():
    sql, python = factories.course(title="SQL"), factories.course(title="Python")
    ann, bo = record("Ann"), record("Bo")
    # Ann completed SQL long ago, and a Python cohort of hers (not completed) ended recently
    _ended_enrollment(learner=ann.learner, course=sql, ends_on=date(2025, 1, 31))
    _ended_enrollment(
        learner=ann.learner, course=python, ends_on=date(2026, 6, 30), outcome=EnrollmentStatus.NOT_COMPLETED
    )
    # Bo completed SQL recently
    _ended_enrollment(learner=bo.learner, course=sql, ends_on=date(2026, 6, 30))
    recently = ["2026-06-01", "2026-07-31"]

    assert select(cond("completed_course", "eq", sql.pk)) == {"Ann", "Bo"}
    assert select(cond("completed_course", "in", [python.pk])) == set()
    # two conditions: each may be met by a different enrollment
    assert select(cond("completed_course", "eq", sql.pk), cond("cohort_ended", "between", recently)) == {"Ann", "Bo"}
    # one condition with its own dates: the same enrollment
    assert select(cond("completed_course", "eq", sql.pk, ended_between=recently)) == {"Bo"}
    assert select(cond("cohort_ended", "lt", "2025-06-01")) == {"Ann"}
    assert select(cond("cohort_ended", "empty")) == set()
    assert select(cond("completed_course", "eq", sql.pk, negate=True)) == set()


def test_inactive_for_at_least_n_days_counts_never_active_as_inactive():
    now = timezone.now()
    record("Yesterday", last_active_at=now - timedelta(days=1))
    record("Month", last_active_at=now - timedelta(days=31))
    record("Never")
    assert select(cond("inactive_days", "gte", 30)) == {"Month", "Never"}
    assert select(cond("inactive_days", "gte", 30, negate=True)) == {"Yesterday"}


def test_got_a_campaign_and_did_not_convert():
    from alumni.models import Campaign

    marketer = factories.marketer()
    campaign = Campaign.objects.create(
        name="Spring", subject_en="s", body_en="b", subject_zh="s", body_zh="b", created_by=marketer
    )
    sent, converted, held_out = record("Sent"), record("Converted"), record("Held out")
    record("Never")
    for r, status in (
        (sent, DeliveryStatus.SENT),
        (converted, DeliveryStatus.SENT),
        (held_out, DeliveryStatus.HELD_OUT),
    ):
        Delivery.objects.create(campaign=campaign, learner=r.learner, status=status, due_at=timezone.now())
    from billing.models import Order

    cohort = factories.cohort(course=factories.course())
    enrollment = factories.enrollment(cohort=cohort, learner=converted.learner)
    order = Order.objects.create(
        learner=converted.learner, enrollment=enrollment, cohort=cohort, currency="CNY", total_minor=100
    )
    Conversion.objects.create(
        campaign=campaign,
        learner=converted.learner,
        order=order,
        via=Conversion.Via.CLICK,
        amount_minor=100,
        currency="CNY",
    )
    assert select(cond("campaign_not_converted", "eq", campaign.pk)) == {"Sent"}


def test_in_segment_reads_the_stored_membership_at_its_version():
    marketer = factories.marketer()
    ann, bo = record("Ann", source="import"), record("Bo")
    other = Segment.objects.create(
        name="Imported", tree=group("and", cond("source", "eq", "import")), created_by=marketer, version=3
    )
    # the stored members at version 3 are Bo (whatever its tree says now), Ann only at an older version
    SegmentMembership.objects.create(segment=other, version=3, learner=bo.learner)
    SegmentMembership.objects.create(segment=other, version=2, learner=ann.learner)
    assert select(cond("in_segment", "eq", other.pk)) == {"Bo"}
    assert select(cond("in_segment", "eq", other.pk, negate=True)) == {"Ann"}
    # a segment never computed has nobody
    never = Segment.objects.create(name="New", tree=group("and"), created_by=marketer)
    assert select(cond("in_segment", "eq", never.pk)) == set()


def test_count_and_first_page_are_two_queries(people, django_assert_num_queries):
    tree = group("and", cond("total_paid_minor", "gte", 1), cond("course_ids", "contains", 14))
    with django_assert_num_queries(2):
        queryset = segment_queryset(tree)
        assert queryset.count() == 2
        assert len(list(queryset.values("learner_id", "learner__email")[:20])) == 2
