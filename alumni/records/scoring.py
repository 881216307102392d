"""RFM scores of every record, by quintiles of the whole population (the rules: ``alumni.records.rfm``).

Run by the rebuild and nightly. Memory stays flat and the work stays in the database: the cut points are read one
``OFFSET`` each, then each range of ``SCORE_BATCH`` learner ids is scored by two ``UPDATE`` statements whose ``CASE``
expressions are the rule table of ``rfm`` written as ORM expressions (``tests/alumni/test_records_rfm.py`` checks
that they agree with ``rfm.group_for`` for every score triple). Short transactions: a record refresh waits at most
for one range.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from alumni.models import AlumniRecord
from alumni.records import rfm

SCORE_BATCH = 10_000


def _cuts(ordered: QuerySet, column: str) -> list[Any]:
    n = ordered.count()
    return [ordered.values_list(column, flat=True)[position] for position in rfm.cut_positions(n)]


def rfm_cuts(*, today: date) -> rfm.Cuts:
    """The population's quintile cut points: eight small queries."""
    records = AlumniRecord.objects.all()
    ended = records.filter(last_cohort_ended_on__isnull=False).order_by("-last_cohort_ended_on")
    recency = [(today - ended_on).days for ended_on in _cuts(ended, "last_cohort_ended_on")]
    frequency = _cuts(records.order_by("cohorts_taken"), "cohorts_taken")
    net = records.annotate(net=F("total_paid_minor") - F("total_refunded_minor")).order_by("net")
    monetary = _cuts(net, "net")
    return rfm.Cuts(recency_days=tuple(recency), frequency=tuple(frequency), monetary=tuple(monetary))


def _higher_better(condition: Any, cuts: tuple[int, ...]) -> Case:
    """``rfm.score_higher_better`` as a CASE: ``condition(c)`` is "value ≤ c"."""
    return Case(*[When(condition(cut), then=Value(score)) for score, cut in enumerate(cuts, start=1)], default=Value(5))


def score_expressions(*, cuts: rfm.Cuts, today: date) -> dict[str, Case | Value]:
    """The three scores of a record as expressions (``rfm.recency_score`` and ``rfm.score_higher_better``)."""
    recent_activity = today - timedelta(days=rfm.ACTIVE_DAYS)
    recency = Case(
        When(
            last_cohort_ended_on__isnull=True,
            then=Case(When(last_active_at__date__gte=recent_activity, then=Value(5)), default=Value(1)),
        ),
        *[
            When(last_cohort_ended_on__gte=today - timedelta(days=cut), then=Value(5 - i))
            for i, cut in enumerate(cuts.recency_days)
        ],
        default=Value(1 if cuts.recency_days else 5),
    )
    return {
        "rfm_recency": recency,
        "rfm_frequency": _higher_better(lambda cut: Q(cohorts_taken__lte=cut), cuts.frequency)
        if cuts.frequency
        else Value(1),
        "rfm_monetary": _higher_better(
            lambda cut: Q(total_paid_minor__lte=F("total_refunded_minor") + cut), cuts.monetary
        )
        if cuts.monetary
        else Value(1),
    }


def group_expression() -> Case:
    """``rfm.group_for`` over the stored scores, rule by rule."""
    r, f, m = "rfm_recency", "rfm_frequency", "rfm_monetary"
    return Case(
        When(Q(**{f"{r}__gte": 4, f"{f}__gte": 4, f"{m}__gte": 4}), then=Value("champions")),
        When(Q(**{f"{r}__gte": 3, f"{f}__gte": 3}), then=Value("loyal")),
        When(Q(**{f"{r}__gte": 4, f: 1}), then=Value("new")),
        When(Q(**{f"{r}__gte": 3}), then=Value("promising")),
        When(Q(**{f"{f}__gte": 3}) | Q(**{f"{m}__gte": 3}), then=Value("at_risk")),
        When(Q(**{r: 2}), then=Value("hibernating")),
        default=Value("lost"),
    )


def records_rfm_score(*, now: datetime | None = None, batch_size: int = SCORE_BATCH) -> Counter[str]:
    """Score every record; returns how many records are in each group. Idempotent."""
    today = (now or timezone.now()).date()
    scores = score_expressions(cuts=rfm_cuts(today=today), today=today)
    group = group_expression()
    last = 0
    while True:
        ids = (
            AlumniRecord.objects.filter(learner_id__gt=last).order_by("learner_id").values_list("learner_id", flat=True)
        )
        upper = next(iter(ids[batch_size - 1 : batch_size]), None)
        batch = AlumniRecord.objects.filter(learner_id__gt=last)
        if upper is not None:
            batch = batch.filter(learner_id__lte=upper)
        batch.update(**scores)
        batch.update(rfm_group=group)
        if upper is None:
            break
        last = upper
    counts = AlumniRecord.objects.values("rfm_group").annotate(n=Count("pk")).values_list("rfm_group", "n")
    return Counter(dict(counts))
