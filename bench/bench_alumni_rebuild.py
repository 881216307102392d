"""The alumni rebuild at scale on PostgreSQL: ``--learners`` alumni, each with an ended cohort's enrollment, its
outcome, check-ins, a paid order and a survey answer; then ``records_rebuild`` (every record created), a second
rebuild (no drift: every record compared), RFM scoring. Prints the time of each and the peak of Python memory
(tracemalloc, in a separate traced run) — a flat peak across sizes shows that batches don't accumulate.

    .venv/bin/python bench/bench_alumni_rebuild.py [--learners 100000] [--batch-size 1000]

Uses $DATABASE_URL if it points at PostgreSQL, else a throwaway PostgreSQL on 127.0.0.1 (removed afterwards).
Prints figures; asserts nothing.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_checkin import ThrowawayPostgres  # noqa: E402

CHUNK = 5000


def seed(learners: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from billing.models import Order, Payment
    from cohorts.completion.models import EnrollmentOutcome
    from cohorts.models import CheckIn, Cohort, Enrollment
    from cohorts.survey.models import SurveyResponse
    from content.models import Course, Track

    now = timezone.now()
    track = Track.objects.create(slug="bench", title="Bench")
    cohorts = []
    for stage in (1, 2, 3):
        course = Course.objects.create(
            track=track, stage=stage, stage_label=f"S{stage}", slug=f"bench-{stage}", title=f"Bench {stage}",
            price_minor=19900 * stage, currency="CNY", duration_days=7, is_published=True, prerequisite="none",
        )  # fmt: skip
        for k in range(10):
            ends_on = (now - timedelta(days=10 + 30 * k + stage)).date()
            cohorts.append(
                Cohort.objects.create(
                    course=course, name=f"B{stage}-{k}", timezone="Asia/Shanghai", enrollment_opens_on=ends_on,
                    enrollment_closes_on=ends_on, starts_on=ends_on - timedelta(days=6), ends_on=ends_on,
                    capacity=learners, status="ended",
                )
            )  # fmt: skip
    password = make_password("bench")
    for start in range(0, learners, CHUNK):
        n = min(CHUNK, learners - start)
        users = User.objects.bulk_create(
            [
                User(email=f"alum{start + i}@bench.test", display_name=f"校友 {start + i}", password=password)
                for i in range(n)
            ]
        )
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    cohort=cohorts[(start + i) % len(cohorts)],
                    learner=u,
                    status="completed" if i % 3 else "not_completed",
                )
                for i, u in enumerate(users)
            ]
        )
        EnrollmentOutcome.objects.bulk_create(
            [
                EnrollmentOutcome(
                    enrollment=e, outcome=e.status, counted_days=5, makeup_days=0, total_days=7, rate_percent=71,
                    final_task_done=True, longest_streak=3, required_rate_percent=70, required_final_task=False,
                    evaluated_outcome=e.status, evaluated_at=now,
                )
                for e in enrollments
            ]
        )  # fmt: skip
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    enrollment=e,
                    day=day,
                    local_date=e.cohort.starts_on + timedelta(days=day - 1),
                    text="x",
                    created_at=now,
                )
                for i, e in enumerate(enrollments)
                for day in range(1, 2 + i % 7)
            ]
        )
        orders = Order.objects.bulk_create(
            [
                Order(
                    learner_id=e.learner_id,
                    enrollment=e,
                    cohort=e.cohort,
                    currency="CNY",
                    total_minor=19900,
                    status="paid",
                    paid_at=now,
                )
                for e in enrollments
            ]
        )
        Payment.objects.bulk_create(
            [Payment(order=o, amount_minor=19900, currency="CNY", captured_minor=19900, status="paid") for o in orders]
        )
        SurveyResponse.objects.bulk_create(
            [SurveyResponse(enrollment=e, score=i % 11, created_at=now) for i, e in enumerate(enrollments) if i % 2]
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    context = ThrowawayPostgres() if not url.startswith("postgres") else None
    if context:
        url = context.__enter__()
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "STAGEWISE_VAR_DIR": tempfile.mkdtemp(prefix="stagewise-bench-var."),
        }
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db.models.signals import post_save

        call_command("migrate", verbosity=0)
        from alumni.models import AlumniRecord
        from alumni.records.scoring import records_rfm_score
        from alumni.records.services import records_rebuild

        post_save.receivers = []  # seeding: no refresh tasks
        started = time.perf_counter()
        seed(args.learners)
        print(f"seeded {args.learners} alumni in {time.perf_counter() - started:.1f} s")

        for label in ("first rebuild (creates every record)", "second rebuild (compares every record)"):
            started = time.perf_counter()
            drift = records_rebuild(batch_size=args.batch_size)
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {elapsed:.1f} s, {drift.examined / elapsed:,.0f} records/s, "
                f"{drift.created} created, {drift.changed} differed"
            )
        started = time.perf_counter()
        groups = records_rfm_score()
        print(f"RFM scoring: {time.perf_counter() - started:.1f} s, groups {dict(groups)}")
        # Memory apart: tracemalloc slows allocation-heavy code several times over.
        tracemalloc.start()
        records_rebuild(batch_size=args.batch_size, dry_run=True)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory of a rebuild (dry run, traced): {peak / 2**20:.1f} MiB")
        tracemalloc.start()
        records_rfm_score()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory of RFM scoring (traced): {peak / 2**20:.1f} MiB")
        print(f"records: {AlumniRecord.objects.count()}")
    finally:
        if context:
            context.__exit__(None, None, None)


if __name__ == "__main__":
    main()
