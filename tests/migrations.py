"""Helpers for data-migration tests: rows built with a past migration state's models (``apps``)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone


def old_enrollment(apps: Any) -> Any:
    """A learner (张伟) enrolled in a week-long cohort of a one-stage track, built with ``apps``' historical models."""
    user = apps.get_model("accounts", "User").objects.create(email="zhang@example.com", display_name="张伟")
    track = apps.get_model("content", "Track").objects.create(title="T", slug="t")
    course = apps.get_model("content", "Course").objects.create(
        track=track, stage=1, title="C", slug="c", price_minor=100, currency="CNY", duration_days=7
    )
    today = timezone.localdate()
    cohort = apps.get_model("cohorts", "Cohort").objects.create(
        course=course,
        name="K",
        timezone="Asia/Shanghai",
        enrollment_opens_on=today,
        enrollment_closes_on=today,
        starts_on=today,
        ends_on=today + timedelta(days=6),
        capacity=5,
    )
    return apps.get_model("cohorts", "Enrollment").objects.create(cohort=cohort, learner=user)
