"""Celery tasks of alumni records: each takes ids, calls one service; all are idempotent, so a retry or a duplicate
message costs a little time and changes nothing."""

import logging
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.db.models import Max

from alumni.records import services
from alumni.records.scoring import records_rfm_score
from billing.models import Order
from cohorts.models import CheckIn, Enrollment, Post

logger = logging.getLogger(__name__)

# Where the periodic refresh of active learners got to: the last check-in and post ids it has seen. Kept in the
# shared cache; if it is lost, the job starts from the newest rows and the nightly rebuild covers the gap.
ACTIVE_CURSOR_KEY = "alumni.records.active_cursor"
ACTIVE_CURSOR_TTL = timedelta(days=7).total_seconds()
ACTIVE_BATCH = 500


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def record_refresh_task(learner_id: int) -> bool:
    return services.record_refresh(learner_id=learner_id)


# The two below take the row the event names, so the request that sends the event (the payment webhook, the
# checkout: bench/bench_enrollment.py) doesn't also look its learner up: the worker does.
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def record_refresh_for_order_task(order_id: int) -> bool:
    learner_id = Order.objects.filter(pk=order_id).values_list("learner_id", flat=True).first()
    return learner_id is not None and services.record_refresh(learner_id=learner_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def record_refresh_for_enrollment_task(enrollment_id: int) -> bool:
    learner_id = Enrollment.objects.filter(pk=enrollment_id).values_list("learner_id", flat=True).first()
    return learner_id is not None and services.record_refresh(learner_id=learner_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def records_refresh_cohort_task(cohort_id: int) -> int:
    """A cohort closed: its learners' outcomes, end date, rates and offers changed."""
    learner_ids = list(Enrollment.objects.filter(cohort_id=cohort_id).values_list("learner_id", flat=True))
    return sum(
        services.records_refresh(learner_ids=learner_ids[i : i + ACTIVE_BATCH])
        for i in range(0, len(learner_ids), ACTIVE_BATCH)
    )


@shared_task
def records_refresh_active_task() -> int:
    """Periodic (every few minutes): refresh the learners who checked in or posted since the last run.

    Check-ins are the hot path (bench/bench_checkin.py): they send nothing and enqueue nothing. This job reads the
    new rows by primary key instead (an index range, however large the tables grow)."""
    cursor = cache.get(ACTIVE_CURSOR_KEY)
    newest = {
        "checkin": CheckIn.objects.aggregate(n=Max("pk"))["n"] or 0,
        "post": Post.objects.aggregate(n=Max("pk"))["n"] or 0,
    }
    if cursor is None:
        cache.set(ACTIVE_CURSOR_KEY, newest, ACTIVE_CURSOR_TTL)
        return 0
    learner_ids = set(
        CheckIn.objects.filter(pk__gt=cursor["checkin"], pk__lte=newest["checkin"]).values_list(
            "enrollment__learner_id", flat=True
        )
    )
    learner_ids |= set(
        Post.objects.filter(pk__gt=cursor["post"], pk__lte=newest["post"]).values_list("author_id", flat=True)
    )
    ids = sorted(learner_ids)
    written = sum(
        services.records_refresh(learner_ids=ids[i : i + ACTIVE_BATCH]) for i in range(0, len(ids), ACTIVE_BATCH)
    )
    cache.set(ACTIVE_CURSOR_KEY, newest, ACTIVE_CURSOR_TTL)
    return written


@shared_task
def records_rebuild_task() -> dict[str, int]:
    """Nightly: rebuild every record from the source tables (drift is logged: it means a missed event), then score
    RFM over the whole population."""
    drift = services.records_rebuild()
    if drift.drifted:
        logger.warning(
            "alumni records drifted: %s created, %s changed, %s removed; fields %s",
            drift.created,
            drift.changed,
            drift.removed,
            dict(drift.fields),
        )
    groups = records_rfm_score()
    return {"examined": drift.examined, "drifted": drift.drifted, **groups}
