"""RFM scores of every record, by quintiles of the whole population (the rules: ``alumni.records.rfm``).

Run by the rebuild and nightly. Memory stays flat: the cut points are read from the database one ``OFFSET`` each,
then records are scored in keyset batches and only the ones whose scores changed are written.
"""

from collections import Counter
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from alumni.models import AlumniRecord
from alumni.records import rfm

SCORE_BATCH = 2000
RFM_FIELDS = ["rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_group"]


def _cuts(ordered: QuerySet, column: str) -> list[int]:
    n = ordered.count()
    return [ordered.values_list(column, flat=True)[position] for position in rfm.cut_positions(n)]


def rfm_cuts(*, today: date) -> rfm.Cuts:
    """The population's quintile cut points: eight small queries."""
    records = AlumniRecord.objects.all()
    ended = records.filter(last_cohort_ended_on__isnull=False).order_by("-last_cohort_ended_on")
    recency = [(today - ended_on).days for ended_on in _cuts(ended, "last_cohort_ended_on")]  # type: ignore[operator]
    frequency = _cuts(records.order_by("cohorts_taken"), "cohorts_taken")
    net = records.annotate(net=F("total_paid_minor") - F("total_refunded_minor")).order_by("net")
    monetary = _cuts(net, "net")
    return rfm.Cuts(recency_days=tuple(recency), frequency=tuple(frequency), monetary=tuple(monetary))


def record_rfm(record: AlumniRecord, *, cuts: rfm.Cuts, today: date) -> tuple[int, int, int, str]:
    days_since_end = (today - record.last_cohort_ended_on).days if record.last_cohort_ended_on else None
    days_since_active = (today - record.last_active_at.date()).days if record.last_active_at else None
    r = rfm.recency_score(days_since_end=days_since_end, days_since_active=days_since_active, cuts=cuts.recency_days)
    f = rfm.score_higher_better(record.cohorts_taken, cuts.frequency)
    m = rfm.score_higher_better(record.total_paid_minor - record.total_refunded_minor, cuts.monetary)
    return r, f, m, rfm.group_for(r, f, m)


def records_rfm_score(*, now: datetime | None = None, batch_size: int = SCORE_BATCH) -> Counter[str]:
    """Score every record; returns how many records are in each group. Idempotent."""
    today = (now or timezone.now()).date()
    cuts = rfm_cuts(today=today)
    groups: Counter[str] = Counter()
    last = 0
    fields = ["learner_id", "last_cohort_ended_on", "last_active_at", "cohorts_taken", "total_paid_minor"]
    while True:
        batch = list(
            AlumniRecord.objects.filter(learner_id__gt=last)
            .order_by("learner_id")
            .only(*fields, "total_refunded_minor", *RFM_FIELDS)[:batch_size]
        )
        if not batch:
            break
        last = batch[-1].learner_id
        changed = []
        for record in batch:
            scores = record_rfm(record, cuts=cuts, today=today)
            groups[scores[3]] += 1
            if scores != (record.rfm_recency, record.rfm_frequency, record.rfm_monetary, record.rfm_group):
                record.rfm_recency, record.rfm_frequency, record.rfm_monetary, record.rfm_group = scores
                changed.append(record)
        if changed:
            with transaction.atomic():
                AlumniRecord.objects.bulk_update(changed, RFM_FIELDS)
    return groups
