"""Seat holds moved from billing to cohorts: the table stays, and each order keeps the hold that served it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("billing", "0003_applications"), ("cohorts", "0006_drop_indexes_covered_by_composites")]
AFTER = [("billing", "0005_seathold_moved_to_cohorts"), ("cohorts", "0007_seathold")]


@pytest.mark.django_db(transaction=True)
def test_orders_keep_their_seat_holds_through_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="zhang@example.com", display_name="张伟")
    track = old.get_model("content", "Track").objects.create(title="T", slug="t")
    course = old.get_model("content", "Course").objects.create(
        track=track, stage=1, title="C", slug="c", price_minor=100, currency="CNY", duration_days=7
    )
    today = timezone.localdate()
    cohort = old.get_model("cohorts", "Cohort").objects.create(
        course=course,
        name="K",
        timezone="Asia/Shanghai",
        enrollment_opens_on=today,
        enrollment_closes_on=today,
        starts_on=today,
        ends_on=today + timedelta(days=6),
        capacity=5,
    )
    enrollment = old.get_model("cohorts", "Enrollment").objects.create(cohort=cohort, learner=user)
    order = old.get_model("billing", "Order").objects.create(
        learner=user, enrollment=enrollment, cohort=cohort, currency="CNY", total_minor=100
    )
    hold = old.get_model("billing", "SeatHold").objects.create(
        cohort=cohort, enrollment=enrollment, order=order, expires_at=timezone.now() + timedelta(minutes=30)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("cohorts", "SeatHold").objects.get(pk=hold.pk)
    assert moved.status == "held" and moved.enrollment_id == enrollment.pk
    assert new.get_model("billing", "Order").objects.get(pk=order.pk).seat_hold_id == hold.pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the other tests
