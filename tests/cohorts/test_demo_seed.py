"""make demo's data: a realistic ladder, three cohorts in three states, people, history and a live feed;
running it twice changes nothing; the logins it prints work."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from cohorts.models import CheckIn, Cohort, Comment, Enrollment, Post, Reaction
from cohorts.statuses import CohortStatus
from content.models import Course, Lesson


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Course, Lesson, Cohort, Enrollment, CheckIn, Post, Reaction, Comment)
    }


@pytest.mark.django_db
def test_demo_seed_is_realistic_idempotent_and_its_logins_work():
    out = io.StringIO()
    call_command("demo_seed", stdout=out)
    first = _counts()
    call_command("demo_seed", stdout=io.StringIO())
    assert _counts() == first

    assert sorted(Course.objects.values_list("duration_days", flat=True)) == [7, 21, 28]
    assert first["Lesson"] == 7 + 21 + 28
    statuses = set(Cohort.objects.values_list("status", flat=True))
    assert {CohortStatus.OPEN, CohortStatus.RUNNING, CohortStatus.ENDED} <= statuses
    # a newcomer can start on any stage: each has a cohort open for enrollment
    open_stages = set(Cohort.objects.filter(status=CohortStatus.OPEN).values_list("course__stage", flat=True))
    assert open_stages == {1, 2, 3}
    running = Cohort.objects.get(status=CohortStatus.RUNNING)
    assert running.enrollments.count() >= 30
    assert CheckIn.objects.filter(enrollment__cohort=running).count() > 100
    assert Post.objects.filter(cohort=running, is_pinned=True).exists()
    assert first["Reaction"] > 0 and first["Comment"] > 0

    printed = out.getvalue()
    password = re.search(r"password: (\S+)", printed).group(1)
    emails = re.findall(r"^\s+\S.*?\s([a-z0-9]+@demo\.stagewise\.local)\s", printed, flags=re.MULTILINE)
    assert len(emails) >= 4
    for email in emails:
        assert authenticate(email=email, password=password) is not None, email
