"""Seat holds moved from billing to cohorts: the table stays, and each order keeps the hold that served it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.migrations import old_enrollment

BEFORE = [("billing", "0003_applications"), ("cohorts", "0006_drop_indexes_covered_by_composites")]
AFTER = [("billing", "0005_seathold_moved_to_cohorts"), ("cohorts", "0007_seathold")]


@pytest.mark.django_db(transaction=True)
def test_orders_keep_their_seat_holds_through_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    enrollment = old_enrollment(old)
    cohort, user = enrollment.cohort, enrollment.learner
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
