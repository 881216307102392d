"""Enrollment throughput on PostgreSQL: hold → pay → webhook → active, with concurrent learners.

    .venv/bin/python bench/bench_enrollment.py [--learners 200] [--concurrency 8]

Each learner runs the real services in its own thread (its own database connection): ``checkout_start`` (seat hold
under the cohort lock + priced order), ``payment_start`` and a test-card confirm against localstripe on loopback,
then a signed ``payment_intent.succeeded`` posted to the webhook view in-process. Prints enrollments per second,
the time spent on our side per enrollment (wall time minus the provider's HTTP round trips, which are timed at the
gateway) and the query count per step. Target: our side under 15 ms per enrollment.

Uses $DATABASE_URL if it points at PostgreSQL, else starts a throwaway PostgreSQL on 127.0.0.1 and removes it
afterwards. Everything talks to 127.0.0.1 only. Prints figures; asserts nothing.
"""

import argparse
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

SECRET = "whsec_bench"
_provider = threading.local()


def _timed_gateway() -> None:
    """Time every provider call made through the gateway, per thread, so it can be taken out of our side."""
    from billing.gateways.stripe import StripeGateway

    for name in ("payment_create", "payment_confirm", "payment_retrieve", "test_card_confirm", "refund_create"):
        original = getattr(StripeGateway, name)

        def wrapper(self, *args, __original=original, **kwargs):  # type: ignore[no-untyped-def]
            depth = getattr(_provider, "depth", 0)
            _provider.depth = depth + 1
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return __original(self, *args, **kwargs)
            finally:
                _provider.depth = depth
                if depth == 0:  # nested calls (test_card_confirm → payment_confirm) count once
                    _provider.seconds = getattr(_provider, "seconds", 0.0) + time.perf_counter() - start
                    _provider.cpu = getattr(_provider, "cpu", 0.0) + time.thread_time() - cpu

        setattr(StripeGateway, name, wrapper)


def _provider_seconds() -> float:
    return getattr(_provider, "seconds", 0.0)


def _provider_cpu() -> float:
    return getattr(_provider, "cpu", 0.0)


