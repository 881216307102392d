"""RFM: quintile scores 1–5 and the named groups (the rule table of alumni.records.rfm), then over a population."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alumni.models import AlumniRecord
from alumni.records import rfm
from alumni.records.scoring import records_rfm_score
from tests import factories


def test_cut_points_are_the_20_40_60_80th_percentiles():
    assert rfm.cut_points(list(range(1, 11))) == (3, 5, 7, 9)
    assert rfm.cut_points([]) == ()
    assert rfm.cut_positions(10) == (2, 4, 6, 8)
    assert rfm.cut_positions(1) == (0, 0, 0, 0)


def test_higher_is_better_scores_and_equal_values_score_equally():
    cuts = rfm.cut_points(list(range(1, 11)))
    assert [rfm.score_higher_better(v, cuts) for v in range(1, 11)] == [1, 1, 1, 2, 2, 3, 3, 4, 4, 5]
    # most learners took one cohort: they are all F=1, the few who came back score higher
    cuts = rfm.cut_points([1] * 8 + [2, 5])
    assert rfm.score_higher_better(1, cuts) == 1
    assert rfm.score_higher_better(2, cuts) == 4
    assert rfm.score_higher_better(5, cuts) == 5


def test_recency_fewer_days_is_better_and_a_first_cohort_still_running_counts_as_recent():
    cuts = (10, 30, 60, 100)
    assert rfm.recency_score(days_since_end=3, days_since_active=None, cuts=cuts) == 5
    assert rfm.recency_score(days_since_end=45, days_since_active=None, cuts=cuts) == 3
    assert rfm.recency_score(days_since_end=400, days_since_active=None, cuts=cuts) == 1
    assert rfm.recency_score(days_since_end=None, days_since_active=2, cuts=cuts) == 5
    assert rfm.recency_score(days_since_end=None, days_since_active=90, cuts=cuts) == 1
    assert rfm.recency_score(days_since_end=None, days_since_active=None, cuts=cuts) == 1


@pytest.mark.parametrize(
    ("r", "f", "m", "group"),
    [
        (5, 5, 5, "champions"),
        (4, 4, 4, "champions"),
        (5, 5, 3, "loyal"),
        (3, 3, 1, "loyal"),
        (5, 1, 1, "new"),
        (4, 1, 5, "new"),
        (4, 2, 2, "promising"),
        (3, 1, 1, "promising"),
        (2, 4, 1, "at_risk"),
        (1, 1, 4, "at_risk"),
        (2, 2, 2, "hibernating"),
        (1, 2, 2, "lost"),
        (1, 1, 1, "lost"),
    ],
)
def test_the_rule_table(r, f, m, group):
    assert rfm.group_for(r, f, m) == group


def test_every_score_triple_has_a_group():
    groups = {rfm.group_for(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert groups == {name for name, _rule in rfm.GROUP_RULES}


@pytest.mark.django_db
def test_a_population_is_scored_from_each_learners_own_last_end():
    # given ten alumni: the recent big spenders who came back often, down to those long gone after one cohort
    today = timezone.now().date()
    records = []
    for i in range(10):
        learner = factories.learner(name=f"Alum {i}")
        records.append(
            AlumniRecord.objects.create(
                learner=learner,
                last_cohort_ended_on=today - timedelta(days=10 + 40 * i),
                cohorts_taken=max(1, 5 - i // 2),
                total_paid_minor=100000 - 9000 * i,
                currency="CNY",
            )
        )
    newcomer = AlumniRecord.objects.create(
        learner=factories.learner(name="新同学"), cohorts_taken=1, last_active_at=timezone.now()
    )

    # when scored
    groups = records_rfm_score()

    # then the best are champions, the longest gone are lost, a first cohort still running is new
    by_learner = {r.learner_id: r for r in AlumniRecord.objects.all()}
    assert by_learner[records[0].learner_id].rfm_group == "champions"
    assert by_learner[records[9].learner_id].rfm_group in {"lost", "hibernating"}
    assert by_learner[newcomer.learner_id].rfm_group == "new"
    assert sum(groups.values()) == 11
    assert all(1 <= r.rfm_recency <= 5 and 1 <= r.rfm_monetary <= 5 for r in by_learner.values())
    # scoring again changes nothing
    assert records_rfm_score() == groups


@pytest.mark.django_db
def test_the_databases_group_rule_is_the_rule_table():
    from alumni.records.scoring import group_expression

    triples = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    AlumniRecord.objects.bulk_create(
        [
            AlumniRecord(learner=factories.learner(), rfm_recency=r, rfm_frequency=f, rfm_monetary=m)
            for r, f, m in triples
        ]
    )
    AlumniRecord.objects.update(rfm_group=group_expression())
    for record in AlumniRecord.objects.all():
        assert record.rfm_group == rfm.group_for(record.rfm_recency, record.rfm_frequency, record.rfm_monetary)


@pytest.mark.django_db
def test_the_databases_scores_are_the_quintile_scores():
    from alumni.records.scoring import records_rfm_score, rfm_cuts

    today = timezone.now().date()
    for i in range(23):
        AlumniRecord.objects.create(
            learner=factories.learner(),
            last_cohort_ended_on=today - timedelta(days=(i * 37) % 400) if i % 5 else None,
            last_active_at=timezone.now() - timedelta(days=(i * 13) % 60),
            cohorts_taken=i % 4,
            total_paid_minor=(i * 7919) % 50000,
            total_refunded_minor=(i * 31) % 900,
        )
    records_rfm_score(batch_size=5)  # several ranges
    cuts = rfm_cuts(today=today)
    for record in AlumniRecord.objects.all():
        days_since_end = (today - record.last_cohort_ended_on).days if record.last_cohort_ended_on else None
        days_since_active = (today - record.last_active_at.date()).days
        expected = (
            rfm.recency_score(
                days_since_end=days_since_end, days_since_active=days_since_active, cuts=cuts.recency_days
            ),
            rfm.score_higher_better(record.cohorts_taken, cuts.frequency),
            rfm.score_higher_better(record.total_paid_minor - record.total_refunded_minor, cuts.monetary),
        )
        assert (record.rfm_recency, record.rfm_frequency, record.rfm_monetary) == expected
        assert record.rfm_group == rfm.group_for(*expected)