def _signed(payload: bytes) -> str:
    ts = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def seed(learners: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from cohorts.models import Cohort
    from content.models import Course, Track

    track = Track.objects.create(slug="bench-enroll", title="Bench")
    course = Course.objects.create(
        track=track,
        stage=1,
        stage_label="Beginner",
        slug="bench-enroll",
        title="Bench course",
        price_minor=19900,
        currency="CNY",
        duration_days=30,
        prerequisite="none",
        is_published=True,
    )
    today = timezone.now().date()
    cohort = Cohort.objects.create(
        course=course,
        name="Bench",
        timezone="Asia/Shanghai",
        enrollment_opens_on=today - timedelta(days=2),
        enrollment_closes_on=today + timedelta(days=20),
        starts_on=today + timedelta(days=21),
        ends_on=today + timedelta(days=50),
        capacity=learners,
        status="open",
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.test", display_name=f"Bench {i}", password=password) for i in range(learners)
    )
    return cohort, users


def enroll_one(cohort_id: int, learner, client, figures) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import Payment
    from billing.services import checkout_start, payment_confirm_test_card

    def step(name: str, func):  # type: ignore[no-untyped-def]
        provider_before, provider_cpu_before = _provider_seconds(), _provider_cpu()
        start, cpu = time.perf_counter(), time.thread_time()
        with CaptureQueriesContext(connection) as queries:
            result = func()
        wall = time.perf_counter() - start
        provider = _provider_seconds() - provider_before
        figures[name]["ours"].append(wall - provider)
        figures[name]["cpu"].append(time.thread_time() - cpu - (_provider_cpu() - provider_cpu_before))
        figures[name]["provider"].append(provider)
        figures[name]["queries"].append(len(queries.captured_queries))
        return result

    result = step("hold", lambda: checkout_start(learner=learner, cohort_id=cohort_id))
    order_id = result.order.pk
    step("pay", lambda: payment_confirm_test_card(learner=learner, order_id=order_id, card_number="4242424242424242"))
    payment = Payment.objects.get(order_id=order_id, status="pending")
    body = json.dumps(
        {
            "id": f"evt_bench_{order_id}",
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": int(time.time()),
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": payment.provider_payment_id,
                    "object": "payment_intent",
                    "amount": 19900,
                    "amount_received": 19900,
                    "currency": "cny",
                    "status": "succeeded",
                    "latest_charge": "ch_x",
                }
            },
        }
    ).encode()
    response = step(
        "webhook",
        lambda: client.post(
            "/billing/webhooks/stripe/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": _signed(body)},
        ),
    )
    assert response.status_code == 200, response.content
    connection.close_if_unusable_or_obsolete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="cProfile one worker; print the top of our side")
    args = parser.parse_args()

    from localstripe_server import start_in_thread

    from bench.bench_checkin import ThrowawayPostgres

    url = os.environ.get("DATABASE_URL", "")
    pg = None if url.startswith("postgres") else ThrowawayPostgres()
    if pg is not None:
        url = pg.__enter__()
    stripe_server = start_in_thread(port=0)
    var_dir = tempfile.mkdtemp(prefix="stagewise-bench-var.")
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        STAGEWISE_VAR_DIR=var_dir,
        STRIPE_API_BASE=stripe_server.url,
        STRIPE_WEBHOOK_SECRET=SECRET,
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0)
        _timed_gateway()
        cohort, users = seed(args.learners)
        figures: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        lock = threading.Lock()
        queue = list(users)
        errors: list[str] = []

        def worker() -> None:
            profiler = None
            if args.profile and threading.current_thread() is threads[0]:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            client = Client()
            local: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
            while True:
                with lock:
                    if not queue:
                        break
                    learner = queue.pop()
                try:
                    enroll_one(cohort.pk, learner, client, local)
                except Exception as exc:  # noqa: BLE001 - counted and printed
                    errors.append(repr(exc))
            connection.close()
            if profiler is not None:
                import pstats

                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative"))
                stats.print_stats(40)
                if os.environ.get("BENCH_PROFILE_CALLERS"):
                    stats.print_callers(os.environ["BENCH_PROFILE_CALLERS"])
            with lock:
                for name, series in local.items():
                    for key, values in series.items():
                        figures[name][key].extend(values)

        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start

        from cohorts.models import Enrollment

        active = Enrollment.objects.filter(cohort=cohort, status="active").count()
        print(
            f"enrollments: {active} active of {args.learners} learners, {args.concurrency} concurrent, "
            f"{len(errors)} errors{': ' + errors[0] if errors else ''}"
        )
        print(f"throughput: {active / elapsed:.1f} enrollments/s ({elapsed:.2f} s wall, localstripe included)")
        ours_total = [sum(v) for v in zip(*(figures[s]["ours"] for s in ("hold", "pay", "webhook")), strict=True)]
        print(
            f"our side per enrollment: median {statistics.median(ours_total) * 1000:.1f} ms, "
            f"p95 {statistics.quantiles(ours_total, n=20)[-1] * 1000:.1f} ms (target < 15 ms)"
        )
        cpu_total = [sum(v) for v in zip(*(figures[s]["cpu"] for s in ("hold", "pay", "webhook")), strict=True)]
        print(
            f"our side per enrollment, CPU of the request's thread only: median "
            f"{statistics.median(cpu_total) * 1000:.1f} ms (wall time above also counts lock, database and GIL waits)"
        )
        print(f"{'step':<8} {'ours wall ms':>13} {'ours CPU ms':>12} {'provider ms':>12} {'queries':>8}")
        for name in ("hold", "pay", "webhook"):
            series = figures[name]
            print(
                f"{name:<8} {statistics.median(series['ours']) * 1000:>13.1f} {statistics.median(series['cpu']) * 1000:>12.1f}"
                f" {statistics.median(series['provider']) * 1000:>12.1f} {statistics.median(series['queries']):>8.0f}"
            )
        print(f"(machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    finally:
        stripe_server.stop()
        if pg is not None:
            pg.__exit__(None, None, None)


if __name__ == "__main__":
    main()
